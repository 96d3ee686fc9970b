//! The update keys: one P-256 key per TUF role, owner-only PEM files in the key store's
//! `updates` folder, made when the repository is made. The root key signs nothing but
//! `root.json`: when the repository is made, and when `admin update-root-rotate` rotates
//! keys, from wherever it is kept offline (`admin update-root-offline` moves it out of the
//! key store; see [`super::repository`]); the targets key signs what `admin` publishes and,
//! yearly, targets again; the snapshot and timestamp keys are the ones a running data centre
//! uses, to re-sign its metadata before it expires.
//!
//! The keys sign for tough's metadata types through [`UpdateKey`], which gives tough the
//! public key as TUF's `ecdsa` / `ecdsa-sha2-nistp256` key (PEM) and signs with ECDSA P-256
//! and SHA-256 in DER, as the specification and python-tuf expect.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_lc_rs::rand::SecureRandom;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::Generate;
use tough::async_trait;
use tough::key_source::KeySource;
use tough::schema::RoleType;
use tough::schema::decoded::{Decoded, Hex};
use tough::schema::key::{EcdsaKey, EcdsaScheme, Key};
use tough::sign::Sign;

use super::RepositoryError;
use crate::keys::key_file::{read_private_key, write_private_key};

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One role's signing key.
#[derive(Clone)]
pub struct UpdateKey(Arc<SigningKey>);

impl std::fmt::Debug for UpdateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UpdateKey(..)")
    }
}

impl UpdateKey {
    /// The key as TUF's metadata lists it.
    pub fn public(&self) -> Key {
        Key::Ecdsa {
            keyval: EcdsaKey {
                public: self
                    .0
                    .verifying_key()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec()
                    .into(),
                _extra: HashMap::new(),
            },
            scheme: EcdsaScheme::EcdsaSha2Nistp256,
            _extra: HashMap::new(),
        }
    }
}

#[async_trait]
impl Sign for UpdateKey {
    fn tuf_key(&self) -> Key {
        self.public()
    }

    async fn sign(
        &self,
        msg: &[u8],
        _rng: &(dyn SecureRandom + Sync),
    ) -> Result<Vec<u8>, BoxError> {
        // RFC 6979 nonces: no randomness needed.
        let signature: DerSignature = self.0.sign(msg);
        Ok(signature.as_bytes().to_vec())
    }
}

#[async_trait]
impl KeySource for UpdateKey {
    async fn as_sign(&self) -> Result<Box<dyn Sign>, BoxError> {
        Ok(Box::new(self.clone()))
    }

    async fn write(&self, _value: &str, _key_id_hex: &str) -> Result<(), BoxError> {
        Err("update keys are written by the key store, not through tough".into())
    }
}

impl UpdateKey {
    /// The key's TUF key id (the SHA-256 of its canonical public form).
    pub fn key_id(&self) -> Result<Decoded<Hex>, RepositoryError> {
        self.public()
            .key_id()
            .map_err(|e| RepositoryError::signing(e.to_string()))
    }

    /// Writes the key to `path`, owner-only, failing if a file is there.
    pub fn write_exclusive(&self, path: &Path) -> Result<(), RepositoryError> {
        write_private_key(path, &self.0).map_err(|e| RepositoryError::keys(e.to_string()))
    }
}

/// The key in the PEM file `path` (owner-only), wherever it is kept.
pub fn load_file(path: &Path) -> Result<UpdateKey, RepositoryError> {
    read_private_key(path)
        .map(|key| UpdateKey(Arc::new(key)))
        .map_err(|e| RepositoryError::keys(e.to_string()))
}

/// The key in `path`, made there first (owner-only, exclusively) when there is none.
pub fn load_or_create_file(path: &Path) -> Result<UpdateKey, RepositoryError> {
    if !path.exists() {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        if let Err(e) = write_private_key(path, &key) {
            log::info!("{}: another process made it first ({e})", path.display());
        }
    }
    load_file(path)
}

/// The folder of the update keys in a key store.
pub fn keys_folder(keys_dir: &Path) -> PathBuf {
    keys_dir.join("updates")
}

/// The key of `role` in `keys_dir`'s update folder.
pub fn load(keys_dir: &Path, role: RoleType) -> Result<UpdateKey, RepositoryError> {
    let path = key_path(keys_dir, role);
    load_file(&path).map_err(|e| RepositoryError::keys(format!("the update {role} key: {e}")))
}

/// Makes the key of `role` unless there is one (exclusively: of two processes making it at
/// once, both load the one that won).
pub fn load_or_create(keys_dir: &Path, role: RoleType) -> Result<UpdateKey, RepositoryError> {
    let folder = keys_folder(keys_dir);
    crate::private_files::private_dir(&folder)
        .map_err(|e| RepositoryError::io(&folder, e.to_string()))?;
    load_or_create_file(&key_path(keys_dir, role))
        .map_err(|e| RepositoryError::keys(format!("the update {role} key: {e}")))
}

/// Where `role`'s key lies in `keys_dir` (the root's only until it is taken offline).
pub fn key_path(keys_dir: &Path, role: RoleType) -> PathBuf {
    keys_folder(keys_dir).join(format!("{role}.key.pem"))
}
