//! The data centre's `software` service: the TUF repository its stations update software
//! and rate tables from (see [`crate::protocol::updates`] for what a station reads).
//!
//! The repository is a folder beside the key store (`<data dir>/vendor/updates`, with
//! `metadata/` and `targets/`), shared like the key store by every vendor process on it;
//! writers take the folder's lock. It is made on the data centre's first start, seeded with
//! the rate files built into the binary (the only use left of them on the data centre);
//! `admin publish-rates` and `admin publish-release` add targets; a running data centre
//! re-signs the snapshot and timestamp before they expire ([`UpdateRepository::refresh`]),
//! so a station that is served a frozen copy sees it run out within a day.
//!
//! - `keys`: the four role keys; `metadata`: reading and signing roles;
//!   `repository`: making, publishing, refreshing (writers hold [`crate::file_lock`]);
//!   `rate_files`: what may be published, and reading it back; `published_rates`: the
//!   tables the data centre prices with.

use std::path::{Path, PathBuf};

pub mod keys;
pub mod metadata;
mod published_rates;
mod rate_files;
mod repository;

pub use published_rates::PublishedRates;
pub use rate_files::RateTarget;
pub use repository::{KeyRotation, RotationReport, UpdateRepository};

/// The repository of the data centre whose key store is `keys_dir`: its sibling `updates`
/// (a key store with no parent folder has none: never inside the key store itself).
pub fn repository_dir(keys_dir: &Path) -> Result<PathBuf, RepositoryError> {
    keys_dir
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .map(|parent| parent.join("updates"))
        .ok_or_else(|| {
            RepositoryError::io(
                keys_dir,
                "has no parent folder for the update repository".into(),
            )
        })
}

/// What went wrong with the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepositoryErrorKind {
    /// A file could not be read or written.
    Io,
    /// An update key is missing or unreadable.
    Keys,
    /// Metadata could not be signed.
    Signing,
    /// The metadata on disk does not parse or does not hang together.
    Corrupt,
    /// What was to be published is refused (a bad rate file, a name in use).
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the update repository: {message}")]
pub struct RepositoryError {
    kind: RepositoryErrorKind,
    message: String,
}

impl RepositoryError {
    pub fn kind(&self) -> RepositoryErrorKind {
        self.kind
    }

    fn new(kind: RepositoryErrorKind, message: String) -> RepositoryError {
        RepositoryError { kind, message }
    }

    pub(crate) fn io(path: &Path, reason: String) -> RepositoryError {
        RepositoryError::new(
            RepositoryErrorKind::Io,
            format!("{}: {reason}", path.display()),
        )
    }

    pub(crate) fn keys(message: String) -> RepositoryError {
        RepositoryError::new(RepositoryErrorKind::Keys, message)
    }

    pub(crate) fn signing(message: String) -> RepositoryError {
        RepositoryError::new(RepositoryErrorKind::Signing, message)
    }

    pub(crate) fn corrupt(message: String) -> RepositoryError {
        RepositoryError::new(RepositoryErrorKind::Corrupt, message)
    }

    pub(crate) fn refused(message: String) -> RepositoryError {
        RepositoryError::new(RepositoryErrorKind::Refused, message)
    }
}

impl From<RepositoryError> for super::VendorError {
    fn from(error: RepositoryError) -> super::VendorError {
        match error.kind {
            RepositoryErrorKind::Refused => super::VendorError::bad_request(error.to_string()),
            _ => super::VendorError::storage(error),
        }
    }
}
