//! Turning a purchase body into pieces the PSD can issue: each piece is read as the customer
//! presented it (weight, shape, dimensions, product, extra services, declared value,
//! destination, mailing date, label serial) and priced here, with the rate table in force on
//! its mailing date, from the counter's registered location. The vendor signs that postage
//! and nothing else; a postage the counter states must be the same.

use crate::address::ZipCode;
use crate::date::Date;
use crate::indicium::DestinationZip;
use crate::local_time::mailing_date_window;
use crate::money::Money;
use crate::protocol::PieceOrder;
use crate::psd::device::MAX_POSTDATE_DAYS;
use crate::rates::{
    Destination, Dimensions, ExtraService, ExtraServices, MailPiece, PricingError, Product,
    RateBook, SaleRequest, Shape, price_piece,
};
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::postage::label_ref::LabelRef;
use crate::vendor_system::store::purchase::PieceToIssue;
use crate::vendor_system::validate::{MAX_POSTAGE_MILLS, shown};
use crate::weight::Weight;

/// The most pieces one request may buy.
pub const MAX_PIECES_PER_REQUEST: usize = 100;

/// What a purchase is priced against: the vendor's date, the counter's registered location,
/// and the vendor's rate tables.
pub struct PricingContext<'a> {
    /// The vendor's clock, which the date of mailing is judged against.
    pub now_unix_ms: i64,
    pub origin: &'a ZipCode,
    pub rates: &'a RateBook,
}

/// Validates and prices every piece of a purchase.
pub fn pieces(
    orders: &[PieceOrder],
    context: &PricingContext,
) -> Result<Vec<PieceToIssue>, VendorError> {
    if orders.is_empty() || orders.len() > MAX_PIECES_PER_REQUEST {
        return Err(VendorError::bad_request(format!(
            "a purchase of {} pieces is not accepted: 1 to {MAX_PIECES_PER_REQUEST} pieces per request",
            orders.len()
        )));
    }
    orders
        .iter()
        .enumerate()
        .map(|(index, order)| {
            piece(order, context).map_err(|e| {
                VendorError::new(e.kind(), format!("piece {}: {}", index + 1, e.message()))
            })
        })
        .collect()
}

fn piece(order: &PieceOrder, context: &PricingContext) -> Result<PieceToIssue, VendorError> {
    let request = sale_request(order, context)?;
    let label_serial = match &order.label_serial {
        None => None,
        Some(text) => {
            Some(LabelRef::parse(text).map_err(|e| VendorError::bad_request(e.to_string()))?)
        }
    };
    let priced = price_piece(context.rates, &request).map_err(not_priced)?;
    if priced.total.mills() > MAX_POSTAGE_MILLS {
        return Err(VendorError::refused(format!(
            "its postage {} is more than one indicium carries ({})",
            priced.total,
            Money::from_mills(MAX_POSTAGE_MILLS)
        )));
    }
    if let Some(stated_mills) = order.postage_mills
        && stated_mills != priced.total.mills()
    {
        return Err(VendorError::new(
            RefusalKind::PriceMismatch,
            format!(
                "the counter stated {} ({stated_mills} mills) but {} costs {} ({} mills) on the rate table of {}; quote it again",
                Money::from_mills(stated_mills),
                priced.description(),
                priced.total,
                priced.total.mills(),
                priced.rate_table()
            ),
        ));
    }
    Ok(PieceToIssue {
        postage: priced.total,
        mailing_date: request.mailing_date,
        origin_zip5: context.origin.zip5_number(),
        destination_zip: destination_zip(&request.destination),
        rate_category: priced.offer.product.code(),
        extra_services: ExtraServices::of(&request.extras).bits(),
        rate_table: priced.rate_table(),
        label_serial,
    })
}

