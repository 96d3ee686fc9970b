//! Why a scale gave no reading.
//!
//! The counter reacts to a scale failure by its [`ScaleErrorKind`] (offer a manual weight when
//! the scale is offline, retry on a timeout), while the `Display` text is for the log: it names
//! the device and quotes what the scale sent.

use std::io;

use super::nci::NciFrameError;

/// What kind of failure it was, for the caller to react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScaleErrorKind {
    /// The device cannot be opened, configured, read or written.
    Offline,
    /// The scale did not answer in time.
    Timeout,
    /// The scale answered something that is not a valid reply.
    Protocol,
    /// The scale understood but refused (e.g. it would not zero while moving).
    Refused,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error("cannot open the scale at {path:?}: {source}")]
    Open { path: String, source: io::Error },
    #[error("cannot configure {path:?} as a serial line: {reason}")]
    Configure { path: String, reason: String },
    #[error("lost the scale at {path:?}: {source}")]
    Io { path: String, source: io::Error },
    #[error("the scale at {path:?} did not answer {command:?} within {timeout_ms} ms")]
    Timeout {
        path: String,
        command: String,
        timeout_ms: u64,
    },
    #[error("the scale at {path:?} answered {command:?} with an invalid reply: {source}")]
    Protocol {
        path: String,
        command: String,
        source: NciFrameError,
    },
    #[error("the scale at {path:?} answered {command:?} with {reply:?}, which is not a reading")]
    UnexpectedReply {
        path: String,
        command: String,
        reply: String,
    },
    #[error("the scale at {path:?} did not zero: {reason}")]
    NotZeroed { path: String, reason: String },
}

impl ScaleError {
    pub fn kind(&self) -> ScaleErrorKind {
        match self {
            ScaleError::Open { .. } | ScaleError::Configure { .. } | ScaleError::Io { .. } => {
                ScaleErrorKind::Offline
            }
            ScaleError::Timeout { .. } => ScaleErrorKind::Timeout,
            ScaleError::Protocol { .. } | ScaleError::UnexpectedReply { .. } => {
                ScaleErrorKind::Protocol
            }
            ScaleError::NotZeroed { .. } => ScaleErrorKind::Refused,
        }
    }
}
