//! The only card data a receipt may hold: the last four digits.
//!
//! Card numbers, security codes and expiry dates must never be stored or printed, so the
//! type that reaches the receipt cannot hold more than four digits; anything else is refused
//! at construction, and its error never repeats the input (it could be a whole card number).

use std::fmt;

use super::PrintError;

/// The last four digits of a payment card, printed as `****1234`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CardLast4([u8; 4]);

impl CardLast4 {
    /// Accepts exactly four ASCII digits.
    pub fn parse(digits: &str) -> Result<CardLast4, PrintError> {
        let bytes = digits.as_bytes();
        match <[u8; 4]>::try_from(bytes) {
            Ok(four) if four.iter().all(u8::is_ascii_digit) => Ok(CardLast4(four)),
            _ => Err(PrintError::CardLast4 {
                chars: digits.chars().count(),
            }),
        }
    }

    /// Keeps only the last four digits of a full card number (spaces and dashes allowed), so
    /// that the rest is dropped at the edge.
    pub fn from_card_number(number: &str) -> Result<CardLast4, PrintError> {
        let only_separators = number
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
        let digits: Vec<u8> = number.bytes().filter(u8::is_ascii_digit).collect();
        match digits.len().checked_sub(4) {
            Some(start) if only_separators && (12..=19).contains(&digits.len()) => {
                let mut four = [0u8; 4];
                four.copy_from_slice(&digits[start..]);
                Ok(CardLast4(four))
            }
            _ => Err(PrintError::CardLast4 {
                chars: number.chars().count(),
            }),
        }
    }

    /// `****1234`.
    pub fn masked(self) -> String {
        format!("****{self}")
    }
}

impl fmt::Display for CardLast4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: String = self.0.iter().map(|&b| char::from(b)).collect();
        f.pad(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_four_digits_are_accepted() {
        assert_eq!(
            CardLast4::parse("1234").expect("digits").masked(),
            "****1234"
        );
        for bad in ["123", "12345", "12a4", "١٢٣٤", ""] {
            assert!(CardLast4::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_full_number_keeps_only_its_last_four_digits_and_is_not_quoted_in_errors() {
        let last4 = CardLast4::from_card_number("4111 1111-1111 1234").expect("number");
        assert_eq!(last4.to_string(), "1234");
        let error = CardLast4::from_card_number("4111111111111234/12").expect_err("expiry");
        assert!(!error.to_string().contains("4111"));
    }
}
