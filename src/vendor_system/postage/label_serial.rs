//! The serial number printed on each label of serialized label stock, as a clerk keys it in.
//!
//! The vendor decides whether a serial was issued to the account and is unused; this module
//! only catches a mistyped serial at the counter, before it costs a request. The text form is
//! `L`, the 9-digit sequence number and two check digits: `L000012345-20`. The check is ISO/IEC
//! 7064 MOD 97-10, as in IBANs: sequence * 100 + check is 1 modulo 97. 97 is a prime above 11,
//! so no wrong digit (changing the number by d * 10^k), adjacent swap (9d * 10^k), jump swap
//! (99d * 10^k) or twin error (11d * 10^k) anywhere in the 11 digits keeps that remainder, and
//! only about 1 in 97 other errors slip by. A one-digit Damm or Verhoeff check also catches
//! single and adjacent errors but not those others, and the stock has room for two digits.
//! Parsing compares the check digits with the computed ones, so aliases such as `01` for `98`
//! are refused too: each serial has exactly one spelling.

use std::fmt;

/// A label-stock sequence number, 1 to 999 999 999; the check digits are derived, not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelSerial(u64);

/// What the caller can do about a refused serial: ask again, or tell the clerk to re-read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSerialErrorKind {
    /// Not the shape of a label serial at all.
    Malformed,
    /// The shape is right but a digit was mistyped or two were swapped.
    CheckMismatch,
    /// Well formed and checked, but sequence 0, which is never issued.
    OutOfRange,
}

/// Why keyed text is not a label serial; `input_shown` is the input made safe to display.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelSerialError {
    #[error(
        "label serial \"{input_shown}\" is not accepted: a label serial is L, 9 digits, a dash \
         and 2 check digits, like L000012345-20"
    )]
    Malformed { input_shown: String },
    #[error(
        "label serial \"{input_shown}\" is not accepted: its check digits do not match: a digit \
         was mistyped or two were swapped"
    )]
    CheckMismatch { input_shown: String },
    #[error(
        "label serial \"{input_shown}\" is not accepted: label serials run from L000000001-95 \
         to L999999999-96; number 0 is never issued"
    )]
    OutOfRange { input_shown: String },
}

impl LabelSerialError {
    pub fn kind(&self) -> LabelSerialErrorKind {
        match self {
            Self::Malformed { .. } => LabelSerialErrorKind::Malformed,
            Self::CheckMismatch { .. } => LabelSerialErrorKind::CheckMismatch,
            Self::OutOfRange { .. } => LabelSerialErrorKind::OutOfRange,
        }
    }
}

const SEQUENCE_MIN: u64 = 1;
const SEQUENCE_MAX: u64 = 999_999_999;
const SEQUENCE_DIGITS: usize = 9;
const CHECK_DIGITS: usize = 2;
/// Enough to recognise what was keyed without letting a pasted page flood the message.
const SHOWN_CHARS_MAX: usize = 40;

impl LabelSerial {
    /// The serial with this sequence number, or `None` outside 1 to 999 999 999.
    pub fn new(sequence: u64) -> Option<LabelSerial> {
        let in_range = (SEQUENCE_MIN..=SEQUENCE_MAX).contains(&sequence);
        in_range.then_some(Self(sequence))
    }

    pub fn sequence(self) -> u64 {
        self.0
    }

    /// The following label on the roll, or `None` after the last serial.
    pub fn next(self) -> Option<LabelSerial> {
        LabelSerial::new(self.0 + 1)
    }

    /// Accepts `L000012345-20`, lower-case `l`, surrounding whitespace, and no dash.
    pub fn parse(input: &str) -> Result<LabelSerial, LabelSerialError> {
        let text = input.trim();
        let input_shown = shown(text);
        let Some((sequence, check)) = split_digits(text) else {
            return Err(LabelSerialError::Malformed { input_shown });
        };
        if check != check_digits(sequence) {
            return Err(LabelSerialError::CheckMismatch { input_shown });
        }
        LabelSerial::new(sequence).ok_or(LabelSerialError::OutOfRange { input_shown })
    }
}

