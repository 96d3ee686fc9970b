//! The mail products a counter sells.
//!
//! Each product has a one-byte code that is signed into the indicium, so the codes are stable:
//! a new product takes a new number, a retired one keeps its number unused. Flat-rate
//! envelopes and boxes are products of their own rather than packaging options, because each
//! has its own price, its own slug at the counter and its own code in the indicium.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::rates::country::GroupColumn;

macro_rules! products {
    ($($variant:ident = $code:literal, $slug:literal, $name:literal, $marking:literal;)+) => {
        /// A mail class and product, as priced by a rate table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Product {
            $($variant,)+
        }

        impl Product {
            /// Every product, in code order.
            pub const ALL: &'static [Product] = &[$(Product::$variant,)+];

            /// The stable code written into the indicium.
            pub const fn code(self) -> u8 {
                match self {
                    $(Product::$variant => $code,)+
                }
            }

            /// The short name a clerk types (`fcm-letter`) and rate files use.
            pub const fn slug(self) -> &'static str {
                match self {
                    $(Product::$variant => $slug,)+
                }
            }

            /// The name shown on screen and on the receipt.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Product::$variant => $name,)+
                }
            }

            /// The class marking printed beside the indicium.
            pub const fn marking(self) -> &'static str {
                match self {
                    $(Product::$variant => $marking,)+
                }
            }
        }
    };
}

products! {
    FcmLetter = 1, "fcm-letter", "First-Class Mail Letter", "FIRST-CLASS MAIL";
    FcmPostcard = 2, "fcm-postcard", "First-Class Mail Postcard", "FIRST-CLASS MAIL";
    FcmLargeEnvelope = 3, "fcm-large-envelope", "First-Class Mail Large Envelope", "FIRST-CLASS MAIL";
    FcmiLetter = 4, "fcmi-letter", "First-Class Mail International Letter", "FIRST-CLASS MAIL INTL";
    FcmiPostcard = 5, "fcmi-postcard", "First-Class Mail International Postcard", "FIRST-CLASS MAIL INTL";
    GroundAdvantage = 6, "ground-advantage", "USPS Ground Advantage", "USPS GROUND ADVANTAGE";
    PriorityMail = 7, "priority", "Priority Mail", "PRIORITY MAIL";
    PriorityMailExpress = 8, "priority-express", "Priority Mail Express", "PRIORITY MAIL EXPRESS";
    MediaMail = 9, "media-mail", "Media Mail", "MEDIA MAIL";
    PriorityFlatRateEnvelope = 10, "priority-flat-rate-envelope", "Priority Mail Flat Rate Envelope", "PRIORITY MAIL";
    PriorityFlatRateLegalEnvelope = 11, "priority-flat-rate-legal-envelope", "Priority Mail Legal Flat Rate Envelope", "PRIORITY MAIL";
    PriorityFlatRatePaddedEnvelope = 12, "priority-flat-rate-padded-envelope", "Priority Mail Padded Flat Rate Envelope", "PRIORITY MAIL";
    PriorityFlatRateSmallBox = 13, "priority-flat-rate-small-box", "Priority Mail Small Flat Rate Box", "PRIORITY MAIL";
    PriorityFlatRateMediumBox = 14, "priority-flat-rate-medium-box", "Priority Mail Medium Flat Rate Box", "PRIORITY MAIL";
    PriorityFlatRateLargeBox = 15, "priority-flat-rate-large-box", "Priority Mail Large Flat Rate Box", "PRIORITY MAIL";
    PriorityExpressFlatRateEnvelope = 16, "priority-express-flat-rate-envelope", "Priority Mail Express Flat Rate Envelope", "PRIORITY MAIL EXPRESS";
    PriorityExpressFlatRateLegalEnvelope = 17, "priority-express-flat-rate-legal-envelope", "Priority Mail Express Legal Flat Rate Envelope", "PRIORITY MAIL EXPRESS";
    PriorityExpressFlatRatePaddedEnvelope = 18, "priority-express-flat-rate-padded-envelope", "Priority Mail Express Padded Flat Rate Envelope", "PRIORITY MAIL EXPRESS";
    PriorityFlatRateLargeBoxApo = 19, "priority-flat-rate-large-box-apo", "Priority Mail Large Flat Rate Box APO/FPO/DPO", "PRIORITY MAIL";
    FcmiLargeEnvelope = 20, "fcmi-large-envelope", "First-Class Mail International Large Envelope", "FIRST-CLASS MAIL INTL";
    FcpisPackage = 21, "fcpis", "First-Class Package International Service", "FIRST-CLASS PKG INTL";
    PriorityMailInternational = 22, "priority-intl", "Priority Mail International", "PRIORITY MAIL INTL";
    PriorityExpressInternational = 23, "priority-express-intl", "Priority Mail Express International", "PRIORITY MAIL EXPRESS INTL";
    PriorityIntlFlatRateEnvelope = 24, "priority-intl-flat-rate-envelope", "Priority Mail International Flat Rate Envelope", "PRIORITY MAIL INTL";
    PriorityIntlFlatRateSmallBox = 25, "priority-intl-flat-rate-small-box", "Priority Mail International Small Flat Rate Box", "PRIORITY MAIL INTL";
    PriorityIntlFlatRateMediumBox = 26, "priority-intl-flat-rate-medium-box", "Priority Mail International Medium Flat Rate Box", "PRIORITY MAIL INTL";
    PriorityIntlFlatRateLargeBox = 27, "priority-intl-flat-rate-large-box", "Priority Mail International Large Flat Rate Box", "PRIORITY MAIL INTL";
    PriorityExpressIntlFlatRateEnvelope = 28, "priority-express-intl-flat-rate-envelope", "Priority Mail Express International Flat Rate Envelope", "PRIORITY MAIL EXPRESS INTL";
}

