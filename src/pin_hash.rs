//! A PIN kept only as a salted SHA-256: the postage accounts' PINs and the supervisor's.
//!
//! A 4-8 digit PIN is short enough that its hash could be brute-forced offline by someone
//! who has the file: what protects it in service is a lockout after wrong PINs, and keeping
//! the file private. Comparison looks at every byte, so the time taken does not tell how
//! much of the hash matched.

use sha2::{Digest, Sha256};

/// A PIN is 4 to 8 digits.
pub const PIN_MIN_DIGITS: usize = 4;
pub const PIN_MAX_DIGITS: usize = 8;
const SALT_BYTES: usize = 16;

/// A PIN that is not 4-8 digits. The PIN itself is not quoted: it is a secret even when
/// malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a PIN of {chars} characters is not accepted: expected {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits"
)]
pub struct PinFormatError {
    pub chars: usize,
}

/// A PIN's salt and salted hash, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash {
    pub salt: Vec<u8>,
    pub sha256: Vec<u8>,
}

impl std::fmt::Debug for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHash(..)")
    }
}

impl PinHash {
    /// Hashes a new PIN with a fresh random salt, refusing a PIN that is not 4-8 digits.
    pub fn new(pin: &str) -> Result<PinHash, PinFormatError> {
        let well_formed = (PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&pin.len())
            && pin.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(PinFormatError {
                chars: pin.chars().count(),
            });
        }
        let salt = rand::random::<[u8; SALT_BYTES]>().to_vec();
        let sha256 = salted_sha256(&salt, pin);
        Ok(PinHash { salt, sha256 })
    }

    /// Whether `pin` is the PIN this hash was made from.
    pub fn matches(&self, pin: &str) -> bool {
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
