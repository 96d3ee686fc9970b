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
use crate::rates::country::Country;
use crate::rates::file::{PostageKind, SourceStatus};
use crate::rates::limits::{billable_weight, physical_limit, takes_shape, uses_dimensional_weight};
use crate::rates::piece::MailPiece;
pub use crate::rates::price_cell::{Column, price_in};
use crate::rates::product::{Family, Product};
use crate::rates::table::Prices;
use crate::rates::zone::{Zone, is_military, zone_between};
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
    /// The destination country, for an international piece whose country the tables know.
    pub country: Option<Country>,
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
    /// The destination's price group the price was read for (international products only).
    pub price_group: Option<u8>,
    /// The weight priced: the actual weight, or the dimensional weight when greater.
    pub billable_weight: Weight,
    pub table_effective: Date,
    pub table_source: String,
    pub table_status: SourceStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    pub product: Product,
    pub kind: ExclusionKind,
    /// A sentence for the clerk.
    pub reason: String,
}

/// Why a product is not offered, for the code that decides what to show: a screen lists the
/// products that could carry this kind of piece to this kind of place, not every product
/// there is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExclusionKind {
    /// Not for this kind of destination (domestic, international, APO/FPO/DPO only).
    Destination,
    /// The product does not take the piece's shape.
    Shape,
    /// Over a weight or size limit of the product or of the destination country.
    Limit,
    /// The destination country is not served by the product.
    Country,
    /// No price: no table in force, no zone, or no cell for this weight and zone or group.
    NoPrice,
}

/// An exclusion before the product is known.
type Excluded = (ExclusionKind, String);

/// A request that cannot be quoted at all; the message quotes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("ZIP code {zip:?} is not in the ZIP code directory")]
    UnknownZip { zip: String },
    #[error(
        "{input:?} is not a destination country: expected a two-letter ISO 3166 code other than US, like CA or DE"
    )]
    InvalidCountry { input: String },
    #[error("country code {code:?} is not in the country list of the {effective} rates")]
    UnknownCountry { code: String, effective: Date },
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

/// Where the piece goes, as pricing needs it: a zone (or why there is none), or the
/// destination country (or why it is not known).
enum Reach<'a> {
    Domestic {
        zone: Result<Zone, String>,
        military: bool,
    },
    Abroad(Result<&'a Country, String>),
}

impl RateBook {
    /// Prices `request` with every product.
    pub fn quote(&self, request: &QuoteRequest) -> Result<Quote, QuoteError> {
        if request.piece.weight == Weight::ZERO {
            return Err(QuoteError::ZeroWeight);
        }
        known(&request.origin)?;
        let reach = self.reach(request)?;
        let mut quote = Quote {
            zone: match &reach {
                Reach::Domestic { zone, .. } => zone.as_ref().ok().copied(),
                Reach::Abroad(_) => None,
            },
            country: match &reach {
                Reach::Abroad(country) => country.as_ref().ok().map(|c| (*c).clone()),
                Reach::Domestic { .. } => None,
            },
            offers: Vec::new(),
            excluded: Vec::new(),
        };
        for &product in Product::ALL {
            match self.offer(product, request, &reach) {
                Ok(offer) => quote.offers.push(offer),
                Err((kind, reason)) => quote.excluded.push(Exclusion {
                    product,
                    kind,
                    reason,
                }),
            }
        }
        Ok(quote)
    }

