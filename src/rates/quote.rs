//! Quotes: every product that can carry a piece, with its price, and why the others cannot.
//!
//! A quote is a pure function of the rate book and the request (the date of mailing is part
//! of the request; there is no clock and no IO), so the same request always gets the same
//! answer and a test can ask about any day. Every product ends up either in `offers` or in
//! `excluded` with a sentence the clerk can read: a counter that silently leaves a product
//! out invites the question "why can't I send it Priority?".

use crate::address::ZipCode;
use crate::date::Date;
use crate::money::Money;
use crate::rates::book::RateBook;
use crate::rates::file::{PostageKind, SourceStatus};
use crate::rates::limits::{billable_weight, physical_limit, uses_dimensional_weight};
use crate::rates::piece::MailPiece;
use crate::rates::product::{Family, Product};
use crate::rates::table::{PriceTable, Prices};
use crate::rates::zone::{Zone, zone_between};
use crate::weight::Weight;

/// Where a piece goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Domestic(ZipCode),
    /// An ISO 3166 alpha-2 country code other than US (`CA`, `DE`).
    International {
        country: String,
    },
}

/// A text that is neither a ZIP code nor a country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a destination: expected a ZIP code like 02134 or 02134-1234, or a two-letter country code like CA"
)]
pub struct DestinationParseError {
    pub input: String,
}

impl Destination {
    /// A ZIP code (`02134`, `02134-1234`) or a two-letter ISO country code (`CA`, `de`).
    /// `US` is refused: a domestic piece is addressed by ZIP code.
    pub fn parse(input: &str) -> Result<Destination, DestinationParseError> {
        let text = input.trim();
        if let Ok(zip) = ZipCode::parse(text) {
            return Ok(Destination::Domestic(zip));
        }
        let country = text.to_ascii_uppercase();
        if is_country_code(&country) {
            Ok(Destination::International { country })
        } else {
            Err(DestinationParseError {
                input: input.to_string(),
            })
        }
    }
}

fn is_country_code(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()) && text != "US"
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteRequest {
    pub piece: MailPiece,
    pub origin: ZipCode,
    pub destination: Destination,
    /// The date of mailing, which picks the tables in force.
    pub date: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The zone between the ZIP areas, for a domestic piece whose areas have coordinates.
    pub zone: Option<Zone>,
    /// Products that can carry the piece, in product-code order.
    pub offers: Vec<Offer>,
    pub excluded: Vec<Exclusion>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub product: Product,
    /// What the counter charges and prints: the metered price.
    pub postage: Money,
    /// The stamped (retail) price, where the product has one, for display beside it.
    pub stamped_postage: Option<Money>,
    /// The zone the price was read for (zoned products only).
    pub zone: Option<Zone>,
    /// The weight priced: the actual weight, or the dimensional weight when greater.
    pub billable_weight: Weight,
    pub table_effective: Date,
    pub table_source: String,
    pub table_status: SourceStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    pub product: Product,
    pub reason: String,
}

/// A request that cannot be quoted at all; the message quotes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("ZIP code {zip:?} is not in the ZIP code directory")]
    UnknownZip { zip: String },
    #[error(
        "{input:?} is not a destination country: expected a two-letter ISO 3166 code other than US, like CA or DE"
    )]
    InvalidCountry { input: String },
    #[error("the piece weighs nothing: weigh it first")]
    ZeroWeight,
}

fn known(zip: &ZipCode) -> Result<(), QuoteError> {
    match zip.place() {
        Some(_) => Ok(()),
        None => Err(QuoteError::UnknownZip {
            zip: zip.to_string(),
        }),
    }
}

impl RateBook {
    /// Prices `request` with every product.
    pub fn quote(&self, request: &QuoteRequest) -> Result<Quote, QuoteError> {
        if request.piece.weight == Weight::ZERO {
            return Err(QuoteError::ZeroWeight);
        }
        known(&request.origin)?;
        let zone = match &request.destination {
            Destination::Domestic(destination) => {
                known(destination)?;
                zone_between(&request.origin, destination).map_err(|e| e.to_string())
            }
            Destination::International { country } => {
                if !is_country_code(country) {
                    return Err(QuoteError::InvalidCountry {
                        input: country.clone(),
                    });
                }
                Err("international mail has no zone".to_string())
            }
        };
        let mut quote = Quote {
            zone: zone.as_ref().ok().copied(),
            offers: Vec::new(),
            excluded: Vec::new(),
        };
        for &product in Product::ALL {
            match self.offer(
                product,
                request,
                zone.as_ref().map(|z| *z).map_err(String::as_str),
            ) {
                Ok(offer) => quote.offers.push(offer),
                Err(reason) => quote.excluded.push(Exclusion { product, reason }),
            }
        }
        Ok(quote)
    }

    fn offer(
        &self,
        product: Product,
        request: &QuoteRequest,
        zone: Result<Zone, &str>,
    ) -> Result<Offer, String> {
        let international = matches!(request.destination, Destination::International { .. });
        if product.is_international() != international {
            let only = if international {
                "domestic"
            } else {
                "international"
            };
            return Err(format!("{} is for {only} mail only", product.name()));
        }
        if let Some(reason) = physical_limit(product, &request.piece) {
            return Err(reason);
        }
        let table = self.price_table(product, PostageKind::Metered, request.date)?;
        let billable = if uses_dimensional_weight(product) && request.piece.dimensions.is_some() {
            billable_weight(&request.piece, self.dimensional_rule(request.date)?)
        } else {
            request.piece.weight
        };
        let zone = match product.family() {
            Family::Zoned => {
                Some(zone.map_err(|why| format!("{} needs a zone: {why}", product.name()))?)
            }
            _ => None,
        };
        let postage = price_in(table, billable, zone)?;
        let stamped_postage = self
            .price_table(product, PostageKind::Stamped, request.date)
            .ok()
            .and_then(|stamped| price_in(stamped, billable, zone).ok());
        Ok(Offer {
            product,
            postage,
            stamped_postage,
            zone,
            billable_weight: billable,
            table_effective: table.info.effective,
            table_source: table.info.source.clone(),
            table_status: table.info.status,
        })
    }
}

/// The price of `weight` (in `zone`, for a zoned table) in `table`, or why there is none.
pub fn price_in(table: &PriceTable, weight: Weight, zone: Option<Zone>) -> Result<Money, String> {
    let effective = table.info.effective;
    let over = |heaviest: Weight| {
        format!(
            "{} has no confirmed price above {heaviest} in the {effective} table ({weight} to price)",
            table.product.name()
        )
    };
    match (&table.prices, zone) {
        (Prices::Single(price), _) => Ok(*price),
        (Prices::ByWeight(steps), _) => steps
            .iter()
            .find(|step| weight <= step.max)
            .map(|step| step.price)
            .ok_or_else(|| over(steps.last().map_or(Weight::ZERO, |s| s.max))),
        (Prices::ByWeightAndZone(steps), Some(zone)) => {
            let step = steps
                .iter()
                .find(|step| weight <= step.max)
                .ok_or_else(|| over(steps.last().map_or(Weight::ZERO, |s| s.max)))?;
            step.price(zone).ok_or_else(|| {
                format!(
                    "{} has no confirmed {zone} price for {} in the {effective} table",
                    table.product.name(),
                    step.max
                )
            })
        }
        (Prices::ByWeightAndZone(_), None) => Err(format!(
            "{} is priced by zone and no zone is known",
            table.product.name()
        )),
    }
}
