//! Postage-account numbers: eight digits and a Luhn check digit.
//!
//! The check digit lets the counter refuse a mistyped number before it asks the store,
//! so a typo is reported as a typo rather than as "no such account" (or, worse, as another
//! customer's account). The only constructors are [`AccountNumber::parse`] and
//! [`AccountNumber::generate`], so every `AccountNumber` in the program is well formed.

use std::fmt;

use crate::payment::error::PaymentError;
use crate::payment::luhn;

/// Digits before the check digit.
const PAYLOAD_DIGITS: usize = 8;
const ACCEPTED: &str =
    "expected 9 digits (8 and a check digit; spaces and dashes allowed), like 12345678-2";

/// A well-formed postage-account number, kept as its 9 digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountNumber {
    digits: String,
}

impl AccountNumber {
    /// Parses `123456782`, `12345678-2` or `1234 5678 2`.
    pub fn parse(input: &str) -> Result<AccountNumber, PaymentError> {
        let fail = |reason: &str| {
            PaymentError::InvalidInput(format!(
                "{input:?} is not a postage-account number: {reason}; {ACCEPTED}"
            ))
        };
        let digits =
            luhn::digits_of(input.trim()).map_err(|c| fail(&format!("{c:?} is not a digit")))?;
        if digits.len() != PAYLOAD_DIGITS + 1 {
            return Err(fail(&format!("it has {} digits", digits.len())));
        }
        if !luhn::is_valid(&digits) {
            return Err(fail("the check digit does not match (a digit is mistyped)"));
        }
        Ok(AccountNumber::from_digit_values(&digits))
    }

    /// The account number for `sequence` (0 to 99 999 999): the sequence, zero-padded to
    /// eight digits, and its check digit.
    pub fn generate(sequence: u32) -> Result<AccountNumber, PaymentError> {
        if sequence > 99_999_999 {
            return Err(PaymentError::InvalidInput(format!(
                "account sequence {sequence} is too large: expected 0 to 99999999"
            )));
        }
        let mut digits: Vec<u8> = format!("{sequence:08}").bytes().map(|b| b - b'0').collect();
        digits.push(luhn::check_digit(&digits));
        Ok(AccountNumber::from_digit_values(&digits))
    }

    /// The 9 digits without separators, as stored.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    fn from_digit_values(values: &[u8]) -> AccountNumber {
        AccountNumber {
            digits: values.iter().map(|d| char::from(b'0' + d)).collect(),
        }
    }
}

/// `12345678-2`: the check digit set apart, as printed on the account card.
impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (payload, check) = self.digits.split_at(PAYLOAD_DIGITS);
        f.pad(&format!("{payload}-{check}"))
    }
}