    fn reach(&self, request: &QuoteRequest) -> Result<Reach<'_>, QuoteError> {
        match &request.destination {
            Destination::Domestic(destination) => {
                known(destination)?;
                Ok(Reach::Domestic {
                    zone: zone_between(&request.origin, destination).map_err(|e| e.to_string()),
                    military: is_military(destination),
                })
            }
            Destination::International { country } => {
                if !is_country_code(country) {
                    return Err(QuoteError::InvalidCountry {
                        input: country.clone(),
                    });
                }
                let table = match self.country_table(request.date) {
                    Ok(table) => table,
                    Err(why) => return Ok(Reach::Abroad(Err(why))),
                };
                match table.countries.get(country) {
                    Some(found) => Ok(Reach::Abroad(Ok(found))),
                    None => Err(QuoteError::UnknownCountry {
                        code: country.clone(),
                        effective: table.info.effective,
                    }),
                }
            }
        }
    }

    fn offer(
        &self,
        product: Product,
        request: &QuoteRequest,
        reach: &Reach,
    ) -> Result<Offer, Excluded> {
        use ExclusionKind::{Destination as Place, Limit, NoPrice, Shape};
        let international = matches!(reach, Reach::Abroad(_));
        if product.is_international() != international {
            let only = if international {
                "domestic"
            } else {
                "international"
            };
            return Err((Place, format!("{} is for {only} mail only", product.name())));
        }
        if product.is_military_only() && !matches!(reach, Reach::Domestic { military: true, .. }) {
            let reason = format!("{} is only for APO/FPO/DPO addresses", product.name());
            return Err((Place, reason));
        }
        if !takes_shape(product, request.piece.shape) {
            let reason = format!(
                "{} does not take a {}",
                product.name(),
                request.piece.shape.name()
            );
            return Err((Shape, reason));
        }
        if let Some(reason) = physical_limit(product, &request.piece) {
            return Err((Limit, reason));
        }
        let no_price = |why: String| (NoPrice, why);
        let table = self
            .price_table(product, PostageKind::Metered, request.date)
            .map_err(no_price)?;
        let billable = if uses_dimensional_weight(product) && request.piece.dimensions.is_some() {
            let rule = self.dimensional_rule(request.date).map_err(no_price)?;
            billable_weight(&request.piece, rule)
        } else {
            request.piece.weight
        };
        let column = match (product.family(), reach) {
            (Family::Zoned, Reach::Domestic { zone, .. }) => {
                Some(Column::Zone(zone.clone().map_err(|why| {
                    no_price(format!("{} needs a zone: {why}", product.name()))
                })?))
            }
            (Family::International, Reach::Abroad(Ok(country))) => {
                Some(Column::Group(price_group(product, country, billable)?))
            }
            // Without a country list only a price that is the same for every group can be
            // given (the 2025 edition's one international letter price).
            (Family::International, Reach::Abroad(Err(why)))
                if matches!(table.prices, Prices::ByWeightAndGroup(_)) =>
            {
                return Err(no_price(why.clone()));
            }
            _ => None,
        };
        let postage = price_in(table, billable, column).map_err(no_price)?;
        let stamped_postage = self
            .price_table(product, PostageKind::Stamped, request.date)
            .ok()
            .and_then(|stamped| price_in(stamped, billable, column).ok());
        Ok(Offer {
            product,
            postage,
            stamped_postage,
            zone: column.and_then(Column::zone),
            price_group: column.and_then(Column::group),
            billable_weight: billable,
            table_effective: table.info.effective,
            table_source: table.info.source.clone(),
            table_status: table.info.status,
        })
    }
}

/// The price group `country` has for `product`, or why the product does not go there.
fn price_group(product: Product, country: &Country, weight: Weight) -> Result<u8, Excluded> {
    let column = product.price_group_column().ok_or_else(|| {
        let reason = format!("{} has no price-group column", product.name());
        (ExclusionKind::NoPrice, reason)
    })?;
    let group = country.group(column).ok_or_else(|| {
        let reason = format!("{} is not available to {}", product.name(), country.name);
        (ExclusionKind::Country, reason)
    })?;
    if let Some(max) = country.max_weight(column).filter(|max| weight > *max) {
        let reason = format!(
            "{weight} is over the {max} that {} takes by {}",
            country.name,
            product.name()
        );
        return Err((ExclusionKind::Limit, reason));
    }
    Ok(group)
}
