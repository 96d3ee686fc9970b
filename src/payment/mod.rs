//! Taking money other than cash: cards through a [`PaymentGateway`], and prepaid postage
//! accounts.
//!
//! The counter issues nothing before a payment is approved, and no value may be created or
//! lost by a crash, a retry or bad input. So every request carries an id the counter chose
//! and kept before asking, every answer is durable before it is returned, and a repeated id
//! gets the first answer. Card numbers are checked locally (length, Luhn, expiry) and never
//! leave memory except masked; postage accounts live in the same SQLite [`PaymentStore`] as
//! the built-in [`TestGateway`]'s answers.
//!
//! - [`card`], [`expiry`]: the card number and expiry a clerk types.
//! - [`gateway`]: the processor trait; [`test_gateway`]: the built-in simulated processor.
//! - [`accounts`]: prepaid postage accounts with PINs; [`refund`]: the refund rules.
//! - [`store`]: the SQLite file both keep their records in; [`error`]: `PaymentError`.

pub mod accounts;
pub mod card;
pub mod error;
pub mod expiry;
pub mod gateway;
mod luhn;
pub mod refund;
pub mod store;
pub mod test_gateway;

pub use accounts::{
    AccountCharge, AccountEntry, AccountNumber, EntryKind, PostageAccounts, WRONG_PINS_MAX,
};
pub use card::{CardBrand, CardError, CardErrorKind, CardNumber};
pub use error::{PaymentError, PaymentErrorKind};
pub use expiry::Expiry;
pub use gateway::{Approval, CardCharge, GatewayFuture, PaymentGateway};
pub use refund::Refund;
pub use store::{Clock, PaymentStore};
pub use test_gateway::TestGateway;
