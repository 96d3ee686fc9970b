//! A label as a piece names it (claims 5, 25, 45): a single label of serialized stock by its
//! serial (`L000012345-20`), or one position of a sheet, the sheet's serial and the position
//! (`L000012345-20-P3`). Stock is issued as single labels or as sheets of N positions; a
//! sheet's serial validates each of its positions once.

use std::fmt;

use super::label_serial::{LabelSerial, LabelSerialError, shown};

/// The most positions a sheet has.
pub const SHEET_POSITIONS_MAX: u16 = 999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelRef {
    pub serial: LabelSerial,
    /// The position on a sheet, 1 to [`SHEET_POSITIONS_MAX`]; `None` for a single label.
    pub position: Option<u16>,
}

impl LabelRef {
    /// Accepts a label serial, optionally followed by `-P` and a sheet position.
    pub fn parse(input: &str) -> Result<LabelRef, LabelSerialError> {
        let text = input.trim();
        let malformed = || LabelSerialError::Malformed {
            input_shown: shown(text),
        };
        let (serial, position) = match text.rsplit_once(['P', 'p']) {
            Some((serial, digits)) if serial.ends_with('-') => {
                let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                let position = digits
                    .parse::<u16>()
                    .ok()
                    .filter(|p| all_digits && (1..=SHEET_POSITIONS_MAX).contains(p))
                    .ok_or_else(malformed)?;
                (&serial[..serial.len() - 1], Some(position))
            }
            _ => (text, None),
        };
        let serial = LabelSerial::parse(serial).map_err(|error| requote(error, text))?;
        Ok(LabelRef { serial, position })
    }
}

/// The serial's refusal, quoting the whole input (the position included).
fn requote(error: LabelSerialError, text: &str) -> LabelSerialError {
    let input_shown = shown(text);
    match error {
        LabelSerialError::Malformed { .. } => LabelSerialError::Malformed { input_shown },
        LabelSerialError::CheckMismatch { .. } => LabelSerialError::CheckMismatch { input_shown },
        LabelSerialError::OutOfRange { .. } => LabelSerialError::OutOfRange { input_shown },
    }
}

impl fmt::Display for LabelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(position) => write!(f, "{}-P{position}", self.serial),
            None => write!(f, "{}", self.serial),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_label_and_a_sheet_position_read_back_as_written() {
        for text in ["L000012345-20", "L000012345-20-P3", "L000012345-20-P999"] {
            assert_eq!(LabelRef::parse(text).unwrap().to_string(), text);
        }
        let single = LabelRef::parse("L000012345-20").unwrap();
        assert_eq!(single.position, None);
        assert_eq!(
            LabelRef::parse("l00001234520-p7").unwrap().position,
            Some(7)
        );
    }

    #[test]
    fn a_position_outside_a_sheet_or_a_mistyped_serial_is_refused() {
        for text in [
            "L000012345-20-P0",
            "L000012345-20-P1000",
            "L000012345-20-P",
            "L000012345-21-P3",
            "L000012345-20-Px",
        ] {
            assert!(LabelRef::parse(text).is_err(), "{text}");
        }
    }
}
