//! The payments service's bodies (claim 6): a counter's card payment is validated by the
//! data centre (the counter is active, the card is valid and the issuer approves) before the
//! counter issues anything for it, and the money is credited to the counter's account, from
//! which the postage is then bought. A refund of what was not issued goes back the same way.

use serde::{Deserialize, Serialize};

use super::CardDetails;

/// `POST /accounts/v1/card-payments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardPaymentRequest {
    /// The counter's id for this charge (1 to 64 printable ASCII characters): charged once.
    pub charge_id: String,
    pub card: CardDetails,
    pub amount_mills: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPaymentResponse {
    pub charge_id: String,
    /// `visa`, `mastercard`, `amex`, `discover`, ...
    pub brand: String,
    pub last4: String,
    pub approval_code: String,
    pub amount_mills: i64,
    /// The counter's account after the payment was credited to it.
    pub account_balance_mills: i64,
}

/// `POST /accounts/v1/card-payments/{charge_id}/refunds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRefundRequest {
    /// The counter's id for this refund (1 to 64 printable ASCII characters): refunded once.
    pub refund_id: String,
    pub amount_mills: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRefundResponse {
    pub charge_id: String,
    pub refund_id: String,
    pub amount_mills: i64,
    /// Every refund of the charge so far, this one included.
    pub refunded_total_mills: i64,
    pub account_balance_mills: i64,
}
