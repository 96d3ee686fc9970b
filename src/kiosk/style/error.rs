//! The one error a broken theme or keymap file produces.
//!
//! A kiosk must not start with looks or keys it cannot read: it refuses with the file and the
//! reason, never falling back silently. Themes and keymaps share this error because they are
//! read the same way (TOML walked field by field) and the start-up code reacts to both alike.

use std::fmt;

/// Why a theme or keymap could not be used. Every message starts with the file it is about.
#[derive(Debug, thiserror::Error)]
pub enum StyleFileError {
    /// The file could not be read at all.
    #[error("{file}: cannot read: {source}")]
    Unreadable {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The text is not TOML.
    #[error("{file}: line {line}, column {column}: not valid TOML: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The TOML is valid but a field is wrong; `key` is the dotted path to it.
    #[error("{file}: {key}: {reason}")]
    Invalid {
        file: String,
        key: String,
        reason: String,
    },
    /// An embedded theme was asked for by a name that does not exist.
    #[error("there is no built-in theme \"{name}\": expected one of {known}")]
    UnknownTheme { name: String, known: String },
}

/// What the caller can do about a [`StyleFileError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleFileErrorKind {
    /// The file is missing or not readable: check the path and permissions.
    Unreadable,
    /// The file was read but is wrong: fix the file.
    Invalid,
    /// A built-in name was misspelled: pick one of the listed names.
    UnknownName,
}

impl StyleFileError {
    pub fn kind(&self) -> StyleFileErrorKind {
        match self {
            Self::Unreadable { .. } => StyleFileErrorKind::Unreadable,
            Self::Syntax { .. } | Self::Invalid { .. } => StyleFileErrorKind::Invalid,
            Self::UnknownTheme { .. } => StyleFileErrorKind::UnknownName,
        }
    }

    /// Parses `text` as a TOML table, reporting a syntax error with its line and column.
    pub(crate) fn parse_table(file: &str, text: &str) -> Result<toml::Table, Self> {
        text.parse::<toml::Table>().map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            let (line, column) = line_and_column(text, offset);
            Self::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: error.message().trim_end().to_owned(),
            }
        })
    }

    pub(crate) fn read(path: &std::path::Path) -> Result<String, Self> {
        std::fs::read_to_string(path).map_err(|source| Self::Unreadable {
            file: path.display().to_string(),
            source,
        })
    }
}

/// One-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A list of names for an "expected one of ..." message.
pub(crate) struct OneOf<'a>(pub &'a [&'a str]);

impl fmt::Display for OneOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}
