//! The hidraw driver of a USB HID point-of-sale scale.
//!
//! Linux hands each input report of the scale to `/dev/hidrawN` readers; the scale sends one
//! whenever its reading changes and, on most models, a few times a second. The driver waits
//! with `poll` for at most its timeout, takes every complete report that has arrived and
//! reads the newest. The first report after opening is discarded: the kernel may hold one
//! from before the device was opened, and a weight left from the previous piece must not
//! price this one. The device is only read, never configured, so the same driver reads a
//! pseudo-terminal or pipe that replays recorded reports, as the tests do.

use std::fs::File;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use super::report::{REPORT_BYTES, reading_from_report};
use crate::scale::{Reading, Scale, ScaleError};
use crate::serial_port::readable_before;

/// How long a read waits for a report, unless set otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = 1_000;

/// A HID point-of-sale scale on a hidraw device.
pub struct HidPosScale {
    path: String,
    device: File,
    timeout_ms: u64,
    /// Bytes of a report not complete yet.
    pending: Vec<u8>,
    /// Whether the stale first report has been dropped.
    first_dropped: bool,
}

impl HidPosScale {
    pub fn open(path: &str) -> Result<HidPosScale, ScaleError> {
        let device = File::open(path).map_err(|source| ScaleError::Open {
            path: path.to_string(),
            source,
        })?;
        Ok(HidPosScale {
            path: path.to_string(),
            device,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            pending: Vec::new(),
            first_dropped: false,
        })
    }

    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> HidPosScale {
        self.timeout_ms = timeout_ms.clamp(1, 60_000);
        self
    }

    /// Waits up to `until` for bytes, and appends what came; whether anything came.
    fn fill(&mut self, until: Instant) -> Result<bool, ScaleError> {
        if !readable_before(&self.device, until).map_err(|e| self.lost(e))? {
            return Ok(false);
        }
        let mut chunk = [0u8; 64];
        let read = self.device.read(&mut chunk).map_err(|e| self.lost(e))?;
        if read == 0 {
            // A replay file or a closed pipe at its end: nothing new, as a quiet scale.
            return Ok(false);
        }
        self.pending.extend_from_slice(&chunk[..read]);
        Ok(true)
    }

    fn lost(&self, source: io::Error) -> ScaleError {
        ScaleError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The complete reports received, oldest first; a partial one stays pending.
    fn take_reports(&mut self) -> Vec<[u8; REPORT_BYTES]> {
        let complete = self.pending.len() / REPORT_BYTES * REPORT_BYTES;
        let reports = self.pending[..complete]
            .chunks_exact(REPORT_BYTES)
            .filter_map(|chunk| chunk.try_into().ok())
            .collect();
        self.pending.drain(..complete);
        reports
    }
}

impl Scale for HidPosScale {
    fn read(&mut self) -> Result<Reading, ScaleError> {
        let deadline = Instant::now() + Duration::from_millis(self.timeout_ms);
        loop {
            let came = self.fill(deadline)?;
            // Whatever else is already waiting, so the newest report is the one read.
            while came && self.fill(Instant::now())? {}
            let mut reports = self.take_reports();
            if !self.first_dropped && !reports.is_empty() {
                reports.remove(0);
                self.first_dropped = true;
            }
            if let Some(newest) = reports.last() {
                return reading_from_report(newest).map_err(|error| ScaleError::UnexpectedReply {
                    path: self.path.clone(),
                    command: "input report".into(),
                    reply: error.to_string(),
                });
            }
            if Instant::now() >= deadline {
                return Err(ScaleError::Timeout {
                    path: self.path.clone(),
                    command: "input report".into(),
                    timeout_ms: self.timeout_ms,
                });
            }
        }
    }

    /// A HID scale zeroes with its own button: its input reports cannot ask it to.
    fn zero(&mut self) -> Result<(), ScaleError> {
        Err(ScaleError::NotZeroed {
            path: self.path.clone(),
            reason: "a USB HID scale is zeroed with its own ZERO button".into(),
        })
    }
}
