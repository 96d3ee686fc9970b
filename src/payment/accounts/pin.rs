//! Account PINs, kept only as a salted SHA-256.
//!
//! The store never holds a PIN in the clear, so reading the file does not hand over the
//! PINs. A 4-8 digit PIN is short enough that its hash could be brute-forced offline by
//! someone who has the file: what protects an account in service is the lock after
//! [`WRONG_PINS_MAX`] wrong PINs in a row, and keeping the file private.

use sha2::{Digest, Sha256};

use crate::payment::error::PaymentError;

/// Wrong PINs in a row after which an account locks.
pub const WRONG_PINS_MAX: u32 = 5;
const SALT_BYTES: usize = 16;

/// A PIN's salt and salted hash, as stored.
pub(crate) struct PinHash {
    pub(crate) salt: Vec<u8>,
    pub(crate) sha256: Vec<u8>,
}

impl PinHash {
    /// Hashes a new PIN with a fresh random salt, refusing a PIN that is not 4-8 digits.
    pub(crate) fn new(pin: &str) -> Result<PinHash, PaymentError> {
        let well_formed = (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            // The PIN itself is not quoted: it is a secret even when malformed.
            return Err(PaymentError::InvalidInput(format!(
                "a PIN of {} characters is not accepted: expected 4 to 8 digits",
                pin.chars().count()
            )));
        }
        let salt = rand::random::<[u8; SALT_BYTES]>().to_vec();
        let sha256 = salted_sha256(&salt, pin);
        Ok(PinHash { salt, sha256 })
    }

    /// Whether `pin` is the PIN this hash was made from. Compares every byte, so the time
    /// taken does not tell how much of the hash matched.
    pub(crate) fn matches(&self, pin: &str) -> bool {
        let candidate = salted_sha256(&self.salt, pin);
        candidate.len() == self.sha256.len()
            && candidate
                .iter()
                .zip(&self.sha256)
                .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                == 0
    }
}

fn salted_sha256(salt: &[u8], pin: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(pin.as_bytes());
    hasher.finalize().to_vec()
}
