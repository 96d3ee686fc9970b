//! Exact weights.
//!
//! A mail piece is weighed in ounces or pounds at a US counter and in grams on many scales, and
//! a rate step is "not over 3.5 oz": a float would put a 3.5 oz letter on the wrong side of
//! that line. The avoirdupois ounce is exactly 28.349523125 g, so one integer unit makes every
//! ounce with up to three decimals and every gram with up to twelve an exact whole number: the
//! picogram. A `u64` of picograms reaches 18 tonnes, far beyond any mail piece.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod parse;

pub use parse::WeightParseError;

const PICOGRAMS_PER_GRAM: u64 = 1_000_000_000_000;
/// 28.349523125 g, exactly (the international avoirdupois ounce).
pub const PICOGRAMS_PER_OUNCE: u64 = 28_349_523_125_000;
const PICOGRAMS_PER_POUND: u64 = 16 * PICOGRAMS_PER_OUNCE;
const PICOGRAMS_PER_KILOGRAM: u64 = 1000 * PICOGRAMS_PER_GRAM;

/// A weight, exact to the picogram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight {
    picograms: u64,
}

impl Weight {
    pub const ZERO: Weight = Weight { picograms: 0 };

    pub const fn from_picograms(picograms: u64) -> Weight {
        Weight { picograms }
    }

    pub const fn from_ounces(ounces: u64) -> Weight {
        Weight {
            picograms: ounces * PICOGRAMS_PER_OUNCE,
        }
    }

    /// Thousandths of an ounce, the finest step a rate table uses (`15.99 oz`).
    pub const fn from_milli_ounces(milli_ounces: u64) -> Weight {
        Weight {
            picograms: milli_ounces * (PICOGRAMS_PER_OUNCE / 1000),
        }
    }

    pub const fn from_pounds(pounds: u64) -> Weight {
        Weight {
            picograms: pounds * PICOGRAMS_PER_POUND,
        }
    }

    pub const fn from_grams(grams: u64) -> Weight {
        Weight {
            picograms: grams * PICOGRAMS_PER_GRAM,
        }
    }

    pub const fn picograms(self) -> u64 {
        self.picograms
    }

    pub fn checked_add(self, other: Weight) -> Option<Weight> {
        self.picograms
            .checked_add(other.picograms)
            .map(Weight::from_picograms)
    }

    /// Whole ounces, rounded up: "not over N oz" pricing counts any fraction as a full ounce.
    pub fn ceil_ounces(self) -> u64 {
        self.picograms.div_ceil(PICOGRAMS_PER_OUNCE)
    }

    /// Whole pounds, rounded up, as parcel prices are stepped.
    pub fn ceil_pounds(self) -> u64 {
        self.picograms.div_ceil(PICOGRAMS_PER_POUND)
    }

    /// Thousandths of an ounce, rounded up.
    pub fn ceil_milli_ounces(self) -> u64 {
        self.picograms.div_ceil(PICOGRAMS_PER_OUNCE / 1000)
    }

    /// Whole grams, rounded up.
    pub fn ceil_grams(self) -> u64 {
        self.picograms.div_ceil(PICOGRAMS_PER_GRAM)
    }
}

impl Weight {
    /// The weight as text that [`Weight::parse`] reads back to the same picogram: in ounces
    /// where it is a whole number of thousandths of an ounce (`2oz`, `15.999oz`), else in grams
    /// to the picogram (`250g`, `0.000000000001g`). For what crosses the wire: the vendor must
    /// price the very piece the counter weighed.
    pub fn exact_text(self) -> String {
        let picograms_per_milli_ounce = PICOGRAMS_PER_OUNCE / 1000;
        if self.picograms.is_multiple_of(picograms_per_milli_ounce) {
            let milli_ounces = self.picograms / picograms_per_milli_ounce;
            return format!("{}oz", MilliOunces(milli_ounces));
        }
        let (whole, fraction) = (
            self.picograms / PICOGRAMS_PER_GRAM,
            self.picograms % PICOGRAMS_PER_GRAM,
        );
        if fraction == 0 {
            return format!("{whole}g");
        }
        let fraction = format!("{fraction:012}");
        format!("{whole}.{}g", fraction.trim_end_matches('0'))
    }
}

impl FromStr for Weight {
    type Err = WeightParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Weight::parse(s)
    }
}

/// `2 oz`, `1.5 oz`, `3 lb 4 oz`: ounces to at most two decimals, rounded up (a weight is
/// never shown lighter than it is).
impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let centi_ounces = self.picograms.div_ceil(PICOGRAMS_PER_OUNCE / 100);
        let pounds = centi_ounces / 1600;
        let rest = centi_ounces % 1600;
        let ounces = rest / 100;
        let hundredths = rest % 100;
        let ounces_text = match hundredths {
            0 => format!("{ounces} oz"),
            h if h % 10 == 0 => format!("{ounces}.{} oz", h / 10),
            h => format!("{ounces}.{h:02} oz"),
        };
        let text = match (pounds, rest) {
            (0, _) => ounces_text,
            (p, 0) => format!("{p} lb"),
            (p, _) => format!("{p} lb {ounces_text}"),
        };
        f.pad(&text)
    }
}

/// Weights in data files are written as text (`"15.99oz"`), never as floats.
impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{}oz", MilliOunces(self.ceil_milli_ounces())))
    }
}

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Weight::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Prints thousandths of an ounce as a decimal without trailing zeros.
struct MilliOunces(u64);

impl fmt::Display for MilliOunces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 1000, self.0 % 1000);
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_text_reads_back_to_the_same_picogram() {
        for weight in [
            Weight::from_ounces(2),
            Weight::from_milli_ounces(15_999),
            Weight::from_pounds(70),
            Weight::from_grams(250),
            Weight::from_picograms(1),
            Weight::from_picograms(28_349_523_125_001),
        ] {
            let text = weight.exact_text();
            assert_eq!(Weight::parse(&text).unwrap(), weight, "{text}");
        }
        assert_eq!(Weight::from_ounces(2).exact_text(), "2oz");
        assert_eq!(Weight::from_grams(250).exact_text(), "250g");
        assert_eq!(Weight::from_picograms(1).exact_text(), "0.000000000001g");
    }

    use super::*;

    #[test]
    fn three_and_a_half_ounces_is_not_over_three_and_a_half() {
        let limit = Weight::from_milli_ounces(3500);
        assert!(Weight::parse("3.5oz").unwrap() <= limit);
        assert!(Weight::parse("99.2g").unwrap() <= limit); // 3.4992 oz
        assert!(Weight::parse("99.3g").unwrap() > limit); // 3.5027 oz
    }

    #[test]
    fn rounds_up_to_steps() {
        let w = Weight::parse("1.01oz").unwrap();
        assert_eq!(w.ceil_ounces(), 2);
        assert_eq!(Weight::parse("16oz").unwrap().ceil_pounds(), 1);
        assert_eq!(Weight::parse("16.1oz").unwrap().ceil_pounds(), 2);
        assert_eq!(Weight::parse("1g").unwrap().ceil_ounces(), 1);
    }

    #[test]
    fn displays_pounds_and_ounces() {
        assert_eq!(Weight::from_ounces(52).to_string(), "3 lb 4 oz");
        assert_eq!(Weight::from_milli_ounces(1500).to_string(), "1.5 oz");
        assert_eq!(Weight::from_pounds(2).to_string(), "2 lb");
        assert_eq!(Weight::from_grams(100).to_string(), "3.53 oz");
    }
}
