//! What a scale says at one moment, and whether a sale may use it.
//!
//! A live reading is shown even while the piece is still settling, so a reading carries its
//! status next to the weight instead of the scale refusing to answer; the one gate a sale goes
//! through is [`Reading::usable_weight`], which lets only a stable weight pass.

use crate::weight::Weight;

/// How the scale (or the clerk) shows weights; kept so the screen can echo the scale's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisplayUnit {
    Pounds,
    Ounces,
    /// `2lb 3.5oz`, as postal scales often show.
    PoundsOunces,
    Kilograms,
    Grams,
}

/// The state of the platter when the reading was taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadingStatus {
    /// Settled: the weight can be used.
    Stable,
    /// Still settling: the weight is shown but must not be used.
    Moving,
    /// Heavier than the scale can weigh; there is no weight.
    OverCapacity,
    /// Below zero (the platter was zeroed with something on it); there is no weight.
    UnderZero,
    /// Nothing to report yet: the clerk has not typed a weight.
    NoWeight,
    /// The scale reports a fault of its own (memory, calibration); the text says which.
    Error(String),
}

/// Who produced the weight: it is recorded with the sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadingSource {
    Scale,
    /// Typed by the clerk.
    Manual,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The weight on show, if any (none when over capacity, under zero or in error).
    pub weight: Option<Weight>,
    pub status: ReadingStatus,
    pub source: ReadingSource,
    /// The unit the scale displays, when the scale said.
    pub unit: Option<DisplayUnit>,
}

impl Reading {
    /// The weight a sale may use: only a stable reading's.
    pub fn usable_weight(&self) -> Option<Weight> {
        match self.status {
            ReadingStatus::Stable => self.weight,
            _ => None,
        }
    }

    pub fn is_manual(&self) -> bool {
        self.source == ReadingSource::Manual
    }
}
