//! The seam between the counter and a card processor.
//!
//! The trait is small and object-safe so the counter can hold a `Box<dyn PaymentGateway>`
//! chosen by configuration (the built-in [`TestGateway`](super::TestGateway) or a real
//! processor). Its methods return boxed futures rather than blocking: a real processor is
//! an HTTP client, the built-in one keeps its answers in the async SQLite store, and the
//! counter runs its effects as tokio tasks anyway. Exactly-once rests on the caller's ids:
//! the counter picks `charge.id` before it asks, persists it with the sale, and retries
//! with the same id after a timeout or a crash; the gateway answers a repeated id with its
//! first answer and never charges twice.

use std::future::Future;
use std::pin::Pin;

use super::card::{CardBrand, CardNumber};
use super::error::PaymentError;
use super::expiry::Expiry;
use super::refund::Refund;
use crate::money::Money;

/// What a gateway call returns: a future the counter awaits on its effect task.
pub type GatewayFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PaymentError>> + Send + 'a>>;

pub trait PaymentGateway: Send + Sync {
    /// Authorizes and captures `charge`. The same `charge.id` retried returns the first
    /// answer (approval or decline) and never charges twice; the same id with another
    /// amount or card is a `Conflict`.
    fn charge<'a>(&'a self, charge: &'a CardCharge) -> GatewayFuture<'a, Approval>;

    /// Refunds `amount` of the approved charge `charge_id` (a voided piece), once per
    /// `refund_id`; the refunds of a charge never add up to more than it.
    fn refund<'a>(
        &'a self,
        charge_id: &'a str,
        refund_id: &'a str,
        amount: Money,
    ) -> GatewayFuture<'a, Refund>;
}

/// A request to take `amount` from a card. `Debug` shows the card only masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardCharge {
    /// The idempotency key, chosen by the counter before the first attempt.
    pub id: String,
    pub card: CardNumber,
    pub expiry: Expiry,
    pub amount: Money,
}

/// An approved card charge: what the receipt shows and the sale keeps. No card number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub charge_id: String,
    pub approval_code: String,
    pub last4: String,
    pub brand: CardBrand,
    pub amount: Money,
}

/// Refuses an id the stores cannot key on: empty, over 100 characters, or with control
/// characters (ids are shown in messages and statements).
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), PaymentError> {
    if id.is_empty() || id.chars().count() > 100 || id.chars().any(char::is_control) {
        return Err(PaymentError::InvalidInput(format!(
            "{what} {id:?} is not accepted: expected 1 to 100 printable characters"
        )));
    }
    Ok(())
}
