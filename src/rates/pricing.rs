//! Pricing one mail piece for sale: the quote, the chosen product, the extra services and
//! the total the indicium carries. Pure: rates and request in, priced piece out. The counter
//! prices to show the customer; the vendor prices again, with its own tables, what it signs,
//! so both run this one function.

use crate::address::ZipCode;
use crate::customs::{CustomsDeclaration, CustomsError};
use crate::date::Date;
use crate::money::Money;
use crate::rates::zone::is_military;
use crate::rates::{
    Destination, ExtraService, ExtraServices, MailPiece, Offer, Product, QuoteError, QuoteRequest,
    RateBook, Shape, Zone,
};

/// Why a piece cannot be priced; the message quotes what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PricingError {
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error("{} cannot carry this piece: {reason}", product.name())]
    NotOffered { product: Product, reason: String },
    #[error("no product can carry this piece: {}", reasons.join("; "))]
    NothingOffered { reasons: Vec<String> },
    #[error("{0}")]
    ExtraService(String),
    #[error(
        "label-stock serial {0:?} is not accepted: expected 1 to 32 letters, digits or dashes, like LS-000123-7"
    )]
    LabelSerial(String),
    #[error(
        "a parcel to {country} needs a customs declaration: list each item's contents, quantity, value, weight and origin"
    )]
    CustomsDeclarationNeeded { country: String },
    #[error(
        "{} carries documents only: send goods as a parcel (First-Class Package International Service or Priority Mail International)", product.name()
    )]
    DocumentsOnly { product: Product },
    #[error("a customs declaration is for mail abroad or to an APO/FPO/DPO address, not to {zip}")]
    CustomsAtHome { zip: String },
    #[error(transparent)]
    Customs(#[from] CustomsError),
    /// Certified Mail or Signature Confirmation in a combination with no confirmed tracking
    /// code: not sold, rather than charged for a service the label cannot carry.
    #[error("{0}: this combination cannot be sold until its code is known")]
    NoTrackingCode(#[from] crate::tracking::NoServiceType),
    #[error("the sale's total does not fit in {}", Money::from_mills(i64::MAX))]
    TooLarge,
}

/// What the customer asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleRequest {
    pub piece: MailPiece,
    pub origin: ZipCode,
    pub destination: Destination,
    /// `None` sells the cheapest product that can carry the piece.
    pub product: Option<Product>,
    pub extras: Vec<ExtraService>,
    /// Required with insurance.
    pub declared_value: Option<Money>,
    /// The serial of the label stock the indicium is printed on, when serialized.
    pub label_serial: Option<String>,
    pub mailing_date: Date,
    /// What a piece abroad holds, for customs; needed for a parcel or goods.
    pub customs: Option<CustomsDeclaration>,
}

/// The price of one piece, ready to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedPiece {
    pub request: SaleRequest,
    pub offer: Offer,
    pub extras: Vec<(ExtraService, Money)>,
    /// Postage plus extra-service fees: the amount the indicium carries.
    pub total: Money,
    pub zone: Option<Zone>,
    /// The destination country's name, for a piece abroad (the label's last line).
    pub country_name: Option<String>,
}

/// Quotes the piece and prices the chosen product with its extra services.
pub fn price_piece(rates: &RateBook, request: &SaleRequest) -> Result<PricedPiece, PricingError> {
    if let Some(serial) = &request.label_serial {
        check_label_serial(serial)?;
    }
    let quote = rates.quote(&QuoteRequest {
        piece: request.piece,
        origin: request.origin.clone(),
        destination: request.destination.clone(),
        date: request.mailing_date,
    })?;
    let offer = match request.product {
        Some(product) => quote
            .offers
            .iter()
            .find(|offer| offer.product == product)
            .cloned()
            .ok_or_else(|| {
                let reason = quote
                    .excluded
                    .iter()
                    .find(|e| e.product == product)
                    .map(|e| e.reason.clone())
                    .unwrap_or_else(|| "it is not offered for this piece".into());
                PricingError::NotOffered { product, reason }
            })?,
        None => quote
            .offers
            .iter()
            .filter(|offer| !holds_goods(request) || offer.product.carries_goods())
            // Media Mail takes only certain contents (books, recordings): it is sold when
            // asked for, never chosen for the customer.
            .filter(|offer| offer.product != Product::MediaMail)
            .min_by_key(|offer| offer.postage)
            .cloned()
            .ok_or_else(|| PricingError::NothingOffered {
                reasons: quote
                    .excluded
                    .iter()
                    .map(|e| format!("{}: {}", e.product.name(), e.reason))
                    .collect(),
            })?,
    };
    check_customs(request, offer.product)?;
    check_origins(rates, request)?;
    if request.declared_value.is_some() && !request.extras.contains(&ExtraService::Insurance) {
        return Err(PricingError::ExtraService(
            "a declared value is for insurance: add insurance, or leave the value out".into(),
        ));
    }
    let services = ExtraServices::of(&request.extras);
    services
        .check(offer.product, request.declared_value)
        .map_err(PricingError::ExtraService)?;
    // Certified Mail and Signature Confirmation are nothing without their barcode (the
    // proof of mailing, the signature captured): not sold where no code is confirmed.
    // Insurance stays sellable; its label says when it carries no barcode.
    let tracked_service = request.extras.iter().any(|service| {
        matches!(
            service,
            ExtraService::CertifiedMail | ExtraService::SignatureConfirmation
        )
    });
    if tracked_service {
        crate::tracking::service_type_for(offer.product, &request.extras, request.declared_value)?;
    }
    let mut extras = Vec::new();
    let mut total = offer.postage;
    for service in services.iter() {
        let fee = rates
            .extra_service_price(
                service,
                offer.product,
                request.mailing_date,
                request.declared_value,
            )
            .map_err(PricingError::ExtraService)?;
        total = total.checked_add(fee).ok_or(PricingError::TooLarge)?;
        extras.push((service, fee));
    }
    Ok(PricedPiece {
        request: request.clone(),
        zone: quote.zone,
        country_name: quote.country.map(|c| c.name),
        offer,
        extras,
        total,
    })
}

