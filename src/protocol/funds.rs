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

/// `POST /funds/v1/psds/{psd_id}/refills`: funds from the account's balance into the PSD.
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

/// `GET /postage/v1/psds/{psd_id}/registers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistersResponse {
    pub registers: RegistersView,
    pub account_balance_mills: i64,
}

/// `POST /funds/v1/embedded-psds/{psd_id}/refills`: funds for the counter's embedded PSD, from its
/// account, under the counter's own refill id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedRefillRequest {
    /// The counter's id for this refill: the PSD credits each id once. 1 to 64 printable
    /// ASCII characters.
    pub refill_id: String,
    pub amount_mills: i64,
    /// The PSD's registers now: the authorization binds to their control total.
    pub registers: ReportedRegisters,
}

/// A PSD's registers as its counter reports them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedRegisters {
    pub ascending_mills: i64,
    pub descending_mills: i64,
    pub control_total_mills: i64,
    pub piece_count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedRefillResponse {
    pub psd_id: u32,
    pub refill_id: String,
    pub amount_mills: i64,
    /// The signed refill authorization, hex (see `grants::refill`).
    pub authorization: String,
    pub account_balance_mills: i64,
}

/// `POST /funds/v1/embedded-psds/{psd_id}/withdrawals`: retire the counter's embedded PSD and give
/// its descending register back; every piece it issued must be reconciled first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    pub registers: ReportedRegisters,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalResponse {
    pub psd_id: u32,
    pub amount_mills: i64,
    pub control_total_mills: i64,
    /// The signed withdrawal authorization, hex (see `grants::withdrawal`).
    pub authorization: String,
}

/// `POST /funds/v1/embedded-psds/{psd_id}/withdrawals/confirmation`: the PSD applied the
/// withdrawal (its descending register is zero and it issues nothing more), signed by its
/// key over [`withdrawal_text`]; the data centre then credits the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalConfirmation {
    pub control_total_mills: i64,
    pub amount_mills: i64,
    pub piece_count: u64,
    /// ECDSA P-256 signature r‖s by the PSD's key, hex (128 digits).
    pub signature: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalConfirmed {
    pub psd_id: u32,
    pub amount_mills: i64,
    pub account_balance_mills: i64,
}

/// What a PSD signs to confirm it applied a withdrawal.
pub fn withdrawal_text(
    psd_id: u32,
    control_total_mills: i64,
    amount_mills: i64,
    piece_count: u64,
) -> String {
    format!("PCWD1\n{psd_id}\n{control_total_mills}\n{amount_mills}\n{piece_count}")
}
