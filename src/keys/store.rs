//! The data centre's key store: a directory of PEM files.
//!
//! ```text
//! keys/                     mode 0700
//!   root.key.pem            root generation 1's private key (PKCS#8, 0600): the anchor
//!   root.pub.pem            its public key (SPKI): what every verifier is given once
//!   root-<n>.key.pem        root generation n's private key, after a rollover
//!   link-<n>.pem            generation n's public key, signed by generation n-1
//!   psd-<id>.key.pem        a central PSD's signing key, for the software cryptographic module
//!   psd-<id>.cert.pem       its certificate
//! ```
//! Only the data centre has one: a station holds no root private key, and its embedded PSD's
//! key and certificates live in its own folder (`station::embedded_keys`). The newest root
//! generation signs every new certificate and grant; the older ones stay, so their links and
//! certificates keep verifying.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate;

use super::certificate::{AscendingRange, CertificateError, PsdCertificate};
use super::key_file::{self, KeyFileError, Placement};
use super::root_link::{RootLink, RootLinkError};
use super::signer::PsdSigner;
use super::trust::Trust;
use crate::date::Date;

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error(transparent)]
    File(#[from] KeyFileError),
    #[error("{path}: {source}")]
    Certificate {
        path: PathBuf,
        source: CertificateError,
    },
    #[error("{0}: the PSD key does not match the public key in its certificate")]
    KeyMismatch(PathBuf),
    #[error("{0} already exists; refusing to replace a key")]
    Exists(PathBuf),
    #[error(
        "certificate serial {serial} is already held by PSD {psd_id}; choose another certificate_serial"
    )]
    SerialInUse { serial: u32, psd_id: u32 },
    #[error("{path}: {source}")]
    Link {
        path: PathBuf,
        source: RootLinkError,
    },
    #[error("no root key in {0}: this is not a data centre's key store")]
    NoRoot(PathBuf),
}

#[derive(Clone, Debug)]
pub struct KeyStore {
    dir: PathBuf,
}

