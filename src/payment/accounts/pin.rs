//! Account PINs, kept only as Argon2id hashes ([`PinHash`]); an account locks after
//! [`WRONG_PINS_MAX`] wrong PINs in a row, which is what protects a short PIN in service.

pub(crate) use crate::pin_hash::PinHash;

/// Wrong PINs in a row after which an account locks.
pub const WRONG_PINS_MAX: u32 = 5;
