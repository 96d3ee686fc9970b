//! Scales: where the weight of a mail piece comes from.
//!
//! A counter weighs on a serial scale (Avery Weigh-Tronix NCI, see [`nci`]; Mettler Toledo
//! MT-SICS, see [`sics`]), a USB HID point-of-sale scale ([`hid`]) or, when there is none or it fails, on the clerk's word
//! ([`ManualScale`]). Both sit behind one small, blocking
//! [`Scale`] trait: a serial line is blocking IO with a bounded timeout, so async callers run
//! it in `spawn_blocking` rather than the trait pretending to be async. Every answer is a
//! [`Reading`] that says how trustworthy it is (stable, moving, over capacity, ...) and where
//! it came from (scale or clerk); only [`Reading::usable_weight`] may be used to price a piece.
//!
//! Tests never mock this trait: [`nci::NciSimulator`] speaks the real protocol on a
//! pseudo-terminal and the real driver ([`nci::NciSerialScale`]) talks to it like to a device.

mod error;
pub mod hid;
mod manual;
pub mod nci;
pub(crate) mod pty;
mod reading;
mod serial_line;
pub mod sics;

pub use error::{ScaleError, ScaleErrorKind};
pub use manual::ManualScale;
pub use pty::PseudoTerminal;
pub use reading::{DisplayUnit, Reading, ReadingSource, ReadingStatus};
pub use serial_line::{SUPPORTED_BAUD_RATES, SerialLine};

/// A source of weight readings. Blocking: each call returns within the scale's own timeout.
pub trait Scale: Send {
    /// The scale's current reading; moving or faulty readings are readings too (the screen
    /// shows them), only transport and protocol failures are errors.
    fn read(&mut self) -> Result<Reading, ScaleError>;

    /// Sets the empty platter as zero.
    fn zero(&mut self) -> Result<(), ScaleError>;
}
