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

/// Writes `text` to `path` atomically with the given mode; an existing file is replaced.
pub fn write_file_atomically(path: &Path, text: &[u8], mode: u32) -> Result<(), KeyFileError> {
    let temporary = path.with_extension("tmp");
    let _ = fs::remove_file(&temporary);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&temporary)
        .map_err(|e| KeyFileError::io(&temporary, e))?;
    file.write_all(text)
        .and_then(|()| file.sync_all())
        .map_err(|e| KeyFileError::io(&temporary, e))?;
    fs::rename(&temporary, path).map_err(|e| KeyFileError::io(path, e))?;
    if let Some(parent) = path.parent() {
        // Make the rename itself durable.
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
    write_file_atomically(path, pem.as_bytes(), 0o600)
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
    write_file_atomically(path, pem.as_bytes(), 0o644)
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
