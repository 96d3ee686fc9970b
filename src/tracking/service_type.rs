//! Service type codes: which three digits of a tracking number name a piece's class and
//! tracked extra services.
//!
//! They are data (`data/impb-service-types.toml`, with its source), read once and checked:
//! a code is three digits, a product is one the table knows, an extra service is a slug.
//! A piece is tracked when it is Priority Mail or Priority Mail Express, or carries Certified
//! Mail, Signature Confirmation or insurance; a tracked combination the table does not list
//! has no confirmed code, and the label says so rather than print a guessed one.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::money::Money;
use crate::rates::{ExtraService, Product};

const TABLE: &str = include_str!("../../data/impb-service-types.toml");

/// A service type code and what it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceType {
    pub code: String,
    pub name: String,
}

/// Why a tracked piece has no service type code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no confirmed USPS tracking service type for {what}")]
pub struct NoServiceType {
    pub what: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    schema: String,
    #[allow(dead_code)]
    source: String,
    codes: Vec<RawCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    stc: String,
    product: String,
    extras: Vec<ExtraService>,
    name: String,
    insured_up_to: Option<i64>,
    insured_over: Option<i64>,
}

/// The product groups the table names.
fn group_of(product: Product) -> Option<&'static str> {
    if product.is_priority_mail_express() {
        Some("priority-express")
    } else if product.is_priority_mail() {
        Some("priority")
    } else {
        match product {
            Product::FcmLetter | Product::FcmLargeEnvelope => Some("first-class"),
            Product::MediaMail => Some("media-mail"),
            Product::GroundAdvantage => Some("ground-advantage"),
            _ => None,
        }
    }
}

fn table() -> &'static [RawCode] {
    static CODES: OnceLock<Vec<RawCode>> = OnceLock::new();
    CODES.get_or_init(|| {
        // The table is built into the binary and checked by a test: a broken one is a
        // build that must not ship, so it fails loudly here.
        let raw: RawTable = toml::from_str(TABLE).expect("data/impb-service-types.toml parses");
        assert_eq!(raw.schema, "postcounter-impb-stc/1", "IMpb table schema");
        for code in &raw.codes {
            assert!(
                code.stc.len() == 3 && code.stc.bytes().all(|b| b.is_ascii_digit()),
                "service type code {:?} is not three digits",
                code.stc
            );
        }
        raw.codes
    })
}

/// Whether a piece is tracked: Priority Mail (Express), or a tracked extra service.
pub fn is_tracked(product: Product, extras: &[ExtraService]) -> bool {
    let tracked_extra = extras.iter().any(|service| {
        matches!(
            service,
            ExtraService::CertifiedMail
                | ExtraService::SignatureConfirmation
                | ExtraService::Insurance
        )
    });
    !product.is_international()
        && (product.is_priority_mail() || product.is_priority_mail_express() || tracked_extra)
}

/// The service type code of a tracked piece; `Ok(None)` for a piece that is not tracked.
pub fn service_type_for(
    product: Product,
    extras: &[ExtraService],
    declared_value: Option<Money>,
) -> Result<Option<ServiceType>, NoServiceType> {
    if !is_tracked(product, extras) {
        return Ok(None);
    }
    let mut tracked: Vec<ExtraService> = extras
        .iter()
        .copied()
        .filter(|s| *s != ExtraService::CertificateOfMailing)
        .collect();
    tracked.sort_by_key(|s| s.slug());
    let group = group_of(product);
    let value = declared_value.unwrap_or(Money::ZERO);
    let found = table().iter().find(|code| {
        let mut listed = code.extras.clone();
        listed.sort_by_key(|s| s.slug());
        Some(code.product.as_str()) == group
            && listed == tracked
            && code
                .insured_up_to
                .is_none_or(|limit| value.mills() <= limit)
            && code.insured_over.is_none_or(|limit| value.mills() > limit)
    });
    match found {
        Some(code) => Ok(Some(ServiceType {
            code: code.stc.clone(),
            name: code.name.clone(),
        })),
        None => {
            let services: Vec<&str> = tracked.iter().map(|s| s.name()).collect();
            let with = if services.is_empty() {
                String::new()
            } else {
                format!(" with {}", services.join(", "))
            };
            Err(NoServiceType {
                what: format!("{}{with}", product.name()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_each_tracked_piece_gets_its_code() {
        let code = |product, extras: &[ExtraService], value: Option<i64>| {
            service_type_for(product, extras, value.map(Money::from_mills))
                .expect("a code")
                .map(|s| s.code)
        };
        use ExtraService::*;
        assert_eq!(
            code(Product::FcmLetter, &[CertifiedMail], None).as_deref(),
            Some("071")
        );
        assert_eq!(
            code(Product::FcmLetter, &[ReturnReceipt, CertifiedMail], None).as_deref(),
            Some("147")
        );
        assert_eq!(
            code(Product::PriorityMail, &[], None).as_deref(),
            Some("055")
        );
        assert_eq!(
            code(
                Product::PriorityFlatRateSmallBox,
                &[Insurance],
                Some(200_000)
            )
            .as_deref(),
            Some("058")
        );
        assert_eq!(
            code(Product::PriorityMail, &[Insurance], Some(200_010)).as_deref(),
            Some("061")
        );
        assert_eq!(
            code(Product::PriorityMailExpress, &[], None).as_deref(),
            Some("701")
        );
        assert_eq!(code(Product::FcmLetter, &[], None), None);
        let missing = service_type_for(Product::GroundAdvantage, &[SignatureConfirmation], None)
            .expect_err("not confirmed");
        assert_eq!(
            missing.to_string(),
            "no confirmed USPS tracking service type for USPS Ground Advantage with Signature Confirmation"
        );
    }
}
