//! The driver for a real NCI scale on a serial line (or the simulator's pseudo-terminal).
//!
//! One command at a time: discard stale input, send the command, read until a whole reply
//! decodes or the timeout passes. The timeout is bounded ([`MAX_TIMEOUT_MS`]) because the
//! counter calls this in a polling loop and must learn quickly that a scale is gone.

use std::time::{Duration, Instant};

use super::{Decoded, NciCommand, NciFrameError, NciReply, NciStatus, decode_reply};
use super::{MAX_REPLY_BYTES, reading_from_weight_reply};
use crate::scale::{Reading, Scale, ScaleError, SerialLine};

/// A reply takes about 25 ms at 9600 baud; a scale may think for a while before it answers.
pub const DEFAULT_TIMEOUT_MS: u64 = 500;
pub const MAX_TIMEOUT_MS: u64 = 10_000;

#[derive(Debug)]
pub struct NciSerialScale {
    line: SerialLine,
    timeout_ms: u64,
}

impl NciSerialScale {
    /// Opens the scale at `path` (e.g. `/dev/ttyUSB0`) at `baud` (9600 for most NCI scales),
    /// 8N1, with [`DEFAULT_TIMEOUT_MS`].
    pub fn open(path: &str, baud: u32) -> Result<NciSerialScale, ScaleError> {
        Ok(NciSerialScale {
            line: SerialLine::open(path, baud)?,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        })
    }

    /// Sets how long to wait for each reply, clamped to 1..=[`MAX_TIMEOUT_MS`].
    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> NciSerialScale {
        self.timeout_ms = timeout_ms.clamp(1, MAX_TIMEOUT_MS);
        self
    }

    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// The raw status (`S`), for diagnostics.
    pub fn status(&mut self) -> Result<NciStatus, ScaleError> {
        match self.exchange(NciCommand::Status)? {
            NciReply::Status(status) => Ok(status),
            other => Err(self.unexpected(NciCommand::Status, &other)),
        }
    }

    /// Sends `command` and returns its decoded reply.
    pub fn exchange(&mut self, command: NciCommand) -> Result<NciReply, ScaleError> {
        self.line.discard_input()?;
        self.line.write_all(&command.encode())?;
        let deadline = Instant::now() + Duration::from_millis(self.timeout_ms);
        let mut received = Vec::with_capacity(MAX_REPLY_BYTES);
        let mut chunk = [0u8; MAX_REPLY_BYTES];
        loop {
            let count = self.line.read_until(&mut chunk, deadline)?;
            if count == 0 {
                return Err(self.no_reply(command, &received));
            }
            received.extend_from_slice(&chunk[..count]);
            match decode_reply(&received) {
                Ok(Decoded::Reply { reply, .. }) => return Ok(reply),
                Ok(Decoded::Incomplete) => continue,
                Err(source) => return Err(self.protocol(command, source)),
            }
        }
    }

    fn no_reply(&self, command: NciCommand, received: &[u8]) -> ScaleError {
        if received.is_empty() {
            return ScaleError::Timeout {
                path: self.line.path().to_string(),
                command: command.letter().to_string(),
                timeout_ms: self.timeout_ms,
            };
        }
        let received = String::from_utf8_lossy(received)
            .escape_default()
            .to_string();
        self.protocol(command, NciFrameError::Truncated { received })
    }

    fn protocol(&self, command: NciCommand, source: NciFrameError) -> ScaleError {
        ScaleError::Protocol {
            path: self.line.path().to_string(),
            command: command.letter().to_string(),
            source,
        }
    }

    fn unexpected(&self, command: NciCommand, reply: &NciReply) -> ScaleError {
        ScaleError::UnexpectedReply {
            path: self.line.path().to_string(),
            command: command.letter().to_string(),
            reply: format!("{reply:?}"),
        }
    }
}

impl Scale for NciSerialScale {
    fn read(&mut self) -> Result<Reading, ScaleError> {
        let reply = self.exchange(NciCommand::Weight)?;
        let reading = match &reply {
            NciReply::Weight { text, status } => reading_from_weight_reply(text, status),
            _ => None,
        };
        reading.ok_or_else(|| self.unexpected(NciCommand::Weight, &reply))
    }

    /// Zeroes and checks the status the scale returns: a scale that is moving or faulty
    /// does not zero, and that is reported as refused.
    fn zero(&mut self) -> Result<(), ScaleError> {
        let status = match self.exchange(NciCommand::Zero)? {
            NciReply::Status(status) => status,
            other => return Err(self.unexpected(NciCommand::Zero, &other)),
        };
        let reason = if let Some(fault) = status.fault() {
            Some(fault.to_string())
        } else if status.in_motion {
            Some("the scale is moving".to_string())
        } else if !status.at_zero {
            Some("the scale does not report zero".to_string())
        } else {
            None
        };
        match reason {
            None => Ok(()),
            Some(reason) => Err(ScaleError::NotZeroed {
                path: self.line.path().to_string(),
                reason,
            }),
        }
    }
}
