//! NCI framing: commands out, replies in, as pure functions over bytes.
//!
//! The decoder is incremental: given the bytes received so far it says "incomplete", "here
//! is a reply and how many bytes it took", or why the bytes cannot be a reply. It rejects
//! garbage at the first wrong byte (a reply must start with LF), so a driver facing a
//! misconfigured line fails at once instead of waiting for its timeout, and a reply longer
//! than [`MAX_REPLY_BYTES`] is refused so a babbling line cannot grow a buffer without bound.

use super::NciStatus;

const LF: u8 = 0x0A;
const CR: u8 = 0x0D;
const ETX: u8 = 0x03;

/// The longest reply accepted: a weight line, four status bytes and framing fit in 40.
pub const MAX_REPLY_BYTES: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NciCommand {
    /// `W`: weight, unit and status.
    Weight,
    /// `S`: status only.
    Status,
    /// `Z`: zero the scale, then status.
    Zero,
}

impl NciCommand {
    pub fn letter(self) -> char {
        match self {
            NciCommand::Weight => 'W',
            NciCommand::Status => 'S',
            NciCommand::Zero => 'Z',
        }
    }

    /// The bytes on the wire: the letter and CR.
    pub fn encode(self) -> [u8; 2] {
        [self.letter() as u8, CR]
    }

    /// The command a scale receives as `line` (the bytes before CR); scales accept either case.
    pub fn parse(line: &[u8]) -> Option<NciCommand> {
        match line {
            [b'W' | b'w'] => Some(NciCommand::Weight),
            [b'S' | b's'] => Some(NciCommand::Status),
            [b'Z' | b'z'] => Some(NciCommand::Zero),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NciReply {
    /// The reply to `W`: the display text (a weight, or dashes when there is none) and status.
    Weight { text: String, status: NciStatus },
    /// The reply to `S` and `Z`.
    Status(NciStatus),
    /// `?`: the scale did not understand the command.
    Unrecognized,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// More bytes are needed.
    Incomplete,
    /// A whole reply, which took the first `consumed` bytes.
    Reply { reply: NciReply, consumed: usize },
}

/// Why bytes are not an NCI reply. Messages quote the offending bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NciFrameError {
    #[error(
        "byte {byte:#04x} ({shown}) at offset {offset} where {expected} was expected \
         (an NCI reply is LF text CR [LF text CR] ETX)",
        shown = (*byte as char).escape_default()
    )]
    UnexpectedByte {
        offset: usize,
        byte: u8,
        expected: &'static str,
    },
    #[error("no reply ends within {max_bytes} bytes")]
    TooLong { max_bytes: usize },
    #[error("status line \"{line}\" is invalid: {reason}")]
    BadStatus { line: String, reason: &'static str },
    #[error("weight line \"{line}\" is not printable text")]
    BadWeightLine { line: String },
    #[error("the reply stopped after \"{received}\"")]
    Truncated { received: String },
}

/// Decodes the reply at the start of `bytes` (see the module doc for the outcomes).
pub fn decode_reply(bytes: &[u8]) -> Result<Decoded, NciFrameError> {
    let window = &bytes[..bytes.len().min(MAX_REPLY_BYTES)];
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut offset = 0;
    loop {
        let Some(&first) = window.get(offset) else {
            return incomplete(bytes.len());
        };
        if first != LF {
            let expected = if lines.is_empty() {
                "LF (a reply's start)"
            } else {
                "LF or ETX"
            };
            return Err(unexpected(offset, first, expected));
        }
        let start = offset + 1;
        let Some(length) = window[start..].iter().position(|&b| b < 0x20) else {
            return incomplete(bytes.len());
        };
        let end = start + length;
        if window[end] != CR {
            return Err(unexpected(end, window[end], "text or CR"));
        }
        lines.push(&window[start..end]);
        offset = end + 1;
        match window.get(offset) {
            None => return incomplete(bytes.len()),
            Some(&ETX) => break,
            Some(&LF) if lines.len() < 2 => continue,
            Some(&other) => return Err(unexpected(offset, other, "ETX")),
        }
    }
    let reply = interpret_lines(&lines)?;
    Ok(Decoded::Reply {
        reply,
        consumed: offset + 1,
    })
}

fn incomplete(received: usize) -> Result<Decoded, NciFrameError> {
    if received >= MAX_REPLY_BYTES {
        Err(NciFrameError::TooLong {
            max_bytes: MAX_REPLY_BYTES,
        })
    } else {
        Ok(Decoded::Incomplete)
    }
}

fn unexpected(offset: usize, byte: u8, expected: &'static str) -> NciFrameError {
    NciFrameError::UnexpectedByte {
        offset,
        byte,
        expected,
    }
}

fn interpret_lines(lines: &[&[u8]]) -> Result<NciReply, NciFrameError> {
    match lines {
        [b"?"] => Ok(NciReply::Unrecognized),
        [status] => Ok(NciReply::Status(NciStatus::parse_line(status)?)),
        [text, status] => {
            let printable = text.iter().all(|b| (0x20..0x7F).contains(b));
            if !printable {
                return Err(NciFrameError::BadWeightLine {
                    line: String::from_utf8_lossy(text).escape_default().to_string(),
                });
            }
            Ok(NciReply::Weight {
                text: String::from_utf8_lossy(text).into_owned(),
                status: NciStatus::parse_line(status)?,
            })
        }
        _ => Err(NciFrameError::BadStatus {
            line: String::new(),
            reason: "a reply has one or two lines",
        }),
    }
}

/// The bytes a scale sends for `reply`.
pub fn encode_reply(reply: &NciReply) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(24);
    match reply {
        NciReply::Weight { text, status } => {
            bytes.push(LF);
            bytes.extend_from_slice(text.as_bytes());
            bytes.push(CR);
            push_status(&mut bytes, status);
        }
        NciReply::Status(status) => push_status(&mut bytes, status),
        NciReply::Unrecognized => bytes.extend_from_slice(&[LF, b'?', CR]),
    }
    bytes.push(ETX);
    bytes
}

fn push_status(bytes: &mut Vec<u8>, status: &NciStatus) {
    bytes.push(LF);
    bytes.extend_from_slice(&status.to_bytes());
    bytes.push(CR);
}
