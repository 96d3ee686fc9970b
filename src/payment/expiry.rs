//! A card's expiry month, and whether a card is still good on a given day.
//!
//! A card is valid through the last day of its expiry month. The day comes from the caller
//! (the counter's clock at the edge), so the rule is tested with fixed dates. An expiry
//! more than twenty years ahead is refused as a likely typo (a year typed as `2208`).

use std::fmt;

use super::card::CardError;
use crate::date::Date;

/// The furthest ahead an expiry may be, in months.
const AHEAD_MONTHS_MAX: i32 = 20 * 12;

/// A card's expiry: a month of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expiry {
    year: i32,
    month: u32,
}

impl Expiry {
    /// Parses `MM/YY`, `MM/YYYY` or `MMYY` (a two-digit year is 20YY).
    pub fn parse(input: &str) -> Result<Expiry, CardError> {
        // An expiry has at most 6 digits: more is likely a card number in the wrong
        // field, which an error must not show.
        let shown = if input.chars().filter(char::is_ascii_digit).count() > 6 {
            super::card::mask_typed(input)
        } else {
            input.to_string()
        };
        let fail = |reason| CardError::ExpiryFormat {
            input: shown.clone(),
            reason,
        };
        let text = input.trim();
        if !text.chars().all(|c| c.is_ascii_digit() || c == '/') {
            return Err(fail("only digits and one slash are accepted"));
        }
        let (month_text, year_text) = match text.split_once('/') {
            Some((month, year)) => (month.trim(), year.trim()),
            None if text.len() == 4 => text.split_at(2),
            None => return Err(fail("without a slash it must be exactly 4 digits")),
        };
        if month_text.len() != 2 || !(year_text.len() == 2 || year_text.len() == 4) {
            return Err(fail("the month needs 2 digits and the year 2 or 4"));
        }
        let month: u32 = month_text
            .parse()
            .map_err(|_| fail("the month is not a number"))?;
        let year: i32 = year_text
            .parse()
            .map_err(|_| fail("the year is not a number"))?;
        if !(1..=12).contains(&month) {
            return Err(fail("the month must be 01 to 12"));
        }
        let year = if year_text.len() == 2 {
            2000 + year
        } else {
            year
        };
        Ok(Expiry { year, month })
    }

    /// `Ok` while the card is valid on `today` (through the last day of its month) and its
    /// expiry is not implausibly far ahead.
    pub fn check(&self, today: Date) -> Result<(), CardError> {
        let (today_year, today_month, _) = today.ymd();
        if today > self.last_valid_day() {
            return Err(CardError::Expired {
                expiry: self.to_string(),
                today: today.to_string(),
            });
        }
        let months_ahead =
            month_index(self.year, self.month) - month_index(today_year, today_month);
        if months_ahead > AHEAD_MONTHS_MAX {
            return Err(CardError::ExpiryTooFar {
                expiry: self.to_string(),
            });
        }
        Ok(())
    }

    /// The last day on which the card can be used.
    pub fn last_valid_day(&self) -> Date {
        let (next_year, next_month) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        // Any parsed expiry has a month of 1-12 and a year of 0-9999, so the first of the
        // next month exists; the fallback is never reached.
        Date::from_ymd(next_year, next_month, 1)
            .map(|first| first.add_days(-1))
            .unwrap_or(Date::from_days_since_2000(i32::MIN))
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> u32 {
        self.month
    }
}

fn month_index(year: i32, month: u32) -> i32 {
    year * 12 + month as i32
}

/// `07/2028`.
impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{:02}/{:04}", self.month, self.year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_number_typed_as_the_expiry_is_not_shown_in_the_refusal() {
        let refused = Expiry::parse("4242424242424242").unwrap_err().to_string();
        assert!(!refused.contains("42424242"), "{refused}");
        assert!(refused.contains("••••••••••••4242"), "{refused}");
        let refused = Expiry::parse("13/2a").unwrap_err().to_string();
        assert!(
            refused.starts_with("\"13/2a\" is not a card expiry"),
            "{refused}"
        );
    }
}
