//! The counter's ticket settings: when a lottery ticket is confirmed before it is sold.

use serde::Deserialize;

use super::values::money;
use crate::money::Money;

/// Lottery and event tickets at this counter.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketSettings {
    /// A lottery ticket above this amount is confirmed before it is sold.
    #[serde(deserialize_with = "money")]
    pub confirm_above: Money,
    /// Above this amount it is confirmed a second time.
    #[serde(deserialize_with = "money")]
    pub confirm_again_above: Money,
}