/// The piece as the pricing reads it; every field that does not parse is quoted.
fn sale_request(order: &PieceOrder, context: &PricingContext) -> Result<SaleRequest, VendorError> {
    let refused = |field: &str, value: &str, accepted: &str| {
        VendorError::bad_request(format!(
            "{field} {:?} is not accepted: {accepted}",
            shown(value)
        ))
    };
    let weight = Weight::parse(&order.weight).map_err(|_| {
        refused(
            "weight",
            &order.weight,
            "a weight like 2oz, 3lb 4oz or 250g",
        )
    })?;
    let shape: Shape = order.shape.parse().map_err(|_| {
        refused(
            "shape",
            &order.shape,
            "letter, postcard, large-envelope or parcel",
        )
    })?;
    let dimensions = match &order.dimensions {
        None => None,
        Some(text) => Some(Dimensions::parse(text).map_err(|_| {
            refused(
                "dimensions",
                text,
                "three sides in inches, like 12 x 10 x 4 in",
            )
        })?),
    };
    let product: Product = order.product.parse().map_err(|_| {
        let slugs: Vec<&str> = Product::ALL.iter().map(|p| p.slug()).collect();
        refused(
            "product",
            &order.product,
            &format!("one of {}", slugs.join(", ")),
        )
    })?;
    let extras = order
        .extra_services
        .iter()
        .map(|slug| {
            slug.parse::<ExtraService>().map_err(|_| {
                let slugs: Vec<&str> = ExtraService::ALL.iter().map(|s| s.slug()).collect();
                refused(
                    "extra service",
                    slug,
                    &format!("one of {}", slugs.join(", ")),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let declared_value = match order.declared_value_mills {
        None => None,
        Some(mills) if (1..=MAX_POSTAGE_MILLS * 1000).contains(&mills) => {
            Some(Money::from_mills(mills))
        }
        Some(mills) => {
            return Err(VendorError::bad_request(format!(
                "declared_value_mills {mills} is not accepted: 1 to {} mills",
                MAX_POSTAGE_MILLS * 1000
            )));
        }
    };
    let destination = Destination::parse(&order.destination).map_err(|_| {
        refused(
            "destination",
            &order.destination,
            "a ZIP code like 90210 or 90210-1234, or a two-letter country code like CA",
        )
    })?;
    Ok(SaleRequest {
        piece: MailPiece {
            weight,
            shape,
            dimensions,
        },
        origin: context.origin.clone(),
        destination,
        product: Some(product),
        extras,
        declared_value,
        label_serial: order.label_serial.clone(),
        mailing_date: mailing_date(&order.mailing_date, context.now_unix_ms)?,
        customs: order
            .customs
            .as_ref()
            .map(|customs| customs.declaration(weight))
            .transpose()
            .map_err(|e| VendorError::bad_request(e.to_string()))?,
    })
}

/// The date of mailing is the counter's local date (or up to a week after it): any date
/// that is today somewhere on Earth by the vendor's clock is accepted as today.
fn mailing_date(text: &str, now_unix_ms: i64) -> Result<Date, VendorError> {
    let date = Date::parse(text).map_err(|_| {
        VendorError::bad_request(format!(
            "mailing_date {:?} is not accepted: a date YYYY-MM-DD",
            shown(text)
        ))
    })?;
    let (earliest, latest_today) = mailing_date_window(now_unix_ms);
    let latest = latest_today.add_days(MAX_POSTDATE_DAYS);
    if date < earliest || date > latest {
        return Err(VendorError::bad_request(format!(
            "mailing_date {date} is not accepted: from today ({earliest} to {latest_today} by time zone) to {latest}"
        )));
    }
    Ok(date)
}

/// A piece the rate tables cannot price: what the request got wrong (an unknown ZIP code,
/// services the product may not carry, a malformed label serial) is the counter's to fix; a
/// product that cannot carry the piece, or a price not in the tables, is a refusal.
fn not_priced(error: PricingError) -> VendorError {
    match error {
        PricingError::Quote(_)
        | PricingError::ExtraService(_)
        | PricingError::LabelSerial(_)
        | PricingError::Customs(_)
        | PricingError::CustomsAtHome { .. } => VendorError::bad_request(error.to_string()),
        PricingError::DocumentsOnly { .. }
        | PricingError::NoTrackingCode(_)
        | PricingError::NotOffered { .. }
        | PricingError::NothingOffered { .. }
        | PricingError::CustomsDeclarationNeeded { .. }
        | PricingError::TooLarge => VendorError::refused(error.to_string()),
    }
}

fn destination_zip(destination: &Destination) -> Option<DestinationZip> {
    match destination {
        Destination::Domestic(zip) => Some(DestinationZip {
            zip5: zip.zip5_number(),
            plus4: zip.plus4().and_then(|p| p.parse().ok()),
        }),
        Destination::International { .. } => None,
    }
}

#[cfg(test)]
mod tests;
