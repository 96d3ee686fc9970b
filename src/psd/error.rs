//! The PSD boundary's one error type.

use super::registers::RegisterError;
use crate::indicium::LayoutError;
use crate::money::Money;

/// What a caller (the counter's flow, the vendor API) can react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsdErrorKind {
    /// Not enough postage in the descending register: refill, or a smaller sale.
    InsufficientFunds,
    /// The PSD issues nothing more until an administrator looks at it.
    Locked,
    /// A retry with a reused id whose content differs, or a void that is not allowed.
    Refused,
    /// No such piece or PSD.
    NotFound,
    /// The ledger could not be read or written; nothing was acknowledged.
    Storage,
}

#[derive(Debug, thiserror::Error)]
pub enum PsdError {
    #[error(
        "insufficient funds: {needed} needed, {available} available in the descending register"
    )]
    InsufficientFunds { needed: Money, available: Money },
    #[error("the PSD is locked: {0}")]
    Locked(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the PSD ledger {path}: {reason}")]
    Storage { path: String, reason: String },
}

impl PsdError {
    pub fn kind(&self) -> PsdErrorKind {
        match self {
            PsdError::InsufficientFunds { .. } => PsdErrorKind::InsufficientFunds,
            PsdError::Locked(_) => PsdErrorKind::Locked,
            PsdError::Refused(_) => PsdErrorKind::Refused,
            PsdError::NotFound(_) => PsdErrorKind::NotFound,
            PsdError::Storage { .. } => PsdErrorKind::Storage,
        }
    }

    pub(crate) fn from_register(error: RegisterError) -> PsdError {
        match error {
            RegisterError::InsufficientFunds { needed, available } => {
                PsdError::InsufficientFunds { needed, available }
            }
            RegisterError::NotPositive(amount) => {
                PsdError::Refused(format!("{amount} is not a positive amount"))
            }
            error @ RegisterError::AboveLimit { .. } => PsdError::Refused(error.to_string()),
            other @ (RegisterError::Overflow
            | RegisterError::AscendingFull { .. }
            | RegisterError::InvariantBroken { .. }) => PsdError::Locked(other.to_string()),
        }
    }

    pub(crate) fn from_layout(error: LayoutError) -> PsdError {
        PsdError::Refused(format!("the indicium cannot carry this sale: {error}"))
    }
}
