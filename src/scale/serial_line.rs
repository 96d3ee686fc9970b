//! A serial line opened by device path: the transport under serial scale protocols.
//!
//! A scale is configured by a path (`/dev/ttyUSB0`, `/dev/ttyS0`, or a pseudo-terminal in
//! tests) and a baud rate. When the path is a terminal it is put in raw 8N1 mode at that rate;
//! anything else (a FIFO, a character device without termios) is used as a byte pipe. Reads
//! wait with `poll` for at most the caller's deadline, so a silent scale never blocks the
//! counter longer than its configured timeout.

use std::fs::File;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::{Mode, OFlags};
use rustix::termios::{self, ControlModes, OptionalActions, QueueSelector};

use super::ScaleError;

/// Rates every UART and USB adapter offers; others are refused rather than approximated.
pub const SUPPORTED_BAUD_RATES: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

#[derive(Debug)]
pub struct SerialLine {
    file: File,
    path: String,
    is_terminal: bool,
}

impl SerialLine {
    /// Opens `path` for reading and writing and, if it is a terminal, sets raw 8N1 at `baud`.
    pub fn open(path: &str, baud: u32) -> Result<SerialLine, ScaleError> {
        if !SUPPORTED_BAUD_RATES.contains(&baud) {
            return Err(ScaleError::Configure {
                path: path.to_string(),
                reason: format!(
                    "{baud} baud is not supported (use one of {SUPPORTED_BAUD_RATES:?})"
                ),
            });
        }
        let open_error = |source: io::Error| ScaleError::Open {
            path: path.to_string(),
            source,
        };
        // NONBLOCK so that opening a real port does not wait for a carrier; NOCTTY so that a
        // terminal never becomes the counter's controlling terminal.
        let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(|e| open_error(e.into()))?;
        let file = File::from(fd);
        let is_terminal = termios::isatty(&file);
        if is_terminal {
            configure_raw_8n1(&file, baud).map_err(|e| ScaleError::Configure {
                path: path.to_string(),
                reason: e.to_string(),
            })?;
        }
        let blocking = rustix::fs::fcntl_getfl(&file)
            .and_then(|flags| rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK));
        blocking.map_err(|e| open_error(e.into()))?;
        Ok(SerialLine {
            file,
            path: path.to_string(),
            is_terminal,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Drops bytes received but not read: a late reply to an earlier command must not be
    /// taken for the answer to the next one.
    pub fn discard_input(&mut self) -> Result<(), ScaleError> {
        if self.is_terminal {
            termios::tcflush(&self.file, QueueSelector::IFlush)
                .map_err(|e| self.io_error(e.into()))?;
        }
        Ok(())
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ScaleError> {
        let result = self.file.write_all(bytes).and_then(|()| self.file.flush());
        result.map_err(|e| self.io_error(e))
    }

    /// Reads what has arrived, waiting until `deadline` at most; `Ok(0)` means the deadline
    /// passed with nothing to read.
    pub fn read_until(
        &mut self,
        buffer: &mut [u8],
        deadline: Instant,
    ) -> Result<usize, ScaleError> {
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Ok(0);
            }
            let mut fds = [PollFd::new(&self.file, PollFlags::IN)];
            match poll(&mut fds, Some(&timespec(remaining))) {
                Ok(0) => return Ok(0),
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(self.io_error(e.into())),
            }
        }
        match self.file.read(buffer) {
            Ok(0) => Err(self.io_error(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the device was closed",
            ))),
            Ok(count) => Ok(count),
            Err(e) => Err(self.io_error(e)),
        }
    }

    fn io_error(&self, source: io::Error) -> ScaleError {
        ScaleError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

fn configure_raw_8n1(file: &File, baud: u32) -> io::Result<()> {
    let mut settings = termios::tcgetattr(file)?;
    settings.make_raw();
    settings.control_modes -=
        ControlModes::CSIZE | ControlModes::PARENB | ControlModes::CSTOPB | ControlModes::CRTSCTS;
    settings.control_modes |= ControlModes::CS8 | ControlModes::CREAD | ControlModes::CLOCAL;
    settings.set_speed(baud)?;
    termios::tcsetattr(file, OptionalActions::Now, &settings)?;
    Ok(())
}

/// A poll timeout from a duration (shared by the scale drivers).
pub(super) fn timespec(duration: Duration) -> Timespec {
    Timespec {
        tv_sec: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(duration.subsec_nanos()),
    }
}