/// How a product is priced and carried, which decides the checks a quote makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// First-Class Mail letters, postcards and flats: by weight, no zone.
    FirstClass,
    /// Mail to another country: by weight and the destination country's price group (a
    /// row's single `price` holds for every group; international flat rates are one row
    /// whose `max` is the product's weight limit).
    International,
    /// Ground Advantage, Priority Mail, Priority Mail Express: by weight and zone, with
    /// dimensional weight.
    Zoned,
    /// Media Mail: by pound, no zone.
    MediaMail,
    /// One price whatever the weight and zone, in the product's own packaging.
    FlatRate,
}

impl Product {
    pub fn from_code(code: u8) -> Option<Product> {
        Product::ALL.iter().copied().find(|p| p.code() == code)
    }

    pub const fn family(self) -> Family {
        use Product::*;
        match self {
            FcmLetter | FcmPostcard | FcmLargeEnvelope => Family::FirstClass,
            FcmiLetter
            | FcmiPostcard
            | FcmiLargeEnvelope
            | FcpisPackage
            | PriorityMailInternational
            | PriorityExpressInternational
            | PriorityIntlFlatRateEnvelope
            | PriorityIntlFlatRateSmallBox
            | PriorityIntlFlatRateMediumBox
            | PriorityIntlFlatRateLargeBox
            | PriorityExpressIntlFlatRateEnvelope => Family::International,
            GroundAdvantage | PriorityMail | PriorityMailExpress => Family::Zoned,
            MediaMail => Family::MediaMail,
            _ => Family::FlatRate,
        }
    }

    pub const fn is_international(self) -> bool {
        matches!(self.family(), Family::International)
    }

    /// Whether the product may carry goods abroad: First-Class Mail International letters,
    /// large envelopes and postcards carry documents only (goods go as a package).
    pub const fn carries_goods(self) -> bool {
        !matches!(
            self,
            Product::FcmiLetter | Product::FcmiPostcard | Product::FcmiLargeEnvelope
        )
    }

    /// Sold only to the overseas military and diplomatic post offices (APO/FPO/DPO).
    pub const fn is_military_only(self) -> bool {
        matches!(self, Product::PriorityFlatRateLargeBoxApo)
    }

    /// The column of the country table that gives this product's price group, for
    /// international products.
    pub const fn price_group_column(self) -> Option<GroupColumn> {
        use Product::*;
        Some(match self {
            FcmiLetter | FcmiPostcard | FcmiLargeEnvelope => GroupColumn::Fcmi,
            FcpisPackage => GroupColumn::Fcpis,
            PriorityMailInternational => GroupColumn::Pmi,
            PriorityIntlFlatRateEnvelope
            | PriorityIntlFlatRateSmallBox
            | PriorityIntlFlatRateMediumBox
            | PriorityIntlFlatRateLargeBox => GroupColumn::PmiFlatRate,
            PriorityExpressInternational => GroupColumn::Pmei,
            PriorityExpressIntlFlatRateEnvelope => GroupColumn::PmeiFlatRate,
            _ => return None,
        })
    }

    /// Priority Mail proper and its flat-rate products (which share its extra services).
    pub const fn is_priority_mail(self) -> bool {
        use Product::*;
        matches!(
            self,
            PriorityMail
                | PriorityFlatRateEnvelope
                | PriorityFlatRateLegalEnvelope
                | PriorityFlatRatePaddedEnvelope
                | PriorityFlatRateSmallBox
                | PriorityFlatRateMediumBox
                | PriorityFlatRateLargeBox
                | PriorityFlatRateLargeBoxApo
        )
    }

    pub const fn is_priority_mail_express(self) -> bool {
        use Product::*;
        matches!(
            self,
            PriorityMailExpress
                | PriorityExpressFlatRateEnvelope
                | PriorityExpressFlatRateLegalEnvelope
                | PriorityExpressFlatRatePaddedEnvelope
        )
    }
}

/// A slug that names no product; lists the accepted slugs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a product: expected one of {}", slugs(Product::ALL.iter().map(|p| p.slug())))]
pub struct ProductParseError {
    pub input: String,
}

pub(crate) fn slugs<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

impl FromStr for Product {
    type Err = ProductParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Product::ALL
            .iter()
            .copied()
            .find(|p| p.slug() == wanted)
            .ok_or_else(|| ProductParseError {
                input: s.to_string(),
            })
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Rate files name products by slug.
impl<'de> Deserialize<'de> for Product {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
