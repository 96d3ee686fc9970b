//! USB HID point-of-sale scales (HID usage page 0x8D), the most common kind on a retail
//! counter: the kernel's hidraw driver exposes them as `/dev/hidrawN`, no serial settings,
//! and they send their reading as six-byte input reports ([`report`]). Pure codec under a
//! small IO driver ([`HidPosScale`]); tests replay recorded reports through a
//! pseudo-terminal that the driver reads exactly as it reads a hidraw device.

pub mod reader;
pub mod report;

pub use reader::{DEFAULT_TIMEOUT_MS, HidPosScale};
pub use report::{DATA_REPORT_ID, HidReportError, REPORT_BYTES, reading_from_report};
