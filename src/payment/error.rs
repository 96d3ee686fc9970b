//! The one error type of the payment boundary, with messages a clerk can read aloud.
//!
//! The counter reacts to [`PaymentError::kind`] (ask for another card, ask for the PIN
//! again, retry later) and shows the `Display` text as is, so every message says what
//! happened in the customer's terms and quotes a card only by its last four digits.

use super::card::{CardError, CardErrorKind};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("{0}")]
    InvalidCard(CardError),
    #[error("the card ending {last4} was declined by the issuer ({reason}); ask for another card")]
    Declined { last4: String, reason: String },
    #[error("the card ending {last4} was declined for insufficient funds; ask for another card")]
    CardInsufficientFunds { last4: String },
    #[error("the issuer reports the card ending {last4} as expired; ask for another card")]
    CardExpired { last4: String },
    #[error("the card processor is unavailable ({reason}); nothing was charged, try again")]
    Unavailable { reason: String },
    #[error("the id {id:?} was already used for {first}; a retry must repeat the same request")]
    Conflict { id: String, first: String },
    #[error("there is no postage account {account}")]
    UnknownAccount { account: String },
    #[error("postage account {account} already exists")]
    AccountExists { account: String },
    #[error("there is no charge {charge_id:?} to refund")]
    UnknownCharge { charge_id: String },
    #[error("postage account {account} has {balance}, not enough for {amount}")]
    InsufficientFunds {
        account: String,
        balance: Money,
        amount: Money,
    },
    #[error("wrong PIN for postage account {account}; {tries_left} tries left before it locks")]
    WrongPin { account: String, tries_left: u32 },
    #[error(
        "postage account {account} is locked after too many wrong PINs; the holder must ask the office to unlock it"
    )]
    Locked { account: String },
    #[error(
        "a refund of {amount} is more than remains refundable of charge {charge_id:?} ({refundable})"
    )]
    RefundTooLarge {
        charge_id: String,
        amount: Money,
        refundable: Money,
    },
    #[error("{0}")]
    InvalidInput(String),
    /// Only a link that carries no card data reaches the data centre (the backup modem).
    #[error(
        "cards need the Internet link, and only the backup modem reaches the data centre now; nothing was charged: take cash or a postage account, or try the card again when the Internet is back"
    )]
    NoCardLink,
    /// The data centre, validating a card payment (claim 6), refused it with this reason.
    #[error("the data centre refused the card payment: {0}")]
    RefusedByDataCentre(String),
    #[error("the payment store {path} is inconsistent and was not used: {problems}")]
    Inconsistent { path: String, problems: String },
    #[error("the payment store {path} failed: {reason}")]
    Storage { path: String, reason: String },
}

/// What kind of failure a payment met, for the counter to react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentErrorKind {
    /// The issuer said no; another card may work.
    Declined,
    /// The card or the account has too little money.
    InsufficientFunds,
    /// The card number or expiry is malformed.
    InvalidCard,
    Expired,
    /// The processor could not be reached or answered nothing; retry with the same id.
    Unavailable,
    /// An id was reused for a different request.
    Conflict,
    UnknownAccount,
    AccountExists,
    UnknownCharge,
    WrongPin,
    Locked,
    RefundTooLarge,
    InvalidInput,
    /// The data centre is reached only over a link that carries no card data.
    NoCardLink,
    /// The store's balances disagree with its entries; it refuses to be used.
    Inconsistent,
    /// The local store failed; nothing is known to have moved: retry with the same id.
    Storage,
}

impl PaymentErrorKind {
    /// Whether retrying the same request (same id) may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            PaymentErrorKind::Unavailable
                | PaymentErrorKind::Storage
                | PaymentErrorKind::NoCardLink
        )
    }
}

impl PaymentError {
    pub fn kind(&self) -> PaymentErrorKind {
        match self {
            PaymentError::InvalidCard(card) if card.kind() == CardErrorKind::Expired => {
                PaymentErrorKind::Expired
            }
            PaymentError::InvalidCard(_) => PaymentErrorKind::InvalidCard,
            PaymentError::Declined { .. } => PaymentErrorKind::Declined,
            PaymentError::CardInsufficientFunds { .. } | PaymentError::InsufficientFunds { .. } => {
                PaymentErrorKind::InsufficientFunds
            }
            PaymentError::CardExpired { .. } => PaymentErrorKind::Expired,
            PaymentError::Unavailable { .. } => PaymentErrorKind::Unavailable,
            PaymentError::Conflict { .. } => PaymentErrorKind::Conflict,
            PaymentError::UnknownAccount { .. } => PaymentErrorKind::UnknownAccount,
            PaymentError::AccountExists { .. } => PaymentErrorKind::AccountExists,
            PaymentError::UnknownCharge { .. } => PaymentErrorKind::UnknownCharge,
            PaymentError::WrongPin { .. } => PaymentErrorKind::WrongPin,
            PaymentError::Locked { .. } => PaymentErrorKind::Locked,
            PaymentError::RefundTooLarge { .. } => PaymentErrorKind::RefundTooLarge,
            PaymentError::InvalidInput(_) => PaymentErrorKind::InvalidInput,
            PaymentError::NoCardLink => PaymentErrorKind::NoCardLink,
            PaymentError::RefusedByDataCentre(_) => PaymentErrorKind::Declined,
            PaymentError::Inconsistent { .. } => PaymentErrorKind::Inconsistent,
            PaymentError::Storage { .. } => PaymentErrorKind::Storage,
        }
    }
}

impl From<CardError> for PaymentError {
    fn from(error: CardError) -> PaymentError {
        PaymentError::InvalidCard(error)
    }
}

/// Refuses an amount that is zero or negative: no payment moves nothing or moves backwards.
pub(crate) fn require_positive(what: &str, amount: Money) -> Result<(), PaymentError> {
    if amount.mills() > 0 {
        Ok(())
    } else {
        Err(PaymentError::InvalidInput(format!(
            "{what} of {amount} is not accepted: the amount must be more than $0.00"
        )))
    }
}
