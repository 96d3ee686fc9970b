//! The clerk's word as a scale.
//!
//! When there is no scale (a fresh install) or it fails, the clerk types the weight. Making
//! that a [`Scale`] keeps one path through the sale; every reading it gives is marked
//! [`ReadingSource::Manual`] so the sale records that nobody weighed the piece.

use super::{Reading, ReadingSource, ReadingStatus, Scale, ScaleError};
use crate::weight::Weight;

#[derive(Clone, Debug, Default)]
pub struct ManualScale {
    typed: Option<Weight>,
}

impl ManualScale {
    pub fn new() -> ManualScale {
        ManualScale::default()
    }

    /// Records the weight the clerk typed (already parsed, e.g. with `Weight::parse`).
    pub fn set_weight(&mut self, weight: Weight) {
        self.typed = Some(weight);
    }

    /// Forgets the typed weight, e.g. when the next piece comes.
    pub fn clear(&mut self) {
        self.typed = None;
    }
}

impl Scale for ManualScale {
    /// A typed weight is stable by definition: the clerk settled on it.
    fn read(&mut self) -> Result<Reading, ScaleError> {
        let status = match self.typed {
            Some(_) => ReadingStatus::Stable,
            None => ReadingStatus::NoWeight,
        };
        Ok(Reading {
            weight: self.typed,
            status,
            source: ReadingSource::Manual,
            unit: None,
        })
    }

    /// Zeroing a manual scale clears the typed weight.
    fn zero(&mut self) -> Result<(), ScaleError> {
        self.clear();
        Ok(())
    }
}
