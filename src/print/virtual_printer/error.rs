//! The virtual printer's two error boundaries: interpreting bytes (pure) and writing job files (IO).
//!
//! Interpreting is strict on purpose: when the encoder emits something this printer does not know,
//! a test must fail with the offset and the bytes, not render a plausible picture.

use std::fmt::Write as _;
use std::path::PathBuf;

/// How many bytes of a command an error message quotes.
const QUOTED_BYTES_MAX: usize = 16;

/// Why a byte stream could not be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpretError {
    #[error("unknown command at byte offset {offset}: {}", hex(bytes))]
    UnknownCommand { offset: usize, bytes: Vec<u8> },
    #[error(
        "command at byte offset {offset} is truncated: it needs {needed} bytes, the job has {}: {}",
        bytes.len(),
        hex(bytes)
    )]
    Truncated {
        offset: usize,
        bytes: Vec<u8>,
        needed: usize,
    },
    #[error(
        "command at byte offset {offset} ({}) has a bad parameter: {reason}",
        hex(bytes)
    )]
    BadParameter {
        offset: usize,
        bytes: Vec<u8>,
        reason: String,
    },
    #[error(
        "byte 0x{byte:02X} at offset {offset} has no character in code page {code_page} (accepted: 0x20-0x7E and the page's defined upper half)"
    )]
    UnmappedCharacter {
        offset: usize,
        byte: u8,
        code_page: &'static str,
    },
    #[error(
        "command at byte offset {offset} ({}) needs an empty line buffer, but {pending:?} was not ended by LF; a real printer would ignore the command",
        hex(bytes)
    )]
    PendingText {
        offset: usize,
        bytes: Vec<u8>,
        pending: String,
    },
    #[error(
        "the job ends with {pending:?} in the line buffer (no LF): a real printer would not print it"
    )]
    UnterminatedLine { pending: String },
    #[error("paper width {width_dots} dots is not accepted (accepted: 1-{limit_dots})")]
    BadPaperWidth { width_dots: u32, limit_dots: u32 },
    #[error("the rendered job would be {height_dots} dots long; the limit is {limit_dots}")]
    TooLong {
        height_dots: usize,
        limit_dots: usize,
    },
}

/// What kind of failure a `VirtualPrinterError` is, for callers that react rather than report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VirtualPrinterErrorKind {
    /// The job's bytes are not a valid job for this printer (an encoder bug).
    BadJob,
    /// The job files could not be written (disk full, permissions, ...).
    Io,
}

/// Why a job could not be printed on the virtual printer.
#[derive(Debug, thiserror::Error)]
pub enum VirtualPrinterError {
    #[error("the job's ESC/POS bytes were not accepted: {0}")]
    Interpret(#[from] InterpretError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode the PNG for {path}: {source}")]
    Png {
        path: PathBuf,
        source: png::EncodingError,
    },
}

impl VirtualPrinterError {
    pub fn kind(&self) -> VirtualPrinterErrorKind {
        match self {
            Self::Interpret(_) => VirtualPrinterErrorKind::BadJob,
            Self::Io { .. } | Self::Png { .. } => VirtualPrinterErrorKind::Io,
        }
    }
}

/// Bytes as space-separated hex, cut after `QUOTED_BYTES_MAX`.
fn hex(bytes: &[u8]) -> String {
    let mut text = String::new();
    for (index, byte) in bytes.iter().take(QUOTED_BYTES_MAX).enumerate() {
        if index > 0 {
            text.push(' ');
        }
        let _ = write!(text, "{byte:02X}");
    }
    if bytes.len() > QUOTED_BYTES_MAX {
        let _ = write!(text, " ... ({} bytes)", bytes.len());
    }
    text
}
