//! A scale's serial line: a [`SerialPort`] at 8N1 without flow control, whose failures are
//! scale errors naming the device.

use std::io;
use std::time::Instant;

use super::ScaleError;
use crate::serial_port::{FlowControl, OpenError, SerialPort};

pub use crate::serial_port::SUPPORTED_BAUD_RATES;

#[derive(Debug)]
pub struct SerialLine {
    port: SerialPort,
    path: String,
}

impl SerialLine {
    /// Opens `path` for reading and writing and, if it is a terminal, sets raw 8N1 at `baud`.
    pub fn open(path: &str, baud: u32) -> Result<SerialLine, ScaleError> {
        let port = SerialPort::open(path, baud, FlowControl::None).map_err(|error| {
            let path = path.to_string();
            match error {
                OpenError::Open(source) => ScaleError::Open { path, source },
                other => ScaleError::Configure {
                    path,
                    reason: other.to_string(),
                },
            }
        })?;
        Ok(SerialLine {
            port,
            path: path.to_string(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Drops bytes received but not read: a late reply to an earlier command must not be
    /// taken for the answer to the next one.
    pub fn discard_input(&mut self) -> Result<(), ScaleError> {
        self.port.discard_input().map_err(|e| self.io_error(e))
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ScaleError> {
        use std::io::Write;
        let result = self
            .port
            .file
            .write_all(bytes)
            .and_then(|()| self.port.file.flush());
        result.map_err(|e| self.io_error(e))
    }

    /// Reads what has arrived, waiting until `deadline` at most; `Ok(0)` means the deadline
    /// passed with nothing to read.
    pub fn read_until(
        &mut self,
        buffer: &mut [u8],
        deadline: Instant,
    ) -> Result<usize, ScaleError> {
        self.port
            .read_until(buffer, deadline)
            .map_err(|e| self.io_error(e))
    }

    fn io_error(&self, source: io::Error) -> ScaleError {
        ScaleError::Io {
            path: self.path.clone(),
            source,
        }
    }
}
