//! Reading a weight from text: the one parser the command line and the counter's screen
//! share, so a text means the same weight (or the same refusal) everywhere.

use super::{
    PICOGRAMS_PER_GRAM, PICOGRAMS_PER_KILOGRAM, PICOGRAMS_PER_OUNCE, PICOGRAMS_PER_POUND, Weight,
};

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

#[cfg(test)]
mod tests {
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
}
