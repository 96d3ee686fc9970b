//! The vendor API's JSON bodies, version 1: what the counter sends and what it gets back.
//!
//! One set of types serves both ends (the axum handlers and the counter's reqwest client),
//! so the two cannot drift apart; `docs/vendor-api.openapi.json` describes the same shapes
//! for other clients. Amounts are integer mills, binary values are lower-case hex, dates are
//! `YYYY-MM-DD`. Requests refuse unknown fields, so a misspelt field is an error rather than
//! a silently ignored option.

use serde::{Deserialize, Serialize};

/// `POST /v1/purchases`: one or several pieces, paid from the counter's account (topping up
/// its PSD when short) or by the card given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseRequest {
    pub pieces: Vec<PieceOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardDetails>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PieceOrder {
    pub postage_mills: i64,
    /// `YYYY-MM-DD`, today or up to 7 days ahead by the vendor's clock.
    pub mailing_date: String,
    /// Five digits.
    pub origin_zip: String,
    /// `12345` or `12345-6789`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_zip: Option<String>,
    pub rate_category: u8,
    #[serde(default)]
    pub extra_services: u8,
    /// The serial printed on the label stock this indicium goes on, like `L000012345-67`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_serial: Option<String>,
}

/// A card to charge for the purchase (claim 6). Never stored or logged: the vendor keeps the
/// gateway's token and the last 4 digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardDetails {
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    pub holder: String,
}

impl std::fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        let last4 = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
        write!(f, "CardDetails(•••• {last4})")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseResponse {
    /// The counter's idempotency key for this purchase.
    pub purchase_key: String,
    pub license_number: u32,
    pub psd_id: u32,
    pub processing_server: ProcessingServerRef,
    pub pieces: Vec<IssuedPiece>,
    /// The PSD's registers after the last piece.
    pub registers: RegistersView,
    /// Funds moved from the account to the PSD before issuing (claim 11), 0 if none.
    pub top_up_mills: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardReceipt>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingServerRef {
    pub id: u32,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedPiece {
    pub piece_serial: u32,
    pub postage_mills: i64,
    /// The 112 indicium bytes, hex.
    pub indicium: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardReceipt {
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub approval_code: String,
    pub amount_mills: i64,
}

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

/// `POST /v1/voids`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    pub psd_id: u32,
    pub piece_serial: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidResponse {
    pub psd_id: u32,
    pub piece_serial: u32,
    pub refunded_mills: i64,
    pub registers: RegistersView,
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

/// `POST /v1/counters`: a counter registers its public key with a one-time enrollment code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterCounterRequest {
    pub enrollment_code: String,
    pub name: String,
    /// The counter's P-256 public key, SEC1 uncompressed (65 bytes), hex.
    pub public_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCounterResponse {
    pub counter_id: String,
    pub account_id: String,
    pub license_number: u32,
    pub psd_ids: Vec<u32>,
}

/// `POST /v1/sessions`, signed with the counter's key: the counter's half of a session key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSessionRequest {
    /// A fresh P-256 public key for this session only, SEC1 uncompressed (65 bytes), hex.
    pub ephemeral_public_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSessionResponse {
    /// 16 bytes, hex: names the session in each request's `Authorization` header.
    pub session_id: String,
    /// The vendor's ephemeral public key for this session, SEC1 uncompressed, hex.
    pub ephemeral_public_key: String,
    pub expires_unix_ms: i64,
}

/// `POST /v1/reconciliations`: the pieces a counter's embedded PSD issued while the vendor
/// could not be reached, hash-chained (see `ledger_chain`), from the first piece the vendor
/// has not acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileRequest {
    /// The embedded PSD's device id.
    pub psd_id: u32,
    /// The embedded PSD's certificate (110 bytes, hex), as `postcounter keys export`
    /// writes it. The vendor keeps the first one a counter reports, and every offline
    /// indicium must verify under it.
    pub psd_certificate: String,
    pub entries: Vec<LedgerEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    pub piece_serial: u32,
    pub postage_mills: i64,
    /// `YYYY-MM-DD`.
    pub mailing_date: String,
    pub issued_unix_ms: i64,
    /// The indicium bytes, hex.
    pub indicium: String,
    /// This entry's chain hash, hex (64 digits).
    pub entry_hash: String,
}

/// The vendor's head of the counter's chain after the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileResponse {
    pub psd_id: u32,
    /// The last piece the vendor holds (0 for none).
    pub through_serial: u32,
    /// Its chain hash, hex.
    pub head_hash: String,
    /// Pieces recorded by this report (0 for a retry or an empty report).
    pub recorded: u32,
    pub recorded_postage_mills: i64,
}

/// `GET /v1/health`: unauthenticated; the vendor is the counters' time authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub store: String,
    pub license_number: u32,
    pub processing_servers: u32,
    pub time_unix_ms: i64,
    pub version: String,
}

/// Every refusal: a stable `kind` to react to and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub kind: String,
    pub message: String,
}