/// Whether the piece is declared to hold goods.
fn holds_goods(request: &SaleRequest) -> bool {
    request
        .customs
        .as_ref()
        .is_some_and(|declaration| declaration.category.is_goods())
}

/// A parcel abroad needs a declaration; goods do not go in an international letter; a
/// declaration goes only abroad or to a military or diplomatic post office; the declared
/// items weigh no more than the piece.
fn check_customs(request: &SaleRequest, product: Product) -> Result<(), PricingError> {
    match (&request.destination, &request.customs) {
        (Destination::International { country }, None) if request.piece.shape == Shape::Parcel => {
            Err(PricingError::CustomsDeclarationNeeded {
                country: country.clone(),
            })
        }
        (Destination::Domestic(zip), Some(_)) if !is_military(zip) => {
            Err(PricingError::CustomsAtHome {
                zip: zip.to_string(),
            })
        }
        (_, Some(declaration)) => {
            if declaration.category.is_goods() && !product.carries_goods() {
                return Err(PricingError::DocumentsOnly { product });
            }
            declaration.fits(request.piece.weight)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Each declared item's country of origin is the United States or a country of the list
/// in force on the date of mailing (a customs officer reads the code, so "ZZ" is refused).
fn check_origins(rates: &RateBook, request: &SaleRequest) -> Result<(), PricingError> {
    let Some(declaration) = &request.customs else {
        return Ok(());
    };
    let table = rates.country_table(request.mailing_date);
    for item in &declaration.items {
        let known = item.origin == "US"
            || table
                .as_ref()
                .is_ok_and(|table| table.countries.contains_key(&item.origin));
        if !known {
            return Err(PricingError::Customs(CustomsError::Origin {
                origin: item.origin.clone(),
            }));
        }
    }
    Ok(())
}

/// The longest label-stock serial accepted.
pub const LABEL_SERIAL_MAX_CHARS: usize = 32;

/// A label-stock serial is printed stock's number: letters, digits and dashes only, so that
/// nothing else can reach the indicium's binding or a printer.
pub fn check_label_serial(serial: &str) -> Result<(), PricingError> {
    let fits = (1..=LABEL_SERIAL_MAX_CHARS).contains(&serial.len())
        && serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if fits {
        Ok(())
    } else {
        Err(PricingError::LabelSerial(serial.to_string()))
    }
}

impl PricedPiece {
    /// The effective date of the rate table that priced the piece: the indicium's rate
    /// table version.
    pub fn rate_table(&self) -> Date {
        self.offer.table_effective
    }

    /// One line for a receipt or a terminal: product, weight, zone.
    pub fn description(&self) -> String {
        // Only a zoned product's price depends on the zone.
        let zone = self
            .offer
            .zone
            .map(|z| format!(", {z}"))
            .unwrap_or_default();
        let group = match (&self.country_name, self.offer.price_group) {
            (Some(country), Some(group)) => format!(", to {country} (price group {group})"),
            (Some(country), None) => format!(", to {country}"),
            _ => String::new(),
        };
        // A big light box is priced at its dimensional weight: the receipt says so.
        let dimensional = if self.offer.billable_weight > self.request.piece.weight {
            format!(
                ", priced at {} (dimensional weight)",
                self.offer.billable_weight
            )
        } else {
            String::new()
        };
        format!(
            "{} {}{zone}{group}{dimensional}",
            self.offer.product.name(),
            self.request.piece.weight
        )
    }
}
