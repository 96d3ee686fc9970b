//! The postal security device: registers, a durable ledger, and the signer.
//!
//! [`registers`] is the pure arithmetic of the ascending and descending registers;
//! [`ledger`] makes each change durable (SQLite, WAL, `synchronous=FULL`) and idempotent;
//! [`device`] ties a ledger to a signing key and turns a request into a signed indicium.
pub mod device;
pub mod error;
pub mod keyring;
pub mod ledger;
pub mod registers;
mod withdraw;

pub use device::{IssueRequest, IssuedIndicium, Psd};
pub use error::{PsdError, PsdErrorKind};
pub use keyring::{Keyring, KeyringError};
pub use ledger::{Audit, Ledger, PsdState};
pub use registers::{RegisterError, Registers};
