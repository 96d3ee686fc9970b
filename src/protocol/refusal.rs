//! How the data centre says no: a stable [`RefusalKind`] that a station reacts to (retry, go
//! offline, ask for a refill, show the reason), and a message for people. Both ends share the
//! kinds, so the vendor's HTTP status and the counter's reaction cannot drift apart.

use serde::{Deserialize, Serialize};

/// What a client can react to; the wire name is [`RefusalKind::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
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
    /// The postage the counter stated is not the vendor's price for the piece (the counter's
    /// rate table is not the vendor's): quote again.
    PriceMismatch,
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
    /// The request (its nonce, or its session's sequence number) was seen before: a copy
    /// of it reached the data centre first, so the original may have been carried out. A
    /// station sends the request again, freshly authenticated, under its idempotency key.
    Replayed,
    /// The request is below its service's level of security (see
    /// [`super::security`]): unsealed where the service encrypts, or a card in the clear.
    SecurityLevel,
}

impl RefusalKind {
    pub const ALL: [RefusalKind; 14] = [
        RefusalKind::BadRequest,
        RefusalKind::Unauthenticated,
        RefusalKind::SessionExpired,
        RefusalKind::Forbidden,
        RefusalKind::NotFound,
        RefusalKind::Conflict,
        RefusalKind::PriceMismatch,
        RefusalKind::PaymentDeclined,
        RefusalKind::InsufficientFunds,
        RefusalKind::Refused,
        RefusalKind::PsdLocked,
        RefusalKind::Unavailable,
        RefusalKind::SecurityLevel,
        RefusalKind::Replayed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RefusalKind::BadRequest => "bad_request",
            RefusalKind::Unauthenticated => "unauthenticated",
            RefusalKind::SessionExpired => "session_expired",
            RefusalKind::Forbidden => "forbidden",
            RefusalKind::NotFound => "not_found",
            RefusalKind::Conflict => "conflict",
            RefusalKind::PriceMismatch => "price_mismatch",
            RefusalKind::PaymentDeclined => "payment_declined",
            RefusalKind::InsufficientFunds => "insufficient_funds",
            RefusalKind::Refused => "refused",
            RefusalKind::PsdLocked => "psd_locked",
            RefusalKind::Unavailable => "unavailable",
            RefusalKind::SecurityLevel => "security_level",
            RefusalKind::Replayed => "replayed",
        }
    }

    pub fn from_name(name: &str) -> Option<RefusalKind> {
        RefusalKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    pub fn http_status(self) -> u16 {
        match self {
            RefusalKind::BadRequest | RefusalKind::SecurityLevel => 400,
            RefusalKind::Unauthenticated | RefusalKind::SessionExpired | RefusalKind::Replayed => {
                401
            }
            RefusalKind::PaymentDeclined => 402,
            RefusalKind::Forbidden => 403,
            RefusalKind::NotFound => 404,
            RefusalKind::Conflict | RefusalKind::PriceMismatch => 409,
            RefusalKind::InsufficientFunds | RefusalKind::Refused => 422,
            RefusalKind::PsdLocked => 423,
            RefusalKind::Unavailable => 503,
        }
    }
}

/// Every refusal's body: `{"error": {"kind": ..., "message": ...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub kind: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_wire_name() {
        for kind in RefusalKind::ALL {
            assert_eq!(RefusalKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(RefusalKind::from_name("teapot"), None);
    }
}
