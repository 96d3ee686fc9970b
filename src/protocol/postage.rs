//! The postage service's bodies: purchases of indicia and voids of unused ones.

use serde::{Deserialize, Serialize};

use super::funds::RegistersView;
use crate::customs::{ContentCategory, CustomsDeclaration, CustomsError, CustomsItem};
use crate::money::Money;
use crate::rates::{Destination, PricedPiece};
use crate::weight::Weight;

/// `POST /postage/v1/purchases`: one or several pieces, paid from the counter's account (topping up
/// its PSD when short) or by the card given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseRequest {
    pub pieces: Vec<PieceOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardDetails>,
}

/// One piece as the customer presents it. The vendor prices it with the rate table in
/// force on the mailing date and signs that postage; the origin is the counter's registered
/// location, never the request's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PieceOrder {
    /// As `postcounter sell --weight` takes it, exactly: `2oz`, `3lb 4oz`, `56.69904625g`.
    pub weight: String,
    /// `letter`, `postcard`, `large-envelope` or `parcel`.
    pub shape: String,
    /// Outside dimensions, `12 x 10 x 4 in`, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<String>,
    /// The product's slug, like `fcm-letter` or `priority`.
    pub product: String,
    /// Extra services by slug, like `certified-mail`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_services: Vec<String>,
    /// The declared value, for insurance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value_mills: Option<i64>,
    /// A ZIP code (`90210`, `90210-1234`) or a two-letter country code (`CA`).
    pub destination: String,
    /// `YYYY-MM-DD`, today or up to 7 days ahead by the vendor's clock.
    pub mailing_date: String,
    /// The postage the counter showed the customer, postage and fees together. When given,
    /// the vendor's price must be the same, or the piece is refused with both amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postage_mills: Option<i64>,
    /// The serial printed on the label stock this indicium goes on, like `L000012345-67`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_serial: Option<String>,
    /// The customs declaration of a piece abroad (or to an APO/FPO/DPO address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs: Option<CustomsOrder>,
}

/// A customs declaration on the wire: checked again, whole, by the data centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomsOrder {
    /// gift, documents, commercial-sample, returned-goods, merchandise or other.
    pub category: String,
    pub items: Vec<CustomsItemOrder>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomsItemOrder {
    pub description: String,
    pub quantity: u32,
    pub value_mills: i64,
    /// Exact, as `Weight::exact_text` writes it.
    pub weight: String,
    pub origin: String,
}

impl CustomsOrder {
    pub fn of(declaration: &CustomsDeclaration) -> CustomsOrder {
        CustomsOrder {
            category: declaration.category.slug().into(),
            items: declaration
                .items
                .iter()
                .map(|item| CustomsItemOrder {
                    description: item.description.clone(),
                    quantity: item.quantity,
                    value_mills: item.value.mills(),
                    weight: item.weight.exact_text(),
                    origin: item.origin.clone(),
                })
                .collect(),
        }
    }

    /// The declaration this order describes, for a piece of `piece_weight`, checked as the
    /// counter checked it.
    pub fn declaration(&self, piece_weight: Weight) -> Result<CustomsDeclaration, CustomsError> {
        let category: ContentCategory = self.category.parse()?;
        let mut items = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let weight = Weight::parse(&item.weight).map_err(|e| CustomsError::Item {
                input: item.description.clone(),
                reason: format!("weight: {}", e.reason),
            })?;
            let value = Money::from_mills(item.value_mills);
            let checked = CustomsItem::new(
                &item.description,
                item.quantity,
                value,
                weight,
                &item.origin,
            )
            .map_err(|reason| CustomsError::Item {
                input: item.description.clone(),
                reason,
            })?;
            items.push(checked);
        }
        CustomsDeclaration::new(category, items, piece_weight)
    }
}

impl PieceOrder {
    /// `priced` as a counter sends it: the piece described, and the total the customer was
    /// shown stated beside it.
    pub fn for_piece(priced: &PricedPiece) -> PieceOrder {
        let request = &priced.request;
        PieceOrder {
            weight: request.piece.weight.exact_text(),
            shape: request.piece.shape.slug().into(),
            dimensions: request.piece.dimensions.map(|d| d.to_string()),
            product: priced.offer.product.slug().into(),
            extra_services: request.extras.iter().map(|s| s.slug().into()).collect(),
            declared_value_mills: request.declared_value.map(|value| value.mills()),
            destination: match &request.destination {
                Destination::Domestic(zip) => zip.to_string(),
                Destination::International { country } => country.clone(),
            },
            mailing_date: request.mailing_date.to_string(),
            postage_mills: Some(priced.total.mills()),
            label_serial: request.label_serial.clone(),
            customs: request.customs.as_ref().map(CustomsOrder::of),
        }
    }
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
    /// What the vendor priced and signed: postage and fees together.
    pub postage_mills: i64,
    /// The effective date of the rate table that priced it (`YYYY-MM-DD`), as the
    /// indicium carries it.
    pub rate_table: String,
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

/// `POST /postage/v1/voids`.
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
