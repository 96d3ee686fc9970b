//! The driver for an MT-SICS scale on a serial line (or the simulator's pseudo-terminal).
//!
//! One command at a time: drop stale input, send the command, read up to the reply's CR LF
//! or the timeout. The live display reads with `SI`, so a settling piece is shown moving;
//! only a stable reply gives a weight a sale may use.

use std::time::{Duration, Instant};

use super::frame::{SicsCommand, SicsReply, decode_line};
use crate::scale::{Reading, ReadingSource, ReadingStatus, Scale, ScaleError, SerialLine};

/// A reply takes about 20 ms at 9600 baud; `S` waits for the piece to settle.
pub const DEFAULT_TIMEOUT_MS: u64 = 1_000;
/// A reply line is never longer than this; more without a line end is noise.
const MAX_LINE_BYTES: usize = 64;

#[derive(Debug)]
pub struct SicsSerialScale {
    line: SerialLine,
    timeout_ms: u64,
}

impl SicsSerialScale {
    /// Opens the scale at `path` at `baud` (9600 from the factory), 8N1.
    pub fn open(path: &str, baud: u32) -> Result<SicsSerialScale, ScaleError> {
        Ok(SicsSerialScale {
            line: SerialLine::open(path, baud)?,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        })
    }

    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> SicsSerialScale {
        self.timeout_ms = timeout_ms.clamp(1, 10_000);
        self
    }

    /// The next stable weight (`S`): a piece still moving is `Moving` without a weight.
    pub fn read_stable(&mut self) -> Result<Reading, ScaleError> {
        self.weigh(SicsCommand::StableWeight)
    }

    /// Sends `command` and decodes its one-line reply.
    pub fn exchange(&mut self, command: SicsCommand) -> Result<SicsReply, ScaleError> {
        self.line.discard_input()?;
        self.line.write_all(&command.encode())?;
        let deadline = Instant::now() + Duration::from_millis(self.timeout_ms);
        let mut received = Vec::with_capacity(MAX_LINE_BYTES);
        let mut chunk = [0u8; MAX_LINE_BYTES];
        while !received.ends_with(b"\r\n") {
            let count = self.line.read_until(&mut chunk, deadline)?;
            if count == 0 || received.len() + count > MAX_LINE_BYTES {
                return Err(self.no_reply(command, &received));
            }
            received.extend_from_slice(&chunk[..count]);
        }
        received.truncate(received.len() - 2);
        decode_line(&received).map_err(|error| self.unexpected(command, error.to_string()))
    }

    fn weigh(&mut self, command: SicsCommand) -> Result<Reading, ScaleError> {
        let reading = |status, weight| Reading {
            weight,
            status,
            source: ReadingSource::Scale,
            unit: None,
        };
        match self.exchange(command)? {
            SicsReply::Weight { weight, .. } if weight.negative => {
                Ok(reading(ReadingStatus::UnderZero, None))
            }
            SicsReply::Weight { weight, stable } => Ok(Reading {
                unit: Some(weight.unit),
                ..reading(
                    if stable {
                        ReadingStatus::Stable
                    } else {
                        ReadingStatus::Moving
                    },
                    Some(weight.magnitude),
                )
            }),
            SicsReply::WeightNotNow => Ok(reading(ReadingStatus::Moving, None)),
            SicsReply::OverCapacity => Ok(reading(ReadingStatus::OverCapacity, None)),
            SicsReply::UnderZero => Ok(reading(ReadingStatus::UnderZero, None)),
            other => Err(self.unexpected(command, format!("{other:?}"))),
        }
    }

    fn no_reply(&self, command: SicsCommand, received: &[u8]) -> ScaleError {
        if received.is_empty() {
            return ScaleError::Timeout {
                path: self.line.path().to_string(),
                command: command.text().to_string(),
                timeout_ms: self.timeout_ms,
            };
        }
        let text = String::from_utf8_lossy(received)
            .escape_default()
            .to_string();
        self.unexpected(command, format!("{text} (no line end)"))
    }

    fn unexpected(&self, command: SicsCommand, reply: String) -> ScaleError {
        ScaleError::UnexpectedReply {
            path: self.line.path().to_string(),
            command: command.text().to_string(),
            reply,
        }
    }
}

impl Scale for SicsSerialScale {
    /// The weight now (`SI`), moving or stable, for the live display.
    fn read(&mut self) -> Result<Reading, ScaleError> {
        self.weigh(SicsCommand::ImmediateWeight)
    }

    fn zero(&mut self) -> Result<(), ScaleError> {
        match self.exchange(SicsCommand::Zero)? {
            SicsReply::Zeroed => Ok(()),
            SicsReply::NotZeroed(refusal) => Err(ScaleError::NotZeroed {
                path: self.line.path().to_string(),
                reason: refusal.reason().to_string(),
            }),
            other => Err(self.unexpected(SicsCommand::Zero, format!("{other:?}"))),
        }
    }
}
