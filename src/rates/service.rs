//! Extra services (Certified Mail, Return Receipt, ...) and which products may carry them.
//!
//! The services bought with a piece are signed into the indicium as one byte of flags, so each
//! service has a stable bit. The rules are kept deliberately small and live here, next to the
//! bits, so a clerk's screen and the vendor refuse the same combinations:
//! - Certified Mail: First-Class Mail letters and large envelopes, and Priority Mail (including
//!   its flat-rate products).
//! - Signature Confirmation: Priority Mail (including flat rate) and Ground Advantage.
//! - Insurance: Priority Mail (including flat rate), Priority Mail Express, Ground Advantage
//!   and Media Mail; it needs a declared value, priced by the tiers of the table in force.
//! - Certificate of Mailing: every domestic product except Priority Mail Express (which
//!   already carries a mailing receipt).
//! - Return Receipt: only with Certified Mail, Signature Confirmation, or insurance over $500
//!   (the cases in which USPS keeps a delivery signature to return).
//! - International mail takes none of them here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::money::Money;
use crate::rates::product::{Product, slugs};

/// Declared values above this need insurance for Return Receipt to qualify on its own.
pub const RETURN_RECEIPT_INSURED_VALUE_OVER: Money = Money::from_cents(50_000);

/// An extra service bought with a mail piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExtraService {
    CertifiedMail,
    ReturnReceipt,
    CertificateOfMailing,
    SignatureConfirmation,
    Insurance,
}

impl ExtraService {
    pub const ALL: &'static [ExtraService] = &[
        ExtraService::CertifiedMail,
        ExtraService::ReturnReceipt,
        ExtraService::CertificateOfMailing,
        ExtraService::SignatureConfirmation,
        ExtraService::Insurance,
    ];

    /// The service's flag in the indicium's one-byte service field.
    pub const fn bit(self) -> u8 {
        match self {
            ExtraService::CertifiedMail => 0x01,
            ExtraService::ReturnReceipt => 0x02,
            ExtraService::CertificateOfMailing => 0x04,
            ExtraService::SignatureConfirmation => 0x08,
            ExtraService::Insurance => 0x10,
        }
    }

    pub const fn slug(self) -> &'static str {
        match self {
            ExtraService::CertifiedMail => "certified-mail",
            ExtraService::ReturnReceipt => "return-receipt",
            ExtraService::CertificateOfMailing => "certificate-of-mailing",
            ExtraService::SignatureConfirmation => "signature-confirmation",
            ExtraService::Insurance => "insurance",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            ExtraService::CertifiedMail => "Certified Mail",
            ExtraService::ReturnReceipt => "Return Receipt",
            ExtraService::CertificateOfMailing => "Certificate of Mailing",
            ExtraService::SignatureConfirmation => "Signature Confirmation",
            ExtraService::Insurance => "Insurance",
        }
    }

    /// Whether `product` may carry this service at all (combinations are checked by
    /// [`ExtraServices::check`]).
    pub fn allowed_with(self, product: Product) -> bool {
        use Product::*;
        let priority = product.is_priority_mail();
        match self {
            _ if product.is_international() => false,
            ExtraService::CertifiedMail => {
                priority || matches!(product, FcmLetter | FcmLargeEnvelope)
            }
            ExtraService::SignatureConfirmation => priority || product == GroundAdvantage,
            ExtraService::Insurance => {
                priority
                    || product.is_priority_mail_express()
                    || matches!(product, GroundAdvantage | MediaMail)
            }
            ExtraService::CertificateOfMailing => !product.is_priority_mail_express(),
            ExtraService::ReturnReceipt => {
                ExtraService::CertifiedMail.allowed_with(product)
                    || ExtraService::SignatureConfirmation.allowed_with(product)
                    || ExtraService::Insurance.allowed_with(product)
            }
        }
    }
}

/// The set of extra services bought with one piece, as the indicium stores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExtraServices(u8);

impl ExtraServices {
    pub const NONE: ExtraServices = ExtraServices(0);

    pub fn of(services: &[ExtraService]) -> ExtraServices {
        ExtraServices(services.iter().fold(0, |bits, s| bits | s.bit()))
    }

    pub const fn bits(self) -> u8 {
        self.0
    }

    /// `None` when a bit names no service (a newer indicium, or a corrupt one).
    pub fn from_bits(bits: u8) -> Option<ExtraServices> {
        let known = ExtraService::ALL.iter().fold(0, |all, s| all | s.bit());
        (bits & !known == 0).then_some(ExtraServices(bits))
    }

    pub fn contains(self, service: ExtraService) -> bool {
        self.0 & service.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = ExtraService> {
        ExtraService::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }

    /// Checks the module's rules for these services on `product`; the error is a sentence for
    /// the clerk.
    pub fn check(self, product: Product, declared_value: Option<Money>) -> Result<(), String> {
        self.check_without_value(product)?;
        if self.contains(ExtraService::Insurance) && declared_value.is_none() {
            return Err("Insurance needs a declared value".to_string());
        }
        let insured_over = self.contains(ExtraService::Insurance)
            && declared_value.is_some_and(|v| v > RETURN_RECEIPT_INSURED_VALUE_OVER);
        self.check_return_receipt(insured_over)
    }

    /// The rules that need no declared value, for a checker that is not told it (the
    /// vendor): every service allowed with `product`, and a Return Receipt with a service
    /// that keeps a signature, insurance of any value counting as one.
    pub fn check_without_value(self, product: Product) -> Result<(), String> {
        if let Some(refused) = self.iter().find(|s| !s.allowed_with(product)) {
            return Err(format!(
                "{} is not available with {}",
                refused.name(),
                product.name()
            ));
        }
        self.check_return_receipt(self.contains(ExtraService::Insurance))
    }

    fn check_return_receipt(self, insured_over: bool) -> Result<(), String> {
        let with_signature = self.contains(ExtraService::CertifiedMail)
            || self.contains(ExtraService::SignatureConfirmation)
            || insured_over;
        if self.contains(ExtraService::ReturnReceipt) && !with_signature {
            return Err(format!(
                "Return Receipt needs Certified Mail, Signature Confirmation or insurance over {RETURN_RECEIPT_INSURED_VALUE_OVER}"
            ));
        }
        Ok(())
    }
}

/// A slug that names no extra service; lists the accepted slugs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an extra service: expected one of {}", slugs(ExtraService::ALL.iter().map(|s| s.slug())))]
pub struct ExtraServiceParseError {
    pub input: String,
}

impl FromStr for ExtraService {
    type Err = ExtraServiceParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ExtraService::ALL
            .iter()
            .copied()
            .find(|x| x.slug() == wanted)
            .ok_or_else(|| ExtraServiceParseError {
                input: s.to_string(),
            })
    }
}

impl fmt::Display for ExtraService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl<'de> Deserialize<'de> for ExtraService {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
