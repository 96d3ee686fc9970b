//! How driving the counter on its pseudo-terminal can fail. Waits that run out and a
//! counter that exits early carry the screen as it stood and the end of the counter's
//! stderr, on one line, so the message alone says what went wrong.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("could not open a pseudo-terminal: {0}")]
    Pty(#[source] io::Error),
    #[error("could not start {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    #[error("the counter's terminal failed: {0}")]
    Io(#[source] io::Error),
    #[error("waited {waited_ms} ms for {waiting_for}; the screen shows: {screen}{stderr}")]
    Timeout {
        waiting_for: String,
        waited_ms: u128,
        screen: String,
        stderr: String,
    },
    #[error(
        "the counter exited while waiting for {waiting_for}; the screen showed: {screen}{stderr}"
    )]
    Exited {
        waiting_for: String,
        screen: String,
        stderr: String,
    },
    #[error(
        "process {pid} runs {running}, not the counter {expected}: setsid did not exec it in place"
    )]
    NotTheCounter {
        pid: u32,
        running: String,
        expected: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionErrorKind {
    Pty,
    Spawn,
    Io,
    Timeout,
    Exited,
    NotTheCounter,
}

impl SessionError {
    pub fn kind(&self) -> SessionErrorKind {
        match self {
            SessionError::Pty(_) => SessionErrorKind::Pty,
            SessionError::Spawn { .. } => SessionErrorKind::Spawn,
            SessionError::Io(_) => SessionErrorKind::Io,
            SessionError::Timeout { .. } => SessionErrorKind::Timeout,
            SessionError::Exited { .. } => SessionErrorKind::Exited,
            SessionError::NotTheCounter { .. } => SessionErrorKind::NotTheCounter,
        }
    }
}
