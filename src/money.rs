//! Money as an integer count of mills (1/1000 USD).
//!
//! USPS prices can carry a tenth of a cent (`$4.155`), so a cent is too coarse, and a float
//! would drift: every amount in postcounter (prices, registers, tenders, refunds) is a
//! [`Money`] whose arithmetic is checked, so an overflow is an error rather than a wrapped or
//! saturated value that would create or destroy postage.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Mills in one dollar.
pub const MILLS_PER_DOLLAR: i64 = 1000;

/// An amount of money in mills. Negative amounts exist (a refund, change owed), but parsing
/// accepts only non-negative amounts: a clerk never types a negative price.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a text is not an amount of money; its message quotes the text and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not an amount of money ({reason}): expected dollars with at most 3 decimals, like 0.78, $4.155 or 12"
)]
pub struct MoneyParseError {
    pub input: String,
    pub reason: &'static str,
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_mills(mills: i64) -> Money {
        Money(mills)
    }

    pub const fn from_cents(cents: i64) -> Money {
        Money(cents * 10)
    }

    pub const fn mills(self) -> i64 {
        self.0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn checked_mul(self, count: i64) -> Option<Money> {
        self.0.checked_mul(count).map(Money)
    }

    /// Sums amounts, `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |total, amount| total.checked_add(amount))
    }

    /// Rounds up to a whole cent, as a cash drawer needs.
    pub fn round_up_to_cent(self) -> Option<Money> {
        let remainder = self.0.rem_euclid(10);
        if remainder == 0 {
            Some(self)
        } else {
            self.0.checked_add(10 - remainder).map(Money)
        }
    }

    /// Parses `0.78`, `$4.155`, `12`, `$1,234.50`. At most three decimals: a fourth would be
    /// a fraction of a mill, which no USPS price has, and silently rounding it would change
    /// what the customer was told.
    pub fn parse(input: &str) -> Result<Money, MoneyParseError> {
        let fail = |reason| MoneyParseError {
            input: input.to_string(),
            reason,
        };
        let text = input.trim();
        let text = text.strip_prefix('$').unwrap_or(text).trim_start();
        if text.is_empty() {
            return Err(fail("no digits"));
        }
        if text.starts_with('-') {
            return Err(fail("negative amounts are not accepted"));
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let whole_digits =
            digits_without_grouping(whole).ok_or_else(|| fail("unexpected character"))?;
        let fraction = fraction.unwrap_or("");
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail("unexpected character"));
        }
        if fraction.len() > 3 {
            return Err(fail("more than 3 decimals"));
        }
        if whole_digits.is_empty() && fraction.is_empty() {
            return Err(fail("no digits"));
        }
        let mut dollars: i64 = 0;
        for digit in whole_digits.bytes() {
            dollars = dollars
                .checked_mul(10)
                .and_then(|d| d.checked_add(i64::from(digit - b'0')))
                .ok_or_else(|| fail("too large"))?;
        }
        let mut fraction_mills: i64 = 0;
        for (place, digit) in fraction.bytes().enumerate() {
            fraction_mills += i64::from(digit - b'0') * [100, 10, 1][place];
        }
        dollars
            .checked_mul(MILLS_PER_DOLLAR)
            .and_then(|m| m.checked_add(fraction_mills))
            .map(Money)
            .ok_or_else(|| fail("too large"))
    }
}

/// The digits of a whole-dollar part, allowing `1,234` grouping (groups of exactly three).
fn digits_without_grouping(whole: &str) -> Option<String> {
    if !whole.contains(',') {
        return whole
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| whole.to_string());
    }
    let mut groups = whole.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits = first.to_string();
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(group);
    }
    Some(digits)
}

impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

/// `$0.78`, `$4.155`, `-$1.00`: two decimals unless the amount has a tenth of a cent.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = abs / 1000;
        let mills = abs % 1000;
        let text = if mills.is_multiple_of(10) {
            format!("{sign}${dollars}.{:02}", mills / 10)
        } else {
            format!("{sign}${dollars}.{mills:03}")
        };
        f.pad(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_a_clerk_types() {
        assert_eq!(Money::parse("0.78"), Ok(Money(780)));
        assert_eq!(Money::parse("$4.155"), Ok(Money(4155)));
        assert_eq!(Money::parse("12"), Ok(Money(12_000)));
        assert_eq!(Money::parse(" $ 1,234.5 "), Ok(Money(1_234_500)));
        assert_eq!(Money::parse(".5"), Ok(Money(500)));
        assert_eq!(Money::parse("3."), Ok(Money(3000)));
    }

    #[test]
    fn bad_amounts_are_refused_with_the_input_quoted() {
        for bad in ["", "$", "abc", "1.2345", "-1", "1,23", "1.2.3", "٣"] {
            let err = Money::parse(bad).expect_err(bad);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
            assert!(err.to_string().contains("at most 3 decimals"), "{err}");
        }
        assert_eq!(
            Money::parse("1.2345").unwrap_err().to_string(),
            "\"1.2345\" is not an amount of money (more than 3 decimals): expected dollars with at most 3 decimals, like 0.78, $4.155 or 12"
        );
    }

    #[test]
    fn displays_cents_or_mills() {
        assert_eq!(Money(780).to_string(), "$0.78");
        assert_eq!(Money(4155).to_string(), "$4.155");
        assert_eq!(Money(-1000).to_string(), "-$1.00");
        assert_eq!(Money(0).to_string(), "$0.00");
        assert_eq!(format!("{:>8}", Money(780)), "   $0.78");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn display_then_parse_gives_back_the_amount(mills in 0i64..1_000_000_000_000_000) {
                let amount = Money(mills);
                prop_assert_eq!(Money::parse(&amount.to_string()), Ok(amount));
            }

            #[test]
            fn dollars_and_up_to_three_decimals_parse_exactly(dollars in 0i64..1_000_000_000, fraction in "[0-9]{0,3}") {
                let text = format!("{dollars}.{fraction}");
                let padded = format!("{fraction:0<3}");
                let expected = dollars * 1000 + padded.parse::<i64>().unwrap_or(0);
                prop_assert_eq!(Money::parse(&text), Ok(Money(expected)));
            }

            #[test]
            fn more_than_three_decimals_is_refused(dollars in 0i64..1_000_000, fraction in "[0-9]{4,8}") {
                let text = format!("{dollars}.{fraction}");
                let err = Money::parse(&text).unwrap_err();
                prop_assert_eq!(err.reason, "more than 3 decimals");
                prop_assert_eq!(err.input, text);
            }

            #[test]
            fn any_text_parses_or_errors_quoting_it(text in "\\PC{0,20}") {
                if let Err(err) = Money::parse(&text) {
                    let quoted = format!("{text:?}");
                    prop_assert!(err.to_string().starts_with(&quoted));
                }
            }
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(Money(i64::MAX).checked_add(Money(1)), None);
        assert!(Money::parse("99999999999999999999").is_err());
        assert_eq!(Money(4155).round_up_to_cent(), Some(Money(4160)));
    }
}
