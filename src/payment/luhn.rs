//! The Luhn (mod 10) check digit, shared by card numbers and postage-account numbers.
//!
//! A check digit lets the counter catch a mistyped number locally, before it reaches a
//! processor or the account store: Luhn catches every single-digit substitution and most
//! swaps of neighbouring digits. It works on digit values (0-9), not characters, so callers
//! strip separators first.

/// Whether `digits` (values 0-9, check digit last) pass the Luhn check.
pub(crate) fn is_valid(digits: &[u8]) -> bool {
    match digits.split_last() {
        Some((&check, payload)) => check_digit(payload) == check,
        None => false,
    }
}

/// The digit to append to `payload` (values 0-9) so that the whole passes the Luhn check.
pub(crate) fn check_digit(payload: &[u8]) -> u8 {
    // Counting from the right of the payload, every first, third, ... digit is doubled,
    // because the check digit will take the rightmost (undoubled) place.
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(place, &digit)| {
            let digit = u32::from(digit);
            if place % 2 == 0 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    // `sum % 10` is below 10, so the cast cannot truncate.
    ((10 - sum % 10) % 10) as u8
}

/// The digit values of `text` when it holds only ASCII digits, spaces and dashes; otherwise
/// the first character that is none of those.
pub(crate) fn digits_of(text: &str) -> Result<Vec<u8>, char> {
    let mut digits = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c as u8 - b'0'),
            ' ' | '-' => {}
            other => return Err(other),
        }
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_textbook_example_has_check_digit_three() {
        // 7992739871 -> 3, the example in the Luhn article and ISO/IEC 7812 annex.
        assert_eq!(check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
        assert!(is_valid(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(!is_valid(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]));
        assert!(!is_valid(&[]));
    }
}
