//! Turning a purchase body into pieces the PSD can issue: postage, dates, ZIP codes, the
//! product and its extra services, and the label serial.

use crate::date::Date;
use crate::indicium::DestinationZip;
use crate::money::Money;
use crate::protocol::PieceOrder;
use crate::psd::device::MAX_POSTDATE_DAYS;
use crate::rates::product::Product;
use crate::rates::service::{ExtraService, ExtraServices};
use crate::vendor_system::error::VendorError;
use crate::vendor_system::postage::label_serial::LabelSerial;
use crate::vendor_system::store::purchase::PieceToIssue;
use crate::vendor_system::validate::{MAX_POSTAGE_MILLS, shown};

/// The most pieces one request may buy.
pub const MAX_PIECES_PER_REQUEST: usize = 100;

/// Validates every piece of a purchase against `today` (the vendor's date).
pub fn pieces(orders: &[PieceOrder], today: Date) -> Result<Vec<PieceToIssue>, VendorError> {
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
            piece(order, today).map_err(|e| {
                VendorError::new(e.kind(), format!("piece {}: {}", index + 1, e.message()))
            })
        })
        .collect()
}

fn piece(order: &PieceOrder, today: Date) -> Result<PieceToIssue, VendorError> {
    if order.postage_mills <= 0 || order.postage_mills > MAX_POSTAGE_MILLS {
        return Err(VendorError::bad_request(format!(
            "postage_mills {} is not accepted: 1 to {MAX_POSTAGE_MILLS} mills ({})",
            order.postage_mills,
            Money::from_mills(MAX_POSTAGE_MILLS)
        )));
    }
    let mailing_date = Date::parse(&order.mailing_date).map_err(|_| {
        VendorError::bad_request(format!(
            "mailing_date {:?} is not accepted: a date YYYY-MM-DD",
            shown(&order.mailing_date)
        ))
    })?;
    let latest = today.add_days(MAX_POSTDATE_DAYS);
    if mailing_date < today || mailing_date > latest {
        return Err(VendorError::bad_request(format!(
            "mailing_date {mailing_date} is not accepted: from today ({today}) to {latest}"
        )));
    }
    let origin_zip5 = zip5(&order.origin_zip).ok_or_else(|| {
        VendorError::bad_request(format!(
            "origin_zip {:?} is not accepted: five digits",
            shown(&order.origin_zip)
        ))
    })?;
    let destination_zip = match &order.destination_zip {
        None => None,
        Some(text) => Some(destination(text).ok_or_else(|| {
            VendorError::bad_request(format!(
                "destination_zip {:?} is not accepted: 12345 or 12345-6789",
                shown(text)
            ))
        })?),
    };
    product_and_services(order.rate_category, order.extra_services)?;
    let label_serial = match &order.label_serial {
        None => None,
        Some(text) => {
            Some(LabelSerial::parse(text).map_err(|e| VendorError::bad_request(e.to_string()))?)
        }
    };
    Ok(PieceToIssue {
        postage: Money::from_mills(order.postage_mills),
        mailing_date,
        origin_zip5,
        destination_zip,
        rate_category: order.rate_category,
        extra_services: order.extra_services,
        label_serial,
    })
}

/// The product must be one the indicium can name, and its extra services ones that product
/// may carry (the rules of `rates::service`, which the clerk's screen applies too). The
/// declared value is not sent, so insurance of any value counts for a Return Receipt.
fn product_and_services(rate_category: u8, extra_services: u8) -> Result<(), VendorError> {
    let product = Product::from_code(rate_category).ok_or_else(|| {
        let codes: Vec<String> = Product::ALL.iter().map(|p| p.code().to_string()).collect();
        VendorError::bad_request(format!(
            "rate_category {rate_category} is not accepted: a product code, one of {}",
            codes.join(", ")
        ))
    })?;
    let refused = |why: String| {
        let accepted: Vec<String> = ExtraService::ALL
            .iter()
            .filter(|s| s.allowed_with(product))
            .map(|s| format!("{:#04x} {}", s.bit(), s.name()))
            .collect();
        let accepted = if accepted.is_empty() {
            "none".to_string()
        } else {
            accepted.join(", ")
        };
        VendorError::bad_request(format!(
            "extra_services {extra_services:#04x} is not accepted: {why}; {} takes {accepted}",
            product.name()
        ))
    };
    ExtraServices::from_bits(extra_services)
        .ok_or_else(|| refused("a bit names no extra service".into()))?
        .check_without_value(product)
        .map_err(refused)
}

