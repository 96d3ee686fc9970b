//! The vendor boundary's one error type, and how each kind answers over HTTP.
//!
//! The counter reacts to the `kind` (retry, go offline, ask for a refill, show the reason),
//! so kinds are few and stable; the message says what happened, quoting the input where the
//! input was the problem.

/// What a client can react to; the wire name is [`VendorErrorKind::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VendorErrorKind {
    /// The body or a parameter is malformed or out of range: fix the request.
    BadRequest,
    /// The request's signature, timestamp or nonce was not accepted.
    Unauthenticated,
    /// The request's session is not open at this vendor process: open a new one and send
    /// the request again.
    SessionExpired,
    /// The counter is revoked or locked, or asked for something not its account's.
    Forbidden,
    NotFound,
    /// An idempotency key reused with another body.
    Conflict,
    /// The card was declined or could not be checked.
    PaymentDeclined,
    /// Neither the PSD nor the account holds enough funds.
    InsufficientFunds,
    /// Valid, but not allowed now: a used label serial, a void out of its window.
    Refused,
    /// The PSD issues nothing until an administrator looks at it.
    PsdLocked,
    /// The store failed; nothing was acknowledged, retry with the same key.
    Unavailable,
}

impl VendorErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            VendorErrorKind::BadRequest => "bad_request",
            VendorErrorKind::Unauthenticated => "unauthenticated",
            VendorErrorKind::SessionExpired => "session_expired",
            VendorErrorKind::Forbidden => "forbidden",
            VendorErrorKind::NotFound => "not_found",
            VendorErrorKind::Conflict => "conflict",
            VendorErrorKind::PaymentDeclined => "payment_declined",
            VendorErrorKind::InsufficientFunds => "insufficient_funds",
            VendorErrorKind::Refused => "refused",
            VendorErrorKind::PsdLocked => "psd_locked",
            VendorErrorKind::Unavailable => "unavailable",
        }
    }

    pub fn from_name(name: &str) -> Option<VendorErrorKind> {
        ALL_KINDS.into_iter().find(|kind| kind.name() == name)
    }

    pub fn http_status(self) -> u16 {
        match self {
            VendorErrorKind::BadRequest => 400,
            VendorErrorKind::Unauthenticated | VendorErrorKind::SessionExpired => 401,
            VendorErrorKind::PaymentDeclined => 402,
            VendorErrorKind::Forbidden => 403,
            VendorErrorKind::NotFound => 404,
            VendorErrorKind::Conflict => 409,
            VendorErrorKind::InsufficientFunds | VendorErrorKind::Refused => 422,
            VendorErrorKind::PsdLocked => 423,
            VendorErrorKind::Unavailable => 503,
        }
    }
}

const ALL_KINDS: [VendorErrorKind; 11] = [
    VendorErrorKind::BadRequest,
    VendorErrorKind::Unauthenticated,
    VendorErrorKind::SessionExpired,
    VendorErrorKind::Forbidden,
    VendorErrorKind::NotFound,
    VendorErrorKind::Conflict,
    VendorErrorKind::PaymentDeclined,
    VendorErrorKind::InsufficientFunds,
    VendorErrorKind::Refused,
    VendorErrorKind::PsdLocked,
    VendorErrorKind::Unavailable,
];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VendorError {
    kind: VendorErrorKind,
    message: String,
}

impl VendorError {
    pub fn new(kind: VendorErrorKind, message: impl Into<String>) -> VendorError {
        VendorError {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> VendorErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body of this refusal, as the API sends it.
    pub fn body_json(&self) -> String {
        let body = super::wire::ErrorBody {
            error: super::wire::ErrorDetail {
                kind: self.kind.name().into(),
                message: self.message.clone(),
            },
        };
        serde_json::to_string(&body).unwrap_or_default()
    }

    pub fn bad_request(message: impl Into<String>) -> VendorError {
        VendorError::new(VendorErrorKind::BadRequest, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> VendorError {
        VendorError::new(VendorErrorKind::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> VendorError {
        VendorError::new(VendorErrorKind::Forbidden, message)
    }

    pub fn refused(message: impl Into<String>) -> VendorError {
        VendorError::new(VendorErrorKind::Refused, message)
    }

    pub fn not_found(message: impl Into<String>) -> VendorError {
        VendorError::new(VendorErrorKind::NotFound, message)
    }

    /// A store failure: the detail goes to the log, the client learns only that nothing
    /// was acknowledged.
    pub fn storage(error: impl std::fmt::Display) -> VendorError {
        log::error!("vendor store: {error}");
        VendorError::new(
            VendorErrorKind::Unavailable,
            "the vendor's store is unavailable; nothing was done, retry with the same idempotency key",
        )
    }
}

impl From<sqlx::Error> for VendorError {
    fn from(error: sqlx::Error) -> VendorError {
        VendorError::storage(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_wire_name() {
        for kind in ALL_KINDS {
            assert_eq!(VendorErrorKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(VendorErrorKind::from_name("teapot"), None);
    }
}
