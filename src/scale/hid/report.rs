//! The scale data report of a USB HID point-of-sale scale (HID usage page 0x8D, "Scale"),
//! as the common postal and shipping scales send it through hidraw: six bytes.
//!
//! | byte | meaning                                                                   |
//! |------|---------------------------------------------------------------------------|
//! | 0    | report id: 3, the scale data report                                       |
//! | 1    | status: 1 fault, 2 stable at zero, 3 in motion, 4 stable, 5 under zero,   |
//! |      | 6 over the weight limit, 7 needs calibration, 8 needs re-zeroing          |
//! | 2    | unit: 2 g, 3 kg, 11 oz, 12 lb (the HID POS unit codes; others refused)   |
//! | 3    | the weight's power of ten, signed (0xFF = -1: tenths)                     |
//! | 4, 5 | the weight, unsigned little-endian                                        |
//!
//! A DYMO-style scale showing 16.8 oz sends `03 04 0B FF A8 00`.

use crate::scale::{DisplayUnit, Reading, ReadingSource, ReadingStatus};
use crate::weight::Weight;

/// Bytes of one report.
pub const REPORT_BYTES: usize = 6;
/// The report id of scale data.
pub const DATA_REPORT_ID: u8 = 3;

/// A report that is not scale data, quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HID scale report {bytes:02x?} is not a scale data report: {reason}")]
pub struct HidReportError {
    pub bytes: Vec<u8>,
    pub reason: String,
}

/// The reading a report says.
pub fn reading_from_report(report: &[u8; REPORT_BYTES]) -> Result<Reading, HidReportError> {
    let refuse = |reason: String| HidReportError {
        bytes: report.to_vec(),
        reason,
    };
    let [id, status, unit, exponent, low, high] = *report;
    if id != DATA_REPORT_ID {
        return Err(refuse(format!("report id {id}, expected {DATA_REPORT_ID}")));
    }
    let (suffix, display) = match unit {
        2 => ("g", DisplayUnit::Grams),
        3 => ("kg", DisplayUnit::Kilograms),
        11 => ("oz", DisplayUnit::Ounces),
        12 => ("lb", DisplayUnit::Pounds),
        other => return Err(refuse(format!("unit code {other} is not g, kg, oz or lb"))),
    };
    let raw = u16::from_le_bytes([low, high]);
    let weight = scaled(raw, exponent as i8, suffix).map_err(refuse)?;
    let (weight, status) = match status {
        2 => (Some(Weight::ZERO), ReadingStatus::Stable),
        3 => (Some(weight), ReadingStatus::Moving),
        4 => (Some(weight), ReadingStatus::Stable),
        5 => (None, ReadingStatus::UnderZero),
        6 => (None, ReadingStatus::OverCapacity),
        1 => (
            None,
            ReadingStatus::Error("the scale reports a fault".into()),
        ),
        7 => (
            None,
            ReadingStatus::Error("the scale needs calibration".into()),
        ),
        8 => (
            None,
            ReadingStatus::Error("the scale needs re-zeroing".into()),
        ),
        other => return Err(refuse(format!("status {other} is not 1 to 8"))),
    };
    Ok(Reading {
        weight,
        status,
        source: ReadingSource::Scale,
        unit: Some(display),
    })
}

/// `raw` times ten to `exponent` of `unit`, exactly (the weight parser checks the digits).
fn scaled(raw: u16, exponent: i8, unit: &str) -> Result<Weight, String> {
    let digits = raw.to_string();
    let text = if exponent >= 0 {
        format!("{digits}{}", "0".repeat(exponent.unsigned_abs().into()))
    } else {
        let places = usize::from(exponent.unsigned_abs());
        let padded = format!("{digits:0>width$}", width = places + 1);
        let (whole, fraction) = padded.split_at(padded.len() - places);
        format!("{whole}.{fraction}")
    };
    Weight::parse(&format!("{text}{unit}")).map_err(|e| e.reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(bytes: [u8; 6]) -> Reading {
        reading_from_report(&bytes).expect("a scale data report")
    }

    #[test]
    fn stable_moving_and_out_of_range_reports_read_as_a_postal_scale_shows_them() {
        let stable = reading([3, 4, 11, 0xFF, 0xA8, 0x00]);
        assert_eq!(stable.status, ReadingStatus::Stable);
        assert_eq!(stable.weight, Some(Weight::from_milli_ounces(16_800)));
        assert_eq!(stable.unit, Some(DisplayUnit::Ounces));
        let moving = reading([3, 3, 2, 0, 0xFA, 0x00]);
        assert_eq!(moving.status, ReadingStatus::Moving);
        assert_eq!(moving.weight, Some(Weight::from_grams(250)));
        assert_eq!(moving.usable_weight(), None);
        assert_eq!(reading([3, 2, 11, 0xFF, 0, 0]).weight, Some(Weight::ZERO));
        assert_eq!(
            reading([3, 6, 12, 0, 0, 0]).status,
            ReadingStatus::OverCapacity
        );
        assert_eq!(
            reading([3, 5, 11, 0xFF, 0, 0]).status,
            ReadingStatus::UnderZero
        );
        let pounds = reading([3, 4, 12, 0xFE, 0xE8, 0x03]);
        assert_eq!(pounds.weight, Some(Weight::from_pounds(10)));
    }

    #[test]
    fn reports_that_are_not_scale_data_are_refused_quoted() {
        let error = reading_from_report(&[2, 4, 11, 0xFF, 1, 0]).expect_err("report id");
        assert!(
            error.to_string().contains("report id 2, expected 3"),
            "{error}"
        );
        assert!(reading_from_report(&[3, 4, 99, 0, 1, 0]).is_err());
        assert!(reading_from_report(&[3, 9, 11, 0, 1, 0]).is_err());
    }
}
