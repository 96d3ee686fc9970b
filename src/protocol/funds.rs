//! The funds service's bodies: a PSD's registers and refills of a central PSD from its
//! account.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistersView {
    pub psd_id: u32,
    pub ascending_mills: i64,
    pub descending_mills: i64,
    pub control_total_mills: i64,
    pub piece_count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_reason: Option<String>,
}

/// `POST /v1/psds/{psd_id}/refills`: funds from the account's balance into the PSD.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefillRequest {
    pub amount_mills: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefillResponse {
    pub registers: RegistersView,
    pub account_balance_mills: i64,
}

/// `GET /v1/psds/{psd_id}/registers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistersResponse {
    pub registers: RegistersView,
    pub account_balance_mills: i64,
}
