//! What the commands print on standard output. `println!` panics when the reader has gone
//! (`postcounter psd show | head`) or the disk is full; every command writes through
//! [`out!`] instead, whose error travels up as [`OutputError`] like any other, so the
//! command ends with a clear message and a non-zero exit. Nothing a command prints comes
//! before what it records: a sale is durable before its receipt line is written.

use std::fmt;
use std::io::{self, Write};

/// Standard output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}", describe(.0))]
pub struct OutputError(io::Error);

impl OutputError {
    pub fn kind(&self) -> io::ErrorKind {
        self.0.kind()
    }
}

fn describe(error: &io::Error) -> String {
    if error.kind() == io::ErrorKind::BrokenPipe {
        "the output was closed before everything was written (broken pipe)".into()
    } else {
        format!("standard output could not be written: {error}")
    }
}

/// Writes one line to standard output.
pub fn line(text: fmt::Arguments<'_>) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_fmt(text)
        .and_then(|()| stdout.write_all(b"\n"))
        .map_err(OutputError)
}

/// `println!` that returns an [`OutputError`] instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}
pub(crate) use out;
