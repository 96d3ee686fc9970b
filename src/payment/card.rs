//! A payment card number, checked and kept out of sight.
//!
//! The counter never stores a card number and never shows one (only its last four digits),
//! so [`CardNumber`] holds the digits privately and its `Debug` and `Display` print the
//! masked form: a log line, a panic message or an error can then not leak the number by
//! accident. Errors about a typed number quote it masked in the same way. The Luhn check
//! catches a mistyped digit before anything reaches the processor.

use std::fmt;

use super::luhn;

/// Shortest and longest card numbers (ISO/IEC 7812 allows 8-19; payment cards use 12-19).
const DIGITS_MIN: usize = 12;
const DIGITS_MAX: usize = 19;

/// What the card number and expiry parsers accept, said in every error.
const NUMBER_ACCEPTED: &str = "expected a card number of 12 to 19 digits (spaces and dashes allowed), like 4111 1111 1111 1111";
const EXPIRY_ACCEPTED: &str = "expected the expiry as MM/YY, MM/YYYY or MMYY, like 07/28";

/// A Luhn-valid card number of 12-19 digits.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
}

/// The card network, read from the number's leading digits (its IIN).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Other,
}

/// Why a card number or expiry is refused. Messages quote a number only masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("{masked:?} is not a card number: {character:?} is not a digit; {NUMBER_ACCEPTED}")]
    NotDigits { masked: String, character: char },
    #[error("{masked:?} is not a card number: it has {count} digits; {NUMBER_ACCEPTED}")]
    Length { masked: String, count: usize },
    #[error(
        "{masked:?} is not a valid card number: the check digit does not match (a digit is mistyped); {NUMBER_ACCEPTED}"
    )]
    Checksum { masked: String },
    #[error("{input:?} is not a card expiry: {reason}; {EXPIRY_ACCEPTED}")]
    ExpiryFormat { input: String, reason: &'static str },
    #[error("the card expired at the end of {expiry} (today is {today})")]
    Expired { expiry: String, today: String },
    #[error("the expiry {expiry} is more than 20 years ahead; check the month and year")]
    ExpiryTooFar { expiry: String },
}

/// What went wrong with a card, for the caller to react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardErrorKind {
    NotDigits,
    Length,
    Checksum,
    ExpiryFormat,
    Expired,
    ExpiryTooFar,
}

impl CardError {
    pub fn kind(&self) -> CardErrorKind {
        match self {
            CardError::NotDigits { .. } => CardErrorKind::NotDigits,
            CardError::Length { .. } => CardErrorKind::Length,
            CardError::Checksum { .. } => CardErrorKind::Checksum,
            CardError::ExpiryFormat { .. } => CardErrorKind::ExpiryFormat,
            CardError::Expired { .. } => CardErrorKind::Expired,
            CardError::ExpiryTooFar { .. } => CardErrorKind::ExpiryTooFar,
        }
    }
}

impl CardNumber {
    /// Parses digits with optional spaces and dashes: `4242 4242 4242 4242`, `4242-4242-...`.
    pub fn parse(input: &str) -> Result<CardNumber, CardError> {
        let masked = mask_typed(input);
        let digits = luhn::digits_of(input.trim()).map_err(|character| CardError::NotDigits {
            masked: masked.clone(),
            character,
        })?;
        if !(DIGITS_MIN..=DIGITS_MAX).contains(&digits.len()) {
            return Err(CardError::Length {
                masked,
                count: digits.len(),
            });
        }
        if !luhn::is_valid(&digits) {
            return Err(CardError::Checksum { masked });
        }
        Ok(CardNumber {
            digits: digits.iter().map(|d| char::from(b'0' + d)).collect(),
        })
    }

    /// The last four digits, the only part that may be shown, printed or stored.
    pub fn last4(&self) -> String {
        self.digits[self.digits.len() - 4..].to_string()
    }

    /// `•••• 4242`.
    pub fn masked(&self) -> String {
        format!("•••• {}", self.last4())
    }

    pub fn brand(&self) -> CardBrand {
        brand_of(&self.digits)
    }

    /// The full digits, for a processor only. Crate-private so that nothing else can
    /// display, log or store them.
    pub(crate) fn digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.masked())
    }
}

impl fmt::Display for CardBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl CardBrand {
    /// The stored and displayed name: `Visa`, `Mastercard`, `Amex`, `Discover`, `Other`.
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "Amex",
            CardBrand::Discover => "Discover",
            CardBrand::Other => "Other",
        }
    }

    /// The brand of a stored name; an unknown name reads as `Other`.
    pub fn from_name(name: &str) -> CardBrand {
        [
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
        ]
        .into_iter()
        .find(|brand| brand.name() == name)
        .unwrap_or(CardBrand::Other)
    }
}

/// The networks' published IIN ranges (Visa 4; Mastercard 51-55 and 2221-2720; Amex 34, 37;
/// Discover 6011, 644-649, 65).
fn brand_of(digits: &str) -> CardBrand {
    let prefix = |n: usize| {
        digits
            .get(..n)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    match (prefix(1), prefix(2), prefix(3), prefix(4)) {
        (4, _, _, _) => CardBrand::Visa,
        (_, 51..=55, _, _) | (_, _, _, 2221..=2720) => CardBrand::Mastercard,
        (_, 34 | 37, _, _) => CardBrand::Amex,
        (_, 65, _, _) | (_, _, 644..=649, _) | (_, _, _, 6011) => CardBrand::Discover,
        _ => CardBrand::Other,
    }
}

/// `input` with every digit but the last four replaced by `•`, separators and other
/// characters kept, so that an error shows where the mistake is without the number.
pub(super) fn mask_typed(input: &str) -> String {
    let digit_count = input.chars().filter(char::is_ascii_digit).count();
    let mut digits_seen = 0;
    input
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            digits_seen += 1;
            if digits_seen + 4 > digit_count {
                c
            } else {
                '•'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_number_is_masked_to_its_last_four_digits() {
        assert_eq!(mask_typed("4242 4242 4242 4241"), "•••• •••• •••• 4241");
        assert_eq!(mask_typed("123456x"), "••3456x");
        assert_eq!(mask_typed("12x45"), "12x45");
    }
}
