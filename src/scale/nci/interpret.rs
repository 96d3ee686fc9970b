//! From an NCI weight reply to a [`Reading`]: the one place that decides what the status bits
//! mean for a sale.
//!
//! Precedence follows what makes a weight unusable, worst first: a scale fault, then over
//! capacity, then below zero, then motion. A minus sign on the display counts as below zero
//! even if the scale did not set the bit: the counter never prices a negative weight.

use super::{NciStatus, parse_weight_text};
use crate::scale::{Reading, ReadingSource, ReadingStatus};

/// The reading a `W` reply stands for; `None` when the scale claims a weight (stable or
/// moving) but the display text is not one, which the driver reports as a protocol error.
pub fn reading_from_weight_reply(text: &str, status: &NciStatus) -> Option<Reading> {
    let shown = parse_weight_text(text);
    let unit = shown.map(|weight| weight.unit);
    let negative = shown.is_some_and(|weight| weight.negative);
    let (reading_status, weight) = if let Some(fault) = status.fault() {
        (ReadingStatus::Error(fault.to_string()), None)
    } else if status.over_capacity {
        (ReadingStatus::OverCapacity, None)
    } else if status.under_capacity || negative {
        (ReadingStatus::UnderZero, None)
    } else {
        let weight = shown?.magnitude;
        let moving_or_stable = if status.in_motion {
            ReadingStatus::Moving
        } else {
            ReadingStatus::Stable
        };
        (moving_or_stable, Some(weight))
    };
    Some(Reading {
        weight,
        status: reading_status,
        source: ReadingSource::Scale,
        unit,
    })
}
