//! A lottery ticket's validation number: the data centre's serial of the wager, scrambled
//! under the lottery service's key so that numbers are neither sequential nor guessable, and a
//! check digit (see [`super::check_digit`]).
//!
//! The scramble is format-preserving: a ten-round balanced Feistel network over two halves of
//! seven decimal digits, each round's function HMAC-SHA256 under the key, so it is a
//! permutation of the 10^14 fourteen-digit numbers and the data centre can turn a number back
//! into its serial. Printed and typed as `NNNN-NNNN-NNNN-NNN` (fifteen digits; dashes and
//! spaces are ignored when typed).

use aws_lc_rs::hmac;

use super::check_digit::{check_digit, is_valid};

/// How many serials the scramble covers: fourteen digits.
pub const SERIAL_LIMIT: u64 = 100_000_000_000_000;
const HALF: u64 = 10_000_000;
const ROUNDS: u8 = 10;
/// Digits of a validation number: fourteen scrambled, one check.
pub const DIGITS: usize = 15;

/// The lottery service's scrambling key (32 bytes, the data centre's secret).
pub struct ScrambleKey(hmac::Key);

impl ScrambleKey {
    pub fn new(secret: &[u8; 32]) -> ScrambleKey {
        ScrambleKey(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// Round `round`'s function of one half.
    fn round(&self, round: u8, half: u64) -> u64 {
        let mut input = [0u8; 9];
        input[0] = round;
        input[1..].copy_from_slice(&half.to_be_bytes());
        let tag = hmac::sign(&self.0, &input);
        let mut first = [0u8; 8];
        first.copy_from_slice(&tag.as_ref()[..8]);
        u64::from_be_bytes(first) % HALF
    }

    /// The validation number of wager `serial` (below [`SERIAL_LIMIT`]).
    pub fn validation_number(&self, serial: u64) -> Result<ValidationNumber, ValidationError> {
        if serial >= SERIAL_LIMIT {
            return Err(ValidationError::SerialOutOfRange(serial));
        }
        let (mut left, mut right) = (serial / HALF, serial % HALF);
        for round in 0..ROUNDS {
            (left, right) = (right, (left + self.round(round, right)) % HALF);
        }
        let scrambled = left * HALF + right;
        let mut digits = [0u8; DIGITS];
        let mut rest = scrambled;
        for slot in digits[..DIGITS - 1].iter_mut().rev() {
            *slot = (rest % 10) as u8;
            rest /= 10;
        }
        digits[DIGITS - 1] = check_digit(&digits[..DIGITS - 1]);
        Ok(ValidationNumber(digits))
    }

    /// The serial `number` stands for.
    pub fn serial_of(&self, number: &ValidationNumber) -> u64 {
        let scrambled = number.0[..DIGITS - 1]
            .iter()
            .fold(0u64, |value, &digit| value * 10 + u64::from(digit));
        let (mut left, mut right) = (scrambled / HALF, scrambled % HALF);
        for round in (0..ROUNDS).rev() {
            (left, right) = ((right + HALF - self.round(round, left)) % HALF, left);
        }
        left * HALF + right
    }
}

/// Fifteen digits whose last checks the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValidationNumber([u8; DIGITS]);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error(
        "validation number {0:?} is not accepted: 15 digits as printed on the ticket, e.g. 1234-5678-9012-345"
    )]
    Malformed(String),
    #[error(
        "validation number {0:?} does not check: a digit is mistyped or two are swapped; type it again from the ticket"
    )]
    CheckFails(String),
    #[error("wager serial {0} is beyond the 14 digits a validation number holds")]
    SerialOutOfRange(u64),
}

impl ValidationNumber {
    /// A number as typed or scanned: digits, with dashes and spaces ignored.
    pub fn parse(input: &str) -> Result<ValidationNumber, ValidationError> {
        // A number one digit off is its own number given the check digit: an input that long
        // is quoted by its last four characters only.
        let shown = || {
            let chars: Vec<char> = input.trim().chars().collect();
            let quoted: String = if chars.len() > 8 {
                format!("...{}", chars[chars.len() - 4..].iter().collect::<String>())
            } else {
                chars.iter().collect()
            };
            crate::cli::terminal_safe(&quoted)
        };
        let mut digits = [0u8; DIGITS];
        let mut count = 0;
        for c in input.trim().chars().filter(|c| *c != '-' && *c != ' ') {
            let digit = c
                .to_digit(10)
                .ok_or_else(|| ValidationError::Malformed(shown()))?;
            if count == DIGITS {
                return Err(ValidationError::Malformed(shown()));
            }
            digits[count] = digit as u8;
            count += 1;
        }
        if count != DIGITS {
            return Err(ValidationError::Malformed(shown()));
        }
        if !is_valid(&digits) {
            return Err(ValidationError::CheckFails(shown()));
        }
        Ok(ValidationNumber(digits))
    }

    /// The fifteen digits, no separators: what the barcode and the store hold.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// `1234-5678-9012-345`, as the ticket prints it.
    pub fn grouped(&self) -> String {
        group(&self.digits())
    }

    /// `****-****-***2-345`: all but the last four digits hidden, for screens and logs (an
    /// unpaid ticket's full number is its bearer's money).
    pub fn masked(&self) -> String {
        let digits = self.digits();
        let hidden: String = digits
            .chars()
            .enumerate()
            .map(|(at, c)| if at + 4 < DIGITS { '*' } else { c })
            .collect();
        group(&hidden)
    }
}

fn group(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key() -> ScrambleKey {
        ScrambleKey::new(&[7; 32])
    }

    #[test]
    fn numbers_scramble_serials_and_turn_back_into_them() {
        let key = key();
        let mut seen = HashSet::new();
        for serial in (0..20_000).chain([SERIAL_LIMIT - 1, 12_345_678_901_234]) {
            let number = key.validation_number(serial).unwrap();
            assert_eq!(key.serial_of(&number), serial);
            assert!(seen.insert(number), "serial {serial} collides");
            assert_eq!(ValidationNumber::parse(&number.grouped()).unwrap(), number);
        }
        // Consecutive serials are not consecutive numbers.
        let first = key.validation_number(1).unwrap().digits();
        let second = key.validation_number(2).unwrap().digits();
        assert_ne!(first[..10], second[..10]);
        // Another key, other numbers.
        let other = ScrambleKey::new(&[8; 32]).validation_number(1).unwrap();
        assert_ne!(other, key.validation_number(1).unwrap());
        assert!(key.validation_number(SERIAL_LIMIT).is_err());
    }

    #[test]
    fn a_typed_number_is_checked_and_shown_masked() {
        let number = key().validation_number(42).unwrap();
        let grouped = number.grouped();
        assert_eq!(grouped.len(), 18);
        assert_eq!(
            ValidationNumber::parse(&grouped.replace('-', " ")).unwrap(),
            number
        );
        let masked = number.masked();
        assert!(masked.starts_with("****-****-***"));
        assert!(masked.ends_with(&grouped[grouped.len() - 5..]));
        let mut typed: Vec<char> = number.digits().chars().collect();
        typed[3] = if typed[3] == '1' { '2' } else { '1' };
        let typed: String = typed.into_iter().collect();
        assert!(matches!(
            ValidationNumber::parse(&typed),
            Err(ValidationError::CheckFails(_))
        ));
        let error = ValidationNumber::parse("12x4").unwrap_err().to_string();
        assert!(
            error.contains("\"12x4\"") && error.contains("15 digits"),
            "{error}"
        );
        assert!(ValidationNumber::parse("1234567890123456").is_err());
    }
}
