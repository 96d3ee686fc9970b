//! The postage service's bodies: purchases of indicia and voids of unused ones.

use serde::{Deserialize, Serialize};

use super::funds::RegistersView;

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
