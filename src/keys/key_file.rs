//! Private and public key files.
//!
//! Private keys are PKCS#8 PEM files that only their owner can read: they are created with
//! mode 0600 (never widened after the fact, so there is no moment when another user could
//! read them), written to a temporary name and renamed so that a crash never leaves half a
//! key, and refused at load if the group or others can read them. Public keys are
//! SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), readable by any ECDSA library.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: readable by group or others (mode {mode:o}); a private key must be owner-only: run chmod 600 {path}"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("{path}: not a P-256 key in PEM ({reason})")]
    BadKey { path: PathBuf, reason: String },
}

impl KeyFileError {
    fn io(path: &Path, source: std::io::Error) -> KeyFileError {
        KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn bad(path: &Path, reason: impl ToString) -> KeyFileError {
        KeyFileError::BadKey {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// How a finished file takes its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Replace whatever is there (public material that can be written again).
    Replace,
    /// Fail if the file exists: a key is never replaced, even by a racing second process.
    Exclusive,
}

/// A temporary name no other writer (process or thread) uses at the same time.
fn temporary_name(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(".{}.{unique}.tmp", std::process::id()));
    PathBuf::from(name)
}

/// Writes `text` to `path` atomically with the given mode: written and synced under a
/// temporary name, then renamed (or, exclusively, hard-linked) into place, and the folder
/// synced, so a crash leaves either no file or the whole file.
pub fn write_file_atomically(
    path: &Path,
    text: &[u8],
    mode: u32,
    placement: Placement,
) -> Result<(), KeyFileError> {
    let temporary = temporary_name(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&temporary)
        .map_err(|e| KeyFileError::io(&temporary, e))?;
    let written = file.write_all(text).and_then(|()| file.sync_all());
    let placed = written.and_then(|()| match placement {
        Placement::Replace => fs::rename(&temporary, path),
        Placement::Exclusive => fs::hard_link(&temporary, path),
    });
    let _ = fs::remove_file(&temporary);
    placed.map_err(|e| KeyFileError::io(path, e))?;
    if let Some(parent) = path.parent() {
        // Make the new name itself durable.
        fs::File::open(parent)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| KeyFileError::io(parent, e))?;
    }
    Ok(())
}

pub fn write_private_key(path: &Path, key: &SigningKey) -> Result<(), KeyFileError> {
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyFileError::bad(path, e))?;
    write_file_atomically(path, pem.as_bytes(), 0o600, Placement::Exclusive)
}

pub fn read_private_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    let metadata = fs::metadata(path).map_err(|e| KeyFileError::io(path, e))?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyFileError::TooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    let pem = fs::read_to_string(path).map_err(|e| KeyFileError::io(path, e))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| KeyFileError::bad(path, e))
}

pub fn public_key_pem(key: &VerifyingKey) -> Result<String, String> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())
}

pub fn write_public_key(path: &Path, key: &VerifyingKey) -> Result<(), KeyFileError> {
    let pem = public_key_pem(key).map_err(|e| KeyFileError::bad(path, e))?;
    write_file_atomically(path, pem.as_bytes(), 0o644, Placement::Replace)
}

pub fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyFileError> {
    let pem = fs::read_to_string(path).map_err(|e| KeyFileError::io(path, e))?;
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| KeyFileError::bad(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    #[test]
    fn a_private_key_file_is_owner_only_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("psd.key.pem");
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        write_private_key(&path, &key).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(read_private_key(&path).unwrap(), key);
    }

    #[test]
    fn a_private_key_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root.key.pem");
        write_private_key(&path, &SigningKey::generate_from_rng(&mut rand::rng())).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_private_key(&path).unwrap_err();
        assert!(
            matches!(err, KeyFileError::TooOpen { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"));
    }
}
