//! postcounter: a terminal postage counter.
//!
//! The map of the crate, from the pure core outwards:
//! - [`money`], [`weight`], [`date`]: exact units (mills, picograms, days); no floats, no clock.
pub mod address;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod date;
pub mod durable_sqlite;
pub mod hex;
pub mod indicium;
pub mod keys;
pub mod kiosk;
pub mod ledger_chain;
pub mod link;
pub mod loadtest;
pub mod log_file;
pub mod money;
pub mod payment;
pub mod pin_hash;
pub mod print;
pub mod psd;
pub mod rates;
pub mod sale;
pub mod scale;
pub mod scan;
pub mod station;
pub mod tui_bench;
pub mod vendor;
pub mod verify_input;
pub mod weight;
