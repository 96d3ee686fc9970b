//! What a verifier trusts: the data centre's anchor root (generation 1), the links to every
//! later root generation, the PSD certificates those roots signed, and the newest
//! certificate status list. A station holds one ([`Trust::load_dir`] of its `keys/trust/`),
//! `postcounter keys export` writes one for anybody else, and `postcounter verify` checks an
//! indicium against one, with nothing else: no database, no network.
//!
//! ```text
//! root.pub.pem                   the anchor: generation 1's public key (SPKI PEM)
//! link-<generation>.pem          generation n's key signed by generation n-1
//! psd-<id>-<serial>.cert.pem     a PSD certificate, one per certificate (renewals add files)
//! status.pem                     the newest certificate status list
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use p256::ecdsa::VerifyingKey;

use super::certificate::{CertificateError, PsdCertificate};
use super::key_file::{self, KeyFileError, Placement};
use super::root_link::{RootLink, RootLinkError};
use super::status_list::{CertificateStatusList, StatusListError};

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error(transparent)]
    File(#[from] KeyFileError),
    #[error("{path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(transparent)]
    Link(#[from] RootLinkError),
    #[error(transparent)]
    Status(#[from] StatusListError),
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    #[error("root generation {0} has no link: the links must run 2, 3, ... without a gap")]
    MissingLink(u32),
}

/// Roots, certificates and status, as a verifier holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust {
    pub anchor: VerifyingKey,
    pub links: Vec<RootLink>,
    pub certificates: Vec<PsdCertificate>,
    pub status: Option<CertificateStatusList>,
}

impl Trust {
    /// Trust in `anchor` alone.
    pub fn anchored(anchor: VerifyingKey) -> Trust {
        Trust {
            anchor,
            links: Vec::new(),
            certificates: Vec::new(),
            status: None,
        }
    }

    /// Every root generation the anchor reaches, each checked by the one before: generation 1
    /// is the anchor. A link that does not verify, or a gap, is an error, not a shorter chain.
    pub fn roots(&self) -> Result<Vec<(u32, VerifyingKey)>, TrustError> {
        let mut links = self.links.clone();
        links.sort_by_key(|link| link.generation);
        links.dedup_by_key(|link| link.generation);
        let mut roots = vec![(1, self.anchor)];
        for link in links {
            let (generation, previous) = roots[roots.len() - 1];
            if link.generation != generation + 1 {
                return Err(TrustError::MissingLink(generation + 1));
            }
            link.verify_with(&previous)?;
            roots.push((link.generation, link.public_key));
        }
        Ok(roots)
    }

    /// The key of root `generation`, if the chain reaches it.
    pub fn root(&self, generation: u32) -> Result<Option<VerifyingKey>, TrustError> {
        Ok(self
            .roots()?
            .into_iter()
            .find(|(g, _)| *g == generation)
            .map(|(_, key)| key))
    }

    /// Whether any trusted root signed `certificate`.
    pub fn vouches_for(&self, certificate: &PsdCertificate) -> Result<bool, TrustError> {
        Ok(self
            .roots()?
            .iter()
            .any(|(_, root)| certificate.verify_with(root).is_ok()))
    }

    /// Adds what `other` holds that this does not: certificates by serial, links by
    /// generation, and its status list if it is newer and signed by a root this reaches.
    /// `other`'s anchor must be this one's.
    pub fn absorb(&mut self, other: Trust) -> Result<(), TrustError> {
        for link in other.links {
            if !self.links.iter().any(|l| l.generation == link.generation) {
                self.links.push(link);
            }
        }
        self.roots()?;
        for certificate in other.certificates {
            if !self
                .certificates
                .iter()
                .any(|c| c.serial == certificate.serial)
            {
                self.certificates.push(certificate);
            }
        }
        self.certificates.sort_by_key(|c| c.serial);
        if let Some(status) = other.status {
            let newer = self
                .status
                .as_ref()
                .is_none_or(|held| status.number > held.number);
            if newer {
                self.check_status(&status)?;
                self.status = Some(status);
            }
        }
        Ok(())
    }

    /// Checks that a root this trust reaches signed `status`.
    pub fn check_status(&self, status: &CertificateStatusList) -> Result<(), TrustError> {
        let root = self
            .root(status.signer_generation)?
            .ok_or(StatusListError::UnknownRoot {
                number: status.number,
                generation: status.signer_generation,
            })?;
        Ok(status.verify_with(&root)?)
    }

    /// Reads a folder laid out as the module says; a missing status list is no list.
    pub fn load_dir(dir: &Path) -> Result<Trust, TrustError> {
        let anchor = key_file::read_public_key(&dir.join("root.pub.pem"))?;
        let mut trust = Trust::anchored(anchor);
        let entries = fs::read_dir(dir).map_err(|e| unreadable(dir, e))?;
        for entry in entries {
            let path = entry.map_err(|e| unreadable(dir, e))?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if name.starts_with("link-") && name.ends_with(".pem") {
                trust.links.push(RootLink::from_pem(&read(&path)?)?);
            } else if name.ends_with(".cert.pem") {
                let certificate =
                    PsdCertificate::from_pem(&read(&path)?).map_err(|e| unreadable(&path, e))?;
                trust.certificates.push(certificate);
            } else if name == "status.pem" {
                let status = CertificateStatusList::from_pem(&read(&path)?)
                    .map_err(|e| unreadable(&path, e))?;
                trust.status = Some(status);
            }
        }
        trust.links.sort_by_key(|link| link.generation);
        trust.certificates.sort_by_key(|c| c.serial);
        if let Some(status) = &trust.status {
            trust.check_status(status)?;
        }
        Ok(trust)
    }

    /// Writes every part into `dir` (created owner-only if missing); returns the files.
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, TrustError> {
        crate::private_files::private_dir(dir).map_err(|e| unreadable(dir, e))?;
        let anchor = dir.join("root.pub.pem");
        key_file::write_public_key(&anchor, &self.anchor)?;
        let mut written = vec![anchor];
        let mut put = |name: String, text: String| -> Result<(), TrustError> {
            let path = dir.join(name);
            key_file::write_file_atomically(&path, text.as_bytes(), 0o644, Placement::Replace)?;
            written.push(path);
            Ok(())
        };
        for link in &self.links {
            put(format!("link-{}.pem", link.generation), link.to_pem()?)?;
        }
        for certificate in &self.certificates {
            put(
                format!("psd-{}-{}.cert.pem", certificate.psd_id, certificate.serial),
                certificate.to_pem()?,
            )?;
        }
        if let Some(status) = &self.status {
            put("status.pem".into(), status.to_pem()?)?;
        }
        Ok(written)
    }
}

fn read(path: &Path) -> Result<String, TrustError> {
    fs::read_to_string(path).map_err(|e| unreadable(path, e))
}

fn unreadable(path: &Path, reason: impl ToString) -> TrustError {
    TrustError::Unreadable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}