impl KeyStore {
    /// Opens (creating, or tightening, owner-only) the key directory.
    pub fn open(dir: &Path) -> Result<KeyStore, KeyStoreError> {
        crate::private_files::private_dir(dir).map_err(|source| KeyFileError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(KeyStore {
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn root_key_path(&self) -> PathBuf {
        self.generation_key_path(1)
    }

    /// Generation 1 is `root.key.pem` (the first layout); later ones `root-<n>.key.pem`.
    fn generation_key_path(&self, generation: u32) -> PathBuf {
        match generation {
            1 => self.dir.join("root.key.pem"),
            n => self.dir.join(format!("root-{n}.key.pem")),
        }
    }

    fn link_path(&self, generation: u32) -> PathBuf {
        self.dir.join(format!("link-{generation}.pem"))
    }

    /// The newest root generation and its private key: what signs certificates and grants.
    pub fn current_root(&self) -> Result<(u32, SigningKey), KeyStoreError> {
        if !self.has_root() {
            return Err(KeyStoreError::NoRoot(self.dir.clone()));
        }
        let mut generation = 1;
        while self.generation_key_path(generation + 1).exists() {
            generation += 1;
        }
        Ok((
            generation,
            key_file::read_private_key(&self.generation_key_path(generation))?,
        ))
    }

    /// Every root link, generation 2 upwards.
    pub fn links(&self) -> Result<Vec<RootLink>, KeyStoreError> {
        let (current, _) = self.current_root()?;
        (2..=current)
            .map(|generation| {
                let path = self.link_path(generation);
                let text = fs::read_to_string(&path).map_err(|source| KeyFileError::Io {
                    path: path.clone(),
                    source,
                })?;
                RootLink::from_pem(&text).map_err(|source| KeyStoreError::Link { path, source })
            })
            .collect()
    }

    /// Rolls the root over: a new generation's key, linked by the current one from
    /// `valid_from`. The old keys stay, so what they signed keeps verifying; what is signed
    /// from now on is signed by the new one.
    pub fn rollover_root(&self, valid_from: Date) -> Result<RootLink, KeyStoreError> {
        let (current, previous) = self.current_root()?;
        let generation = current + 1;
        let next = SigningKey::generate_from_rng(&mut rand::rng());
        let link_path = self.link_path(generation);
        let link = RootLink::issue(&previous, generation, *next.verifying_key(), valid_from)
            .and_then(|link| link.to_pem().map(|pem| (link, pem)));
        let (link, pem) = link.map_err(|source| KeyStoreError::Link {
            path: link_path.clone(),
            source,
        })?;
        // The link first: a key without its link would be a generation nobody can trust.
        key_file::write_file_atomically(&link_path, pem.as_bytes(), 0o644, Placement::Exclusive)?;
        key_file::write_private_key(&self.generation_key_path(generation), &next)?;
        Ok(link)
    }

    /// What a verifier needs of this store's roots, with `certificates`.
    pub fn trust(&self, certificates: Vec<PsdCertificate>) -> Result<Trust, KeyStoreError> {
        let mut trust = Trust::anchored(self.root_public_key()?);
        trust.links = self.links()?;
        trust.certificates = certificates;
        Ok(trust)
    }

    /// Certifies `public_key` for PSD `psd_id` under `serial` at any register, signed by the
    /// current root: a central PSD's key, which never leaves the data centre.
    pub fn certify(
        &self,
        psd_id: u32,
        serial: u32,
        public_key: VerifyingKey,
        valid_from: Date,
        valid_until: Date,
    ) -> Result<PsdCertificate, KeyStoreError> {
        self.certify_within(
            (psd_id, serial, public_key),
            (valid_from, valid_until),
            AscendingRange::Any,
        )
    }

    /// Certifies PSD `psd_id`'s `public_key` under `serial`, from `valid.0` through `valid.1`,
    /// for pieces whose ascending register is in `ascending`: an embedded PSD's key
    /// certificate (the empty range) and its lease certificates.
    pub fn certify_within(
        &self,
        (psd_id, serial, public_key): (u32, u32, VerifyingKey),
        (valid_from, valid_until): (Date, Date),
        ascending: AscendingRange,
    ) -> Result<PsdCertificate, KeyStoreError> {
        let (_, root) = self.current_root()?;
        PsdCertificate::issue_within(
            &root,
            (serial, psd_id, public_key),
            (valid_from, valid_until),
            ascending,
        )
        .map_err(|source| KeyStoreError::Certificate {
            path: self.dir.clone(),
            source,
        })
    }

    pub fn root_public_path(&self) -> PathBuf {
        self.dir.join("root.pub.pem")
    }

    fn psd_key_path(&self, psd_id: u32) -> PathBuf {
        self.dir.join(format!("psd-{psd_id}.key.pem"))
    }

    pub fn psd_certificate_path(&self, psd_id: u32) -> PathBuf {
        self.dir.join(format!("psd-{psd_id}.cert.pem"))
    }

    pub fn has_root(&self) -> bool {
        self.root_key_path().exists()
    }

    pub fn has_psd(&self, psd_id: u32) -> bool {
        self.psd_key_path(psd_id).exists() && self.psd_certificate_path(psd_id).exists()
    }

    /// Creates the vendor root key pair. Refuses to replace one: every certificate it signed
    /// would stop verifying (the private key is linked into place exclusively, so a second
    /// process racing on a first run fails instead of replacing it).
    pub fn create_root(&self) -> Result<VerifyingKey, KeyStoreError> {
        if self.has_root() {
            return Err(KeyStoreError::Exists(self.root_key_path()));
        }
        let root = SigningKey::generate_from_rng(&mut rand::rng());
        key_file::write_private_key(&self.root_key_path(), &root)?;
        key_file::write_public_key(&self.root_public_path(), root.verifying_key())?;
        Ok(*root.verifying_key())
    }

    /// The root public key; written again from the private key if a crash lost it.
    pub fn root_public_key(&self) -> Result<VerifyingKey, KeyStoreError> {
        let public_path = self.root_public_path();
        if !public_path.exists() && self.has_root() {
            let root = key_file::read_private_key(&self.root_key_path())?;
            key_file::write_public_key(&public_path, root.verifying_key())?;
        }
        Ok(key_file::read_public_key(&public_path)?)
    }

    /// Creates a PSD key and its certificate, signed by the root key. A key left without
    /// its certificate by a crash is certified rather than replaced. A certificate serial
    /// already held by another PSD is refused: verifiers look certificates up by serial.
    pub fn create_psd(
        &self,
        psd_id: u32,
        certificate_serial: u32,
        valid_from: Date,
        valid_until: Date,
    ) -> Result<PsdSigner, KeyStoreError> {
        let key_path = self.psd_key_path(psd_id);
        let cert_path = self.psd_certificate_path(psd_id);
        if cert_path.exists() {
            return Err(KeyStoreError::Exists(cert_path));
        }
        if let Some(other) = self
            .certificates()?
            .into_iter()
            .find(|c| c.serial == certificate_serial && c.psd_id != psd_id)
        {
            return Err(KeyStoreError::SerialInUse {
                serial: certificate_serial,
                psd_id: other.psd_id,
            });
        }
        let key = if key_path.exists() {
            key_file::read_private_key(&key_path)?
        } else {
            let key = SigningKey::generate_from_rng(&mut rand::rng());
            key_file::write_private_key(&key_path, &key)?;
            key
        };
        let certificate = self.certify(
            psd_id,
            certificate_serial,
            *key.verifying_key(),
            valid_from,
            valid_until,
        )?;
        let pem = certificate
            .to_pem()
            .map_err(|source| KeyStoreError::Certificate {
                path: cert_path.clone(),
                source,
            })?;
        key_file::write_file_atomically(&cert_path, pem.as_bytes(), 0o644, Placement::Exclusive)?;
        PsdSigner::new(key, certificate).ok_or(KeyStoreError::KeyMismatch(cert_path))
    }

    pub fn psd_signer(&self, psd_id: u32) -> Result<PsdSigner, KeyStoreError> {
        let key = key_file::read_private_key(&self.psd_key_path(psd_id))?;
        let certificate = read_certificate(&self.psd_certificate_path(psd_id))?;
        PsdSigner::new(key, certificate)
            .ok_or_else(|| KeyStoreError::KeyMismatch(self.psd_key_path(psd_id)))
    }

    /// Every PSD certificate in the store.
    pub fn certificates(&self) -> Result<Vec<PsdCertificate>, KeyStoreError> {
        let entries = fs::read_dir(&self.dir).map_err(|source| KeyFileError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let mut certificates = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.to_string_lossy().ends_with(".cert.pem") {
                certificates.push(read_certificate(&path)?);
            }
        }
        certificates.sort_by_key(|c| c.serial);
        Ok(certificates)
    }

    /// Writes what a verifier needs, and nothing secret: the root public key, and for every
    /// PSD its certificate and its public key as SPKI PEM. Returns the files written.
    pub fn export_public(&self, out_dir: &Path) -> Result<Vec<PathBuf>, KeyStoreError> {
        fs::create_dir_all(out_dir).map_err(|source| KeyFileError::Io {
            path: out_dir.to_path_buf(),
            source,
        })?;
        let mut written = vec![out_dir.join("root.pub.pem")];
        key_file::write_public_key(&written[0], &self.root_public_key()?)?;
        for certificate in self.certificates()? {
            let cert_path = out_dir.join(format!("psd-{}.cert.pem", certificate.psd_id));
            let pem = certificate
                .to_pem()
                .map_err(|source| KeyStoreError::Certificate {
                    path: cert_path.clone(),
                    source,
                })?;
            key_file::write_file_atomically(&cert_path, pem.as_bytes(), 0o644, Placement::Replace)?;
            let pub_path = out_dir.join(format!("psd-{}.pub.pem", certificate.psd_id));
            key_file::write_public_key(&pub_path, &certificate.public_key)?;
            written.extend([cert_path, pub_path]);
        }
        Ok(written)
    }
}

pub fn read_certificate(path: &Path) -> Result<PsdCertificate, KeyStoreError> {
    let pem = fs::read_to_string(path).map_err(|source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    PsdCertificate::from_pem(&pem).map_err(|source| KeyStoreError::Certificate {
        path: path.to_path_buf(),
        source,
    })
}

/// Owner-only check for the key directory, used by diagnostics.
pub fn is_owner_only(path: &Path) -> bool {
    fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 == 0)
        .unwrap_or(false)
}
