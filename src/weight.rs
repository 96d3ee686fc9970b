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

/// Why a text is not a weight; its message quotes the text and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a weight ({reason}): expected a number and a unit, like 2oz, 1.5 oz, 1/2 oz, 3lb 4oz, 250g or 1.2kg"
)]
pub struct WeightParseError {
    pub input: String,
    pub reason: String,
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

    /// Parses one or more `<number><unit>` terms and adds them: `2oz`, `1.5 oz`, `1/2 oz`,
    /// `1 1/2 lb`, `3lb 4oz`, `250g`, `1.2kg`. A bare number is refused: a scale or a clerk
    /// that means grams and a counter that assumes ounces would misprice by a factor of 28.
    /// This is the one weight parser: the command line and the counter's screen both use it,
    /// so a text means the same weight (or the same refusal) everywhere.
    pub fn parse(input: &str) -> Result<Weight, WeightParseError> {
        let fail = |reason: String| WeightParseError {
            input: input.to_string(),
            reason,
        };
        let mut rest = input.trim();
        if rest.is_empty() {
            return Err(fail("it is empty".into()));
        }
        if rest.starts_with('-') {
            return Err(fail("a weight cannot be negative".into()));
        }
        if rest.contains(',') {
            return Err(fail(
                "write decimals with a point, like 2.5oz, not a comma".into(),
            ));
        }
        let mut total = Weight::ZERO;
        while !rest.is_empty() {
            let (number, after) = number_token(rest);
            if number.is_empty() {
                return Err(fail(format!("expected a number at {rest:?}")));
            }
            rest = after.trim_start();
            // A mixed number: `1 1/2 oz`.
            let (fraction, after) = number_token(rest);
            let whole = number.bytes().all(|b| b.is_ascii_digit());
            let fraction = (whole && fraction.contains('/')).then_some(fraction);
            if fraction.is_some() {
                rest = after.trim_start();
            }
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = rest[unit_len..].trim_start();
            if unit.is_empty() {
                return Err(fail(format!("{number:?} has no unit (oz, lb, g or kg)")));
            }
            let unit_picograms = unit_picograms(unit)
                .ok_or_else(|| fail(format!("unknown unit {unit:?} (use oz, lb, g or kg)")))?;
            let mut term = scaled_number(number, unit_picograms).map_err(fail)?;
            if let Some(fraction) = fraction {
                let part = scaled_number(fraction, unit_picograms).map_err(fail)?;
                term = term
                    .checked_add(part)
                    .ok_or_else(|| fail("too heavy".into()))?;
            }
            total = total
                .checked_add(term)
                .ok_or_else(|| fail("too heavy".into()))?;
        }
        Ok(total)
    }
}

/// The leading run of digits, points and slashes of `text`, and what follows it.
fn number_token(text: &str) -> (&str, &str) {
    let len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '/'))
        .unwrap_or(text.len());
    text.split_at(len)
}

/// A decimal (`1.5`) or a fraction of whole numbers (`1/2`) times `unit_picograms`. A
/// fraction is rounded up to the next picogram (1/16 oz is not a whole number of them): a
/// piece is never priced lighter than it is, and a picogram moves no price step.
fn scaled_number(number: &str, unit_picograms: u64) -> Result<Weight, String> {
    let Some((numerator, denominator)) = number.split_once('/') else {
        return scaled_decimal(number, unit_picograms);
    };
    let whole = |text: &str| {
        (!text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u128>().ok())
            .flatten()
    };
    let (Some(numerator), Some(denominator)) = (whole(numerator), whole(denominator)) else {
        return Err(format!(
            "{number:?} is not a fraction of whole numbers, like 1/2"
        ));
    };
    if denominator == 0 {
        return Err(format!("{number:?} divides by zero"));
    }
    let picograms = (numerator * u128::from(unit_picograms)).div_ceil(denominator);
    u64::try_from(picograms)
        .map(Weight::from_picograms)
        .map_err(|_| "too heavy".into())
}

fn unit_picograms(unit: &str) -> Option<u64> {
    match unit.to_ascii_lowercase().as_str() {
        "oz" | "ounce" | "ounces" => Some(PICOGRAMS_PER_OUNCE),
        "lb" | "lbs" | "pound" | "pounds" => Some(PICOGRAMS_PER_POUND),
        "g" | "gram" | "grams" => Some(PICOGRAMS_PER_GRAM),
        "kg" | "kilogram" | "kilograms" => Some(PICOGRAMS_PER_KILOGRAM),
        _ => None,
    }
}

