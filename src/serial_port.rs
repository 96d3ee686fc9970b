//! Serial ports opened by device path: the line under serial scales and serial printers.
//!
//! A port is a path (`/dev/ttyUSB0`, `/dev/ttyS0`, a pseudo-terminal in tests), a baud rate
//! and a flow control. When the path is a terminal it is put in raw 8N1 mode with that flow
//! control; anything else (a FIFO, a device without termios) is used as a byte pipe. Reads
//! wait with `poll` for at most the caller's deadline, so a silent device never blocks the
//! counter longer than its configured timeout.

use std::fs::File;
use std::io::{self, Read, Write};
use std::str::FromStr;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::{Mode, OFlags};
use rustix::termios::{self, ControlModes, InputModes, OptionalActions};

/// Rates every UART and USB adapter offers; others are refused rather than approximated.
pub const SUPPORTED_BAUD_RATES: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

/// How the two ends pace each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowControl {
    /// None: the device must keep up (scales, which answer short lines).
    None,
    /// Hardware RTS/CTS (a printer's DTR/DSR busy line, on the usual cable).
    RtsCts,
    /// Software XON/XOFF, sent by the printer when its buffer fills and empties.
    XonXoff,
}

impl FlowControl {
    pub fn name(self) -> &'static str {
        match self {
            FlowControl::None => "none",
            FlowControl::RtsCts => "rts-cts",
            FlowControl::XonXoff => "xon-xoff",
        }
    }
}

impl FromStr for FlowControl {
    type Err = String;

    fn from_str(text: &str) -> Result<FlowControl, String> {
        [FlowControl::None, FlowControl::RtsCts, FlowControl::XonXoff]
            .into_iter()
            .find(|flow| flow.name() == text)
            .ok_or_else(|| {
                format!("{text:?} is not a flow control: expected none, rts-cts or xon-xoff")
            })
    }
}

/// Why a port could not be opened as asked.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{baud} baud is not supported (use one of {SUPPORTED_BAUD_RATES:?})")]
    Baud { baud: u32 },
    #[error("cannot open it: {0}")]
    Open(io::Error),
    #[error("cannot configure it as a serial line: {0}")]
    Configure(io::Error),
}

/// An open port, and whether it is a terminal (a pipe has no input queue to flush).
#[derive(Debug)]
pub struct SerialPort {
    pub file: File,
    pub is_terminal: bool,
}

impl SerialPort {
    /// Opens `path` for reading and writing and, if it is a terminal, sets raw 8N1 at `baud`
    /// with `flow`.
    pub fn open(path: &str, baud: u32, flow: FlowControl) -> Result<SerialPort, OpenError> {
        if !SUPPORTED_BAUD_RATES.contains(&baud) {
            return Err(OpenError::Baud { baud });
        }
        // NONBLOCK so that opening a real port does not wait for a carrier; NOCTTY so that a
        // terminal never becomes the counter's controlling terminal.
        let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd =
            rustix::fs::open(path, flags, Mode::empty()).map_err(|e| OpenError::Open(e.into()))?;
        let file = File::from(fd);
        let is_terminal = termios::isatty(&file);
        if is_terminal {
            configure_raw_8n1(&file, baud, flow).map_err(OpenError::Configure)?;
        }
        rustix::fs::fcntl_getfl(&file)
            .and_then(|flags| rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK))
            .map_err(|e| OpenError::Open(e.into()))?;
        Ok(SerialPort { file, is_terminal })
    }

    /// Drops bytes received but not read: a late answer to an earlier command must not be
    /// taken for the answer to the next one.
    pub fn discard_input(&self) -> io::Result<()> {
        if self.is_terminal {
            termios::tcflush(&self.file, termios::QueueSelector::IFlush)?;
        }
        Ok(())
    }

    /// Opens a device that is not a serial line (a USB printer's `/dev/usb/lp0`) for
    /// reading and writing, as it is: it must exist, and nothing is configured.
    pub fn open_device(path: &str) -> Result<SerialPort, OpenError> {
        let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC;
        let fd =
            rustix::fs::open(path, flags, Mode::empty()).map_err(|e| OpenError::Open(e.into()))?;
        let file = File::from(fd);
        let is_terminal = termios::isatty(&file);
        Ok(SerialPort { file, is_terminal })
    }

    /// Writes all of `bytes`, in pieces as the device takes them, or fails with `TimedOut`
    /// at `deadline`: a printer holding its busy line (paper out, under flow control) must
    /// not block the counter for ever.
    pub fn write_all_until(&mut self, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
        // A terminal wakes writers when 256 bytes are free, so a piece that size never
        // blocks for long once the device is writable.
        const PIECE_BYTES: usize = 256;
        while !bytes.is_empty() {
            if !ready_before(&self.file, PollFlags::OUT, deadline)? {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the device took no more bytes (busy, or under flow control)",
                ));
            }
            let written = self.file.write(&bytes[..bytes.len().min(PIECE_BYTES)])?;
            bytes = &bytes[written..];
        }
        self.file.flush()
    }

    /// Reads what has arrived, waiting until `deadline` at most; `Ok(0)` means the deadline
    /// passed with nothing to read. The device closing is an `UnexpectedEof` error.
    pub fn read_until(&mut self, buffer: &mut [u8], deadline: Instant) -> io::Result<usize> {
        if !readable_before(&self.file, deadline)? {
            return Ok(0);
        }
        match self.file.read(buffer)? {
            0 => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the device was closed",
            )),
            count => Ok(count),
        }
    }
}

/// Whether `file` has something to read before `deadline`.
pub fn readable_before(file: &File, deadline: Instant) -> io::Result<bool> {
    ready_before(file, PollFlags::IN, deadline)
}

fn ready_before(file: &File, flags: PollFlags, deadline: Instant) -> io::Result<bool> {
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let mut fds = [PollFd::new(file, flags)];
        match poll(&mut fds, Some(&timespec(remaining))) {
            Ok(ready) => return Ok(ready > 0),
            Err(rustix::io::Errno::INTR) if !remaining.is_zero() => continue,
            Err(rustix::io::Errno::INTR) => return Ok(false),
            Err(error) => return Err(error.into()),
        }
    }
}

fn configure_raw_8n1(file: &File, baud: u32, flow: FlowControl) -> io::Result<()> {
    let mut settings = termios::tcgetattr(file)?;
    settings.make_raw();
    settings.control_modes -=
        ControlModes::CSIZE | ControlModes::PARENB | ControlModes::CSTOPB | ControlModes::CRTSCTS;
    settings.control_modes |= ControlModes::CS8 | ControlModes::CREAD | ControlModes::CLOCAL;
    settings.input_modes -= InputModes::IXON | InputModes::IXOFF | InputModes::IXANY;
    match flow {
        FlowControl::None => {}
        FlowControl::RtsCts => settings.control_modes |= ControlModes::CRTSCTS,
        FlowControl::XonXoff => settings.input_modes |= InputModes::IXON | InputModes::IXOFF,
    }
    settings.set_speed(baud)?;
    termios::tcsetattr(file, OptionalActions::Now, &settings)?;
    Ok(())
}

/// A poll timeout from a duration.
pub fn timespec(duration: Duration) -> Timespec {
    Timespec {
        tv_sec: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(duration.subsec_nanos()),
    }
}
