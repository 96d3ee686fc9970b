//! The supervisor's PIN: kept only as a salted SHA-256 ([`PinHash`], as account PINs are) in
//! `<data dir>/supervisor-pin` (owner-only, written atomically by `postcounter pin set`).
//!
//! There is no default PIN: until one is set, the supervisor screen says how to set it.
//! A default or generated PIN would sit on every fresh kiosk, known or shown to whoever saw
//! the first start.

use std::path::{Path, PathBuf};

use crate::keys::key_file::{Placement, write_file_atomically};
use crate::pin_hash::{PinFormatError, PinHash};

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(transparent)]
    Format(#[from] PinFormatError),
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
}

/// A salted digest of the supervisor's PIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorPin(PinHash);

impl SupervisorPin {
    /// The digest of `pin` under a fresh random salt.
    pub fn new(pin: &str) -> Result<SupervisorPin, PinError> {
        Ok(SupervisorPin(PinHash::new(pin)?))
    }

    /// Whether `typed` is the PIN.
    pub fn matches(&self, typed: &str) -> bool {
        self.0.matches(typed)
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("supervisor-pin")
    }

    /// The PIN set for this data directory, if any.
    pub fn load(data_dir: &Path) -> Result<Option<SupervisorPin>, PinError> {
        let path = SupervisorPin::path(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(PinError::File {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        let bad = || {
            PinError::File {
            path: path.clone(),
            reason: "not a PIN digest (expected 'sha256 <salt hex> <digest hex>'): set the PIN again with `postcounter pin set`".into(),
        }
        };
        let mut words = text.split_whitespace();
        if words.next() != Some("sha256") {
            return Err(bad());
        }
        let salt = words.next().and_then(from_hex::<16>).ok_or_else(bad)?;
        let sha256 = words.next().and_then(from_hex::<32>).ok_or_else(bad)?;
        Ok(Some(SupervisorPin(PinHash {
            salt: salt.to_vec(),
            sha256: sha256.to_vec(),
        })))
    }

    /// Stores the digest for `data_dir`, replacing any earlier PIN.
    pub fn save(&self, data_dir: &Path) -> Result<PathBuf, PinError> {
        let path = SupervisorPin::path(data_dir);
        let text = format!(
            "sha256 {} {}\n",
            crate::hex::encode(&self.0.salt),
            crate::hex::encode(&self.0.sha256)
        );
        write_file_atomically(&path, text.as_bytes(), 0o600, Placement::Replace).map_err(|e| {
            PinError::File {
                path: path.clone(),
                reason: e.to_string(),
            }
        })?;
        Ok(path)
    }
}

fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    crate::hex::decode(text)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_pin_matches_and_the_file_keeps_no_pin_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let pin = SupervisorPin::new("2468").unwrap();
        pin.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(SupervisorPin::path(dir.path())).unwrap();
        assert!(!text.contains("2468"));
        let loaded = SupervisorPin::load(dir.path()).unwrap().unwrap();
        assert!(loaded.matches("2468"));
        assert!(!loaded.matches("2469"));
        assert!(!loaded.matches(""));
    }

    #[test]
    fn a_pin_must_be_four_to_eight_digits() {
        for bad in ["123", "123456789", "12a4", ""] {
            assert!(SupervisorPin::new(bad).is_err(), "{bad:?}");
        }
        assert!(SupervisorPin::new("12345678").is_ok());
    }
}