/// `number` (digits with at most one point) times `unit_picograms`, refused unless exact.
fn scaled_decimal(number: &str, unit_picograms: u64) -> Result<Weight, String> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if fraction.contains('.') {
        return Err(format!("{number:?} has more than one decimal point"));
    }
    if whole.is_empty() && fraction.is_empty() {
        return Err(format!("{number:?} has no digits"));
    }
    let digits = format!("{whole}{fraction}");
    let mantissa: u128 = if digits.len() > 30 {
        return Err("too many digits".into());
    } else {
        digits
            .parse()
            .map_err(|_| format!("{number:?} is not a number"))?
    };
    let divisor = 10u128.pow(u32::try_from(fraction.len()).unwrap_or(u32::MAX).min(30));
    let scaled = mantissa * u128::from(unit_picograms);
    if !scaled.is_multiple_of(divisor) {
        return Err(format!(
            "{number:?} has more decimals than can be weighed exactly"
        ));
    }
    u64::try_from(scaled / divisor)
        .map(Weight::from_picograms)
        .map_err(|_| "too heavy".into())
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
    fn parses_the_forms_a_clerk_types() {
        assert_eq!(Weight::parse("2oz"), Ok(Weight::from_ounces(2)));
        assert_eq!(Weight::parse("1.5 oz"), Ok(Weight::from_milli_ounces(1500)));
        assert_eq!(Weight::parse("3lb 4oz"), Ok(Weight::from_ounces(52)));
        assert_eq!(Weight::parse("250g"), Ok(Weight::from_grams(250)));
        assert_eq!(Weight::parse("1.2kg"), Ok(Weight::from_grams(1200)));
        assert_eq!(Weight::parse("3 LB 4 Oz"), Ok(Weight::from_ounces(52)));
    }

    #[test]
    fn bad_weights_are_refused_with_the_input_quoted() {
        for bad in ["", "2", "oz", "2 stone", "1.2.3oz", "-2oz", "0.00001oz"] {
            let err = Weight::parse(bad).expect_err(bad);
            assert!(
                err.to_string()
                    .starts_with(&format!("{bad:?} is not a weight")),
                "{err}"
            );
        }
        assert_eq!(
            Weight::parse("2").unwrap_err().to_string(),
            "\"2\" is not a weight (\"2\" has no unit (oz, lb, g or kg)): expected a number and a unit, like 2oz, 1.5 oz, 1/2 oz, 3lb 4oz, 250g or 1.2kg"
        );
        let reason = |text: &str| Weight::parse(text).unwrap_err().reason;
        assert_eq!(reason("-2oz"), "a weight cannot be negative");
        assert_eq!(
            reason("2,5 oz"),
            "write decimals with a point, like 2.5oz, not a comma"
        );
        assert_eq!(reason("1/0 oz"), "\"1/0\" divides by zero");
        assert_eq!(
            reason("1/2/3 oz"),
            "\"1/2/3\" is not a fraction of whole numbers, like 1/2"
        );
        assert_eq!(
            reason("1.5/2 oz"),
            "\"1.5/2\" is not a fraction of whole numbers, like 1/2"
        );
    }

    #[test]
    fn fractions_are_read_as_fractions_never_as_digits_run_together() {
        assert_eq!(Weight::parse("1/2 oz"), Ok(Weight::from_milli_ounces(500)));
        assert_eq!(Weight::parse("1/2oz"), Ok(Weight::from_milli_ounces(500)));
        assert_eq!(Weight::parse("1 1/2 lb"), Ok(Weight::from_ounces(24)));
        assert_eq!(Weight::parse("3/4lb 2oz"), Ok(Weight::from_ounces(14)));
        // 1/16 oz is not a whole number of picograms: rounded up, never down.
        let sixteenth = Weight::parse("1/16oz").unwrap();
        assert!(sixteenth.picograms * 16 >= PICOGRAMS_PER_OUNCE);
        assert!((sixteenth.picograms - 1) * 16 < PICOGRAMS_PER_OUNCE);
    }

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
