//! The rate files a station installed from its data centre's update repository: one folder
//! per snapshot (`rates-<N>`, each file written and synced, with `signed-until`), made whole
//! under a temporary name and renamed, and the symbolic link `rates` renamed over to the one
//! in use. A set found again is checked against the hashes the repository lists before it
//! is used, so a crash mid-way is repaired by the next check, never trusted.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tough::TargetName;

use super::{UpdateError, updates_dir};
use crate::date::Date;
use crate::keys::key_file::{Placement, write_file_atomically};

/// The file in an installed set that holds the last day its signature holds.
const SIGNED_UNTIL_FILE: &str = "signed-until";
const SET_PREFIX: &str = "rates-";

/// A rate file a snapshot lists: its target, the file name it is installed as, its hash.
pub(super) struct RateFile {
    pub target: TargetName,
    pub file: String,
    pub sha256: Vec<u8>,
}

/// The set of rate files in use, if an update installed one: the folder the link `rates`
/// points at, read once (a switch meanwhile is seen at the next load). A link that points
/// nowhere is an error, never a quiet return to the tables built in.
pub fn installed_rates_dir(data_dir: &Path) -> Result<Option<PathBuf>, UpdateError> {
    let dir = updates_dir(data_dir);
    let link = dir.join("rates");
    let target = match std::fs::read_link(&link) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(UpdateError::local(format!("{}: {e}", link.display()))),
    };
    let set = dir.join(&target);
    let named = target.to_str().is_some_and(|t| set_version(t).is_some());
    if !named || !set.is_dir() {
        return Err(UpdateError::local(format!(
            "{} points at {}, which is not an installed set of rate files: run `postcounter updates check`",
            link.display(),
            target.display()
        )));
    }
    Ok(Some(set))
}

fn set_version(name: &str) -> Option<u64> {
    name.strip_prefix(SET_PREFIX)?.parse().ok()
}

/// The snapshot version whose rate files are installed, if any are.
pub fn installed_snapshot_version(data_dir: &Path) -> Option<u64> {
    let target = std::fs::read_link(updates_dir(data_dir).join("rates")).ok()?;
    set_version(target.to_str()?)
}

/// The last day the rate files of `set` may be priced with: the day before the targets
/// metadata that listed them runs out.
pub fn installed_signed_until(set: &Path) -> Result<Date, UpdateError> {
    let path = set.join(SIGNED_UNTIL_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| UpdateError::local(format!("{}: {e}", path.display())))?;
    Date::parse(text.trim()).map_err(|e| UpdateError::local(format!("{}: {e}", path.display())))
}

/// The folder of the set for snapshot `version`.
pub(super) fn set_dir(dir: &Path, version: u64) -> PathBuf {
    dir.join(format!("{SET_PREFIX}{version}"))
}

/// Whether `set` holds exactly `files`, each matching its hash, and its `signed-until`.
pub(super) fn set_is_whole(set: &Path, files: &[RateFile]) -> bool {
    let Ok(entries) = std::fs::read_dir(set) else {
        return false;
    };
    let present = entries.filter_map(Result::ok).count();
    present == files.len() + 1
        && installed_signed_until(set).is_ok()
        && files.iter().all(|f| {
            std::fs::read(set.join(&f.file)).is_ok_and(|bytes| *Sha256::digest(&bytes) == *f.sha256)
        })
}

/// Writes each rate file into `set` (a set there that is not whole is replaced): taken from
/// `previous` (the set in use) or the tables built in (the repository's first seed) when
/// its bytes have the hash the repository lists, else read
/// through tough, verified as it streams; each written and synced under a temporary name,
/// then renamed. Answers the files that were fetched: over a modem, an unchanged table costs
/// nothing.
pub(super) async fn install(
    repository: &tough::Repository,
    files: &[RateFile],
    set: &Path,
    previous: Option<&Path>,
    signed_until: Date,
) -> Result<Vec<String>, UpdateError> {
    let local =
        |path: &Path, e: std::io::Error| UpdateError::local(format!("{}: {e}", path.display()));
    let staging = set.with_extension("staging");
    let _ = std::fs::remove_dir_all(&staging);
    crate::private_files::private_dir(&staging).map_err(|e| local(&staging, e))?;
    let mut fetched = Vec::new();
    for file in files {
        let kept = previous
            .and_then(|dir| std::fs::read(dir.join(&file.file)).ok())
            .or_else(|| built_in(&file.file))
            .filter(|bytes| *Sha256::digest(bytes) == *file.sha256);
        let bytes = match kept {
            Some(bytes) => bytes,
            None => {
                fetched.push(file.file.clone());
                super::read_verified(repository, &file.target).await?
            }
        };
        write_synced(&staging.join(&file.file), &bytes)?;
    }
    let until = format!("{signed_until}\n");
    write_synced(&staging.join(SIGNED_UNTIL_FILE), until.as_bytes())?;
    crate::private_files::sync_dir(&staging).map_err(|e| local(&staging, e))?;
    if set.exists() {
        std::fs::remove_dir_all(set).map_err(|e| local(set, e))?;
    }
    std::fs::rename(&staging, set).map_err(|e| local(set, e))?;
    Ok(fetched)
}

/// The built-in rate file named `file`, if there is one.
fn built_in(file: &str) -> Option<Vec<u8>> {
    crate::rates::book::EMBEDDED_FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| text.as_bytes().to_vec())
}

/// The project's one durable write: synced, renamed into place, its folder synced (owner-only).
pub(super) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), UpdateError> {
    write_file_atomically(path, bytes, 0o600, Placement::Replace)
        .map_err(|e| UpdateError::local(e.to_string()))
}

/// Points the link `rates` in `dir` at `set` atomically (a new link renamed over the old
/// one), then removes the other sets.
pub(super) fn switch_to(dir: &Path, set: &Path) -> Result<(), UpdateError> {
    let link = dir.join("rates");
    let io = |e: std::io::Error| UpdateError::local(format!("{}: {e}", link.display()));
    let target = set
        .file_name()
        .ok_or_else(|| UpdateError::local(format!("{} has no name", set.display())))?;
    if std::fs::read_link(&link).map_or(true, |current| current != Path::new(target)) {
        let fresh = link.with_extension("new");
        let _ = std::fs::remove_file(&fresh);
        std::os::unix::fs::symlink(target, &fresh).map_err(io)?;
        std::fs::rename(&fresh, &link).map_err(io)?;
        crate::private_files::sync_dir(dir).map_err(io)?;
    }
    for entry in std::fs::read_dir(dir).map_err(io)?.filter_map(Result::ok) {
        let name = entry.file_name();
        let old = name.to_str().is_some_and(|n| set_version(n).is_some()) && name != target;
        if old && let Err(e) = std::fs::remove_dir_all(entry.path()) {
            log::warn!("{}: {e}", entry.path().display());
        }
    }
    Ok(())
}
