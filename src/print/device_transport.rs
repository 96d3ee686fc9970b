//! Printers on a local device that answers: a serial port (`/dev/ttyS0`, a USB serial
//! adapter) or a USB printer class device (`/dev/usb/lp0`, bidirectional on ESC/POS models).
//!
//! Each job opens the device, writes the whole job with a deadline (a printer that holds its
//! busy line, out of paper or under flow control, fails the job as a timeout instead of
//! hanging the counter) and closes it. The status is asked the same way: drop what is
//! waiting, send `DLE EOT 1 2 4`, read the three answers before a deadline; a device that
//! stays silent cannot tell, which is not the same as "ready" and is reported as unknown.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::status::{PrinterStatus, STATUS_QUERIES};
use super::transport::{Transport, TransportError, parse_status_answer};
use crate::serial_port::{FlowControl, OpenError, SerialPort};

/// How long a device printer has to take a job: a long label at 9600 baud takes seconds.
pub const DEFAULT_WRITE_TIMEOUT_MS: u64 = 30_000;
/// How long a device printer has to answer its status.
const STATUS_TIMEOUT_MS: u64 = 1_000;

/// How the device is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceLine {
    /// A serial port at this rate and flow control, 8N1.
    Serial { baud: u32, flow: FlowControl },
    /// A USB printer class device, used as it is.
    Usb,
}

#[derive(Clone, Debug)]
pub struct DeviceTransport {
    path: PathBuf,
    line: DeviceLine,
    write_timeout_ms: u64,
}

impl DeviceTransport {
    pub fn new(path: impl Into<PathBuf>, line: DeviceLine) -> DeviceTransport {
        DeviceTransport {
            path: path.into(),
            line,
            write_timeout_ms: DEFAULT_WRITE_TIMEOUT_MS,
        }
    }

    pub fn with_write_timeout_ms(self, write_timeout_ms: u64) -> DeviceTransport {
        DeviceTransport {
            write_timeout_ms: write_timeout_ms.max(1),
            ..self
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn target(&self) -> String {
        self.path.display().to_string()
    }

    fn open(&self) -> Result<SerialPort, TransportError> {
        let path = self.path.to_string_lossy();
        let opened = match self.line {
            DeviceLine::Serial { baud, flow } => SerialPort::open(&path, baud, flow),
            DeviceLine::Usb => SerialPort::open_device(&path),
        };
        opened.map_err(|error| {
            let (action, source) = match error {
                OpenError::Open(source) => ("open", source),
                other => (
                    "configure",
                    io::Error::new(io::ErrorKind::InvalidInput, other.to_string()),
                ),
            };
            TransportError::new(&self.target(), action, source)
        })
    }
}

impl Transport for DeviceTransport {
    fn send(&mut self, job: &[u8]) -> Result<(), TransportError> {
        let mut port = self.open()?;
        let deadline = Instant::now() + Duration::from_millis(self.write_timeout_ms);
        port.write_all_until(job, deadline)
            .map_err(|error| TransportError::new(&self.target(), "write", error))
    }

    fn status(&mut self) -> Result<Option<PrinterStatus>, TransportError> {
        let mut port = self.open()?;
        let failed = |action, error| TransportError::new(&self.target(), action, error);
        let deadline = Instant::now() + Duration::from_millis(STATUS_TIMEOUT_MS);
        port.discard_input().map_err(|e| failed("status", e))?;
        port.write_all_until(&STATUS_QUERIES, deadline)
            .map_err(|e| failed("status query", e))?;
        let mut answer = [0u8; 3];
        let mut read = 0;
        while read < answer.len() {
            match port.read_until(&mut answer[read..], deadline) {
                Ok(0) => break,
                Ok(count) => read += count,
                Err(error) => return Err(failed("status answer", error)),
            }
        }
        if read == 0 {
            // Silence: a printer without real-time status (or a one-way cable).
            return Ok(None);
        }
        parse_status_answer(&self.target(), &answer[..read]).map(Some)
    }
}