impl fmt::Display for LabelSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{:09}-{:02}", self.0, check_digits(self.0))
    }
}

/// ISO/IEC 7064 MOD 97-10: the two digits that make `sequence * 100 + check` 1 modulo 97.
fn check_digits(sequence: u64) -> u64 {
    98 - (sequence * 100) % 97
}

/// Sequence number and check digits of `L`/`l`, 9 digits, an optional dash, 2 digits.
fn split_digits(text: &str) -> Option<(u64, u64)> {
    let rest = text.strip_prefix(['L', 'l'])?;
    let (sequence, check) = rest.split_at_checked(SEQUENCE_DIGITS)?;
    let check = check.strip_prefix('-').unwrap_or(check);
    if check.len() != CHECK_DIGITS {
        return None;
    }
    Some((decimal(sequence)?, decimal(check)?))
}

/// The value of a string of ASCII digits; `None` if anything else is in it, even a sign.
fn decimal(digits: &str) -> Option<u64> {
    let all_digits = digits.bytes().all(|byte| byte.is_ascii_digit());
    all_digits.then(|| digits.parse().ok()).flatten()
}

/// The input as it may be quoted back: controls and invisible direction or width marks, which
/// could garble a terminal or hide what was really keyed, become U+FFFD; long input is cut.
pub(super) fn shown(input: &str) -> String {
    let mut shown: String = input
        .chars()
        .take(SHOWN_CHARS_MAX)
        .map(|c| if is_unsafe_to_show(c) { '\u{FFFD}' } else { c })
        .collect();
    if input.chars().nth(SHOWN_CHARS_MAX).is_some() {
        shown.push('…');
    }
    shown
}

fn is_unsafe_to_show(c: char) -> bool {
    let invisible_mark = matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    );
    c.is_control() || invisible_mark
}

#[cfg(test)]
mod tests {
    use super::LabelSerialErrorKind::{CheckMismatch, Malformed, OutOfRange};
    use super::*;
    use proptest::prelude::*;

    fn any_serial() -> impl Strategy<Value = LabelSerial> {
        (SEQUENCE_MIN..=SEQUENCE_MAX).prop_map(LabelSerial)
    }

    /// The 11 digits of a serial, sequence then check, as keyed without the dash.
    fn digits_of(serial: LabelSerial) -> Vec<u8> {
        let printed = serial.to_string();
        printed.bytes().filter(u8::is_ascii_digit).collect()
    }

    fn keyed(digits: &[u8]) -> String {
        let digits = String::from_utf8_lossy(digits);
        format!("L{}-{}", &digits[..9], &digits[9..])
    }

    fn kind_of(input: &str) -> Option<LabelSerialErrorKind> {
        LabelSerial::parse(input).err().map(|error| error.kind())
    }

    fn message_of(input: &str) -> String {
        LabelSerial::parse(input).map_or_else(|error| error.to_string(), |_| "accepted".into())
    }

    fn printed(sequence: u64) -> Option<String> {
        LabelSerial::new(sequence).map(|serial| serial.to_string())
    }

    proptest! {
        #[test]
        fn every_serial_reads_back_from_its_printed_form(serial in any_serial()) {
            let printed = serial.to_string();
            prop_assert_eq!(printed.len(), 13);
            prop_assert_eq!(LabelSerial::parse(&printed), Ok(serial));
        }

        #[test]
        fn lower_case_no_dash_and_surrounding_blanks_are_accepted(
            serial in any_serial(), lower in any::<bool>(), dash in any::<bool>(),
            before in "[ \t\r\n]{0,3}", after in "[ \t\r\n]{0,3}",
        ) {
            let mut text = serial.to_string();
            if lower { text = text.to_lowercase(); }
            if !dash { text = text.replace('-', ""); }
            prop_assert_eq!(LabelSerial::parse(&format!("{before}{text}{after}")), Ok(serial));
        }

        #[test]
        fn every_single_mistyped_digit_is_refused(serial in any_serial()) {
            for position in 0..11 {
                for typed in (b'0'..=b'9').filter(|&d| d != digits_of(serial)[position]) {
                    let mut digits = digits_of(serial);
                    digits[position] = typed;
                    prop_assert_eq!(kind_of(&keyed(&digits)), Some(CheckMismatch));
                }
            }
        }

        #[test]
        fn every_swap_of_two_different_neighbouring_digits_is_refused(serial in any_serial()) {
            for position in (0..10).filter(|&p| digits_of(serial)[p] != digits_of(serial)[p + 1]) {
                let mut digits = digits_of(serial);
                digits.swap(position, position + 1);
                prop_assert_eq!(kind_of(&keyed(&digits)), Some(CheckMismatch));
            }
        }

        #[test]
        fn parsing_arbitrary_text_never_panics_and_quotes_it_safely(text in any::<String>()) {
            let message = message_of(&text);
            prop_assert!(!message.chars().any(is_unsafe_to_show));
            prop_assert!(message.chars().count() < 200);
        }
    }

