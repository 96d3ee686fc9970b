//! A PIN kept only as an Argon2id hash in a PHC string (`$argon2id$v=19$m=...`): the postage
//! accounts' PINs and the supervisor's.
//!
//! A 4-8 digit PIN has at most 10^8 values, so whoever copies the file can try them all: a
//! salted SHA-256 (what earlier versions kept) falls to one core in about a minute. Argon2id
//! makes each try cost tens of milliseconds and 19 MiB of memory, which turns that minute
//! into weeks; what protects a PIN in service is still the lockout after wrong PINs and the
//! file's owner-only mode. A hash of the old kind is still read, so nobody is locked out by
//! an upgrade, and it is replaced by an Argon2id hash at the next correct entry
//! ([`PinHash::is_legacy`]).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// A PIN is 4 to 8 digits.
pub const PIN_MIN_DIGITS: usize = 4;
pub const PIN_MAX_DIGITS: usize = 8;
/// How a hash of the old kind is written: `sha256$<salt hex>$<digest hex>`.
const LEGACY_PREFIX: &str = "sha256$";

/// A PIN that is not 4-8 digits. The PIN itself is not quoted: it is a secret even when
/// malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a PIN of {chars} characters is not accepted: expected {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits"
)]
pub struct PinFormatError {
    pub chars: usize,
}

/// A stored PIN hash that cannot be read (an edited file or row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a PIN hash: expected an Argon2id PHC string ($argon2id$v=19$...) or sha256$<salt hex>$<digest hex>"
)]
pub struct PinHashParseError;

/// A PIN's hash, as stored.
#[derive(Clone, PartialEq, Eq)]
pub enum PinHash {
    /// An Argon2id PHC string, with its own salt and parameters.
    Argon2id(String),
    /// A salted SHA-256 from before Argon2id, kept until the next correct entry.
    LegacySha256 { salt: Vec<u8>, sha256: Vec<u8> },
}

impl std::fmt::Debug for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHash(..)")
    }
}

impl PinHash {
    /// Hashes a new PIN with Argon2id and a fresh random salt, refusing a PIN that is not
    /// 4-8 digits.
    pub fn new(pin: &str) -> Result<PinHash, PinFormatError> {
        let well_formed = (PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&pin.len())
            && pin.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(PinFormatError {
                chars: pin.chars().count(),
            });
        }
        // Hashing fails only without a random source for the salt: nothing can be kept then.
        let hash = Argon2::default()
            .hash_password(pin.as_bytes())
            .map_err(|_| PinFormatError {
                chars: pin.chars().count(),
            })?;
        Ok(PinHash::Argon2id(hash.to_string()))
    }

    /// Reads a hash as [`PinHash::stored`] wrote it.
    pub fn parse(stored: &str) -> Result<PinHash, PinHashParseError> {
        let stored = stored.trim();
        if let Some(rest) = stored.strip_prefix(LEGACY_PREFIX) {
            let (salt, sha256) = rest.split_once('$').ok_or(PinHashParseError)?;
            let salt = crate::hex::decode(salt).filter(|s| s.len() == 16);
            let sha256 = crate::hex::decode(sha256).filter(|d| d.len() == 32);
            return match (salt, sha256) {
                (Some(salt), Some(sha256)) => Ok(PinHash::LegacySha256 { salt, sha256 }),
                _ => Err(PinHashParseError),
            };
        }
        let parsed = PasswordHash::new(stored).map_err(|_| PinHashParseError)?;
        if parsed.algorithm.as_str() != "argon2id" {
            return Err(PinHashParseError);
        }
        Ok(PinHash::Argon2id(stored.to_string()))
    }

    /// The text to store: the PHC string, or the old hash in its `sha256$` form.
    pub fn stored(&self) -> String {
        match self {
            PinHash::Argon2id(phc) => phc.clone(),
            PinHash::LegacySha256 { salt, sha256 } => format!(
                "{LEGACY_PREFIX}{}${}",
                crate::hex::encode(salt),
                crate::hex::encode(sha256)
            ),
        }
    }

    /// Whether this is a hash of the old kind, to replace once the right PIN is entered.
    pub fn is_legacy(&self) -> bool {
        matches!(self, PinHash::LegacySha256 { .. })
    }

    /// Whether `pin` is the PIN this hash was made from.
    pub fn matches(&self, pin: &str) -> bool {
        match self {
            PinHash::Argon2id(phc) => PasswordHash::new(phc).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(pin.as_bytes(), &parsed)
                    .is_ok()
            }),
            PinHash::LegacySha256 { salt, sha256 } => {
                let candidate = salted_sha256(salt, pin);
                // Every byte is compared, so the time taken does not tell how much matched.
                candidate.len() == sha256.len()
                    && candidate
                        .iter()
                        .zip(sha256)
                        .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                        == 0
            }
        }
    }
}

fn salted_sha256(salt: &[u8], pin: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(pin.as_bytes());
    hasher.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_pin_is_an_argon2id_phc_string_that_only_its_pin_matches() {
        let hash = PinHash::new("24681357").unwrap();
        let stored = hash.stored();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(!stored.contains("24681357"));
        let back = PinHash::parse(&stored).unwrap();
        assert!(back.matches("24681357"));
        assert!(!back.matches("24681358"));
        assert!(!back.is_legacy());
        assert_ne!(PinHash::new("24681357").unwrap().stored(), stored, "salted");
    }

    #[test]
    fn an_old_salted_sha256_still_matches_and_says_it_is_legacy() {
        let salt = vec![7u8; 16];
        let legacy = PinHash::LegacySha256 {
            sha256: salted_sha256(&salt, "1234"),
            salt,
        };
        let back = PinHash::parse(&legacy.stored()).unwrap();
        assert!(back.is_legacy());
        assert!(back.matches("1234"));
        assert!(!back.matches("1235"));
    }

    #[test]
    fn what_is_not_a_pin_hash_is_refused() {
        for text in ["", "sha256$00$11", "$pbkdf2-sha256$i=1$abc$def", "hunter2"] {
            assert_eq!(PinHash::parse(text), Err(PinHashParseError), "{text:?}");
        }
    }
}
