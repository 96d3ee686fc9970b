//! Turning a purchase body into pieces the PSD can issue, refusing bad input with a message
//! that quotes it and says what is accepted, before anything is written.

use super::error::VendorError;
use super::label_serial::LabelSerial;
use super::store::purchase::PieceToIssue;
use super::store::reconcile::ReportedEntry;
use super::wire::{LedgerEntry, PieceOrder};
use crate::date::Date;
use crate::indicium::DestinationZip;
use crate::keys::PsdCertificate;
use crate::keys::certificate::CERTIFICATE_LEN;
use crate::ledger_chain::ChainEntry;
use crate::money::Money;
use crate::psd::device::MAX_POSTDATE_DAYS;
use crate::rates::product::Product;
use crate::rates::service::{ExtraService, ExtraServices};

/// The most pieces one request may buy.
pub const MAX_PIECES_PER_REQUEST: usize = 100;
/// The most postage one piece may carry: the indicium's 3-byte field.
pub const MAX_POSTAGE_MILLS: i64 = (1 << 24) - 1;
/// The most one credit to an account, or one refill of a PSD, may move: $10,000,000. Far
/// above any counter's day, and far enough below the registers' range that no sum of them
/// can overflow.
pub const MAX_TRANSFER_MILLS: i64 = 10_000_000_000;

/// Refuses a credit or refill (`what`) that is not positive or over [`MAX_TRANSFER_MILLS`].
pub fn transfer_amount(what: &str, amount: Money) -> Result<(), VendorError> {
    if amount.mills() <= 0 || amount.mills() > MAX_TRANSFER_MILLS {
        return Err(VendorError::bad_request(format!(
            "a {what} of {amount} ({} mills) is not accepted: 1 to {MAX_TRANSFER_MILLS} mills ({})",
            amount.mills(),
            Money::from_mills(MAX_TRANSFER_MILLS)
        )));
    }
    Ok(())
}

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

/// The most entries one reconciliation report may carry; a longer ledger goes in parts.
pub const MAX_ENTRIES_PER_REPORT: usize = 1_000;

/// Decodes the certificate a reconciliation report names its embedded PSD by; it must be
/// that PSD's. Whose key it is (the first one this counter reported) is checked by the store.
pub fn psd_certificate(psd_id: u32, hex_text: &str) -> Result<PsdCertificate, VendorError> {
    let refused = |why: String| {
        VendorError::bad_request(format!(
            "psd_certificate {:?} is not accepted: {why}",
            shown(hex_text)
        ))
    };
    let bytes = crate::hex::decode(hex_text)
        .ok_or_else(|| refused(format!("{CERTIFICATE_LEN} bytes in hex digits")))?;
    let certificate = PsdCertificate::from_bytes(&bytes).map_err(|e| refused(e.to_string()))?;
    if certificate.psd_id != psd_id {
        return Err(refused(format!(
            "it is the certificate of PSD {}, and the report is of PSD {psd_id}",
            certificate.psd_id
        )));
    }
    Ok(certificate)
}

