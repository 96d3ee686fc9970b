//! The station's releases on disk, in `<data dir>/releases` (owner-only):
//! - `state.json`: the [`Releases`] record, replaced whole (written, synced, renamed) under
//!   the folder's lock, so the monitor staging a release, the launcher switching it in and a
//!   supervisor postponing it take turns and a crash leaves the old record or the new;
//! - `<version>/postcounter`: a verified build, made whole under a temporary folder and
//!   renamed into place before the record names it.
//!
//! A record that does not read stops everything that needs it, loudly: guessing which build
//! to run could run one that failed before.

use std::path::{Path, PathBuf};

use super::state::Releases;
use super::version::ReleaseVersion;
use crate::file_lock::FileLock;
use crate::keys::key_file::{Placement, write_file_atomically};

const STATE_FILE: &str = "state.json";
/// The file name of a release's build in its folder.
pub const BINARY_NAME: &str = "postcounter";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseErrorKind {
    /// The folder or a file in it could not be read or written.
    Storage,
    /// `state.json` holds something this build cannot read.
    Corrupt,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReleaseError {
    kind: ReleaseErrorKind,
    message: String,
}

impl ReleaseError {
    pub fn kind(&self) -> ReleaseErrorKind {
        self.kind
    }

    pub(super) fn io_of(what: &str, error: std::io::Error) -> ReleaseError {
        ReleaseError {
            kind: ReleaseErrorKind::Storage,
            message: format!("{what}: {error}"),
        }
    }

    fn storage(path: &Path, error: impl std::fmt::Display) -> ReleaseError {
        ReleaseError {
            kind: ReleaseErrorKind::Storage,
            message: format!("{}: {error}", path.display()),
        }
    }
}

/// `<data dir>/releases`.
pub fn releases_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("releases")
}

/// Where release `version`'s build is kept.
pub fn binary_path(data_dir: &Path, version: ReleaseVersion) -> PathBuf {
    releases_dir(data_dir)
        .join(version.to_string())
        .join(BINARY_NAME)
}

/// The record as it stands (an empty one before the first release).
pub fn read(data_dir: &Path) -> Result<Releases, ReleaseError> {
    let path = releases_dir(data_dir).join(STATE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Releases::default()),
        Err(e) => return Err(ReleaseError::storage(&path, e)),
    };
    serde_json::from_slice(&bytes).map_err(|e| ReleaseError {
        kind: ReleaseErrorKind::Corrupt,
        message: format!(
            "{} does not read as this station's release record ({e}): move it aside to run the installed build",
            path.display()
        ),
    })
}

/// Applies `change` to the record under the folder's lock, and writes it back if it changed.
pub fn change<T>(
    data_dir: &Path,
    change: impl FnOnce(&mut Releases) -> T,
) -> Result<T, ReleaseError> {
    let dir = open_dir(data_dir)?;
    let _turn = FileLock::take(&dir).map_err(|e| ReleaseError::storage(&dir, e))?;
    let mut releases = read(data_dir)?;
    let before = releases.clone();
    let answer = change(&mut releases);
    if releases != before {
        let path = dir.join(STATE_FILE);
        let bytes =
            serde_json::to_vec_pretty(&releases).map_err(|e| ReleaseError::storage(&path, e))?;
        write_file_atomically(&path, &bytes, 0o600, Placement::Replace)
            .map_err(|e| ReleaseError::storage(&path, e))?;
        prune(&dir, &releases);
    }
    Ok(answer)
}

/// Keeps `bytes` (verified by the caller against the repository's hash) as release
/// `version`'s build, then records it as staged. A folder left by a crash is replaced.
pub fn stage(data_dir: &Path, version: ReleaseVersion, bytes: &[u8]) -> Result<(), ReleaseError> {
    let dir = open_dir(data_dir)?;
    let folder = dir.join(version.to_string());
    let partial = dir.join(format!(".{version}.partial"));
    let io = |path: &Path, e: std::io::Error| ReleaseError::storage(path, e);
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| io(&partial, e))?;
    }
    crate::private_files::private_dir(&partial).map_err(|e| io(&partial, e))?;
    let binary = partial.join(BINARY_NAME);
    write_file_atomically(&binary, bytes, 0o700, Placement::Replace)
        .map_err(|e| ReleaseError::storage(&binary, e))?;
    if folder.exists() {
        std::fs::remove_dir_all(&folder).map_err(|e| io(&folder, e))?;
    }
    std::fs::rename(&partial, &folder).map_err(|e| io(&folder, e))?;
    crate::private_files::sync_dir(&dir).map_err(|e| io(&dir, e))?;
    change(data_dir, |releases| releases.stage(version))
}

fn open_dir(data_dir: &Path) -> Result<PathBuf, ReleaseError> {
    let dir = releases_dir(data_dir);
    crate::private_files::private_dir(&dir).map_err(|e| ReleaseError::storage(&dir, e))?;
    Ok(dir)
}

/// Removes the folders of releases the record no longer names (and partial ones).
fn prune(dir: &Path, releases: &Releases) {
    let kept: Vec<String> = releases.kept().iter().map(ToString::to_string).collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let release_folder = name.parse::<ReleaseVersion>().is_ok();
        if release_folder
            && !kept.iter().any(|k| k == name)
            && let Err(e) = std::fs::remove_dir_all(entry.path())
        {
            log::warn!("{}: {e}", entry.path().display());
        }
    }
}
