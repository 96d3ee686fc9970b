//! What a station and its data centre share: the JSON bodies of each service (version 1), the
//! refusal vocabulary, and how a request is authenticated. The counter's link and the
//! vendor system both import from here and from nowhere inside each other, so the two ends
//! cannot drift apart; `docs/vendor-api.openapi.json` describes the same shapes for other
//! clients.
//!
//! Amounts are integer mills, binary values are lower-case hex, dates are `YYYY-MM-DD`.
//! Requests refuse unknown fields, so a misspelt field is an error rather than a silently
//! ignored option.
//!
//! - [`signature`]: a request signed with the counter's registered P-256 key (`PC1`).
//! - [`session`]: a key agreed once by ECDH, then a MAC per request (`PC1S`).
//! - [`postage`], [`funds`], [`keys`], [`counters`], [`reconciliation`], [`health`]: the
//!   bodies.
//! - [`refusal`]: the kinds of refusal and their one body shape.

/// The header the data centre answers each request's id in: the key to its request log,
/// which the station writes beside each exchange in its own.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub mod agenda;
pub mod counters;
pub mod events;
pub mod funds;
pub mod health;
pub mod keys;
pub mod lottery;
pub mod payments;
pub mod postage;
pub mod reconciliation;
pub mod refusal;
pub mod sealing;
pub mod security;
pub mod services;
pub mod session;
pub mod signature;
pub mod updates;

pub use refusal::{ErrorBody, ErrorDetail, RefusalKind};

/// Why a request's authentication was refused, as both ends classify it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    kind: RefusalKind,
    message: String,
}

impl AuthError {
    pub(crate) fn unauthenticated(message: impl Into<String>) -> AuthError {
        AuthError {
            kind: RefusalKind::Unauthenticated,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> AuthError {
        AuthError {
            kind: RefusalKind::BadRequest,
            message: message.into(),
        }
    }

    /// This machine cannot do its part (no random source): nothing was checked.
    pub(crate) fn unavailable(message: impl Into<String>) -> AuthError {
        AuthError {
            kind: RefusalKind::Unavailable,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> RefusalKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

pub use counters::{
    OpenSessionRequest, OpenSessionResponse, RegisterCounterRequest, RegisterCounterResponse,
};
pub use funds::{
    EmbeddedRefillRequest, EmbeddedRefillResponse, RefillRequest, RefillResponse,
    RegistersResponse, RegistersView, ReportedRegisters, WithdrawalConfirmation,
    WithdrawalConfirmed, WithdrawalRequest, WithdrawalResponse,
};
pub use health::Health;
pub use keys::{PsdCertificateRequest, PsdCertificateResponse, TrustBundle};
pub use payments::{
    CardPaymentRequest, CardPaymentResponse, CardRefundRequest, CardRefundResponse,
};
pub use postage::{
    CardDetails, CardReceipt, IssuedPiece, PieceOrder, ProcessingServerRef, PurchaseRequest,
    PurchaseResponse, VoidRequest, VoidResponse,
};
pub use reconciliation::{LedgerEntry, ReconcileRequest, ReconcileResponse, RefusedLabel};