/// Decodes a reconciliation report's entries; the chain itself is checked by the store.
pub fn ledger_entries(
    psd_id: u32,
    entries: &[LedgerEntry],
) -> Result<Vec<ReportedEntry>, VendorError> {
    if entries.len() > MAX_ENTRIES_PER_REPORT {
        return Err(VendorError::bad_request(format!(
            "a report of {} entries is not accepted: at most {MAX_ENTRIES_PER_REPORT} per request",
            entries.len()
        )));
    }
    entries
        .iter()
        .map(|entry| {
            let refused = |what: &str| {
                VendorError::bad_request(format!("entry for piece {}: {what}", entry.piece_serial))
            };
            let mailing_date = Date::parse(&entry.mailing_date).map_err(|_| {
                refused(&format!(
                    "mailing_date {:?} is not accepted: a date YYYY-MM-DD",
                    shown(&entry.mailing_date)
                ))
            })?;
            if entry.postage_mills <= 0 || entry.postage_mills > MAX_POSTAGE_MILLS {
                return Err(refused(&format!(
                    "postage_mills {} is not accepted: 1 to {MAX_POSTAGE_MILLS}",
                    entry.postage_mills
                )));
            }
            let indicium = crate::hex::decode(&entry.indicium)
                .ok_or_else(|| refused("indicium is not accepted: hex digits"))?;
            let entry_hash: [u8; 32] = crate::hex::decode(&entry.entry_hash)
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(|| refused("entry_hash is not accepted: 64 hex digits"))?;
            Ok((
                ChainEntry {
                    psd_id,
                    piece_serial: entry.piece_serial,
                    postage_mills: entry.postage_mills,
                    mailing_day: mailing_date.days_since_2000(),
                    issued_unix_ms: entry.issued_unix_ms,
                    indicium,
                },
                entry_hash,
            ))
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
/// declared value is not sent, so insurance is taken as enough for a Return Receipt.
fn product_and_services(rate_category: u8, extra_services: u8) -> Result<(), VendorError> {
    let product = Product::from_code(rate_category).ok_or_else(|| {
        let codes: Vec<String> = Product::ALL.iter().map(|p| p.code().to_string()).collect();
        VendorError::bad_request(format!(
            "rate_category {rate_category} is not accepted: a product code, one of {}",
            codes.join(", ")
        ))
    })?;
    let refused = |why: String| {
        VendorError::bad_request(format!(
            "extra_services {extra_services:#04x} is not accepted: {why}"
        ))
    };
    let services = ExtraServices::from_bits(extra_services).ok_or_else(|| {
        let bits: Vec<String> = ExtraService::ALL
            .iter()
            .map(|s| format!("{:#04x} {}", s.bit(), s.name()))
            .collect();
        refused(format!("the bits accepted are {}", bits.join(", ")))
    })?;
    if let Some(service) = services.iter().find(|s| !s.allowed_with(product)) {
        return Err(refused(format!(
            "{} is not available with {}",
            service.name(),
            product.name()
        )));
    }
    let signed_for = [
        ExtraService::CertifiedMail,
        ExtraService::SignatureConfirmation,
        ExtraService::Insurance,
    ];
    if services.contains(ExtraService::ReturnReceipt)
        && !signed_for.iter().any(|s| services.contains(*s))
    {
        return Err(refused(
            "Return Receipt needs Certified Mail, Signature Confirmation or Insurance".into(),
        ));
    }
    Ok(())
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

/// Input quoted in a message: printable characters only, at most 40.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(40)
        .collect()
}

/// `text` with every run of 12 or more digits (a card number, perhaps) masked to its last 4.
pub fn mask_digit_runs(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, masked: &mut String| {
        if digits.len() >= 12 {
            masked.push_str("••••");
            masked.push_str(&digits[digits.len() - 4..]);
        } else {
            masked.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut masked);
            masked.push(c);
        }
    }
    flush(&mut digits, &mut masked);
    masked
}

/// An idempotency key: 1 to 100 printable ASCII characters.
pub fn idempotency_key(header: Option<&str>) -> Result<String, VendorError> {
    match header {
        Some(key)
            if !key.is_empty() && key.len() <= 100 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(key.to_string())
        }
        Some(key) => Err(VendorError::bad_request(format!(
            "the Idempotency-Key {:?} is not accepted: 1 to 100 printable ASCII characters without spaces",
            shown(key)
        ))),
        None => Err(VendorError::bad_request(
            "this request moves value and needs an Idempotency-Key header (1 to 100 printable ASCII characters), the same on every retry",
        )),
    }
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
                "extra_services 0x40 is not accepted: the bits accepted are 0x01 Certified Mail",
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

    #[test]
    fn transfers_are_positive_and_bounded() {
        assert!(transfer_amount("refill", Money::from_mills(1)).is_ok());
        assert!(transfer_amount("refill", Money::from_mills(MAX_TRANSFER_MILLS)).is_ok());
        let over = transfer_amount("credit", Money::from_mills(MAX_TRANSFER_MILLS + 1))
            .unwrap_err()
            .message()
            .to_string();
        assert!(
            over.starts_with("a credit of $10000000.001 (10000000001 mills) is not accepted"),
            "{over}"
        );
        assert!(transfer_amount("refill", Money::from_mills(0)).is_err());
        assert!(transfer_amount("refill", Money::from_mills(-5)).is_err());
    }

    #[test]
    fn long_digit_runs_are_masked_to_their_last_four() {
        assert_eq!(
            mask_digit_runs(
                "invalid type: integer `4242424242424242`, expected a string at line 1 column 40"
            ),
            "invalid type: integer `••••4242`, expected a string at line 1 column 40"
        );
    }

    #[test]
    fn idempotency_keys_must_be_printable_and_short() {
        assert!(idempotency_key(Some("sale-1")).is_ok());
        assert!(idempotency_key(Some("")).is_err());
        assert!(idempotency_key(Some("a b")).is_err());
        assert!(idempotency_key(Some(&"k".repeat(101))).is_err());
        assert!(idempotency_key(None).is_err());
    }
}
