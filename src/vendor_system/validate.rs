//! Refusing bad input before anything is written, with a message that quotes it and says
//! what is accepted: what every service checks (amounts of funds, idempotency keys, how input
//! is quoted). Each service validates its own bodies beside it (`postage::validate`,
//! `reconciliation::validate`).

use super::error::VendorError;
use crate::money::Money;

/// The most postage one piece may carry: the indicium's 3-byte field.
pub const MAX_POSTAGE_MILLS: i64 = (1 << 24) - 1;
/// The most one credit to an account, or one refill of a PSD, may move: $10,000,000. Far
/// above any counter's day, and far enough below the registers' range that no sum of them
/// can overflow.
pub const MAX_TRANSFER_MILLS: i64 = 10_000_000_000;

/// Refuses a credit or refill (`what`) that is not positive or over [`MAX_TRANSFER_MILLS`].
pub fn transfer_amount(what: &str, amount: Money) -> Result<(), VendorError> {
    if amount.mills() <= 0 || amount.mills() > MAX_TRANSFER_MILLS {
        return Err(VendorError::bad_request(format!(
            "a {what} of {amount} ({} mills) is not accepted: 1 to {MAX_TRANSFER_MILLS} mills ({})",
            amount.mills(),
            Money::from_mills(MAX_TRANSFER_MILLS)
        )));
    }
    Ok(())
}

/// Refuses a counter's id (a refill, a charge, a refund) that is empty, longer than
/// `max_chars` or not printable ASCII without spaces, quoting it.
pub fn printable_id(what: &str, id: &str, max_chars: usize) -> Result<(), VendorError> {
    if (1..=max_chars).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    Err(VendorError::bad_request(format!(
        "{what} {:?} is not accepted: 1 to {max_chars} printable ASCII characters without spaces",
        shown(id)
    )))
}

/// Input quoted in a message: printable characters only, at most 40, and a card number
/// typed into the wrong field masked as everywhere else (a run of 12 or more digits keeps
/// its last 4): an attacker pass found one echoed from the weight.
pub fn shown(text: &str) -> String {
    let printable: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    mask_digit_runs(&printable).chars().take(40).collect()
}

/// `text` with every run of 12 or more digits (a card number, perhaps) masked to its last 4.
pub fn mask_digit_runs(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, masked: &mut String| {
        if digits.len() >= 12 {
            masked.push_str("••••");
            masked.push_str(&digits[digits.len() - 4..]);
        } else {
            masked.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut masked);
            masked.push(c);
        }
    }
    flush(&mut digits, &mut masked);
    masked
}

/// An idempotency key: 1 to 100 printable ASCII characters.
pub fn idempotency_key(header: Option<&str>) -> Result<String, VendorError> {
    match header {
        Some(key)
            if !key.is_empty() && key.len() <= 100 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(key.to_string())
        }
        Some(key) => Err(VendorError::bad_request(format!(
            "the Idempotency-Key {:?} is not accepted: 1 to 100 printable ASCII characters without spaces",
            shown(key)
        ))),
        None => Err(VendorError::bad_request(
            "this request moves value and needs an Idempotency-Key header (1 to 100 printable ASCII characters), the same on every retry",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_never_shows_a_card_number() {
        assert_eq!(shown("4242424242424242"), "••••4242");
        assert_eq!(shown("12 oz\u{1b}[2J"), "12 oz\u{fffd}[2J");
        assert_eq!(shown(&"x".repeat(50)).chars().count(), 40);
    }

    #[test]
    fn transfers_are_positive_and_bounded() {
        assert!(transfer_amount("refill", Money::from_mills(1)).is_ok());
        assert!(transfer_amount("refill", Money::from_mills(MAX_TRANSFER_MILLS)).is_ok());
        let over = transfer_amount("credit", Money::from_mills(MAX_TRANSFER_MILLS + 1))
            .unwrap_err()
            .message()
            .to_string();
        assert!(
            over.starts_with("a credit of $10000000.001 (10000000001 mills) is not accepted"),
            "{over}"
        );
        assert!(transfer_amount("refill", Money::from_mills(0)).is_err());
        assert!(transfer_amount("refill", Money::from_mills(-5)).is_err());
    }

    #[test]
    fn long_digit_runs_are_masked_to_their_last_four() {
        assert_eq!(
            mask_digit_runs(
                "invalid type: integer `4242424242424242`, expected a string at line 1 column 40"
            ),
            "invalid type: integer `••••4242`, expected a string at line 1 column 40"
        );
    }

    #[test]
    fn idempotency_keys_must_be_printable_and_short() {
        assert!(idempotency_key(Some("sale-1")).is_ok());
        assert!(idempotency_key(Some("")).is_err());
        assert!(idempotency_key(Some("a b")).is_err());
        assert!(idempotency_key(Some(&"k".repeat(101))).is_err());
        assert!(idempotency_key(None).is_err());
    }
}
