//! Pricing one mail piece for sale: the quote, the chosen product, the extra services, and
//! the issue request the PSD will sign. Pure: rates and request in, priced piece out.

use crate::address::ZipCode;
use crate::date::Date;
use crate::indicium::DestinationZip;
use crate::money::Money;
use crate::psd::IssueRequest;
use crate::rates::{
    Destination, ExtraService, ExtraServices, MailPiece, Offer, Product, QuoteRequest, RateBook,
    Zone,
};

use super::SaleError;

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
}

/// Quotes the piece and prices the chosen product with its extra services.
pub fn price_piece(rates: &RateBook, request: &SaleRequest) -> Result<PricedPiece, SaleError> {
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
                SaleError::NotOffered { product, reason }
            })?,
        None => quote
            .offers
            .iter()
            .min_by_key(|offer| offer.postage)
            .cloned()
            .ok_or_else(|| SaleError::NothingOffered {
                reasons: quote
                    .excluded
                    .iter()
                    .map(|e| format!("{}: {}", e.product.name(), e.reason))
                    .collect(),
            })?,
    };
    let services = ExtraServices::of(&request.extras);
    services
        .check(offer.product, request.declared_value)
        .map_err(SaleError::ExtraService)?;
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
            .map_err(SaleError::ExtraService)?;
        total = total.checked_add(fee).ok_or(SaleError::TooLarge)?;
        extras.push((service, fee));
    }
    Ok(PricedPiece {
        request: request.clone(),
        zone: quote.zone,
        offer,
        extras,
        total,
    })
}

/// The longest label-stock serial accepted.
pub const LABEL_SERIAL_MAX_CHARS: usize = 32;

/// A label-stock serial is printed stock's number: letters, digits and dashes only, so that
/// nothing else can reach the indicium's binding or a printer.
pub fn check_label_serial(serial: &str) -> Result<(), SaleError> {
    let fits = (1..=LABEL_SERIAL_MAX_CHARS).contains(&serial.len())
        && serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if fits {
        Ok(())
    } else {
        Err(SaleError::LabelSerial(serial.to_string()))
    }
}

impl PricedPiece {
    /// The PSD request for this piece under the caller's idempotency key.
    pub fn issue_request(&self, request_id: &str) -> IssueRequest {
        let destination_zip = match &self.request.destination {
            Destination::Domestic(zip) => Some(DestinationZip {
                zip5: zip.zip5_number(),
                plus4: zip.plus4().and_then(|p| p.parse().ok()),
            }),
            Destination::International { .. } => None,
        };
        IssueRequest {
            request_id: request_id.to_string(),
            postage: self.total,
            mailing_date: self.request.mailing_date,
            origin_zip5: self.request.origin.zip5_number(),
            destination_zip,
            rate_category: self.offer.product.code(),
            extra_services: ExtraServices::of(&self.request.extras).bits(),
            label_serial: self.request.label_serial.clone(),
        }
    }

    /// One line for a receipt or a terminal: product, weight, zone.
    pub fn description(&self) -> String {
        let zone = self.zone.map(|z| format!(", {z}")).unwrap_or_default();
        format!(
            "{} {}{zone}",
            self.offer.product.name(),
            self.request.piece.weight
        )
    }
}
