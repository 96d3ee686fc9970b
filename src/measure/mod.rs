//! Measurement, kept out of the product's map: what these modules print are figures, not
//! behaviour, and no test asserts a speed.
//!
//! - [`bench`]: issuance cost stage by stage (`postcounter bench`).
//! - [`loadtest`]: a vendor on loopback driven by many simulated counters
//!   (`postcounter loadtest`).
//! - [`tui_bench`]: the counter screen's render, start-up, keypress and memory figures
//!   (`postcounter bench-tui`).
pub mod bench;
pub mod loadtest;
pub mod tui_bench;
