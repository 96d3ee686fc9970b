//! The vendor system's one error type: a [`RefusalKind`] the station reacts to and a
//! message, answered over HTTP as the protocol's one refusal body.
//!
//! The counter reacts to the `kind` (retry, go offline, ask for a refill, show the reason),
//! so kinds are few and stable; the message says what happened, quoting the input where the
//! input was the problem.

pub use crate::protocol::RefusalKind;
use crate::protocol::{AuthError, ErrorBody, ErrorDetail};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VendorError {
    kind: RefusalKind,
    message: String,
}

impl VendorError {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> VendorError {
        VendorError {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> RefusalKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body of this refusal, as the API sends it.
    pub fn body_json(&self) -> String {
        let body = ErrorBody {
            error: ErrorDetail {
                kind: self.kind.name().into(),
                message: self.message.clone(),
            },
        };
        serde_json::to_string(&body).unwrap_or_default()
    }

    pub fn bad_request(message: impl Into<String>) -> VendorError {
        VendorError::new(RefusalKind::BadRequest, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> VendorError {
        VendorError::new(RefusalKind::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> VendorError {
        VendorError::new(RefusalKind::Forbidden, message)
    }

    pub fn refused(message: impl Into<String>) -> VendorError {
        VendorError::new(RefusalKind::Refused, message)
    }

    pub fn not_found(message: impl Into<String>) -> VendorError {
        VendorError::new(RefusalKind::NotFound, message)
    }

    /// A store failure: the detail goes to the log, the client learns only that nothing
    /// was acknowledged.
    pub fn storage(error: impl std::fmt::Display) -> VendorError {
        log::error!("vendor store: {error}");
        VendorError::new(
            RefusalKind::Unavailable,
            "the vendor's store is unavailable; nothing was done, retry with the same idempotency key",
        )
    }
}

impl From<sqlx::Error> for VendorError {
    fn from(error: sqlx::Error) -> VendorError {
        VendorError::storage(error)
    }
}

impl From<AuthError> for VendorError {
    fn from(error: AuthError) -> VendorError {
        match error.kind() {
            RefusalKind::Unavailable => VendorError::storage(error.message()),
            kind => VendorError::new(kind, error.message()),
        }
    }
}
