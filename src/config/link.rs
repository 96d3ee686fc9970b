//! `[link]` and `[link.modem]`: how the counter reaches its data centre, over the Internet
//! and, as the backup, over a modem.

use serde::Deserialize;

use super::values::{list_or_text, money, number_or_text};
use crate::money::Money;

/// The counter's link to its vendor (see `link`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// Data centre base URLs; empty: the in-process data centre.
    #[serde(deserialize_with = "list_or_text")]
    pub endpoints: Vec<String>,
    pub enrollment_code: String,
    pub counter_name: String,
    #[serde(deserialize_with = "number_or_text")]
    pub timeout_ms: u64,
    #[serde(deserialize_with = "number_or_text")]
    pub attempts: u32,
    #[serde(deserialize_with = "number_or_text")]
    /// Seconds without an answer from the data centre (or after being offline) before the
    /// station polls for its agenda.
    pub poll_after_s: u64,
    /// A certificate with fewer days left is renewed at the next contact.
    #[serde(deserialize_with = "number_or_text")]
    pub certificate_renew_days: i32,
    /// The embedded PSD's refill at the counter's first contact; zero for none.
    #[serde(deserialize_with = "money")]
    pub first_refill: Money,
    /// A PEM file of the only certificates trusted for the data centre's TLS; empty: the
    /// platform's roots.
    pub data_centre_ca: String,
    /// The backup link over a modem.
    pub modem: ModemConfig,
}

/// `[link.modem]`: the backup link (see `modem::dialer`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModemConfig {
    /// The modem's serial device; empty: no modem.
    pub device: String,
    pub number: String,
    pub init: String,
    #[serde(deserialize_with = "number_or_text")]
    pub baud: u32,
    #[serde(deserialize_with = "number_or_text")]
    pub attempts: u32,
    #[serde(deserialize_with = "number_or_text")]
    pub backoff_ms: u64,
    #[serde(deserialize_with = "number_or_text")]
    pub answer_timeout_s: u64,
}
