//! postcounter: a terminal postage counter.
//!
//! The map of the crate, from the pure core outwards:
//! - [`money`], [`weight`], [`date`]: exact units (mills, picograms, days); no floats, no clock.
pub mod date;
pub mod indicium;
pub mod keys;
pub mod money;
pub mod psd;
pub mod weight;
pub mod config;
pub mod station;
pub mod address;
pub mod print;
pub mod rates;
pub mod scan;
