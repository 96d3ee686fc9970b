//! The supervisor's PIN: kept only as an Argon2id PHC string ([`PinHash`], as account PINs
//! are) in `<data dir>/supervisor-pin` (owner-only, written atomically by `postcounter pin
//! set`). A file of the old kind (`sha256 <salt hex> <digest hex>`) is still read, and
//! rewritten as Argon2id at the next correct entry.
//!
//! There is no default PIN: until one is set, the supervisor screen says how to set it.
//! A default or generated PIN would sit on every fresh kiosk, known or shown to whoever saw
//! the first start.

use std::path::{Path, PathBuf};

use crate::keys::key_file::{Placement, write_file_atomically};
use crate::pin_hash::{PinFormatError, PinHash, PinHashParseError};

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(transparent)]
    Format(#[from] PinFormatError),
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
}

/// The hash of the supervisor's PIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorPin(PinHash);

impl SupervisorPin {
    /// The Argon2id hash of `pin` under a fresh random salt.
    pub fn new(pin: &str) -> Result<SupervisorPin, PinError> {
        Ok(SupervisorPin(PinHash::new(pin)?))
    }

    /// Whether `typed` is the PIN.
    pub fn matches(&self, typed: &str) -> bool {
        self.0.matches(typed)
    }

    /// Whether the file holds a hash of the old kind, to rewrite once the PIN is entered.
    pub fn is_legacy(&self) -> bool {
        self.0.is_legacy()
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
        let bad = |reason: String| PinError::File {
            path: path.clone(),
            reason: format!("{reason}: set the PIN again with `postcounter pin set`"),
        };
        // The first kind of file: "sha256 <salt hex> <digest hex>".
        let words: Vec<&str> = text.split_whitespace().collect();
        let stored = match words.as_slice() {
            ["sha256", salt, digest] => format!("sha256${salt}${digest}"),
            [one] => (*one).to_string(),
            _ => return Err(bad(PinHashParseError.to_string())),
        };
        let hash = PinHash::parse(&stored).map_err(|e| bad(e.to_string()))?;
        Ok(Some(SupervisorPin(hash)))
    }

    /// Stores the digest for `data_dir`, replacing any earlier PIN.
    pub fn save(&self, data_dir: &Path) -> Result<PathBuf, PinError> {
        let path = SupervisorPin::path(data_dir);
        let text = format!("{}\n", self.0.stored());
        write_file_atomically(&path, text.as_bytes(), 0o600, Placement::Replace).map_err(|e| {
            PinError::File {
                path: path.clone(),
                reason: e.to_string(),
            }
        })?;
        Ok(path)
    }
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
    fn a_file_of_the_old_kind_still_opens_the_screen_and_says_it_is_legacy() {
        let dir = tempfile::tempdir().unwrap();
        // sha256 over the salt (sixteen 0x07 bytes) then "1234", as earlier versions wrote it.
        let salt = [7u8; 16];
        let digest = {
            use sha2::{Digest, Sha256};
            let mut hasher = Sha256::new();
            hasher.update(salt);
            hasher.update(b"1234");
            hasher.finalize()
        };
        let text = format!(
            "sha256 {} {}\n",
            crate::hex::encode(&salt),
            crate::hex::encode(&digest)
        );
        std::fs::write(SupervisorPin::path(dir.path()), text).unwrap();
        let loaded = SupervisorPin::load(dir.path()).unwrap().unwrap();
        assert!(loaded.is_legacy());
        assert!(loaded.matches("1234"));
        assert!(!loaded.matches("4321"));
    }

    #[test]
    fn a_pin_must_be_four_to_eight_digits() {
        for bad in ["123", "123456789", "12a4", ""] {
            assert!(SupervisorPin::new(bad).is_err(), "{bad:?}");
        }
        assert!(SupervisorPin::new("12345678").is_ok());
    }
}
