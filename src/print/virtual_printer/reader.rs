//! A cursor over a job's bytes that knows its offset.
//!
//! Every command parser takes its bytes through here so that a truncated command becomes an
//! `InterpretError::Truncated` naming where the command started, never an index panic.

use super::error::InterpretError;

/// Reads a job's bytes front to back.
pub(crate) struct ByteReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> ByteReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    /// Offset of the next unread byte.
    pub(crate) fn offset(&self) -> usize {
        self.position
    }

    pub(crate) fn is_at_end(&self) -> bool {
        self.position >= self.bytes.len()
    }

    /// Consumes `count` bytes of the command that started at `command_offset`.
    pub(crate) fn take(
        &mut self,
        count: usize,
        command_offset: usize,
    ) -> Result<&'a [u8], InterpretError> {
        let end = self.position.saturating_add(count);
        match self.bytes.get(self.position..end) {
            Some(taken) => {
                self.position = end;
                Ok(taken)
            }
            None => Err(InterpretError::Truncated {
                offset: command_offset,
                bytes: self.bytes[command_offset..].to_vec(),
                needed: end - command_offset,
            }),
        }
    }

    /// Consumes one byte of the command that started at `command_offset`.
    pub(crate) fn byte(&mut self, command_offset: usize) -> Result<u8, InterpretError> {
        Ok(self.take(1, command_offset)?[0])
    }

    /// The bytes of a command so far, for error messages.
    pub(crate) fn since(&self, command_offset: usize) -> Vec<u8> {
        self.bytes[command_offset..self.position].to_vec()
    }
}
