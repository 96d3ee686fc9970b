//! The counter's link to its postage vendor: a signed HTTP client with failover
//! ([`client`]), the counter's registered identity ([`identity`]), the rules for issuing
//! from the embedded PSD when no vendor answers ([`fallback`]), and the link itself
//! ([`counter_link`]), which issues online, falls back, reports the embedded PSD's ledger
//! when the vendor is back and settles purchases whose answer was lost.
//!
//! A refusal is an answer: only a vendor that cannot be reached at all sends the counter to
//! its embedded PSD. A declined purchase is never retried offline.

pub mod client;
pub mod counter_link;
pub mod fallback;
pub mod identity;
pub mod session;
pub mod updates;

pub use client::VendorClient;
pub use counter_link::{CounterLink, Issued, LinkStatus};

/// What the counter can do about a failed link request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkErrorKind {
    /// No endpoint answered in time: fall back, retry later under the same key.
    Unreachable,
    /// The vendor answered with a refusal: show it; do not fall back.
    Refused,
    /// The vendor's answer made no sense (another version, a proxy's page).
    Protocol,
    /// Something on this counter: its key, its ledger, its settings.
    Local,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("no vendor answered: {detail}")]
    Unreachable {
        detail: String,
        /// Whether any attempt may have reached a vendor (sent, then no answer): only then
        /// can the vendor have acted on it. Refused connections deliver nothing.
        maybe_delivered: bool,
    },
    #[error("the vendor refused ({kind}): {message}")]
    Refused {
        status: u16,
        kind: String,
        message: String,
    },
    #[error("the vendor's answer is not understood: {0}")]
    Protocol(String),
    #[error("{0}")]
    Local(String),
}

impl LinkError {
    pub fn kind(&self) -> LinkErrorKind {
        match self {
            LinkError::Unreachable { .. } => LinkErrorKind::Unreachable,
            LinkError::Refused { .. } => LinkErrorKind::Refused,
            LinkError::Protocol(_) => LinkErrorKind::Protocol,
            LinkError::Local(_) => LinkErrorKind::Local,
        }
    }
}