fn zip5(text: &str) -> Option<u32> {
    (text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn destination(text: &str) -> Option<DestinationZip> {
    let (zip, plus4) = match text.split_once('-') {
        Some((zip, plus4)) => (zip, Some(plus4)),
        None => (text, None),
    };
    let plus4 = match plus4 {
        None => None,
        Some(p) if p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some(DestinationZip {
        zip5: zip5(zip)?,
        plus4,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> PieceOrder {
        PieceOrder {
            postage_mills: 780,
            mailing_date: "2026-11-22".into(),
            origin_zip: "02134".into(),
            destination_zip: Some("94103-1234".into()),
            rate_category: 1,
            extra_services: 0,
            label_serial: None,
        }
    }

    fn today() -> Date {
        Date::parse("2026-11-22").unwrap()
    }

    #[test]
    fn a_good_piece_keeps_its_zip_codes_with_leading_zeros() {
        let pieces = pieces(&[order()], today()).unwrap();
        assert_eq!(pieces[0].origin_zip5, 2134);
        assert_eq!(
            pieces[0].destination_zip,
            Some(DestinationZip {
                zip5: 94103,
                plus4: Some(1234)
            })
        );
    }

    #[test]
    fn bad_fields_are_quoted_in_the_refusal() {
        let cases = [
            (
                PieceOrder {
                    postage_mills: 0,
                    ..order()
                },
                "postage_mills 0",
            ),
            (
                PieceOrder {
                    mailing_date: "22/11/2026".into(),
                    ..order()
                },
                "\"22/11/2026\"",
            ),
            (
                PieceOrder {
                    mailing_date: "2026-11-21".into(),
                    ..order()
                },
                "from today",
            ),
            (
                PieceOrder {
                    origin_zip: "2134".into(),
                    ..order()
                },
                "\"2134\"",
            ),
            (
                PieceOrder {
                    destination_zip: Some("94103-12".into()),
                    ..order()
                },
                "\"94103-12\"",
            ),
            (
                PieceOrder {
                    label_serial: Some("L1".into()),
                    ..order()
                },
                "\"L1\"",
            ),
            (
                PieceOrder {
                    rate_category: 0,
                    ..order()
                },
                "rate_category 0 is not accepted: a product code, one of 1, 2,",
            ),
            (
                PieceOrder {
                    extra_services: 0x40,
                    ..order()
                },
                "extra_services 0x40 is not accepted: a bit names no extra service; First-Class Mail Letter takes 0x01 Certified Mail",
            ),
            (
                PieceOrder {
                    rate_category: Product::FcmPostcard.code(),
                    extra_services: ExtraService::CertifiedMail.bit(),
                    ..order()
                },
                "Certified Mail is not available with First-Class Mail Postcard",
            ),
            (
                PieceOrder {
                    extra_services: ExtraService::ReturnReceipt.bit(),
                    ..order()
                },
                "Return Receipt needs Certified Mail",
            ),
        ];
        for (order, quoted) in cases {
            let error = pieces(&[order], today()).unwrap_err();
            assert!(error.message().contains(quoted), "{error}");
            assert!(error.message().starts_with("piece 1:"), "{error}");
        }
    }

    #[test]
    fn services_a_product_may_carry_are_accepted() {
        let certified_with_receipt = PieceOrder {
            extra_services: ExtraService::CertifiedMail.bit() | ExtraService::ReturnReceipt.bit(),
            ..order()
        };
        let insured_priority = PieceOrder {
            rate_category: Product::PriorityMail.code(),
            extra_services: ExtraService::Insurance.bit() | ExtraService::ReturnReceipt.bit(),
            ..order()
        };
        assert!(pieces(&[certified_with_receipt, insured_priority], today()).is_ok());
    }
}
