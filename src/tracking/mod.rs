//! USPS tracking numbers and the Intelligent Mail package barcode (IMpb) that carries them.
//!
//! USPS Publication 199 defines the tracking number of a package label: a channel
//! application identifier, a three-digit service type code (the class and the extra services,
//! `service_type`), the mailer's id, a serial and a MOD 10 check digit. With a six-digit
//! mailer id the identifier is `93` and the serial 14 digits (26 digits in all). The barcode
//! is GS1-128: FNC1, application identifier 420 and the destination ZIP, FNC1, then the
//! tracking number; the tracking number alone is printed under it in groups of four.
//!
//! The serial is the indicium's identity, so a tracking number is never issued twice for two
//! pieces: the PSD's 8-digit id, then the piece serial modulo 10^6 (a PSD would have to
//! issue a million pieces before a number recurs; USPS asks for 180 days without one).

pub mod service_type;

use std::fmt;
use std::str::FromStr;

pub use service_type::{NoServiceType, ServiceType, is_tracked, service_type_for};

use crate::rates::PricedPiece;

/// The channel application identifier of a tracking number with a six-digit mailer id.
const CHANNEL_SIX_DIGIT_MAILER: &str = "93";
/// Digits of the serial after a six-digit mailer id.
const SERIAL_DIGITS: usize = 14;
/// The part of the serial that holds the piece serial.
const PIECE_SERIAL_MODULUS: u32 = 1_000_000;

/// A USPS mailer id (MID) of six digits, as USPS assigns to a mailer or a postage vendor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailerId(u32);

/// A mailer id that is not six digits, or is a nine-digit id's prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "mailer id {input:?} is not accepted: expected the six digits USPS assigned, not starting with 9 (nine-digit ids start with 9 and are not supported)"
)]
pub struct MailerIdError {
    pub input: String,
}

impl FromStr for MailerId {
    type Err = MailerIdError;
    fn from_str(text: &str) -> Result<MailerId, MailerIdError> {
        let text = text.trim();
        let valid =
            text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('9');
        match text.parse::<u32>() {
            Ok(id) if valid => Ok(MailerId(id)),
            _ => Err(MailerIdError {
                input: text.to_string(),
            }),
        }
    }
}

impl fmt::Display for MailerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// A tracking number: 26 digits, its check digit right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// The tracking number of the piece `piece_serial` of PSD `device_id`.
    pub fn for_piece(
        service: &ServiceType,
        mailer: MailerId,
        device_id: u32,
        piece_serial: u32,
    ) -> TrackingNumber {
        let serial = format!("{device_id:08}{:06}", piece_serial % PIECE_SERIAL_MODULUS);
        debug_assert_eq!(serial.len(), SERIAL_DIGITS);
        let body = format!("{CHANNEL_SIX_DIGIT_MAILER}{}{mailer}{serial}", service.code);
        let check = check_digit(&body);
        TrackingNumber(format!("{body}{check}"))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// In groups of four, as printed under the barcode and on the receipt.
    pub fn human_readable(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The GS1-128 element strings of the barcode: `420` and the destination ZIP (the
    /// routing code), then the tracking number; each starts after an FNC1.
    pub fn barcode_elements(&self, destination_zip5: &str) -> Vec<String> {
        vec![format!("420{destination_zip5}"), self.0.clone()]
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.human_readable())
    }
}

/// The tracking number of an issued piece: `Ok(None)` when the piece is not tracked, an
/// error when it is but no service type code is confirmed for it.
pub fn tracking_of(
    piece: &PricedPiece,
    mailer: MailerId,
    device_id: u32,
    piece_serial: u32,
) -> Result<Option<TrackingNumber>, NoServiceType> {
    let request = &piece.request;
    let service = service_type_for(piece.offer.product, &request.extras, request.declared_value)?;
    Ok(service.map(|service| TrackingNumber::for_piece(&service, mailer, device_id, piece_serial)))
}

/// Publication 199's MOD 10: from the right, the digits are weighted 3, 1, 3, 1, ...; the
/// check digit brings the sum to a multiple of ten.
pub fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .filter(u8::is_ascii_digit)
        .enumerate()
        .map(|(position, digit)| {
            let value = u32::from(digit - b'0');
            if position % 2 == 0 { value * 3 } else { value }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Whether a tracking number's last digit is its check digit.
pub fn check_digit_is_right(tracking: &str) -> bool {
    let Some((body, check)) = tracking.split_at_checked(tracking.len().saturating_sub(1)) else {
        return false;
    };
    !body.is_empty()
        && tracking.bytes().all(|b| b.is_ascii_digit())
        && check.parse::<u32>().ok() == Some(check_digit(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_digit_of_publication_199s_example_is_zero() {
        // 92 123 912345678 1234567 ?: 3 x 45 + 45 = 180, so 0.
        assert_eq!(check_digit("921239123456781234567"), 0);
        assert!(check_digit_is_right("9212391234567812345670"));
        assert!(!check_digit_is_right("9212391234567812345671"));
        // A number in the wild, and one digit changed.
        assert!(check_digit_is_right("9274890111494601443836"));
        assert!(!check_digit_is_right("9274890111494601443846"));
    }

    #[test]
    fn a_tracking_number_has_26_digits_the_service_the_mailer_and_the_piece() {
        let service = ServiceType {
            code: "071".into(),
            name: "First-Class Mail, Certified Mail".into(),
        };
        let mailer: MailerId = "123456".parse().expect("mailer id");
        let tracking = TrackingNumber::for_piece(&service, mailer, 20_000_001, 1_234_567);
        assert_eq!(tracking.digits().len(), 26);
        assert!(tracking.digits().starts_with("93071123456200000012345"));
        assert!(check_digit_is_right(tracking.digits()));
        assert_eq!(tracking.human_readable().split(' ').next(), Some("9307"));
        assert_eq!(
            tracking.barcode_elements("90210"),
            ["42090210", tracking.digits()]
        );
    }

    #[test]
    fn a_mailer_id_is_six_digits_not_starting_with_nine() {
        assert!("123456".parse::<MailerId>().is_ok());
        for bad in ["12345", "1234567", "912345", "12a456", ""] {
            assert!(bad.parse::<MailerId>().is_err(), "{bad}");
        }
    }
}