    #[test]
    fn the_check_digits_follow_the_iso_7064_worked_example() {
        // ISO/IEC 7064 gives 44 as the MOD 97-10 check digits of 794.
        assert_eq!(printed(794), Some("L000000794-44".into()));
    }

    #[test]
    fn the_examples_in_the_messages_are_real_serials() {
        assert_eq!(printed(12345), Some("L000012345-20".into()));
        assert_eq!(printed(1), Some("L000000001-95".into()));
        assert_eq!(printed(SEQUENCE_MAX), Some("L999999999-96".into()));
    }

    #[test]
    fn check_digits_that_only_match_modulo_97_are_refused() {
        // 9700 is a multiple of 97, so 97 takes check digits 98; 01 leaves the same remainder.
        assert_eq!(printed(97), Some("L000000097-98".into()));
        assert_eq!(kind_of("L000000097-01"), Some(CheckMismatch));
    }

    #[test]
    fn shapes_other_than_a_serial_are_malformed() {
        let refused = "|L|000012345-20|M000012345-20|L00001234-20|L0000123456-20|L000012345-2|\
            L000012345-201|L000012345_20|L000012345--20|L 000012345-20|L000012345 20|\
            L-000012345-20|L00001234a-20|L+00012345-20|L000012345-+2|LL000012345-20|\
            L000012345-20L|L０００012345-20|Ｌ000012345-20";
        for text in refused.split('|') {
            assert_eq!(kind_of(text), Some(Malformed), "{text:?}");
        }
    }

    #[test]
    fn messages_quote_the_input_and_say_what_is_accepted_or_what_went_wrong() {
        let malformed = "label serial \"L00001234-51\" is not accepted: a label serial is L, \
                         9 digits, a dash and 2 check digits, like L000012345-20";
        assert_eq!(message_of("L00001234-51"), malformed);
        let mismatch = "label serial \"l000012354-20\" is not accepted: its check digits do not \
                        match: a digit was mistyped or two were swapped";
        assert_eq!(message_of(" l000012354-20 "), mismatch);
    }

    #[test]
    fn control_characters_and_long_input_are_not_echoed() {
        let message = message_of("L\u{1b}[2J\u{202E}12");
        assert!(message.starts_with("label serial \"L\u{FFFD}[2J\u{FFFD}12\" is not"));
        let quoted = format!("\"{}…\"", "9".repeat(SHOWN_CHARS_MAX));
        assert!(message_of(&"9".repeat(1000)).contains(&quoted));
    }

    #[test]
    fn sequence_zero_is_out_of_range_even_with_matching_check_digits() {
        assert_eq!(kind_of("L000000000-98"), Some(OutOfRange));
        assert_eq!(LabelSerial::new(0), None);
        assert_eq!(LabelSerial::new(SEQUENCE_MAX + 1), None);
    }

    #[test]
    fn the_next_label_follows_until_the_last_serial() {
        let next = |sequence| LabelSerial::new(sequence).and_then(LabelSerial::next);
        assert_eq!(next(41).map(LabelSerial::sequence), Some(42));
        assert_eq!(next(SEQUENCE_MAX), None);
    }
}
