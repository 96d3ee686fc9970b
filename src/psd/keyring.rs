//! The station's keyring for its embedded PSD: a key it generated, certified by the data
//! centre, and what it trusts. It holds no root private key: the PSD's id and certificate
//! come from the data centre's key management, and the trust (the data centre's anchor root,
//! its root links, certificates and status list) from the data centre's answers.
//!
//! ```text
//! keys/                      mode 0700
//!   psd-pending.key.pem      a new key awaiting its certificate (PKCS#8, 0600)
//!   psd-<id>.key.pem         the embedded PSD's current key (PKCS#8, 0600)
//!   trust/                   anchor, links, certificates, status list (see keys::trust)
//! ```
//! A key is certified in three steps that each survive a crash: the pending key is made
//! (and kept until certified, so a retried request certifies the same key), its
//! certificate joins the trust, and the pending key is renamed over the current one. The
//! signer is the current key with the certificate in the trust whose key it is, so a crash
//! between the last two steps leaves the old key and the old certificate, never a mismatch.

use std::fs;
use std::path::{Path, PathBuf};

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;

use crate::date::Date;
use crate::keys::key_file::{self, KeyFileError};
use crate::keys::{PsdCertificate, PsdSigner, Trust, TrustError};

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error(transparent)]
    File(#[from] KeyFileError),
    #[error(transparent)]
    Trust(#[from] TrustError),
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error(
        "{0} holds a root private key: a station holds none (every PSD is certified by its data centre). This data directory is from an earlier postcounter whose counter was its own root and funded itself; start with a new data directory"
    )]
    RootOnStation(PathBuf),
    #[error(
        "the data centre's anchor root in {held} is not the one it answered with now; a new root comes only through a link from the old one"
    )]
    AnchorChanged { held: PathBuf },
    #[error("{0}")]
    Refused(String),
}

