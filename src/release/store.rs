//! The station's releases on disk, in `<data dir>/releases` (owner-only):
//! - `state.json`: the [`Releases`] record, replaced whole (written, synced, renamed) under
//!   the folder's lock, so the monitor staging a release, the launcher switching it in and a
//!   supervisor postponing it take turns and a crash leaves the old record or the new;
//! - `<version>/postcounter`: a verified build, made whole under a temporary folder and
//!   renamed into place before the record names it.
//!
//! A record that does not read stops everything that needs it, loudly: guessing which build
//! to run could run one that failed before.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::state::Releases;
use super::version::ReleaseVersion;
use crate::file_lock::FileLock;
use crate::keys::key_file::{Placement, write_file_atomically};

const STATE_FILE: &str = "state.json";
const PARTIAL_SUFFIX: &str = ".partial";
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
    locked(data_dir, |_, releases| Ok(change(releases)))
}

/// Keeps the file `build` (written and synced by the caller, on the same file system, and
/// verified against the repository's hash) as release `version`'s build, moved into its
/// folder, and records it as staged, if it is still wanted by a station that runs
/// `running`: all under the folder's lock, so two checks that fetched the same release, or a
/// rollback meanwhile, never stage a refused release again or touch one in use. Returns
/// whether it was staged; a build not staged is left where it was.
pub fn stage(
    data_dir: &Path,
    version: ReleaseVersion,
    build: &Path,
    running: ReleaseVersion,
) -> Result<bool, ReleaseError> {
    locked(data_dir, |dir, releases| {
        if !releases.wants(version, running) {
            return Ok(false);
        }
        // Not current, previous or staged (wanted means newer than all of them): a folder
        // of that name is a leftover.
        let folder = dir.join(version.to_string());
        let partial = dir.join(format!(".{version}{PARTIAL_SUFFIX}"));
        let io = |path: &Path, e: std::io::Error| ReleaseError::storage(path, e);
        for leftover in [&partial, &folder] {
            if leftover.exists() {
                std::fs::remove_dir_all(leftover).map_err(|e| io(leftover, e))?;
            }
        }
        crate::private_files::private_dir(&partial).map_err(|e| io(&partial, e))?;
        let binary = partial.join(BINARY_NAME);
        std::fs::set_permissions(build, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io(build, e))?;
        std::fs::rename(build, &binary).map_err(|e| io(&binary, e))?;
        crate::private_files::sync_dir(&partial).map_err(|e| io(&partial, e))?;
        std::fs::rename(&partial, &folder).map_err(|e| io(&folder, e))?;
        crate::private_files::sync_dir(dir).map_err(|e| io(dir, e))?;
        releases.stage(version);
        Ok(true)
    })
}

/// Runs `work` on the record with the folder's lock held, writes the record back if `work`
/// changed it, and removes the files of releases it no longer names.
fn locked<T>(
    data_dir: &Path,
    work: impl FnOnce(&Path, &mut Releases) -> Result<T, ReleaseError>,
) -> Result<T, ReleaseError> {
    let dir = open_dir(data_dir)?;
    let _turn = FileLock::take(&dir).map_err(|e| ReleaseError::storage(&dir, e))?;
    let mut releases = read(data_dir)?;
    let before = releases.clone();
    let answer = work(&dir, &mut releases)?;
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

/// The file a counter run by the launcher beats in (its process id names it).
fn heartbeat_path(data_dir: &Path, pid: u32) -> PathBuf {
    releases_dir(data_dir).join(format!("heartbeat-{pid}"))
}

/// A sign of life from this counter for its launcher: `beat` (a count) written to its
/// heartbeat file. Not synced: it means nothing after a crash.
pub fn heartbeat(data_dir: &Path, beat: u64) -> Result<(), ReleaseError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = open_dir(data_dir)?;
    let path = dir.join(format!("heartbeat-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut file| file.write_all(beat.to_string().as_bytes()))
        .map_err(|e| ReleaseError::storage(&path, e))
}

/// The last beat of counter `pid`, if it beat at all.
pub fn read_heartbeat(data_dir: &Path, pid: u32) -> Option<String> {
    std::fs::read_to_string(heartbeat_path(data_dir, pid)).ok()
}

/// Removes counter `pid`'s heartbeat file once it has ended.
pub fn forget_heartbeat(data_dir: &Path, pid: u32) {
    let _ = std::fs::remove_file(heartbeat_path(data_dir, pid));
}

fn open_dir(data_dir: &Path) -> Result<PathBuf, ReleaseError> {
    let dir = releases_dir(data_dir);
    crate::private_files::private_dir(&dir).map_err(|e| ReleaseError::storage(&dir, e))?;
    Ok(dir)
}

/// Removes the folders of releases the record no longer names, and partial ones (under the
/// lock, a partial folder is a dead writer's: every writer holds the lock while it has one).
fn prune(dir: &Path, releases: &Releases) {
    let kept: Vec<String> = releases.kept().iter().map(ToString::to_string).collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let release_folder = name.parse::<ReleaseVersion>().is_ok();
        let stale =
            name.ends_with(PARTIAL_SUFFIX) || (release_folder && !kept.iter().any(|k| k == name));
        if stale && let Err(e) = std::fs::remove_dir_all(entry.path()) {
            log::warn!("{}: {e}", entry.path().display());
        }
        // A heartbeat of a process that no longer runs (a launcher killed before it
        // removed it).
        let dead = name
            .strip_prefix("heartbeat-")
            .and_then(|pid| pid.parse::<u32>().ok())
            .is_some_and(|pid| !Path::new("/proc").join(pid.to_string()).exists());
        if dead {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