/// The embedded PSD's keys and the station's trust, in `<data dir>/keys`.
#[derive(Clone, Debug)]
pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    pub fn dir_in(data_dir: &Path) -> PathBuf {
        data_dir.join("keys")
    }

    /// Opens (creating owner-only) the keyring; a root private key in it is refused.
    pub fn open(data_dir: &Path) -> Result<Keyring, KeyringError> {
        let dir = Keyring::dir_in(data_dir);
        crate::private_files::private_dir(&dir).map_err(|e| io(&dir, e))?;
        let root = dir.join("root.key.pem");
        if root.exists() {
            return Err(KeyringError::RootOnStation(root));
        }
        let keyring = Keyring { dir };
        let trust = keyring.trust_dir();
        if trust.exists() {
            crate::private_files::private_dir(&trust).map_err(|e| io(&trust, e))?;
        }
        Ok(keyring)
    }

    pub fn trust_dir(&self) -> PathBuf {
        self.dir.join("trust")
    }

    fn pending_path(&self) -> PathBuf {
        self.dir.join("psd-pending.key.pem")
    }

    fn key_path(&self, psd_id: u32) -> PathBuf {
        self.dir.join(format!("psd-{psd_id}.key.pem"))
    }

    /// The trust held; `None` before the data centre first answered.
    pub fn trust(&self) -> Result<Option<Trust>, KeyringError> {
        if !self.trust_dir().join("root.pub.pem").exists() {
            return Ok(None);
        }
        Ok(Some(Trust::load_dir(&self.trust_dir())?))
    }

    /// Merges what the data centre answered into the trust held (the first answer is
    /// taken as the anchor), and returns the result.
    pub fn absorb(&self, received: Trust) -> Result<Trust, KeyringError> {
        let trust = match self.trust()? {
            None => {
                received.roots()?;
                if let Some(status) = &received.status {
                    received.check_status(status)?;
                }
                received
            }
            Some(mut held) => {
                if held.anchor != received.anchor {
                    return Err(KeyringError::AnchorChanged {
                        held: self.trust_dir(),
                    });
                }
                held.absorb(received)?;
                held
            }
        };
        trust.write_dir(&self.trust_dir())?;
        Ok(trust)
    }

    /// The key awaiting a certificate: made (owner-only) the first time, the same one on
    /// every retry until it is certified.
    pub fn pending_key(&self) -> Result<SigningKey, KeyringError> {
        let path = self.pending_path();
        if !path.exists() {
            let key = SigningKey::generate_from_rng(&mut rand::rng());
            key_file::write_private_key(&path, &key)?;
        }
        Ok(key_file::read_private_key(&path)?)
    }

    /// Makes the pending key the PSD's current key, now that `certificate` (held in the
    /// trust, vouched for by its roots) certifies it.
    pub fn install(&self, certificate: &PsdCertificate) -> Result<PsdSigner, KeyringError> {
        let trust = self.trust()?.ok_or_else(|| {
            KeyringError::Refused("no trust is held yet to check the certificate with".into())
        })?;
        if !trust.vouches_for(certificate)? || !trust.certificates.contains(certificate) {
            return Err(KeyringError::Refused(format!(
                "certificate {} is not one the data centre's trust holds",
                certificate.serial
            )));
        }
        let pending = self.pending_key()?;
        let signer = PsdSigner::new(pending, certificate.clone()).ok_or_else(|| {
            KeyringError::Refused(format!(
                "certificate {} is not for this station's pending key",
                certificate.serial
            ))
        })?;
        let current = self.key_path(certificate.psd_id);
        fs::rename(self.pending_path(), &current).map_err(|e| io(&current, e))?;
        crate::private_files::sync_dir(&self.dir).map_err(|e| io(&self.dir, e))?;
        Ok(signer)
    }

    /// The embedded PSD's id, once a key of it is installed.
    pub fn psd_id(&self) -> Result<Option<u32>, KeyringError> {
        let entries = fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))?;
        let mut ids = Vec::new();
        for entry in entries {
            let name = entry.map_err(|e| io(&self.dir, e))?.file_name();
            let name = name.to_string_lossy();
            if let Some(id) = name
                .strip_prefix("psd-")
                .and_then(|rest| rest.strip_suffix(".key.pem"))
                .and_then(|id| id.parse::<u32>().ok())
            {
                ids.push(id);
            }
        }
        match ids.as_slice() {
            [] => Ok(None),
            [id] => Ok(Some(*id)),
            more => Err(KeyringError::Refused(format!(
                "{} holds the keys of several embedded PSDs ({more:?}); a station has one",
                self.dir.display()
            ))),
        }
    }

    /// The current key with its certificate (the key certificate in the trust whose key it
    /// is, the newest if renewed), once the PSD is certified.
    pub fn signer(&self) -> Result<Option<PsdSigner>, KeyringError> {
        let (Some(psd_id), Some(trust)) = (self.psd_id()?, self.trust()?) else {
            return Ok(None);
        };
        let key = key_file::read_private_key(&self.key_path(psd_id))?;
        let certificate = trust
            .certificates
            .iter()
            .filter(|c| c.psd_id == psd_id && c.public_key == *key.verifying_key() && !c.is_lease())
            .max_by_key(|c| c.serial)
            .cloned()
            .ok_or_else(|| {
                KeyringError::Refused(format!(
                    "the trust holds no certificate for the key of PSD {psd_id}"
                ))
            })?;
        Ok(PsdSigner::new(key, certificate))
    }

    /// The newest lease certificate in the trust for `signer`'s key and valid on `date`:
    /// what the embedded PSD signs under offline (its key certificate covers no piece).
    pub fn lease_certificate(
        &self,
        signer: &PsdSigner,
        date: Date,
    ) -> Result<Option<PsdCertificate>, KeyringError> {
        Ok(self
            .lease_certificates(signer, date)?
            .into_iter()
            .filter(|c| c.is_valid_on(date))
            .max_by_key(|c| c.serial))
    }

    /// Every lease certificate in the trust for `signer`'s key that the status list held
    /// does not revoke for mail of `date`, by serial.
    pub fn lease_certificates(
        &self,
        signer: &PsdSigner,
        date: Date,
    ) -> Result<Vec<PsdCertificate>, KeyringError> {
        let Some(trust) = self.trust()? else {
            return Ok(Vec::new());
        };
        let key = signer.certificate();
        let revoked = |serial: u32| {
            trust
                .status
                .as_ref()
                .and_then(|status| status.revoked_from(serial))
                .is_some_and(|from| from <= date)
        };
        let mut leases: Vec<PsdCertificate> = trust
            .certificates
            .iter()
            .filter(|c| {
                c.psd_id == key.psd_id
                    && c.public_key == key.public_key
                    && c.is_lease()
                    && !revoked(c.serial)
            })
            .cloned()
            .collect();
        leases.sort_by_key(|c| c.serial);
        Ok(leases)
    }

    /// The day from which the status list held revokes `certificate`, if it does.
    pub fn revoked_from(&self, certificate: &PsdCertificate) -> Result<Option<Date>, KeyringError> {
        Ok(self
            .trust()?
            .and_then(|trust| trust.status)
            .and_then(|status| status.revoked_from(certificate.serial)))
    }
}

fn io(path: &Path, error: impl ToString) -> KeyringError {
    KeyringError::Io {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}
