//! The software half of an update check: the newest release the repository lists for this
//! platform, when this station wants it (newer than what runs and what waits, never one
//! that failed here), streamed through tough (its length and hash checked against the
//! signed targets metadata as it streams) into `updates/downloads/`, a chunk at a time, and
//! handed to [`crate::release::store::stage`] once it verified whole. A build of 159 MB
//! costs the station a buffer, not 159 MB of memory.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tough::TargetName;

use super::{UpdateError, progress, updates_dir};
use crate::clock::Clock;
use crate::release::{ReleaseVersion, store, this_platform};

/// A build the repository lists.
pub(super) struct ReleaseFile {
    pub target: TargetName,
    pub version: ReleaseVersion,
    pub platform: String,
    pub sha256: Vec<u8>,
}

/// What became of the builds a check found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ReleaseOutcome {
    /// None this station wants.
    NoneWanted,
    /// This check verified and staged it.
    Staged(ReleaseVersion),
    /// One is wanted and not fetched this time: why.
    Waits(String),
}

/// Stages the newest wanted release for this platform, unless the check came over the
/// modem or that build failed lately and waits out its back-off. A download that fails is
/// recorded (see [`super::progress`]) and fails the check. The caller holds the station's
/// update lock: one download at a time.
pub(super) async fn stage_newest(
    data_dir: &Path,
    repository: &tough::Repository,
    files: &[ReleaseFile],
    over_modem: bool,
) -> Result<ReleaseOutcome, UpdateError> {
    let platform = this_platform();
    let releases = store::read(data_dir).map_err(|e| UpdateError::local(e.to_string()))?;
    let running = crate::release::running_version();
    let newest = files
        .iter()
        .filter(|file| file.platform == platform && releases.wants(file.version, running))
        .max_by_key(|file| file.version);
    let Some(file) = newest else {
        return Ok(ReleaseOutcome::NoneWanted);
    };
    let version = file.version;
    if over_modem {
        // A build is tens of megabytes: hours on a 33.6 kbit/s line that purchases need.
        return Ok(ReleaseOutcome::Waits(format!(
            "release {version} waits for the Internet (not fetched over the modem)"
        )));
    }
    let sha256 = crate::hex::encode(&file.sha256);
    let now = Clock::system().now_unix_ms();
    if let Some(failed) = progress::wait_for(data_dir, &sha256, now) {
        return Ok(ReleaseOutcome::Waits(format!(
            "release {version} failed {} time(s), last: {}; tried again from {}",
            failed.failures,
            failed.reason,
            crate::clock::format_unix_ms(failed.next_try_unix_ms)
        )));
    }
    let download = match download(data_dir, repository, file).await {
        Ok(download) => download,
        Err(error) => {
            let reason = error.to_string();
            let failed =
                progress::record_failure(data_dir, version.to_string(), sha256, reason, now)?;
            log::warn!("release {version}: {error} (failure {})", failed.failures);
            return Err(error);
        }
    };
    // Moved in and synced off the async threads: the counter's screen runs on them.
    let dir = data_dir.to_path_buf();
    let build = download.clone();
    let staged = tokio::task::spawn_blocking(move || store::stage(&dir, version, &build, running))
        .await
        .map_err(|e| UpdateError::local(format!("staging release {version}: {e}")))?
        .map_err(|e| UpdateError::local(e.to_string()));
    // Staged, it was moved; refused or staged by another check meanwhile, it is not wanted.
    let _ = std::fs::remove_file(&download);
    progress::forget_failure(data_dir);
    if !staged? {
        return Ok(ReleaseOutcome::NoneWanted);
    }
    log::info!("release {version} for {platform} verified and staged");
    Ok(ReleaseOutcome::Staged(version))
}

/// The build of `file`, verified whole, in a synced file of `updates/downloads/`; nothing is
/// left there when it fails.
async fn download(
    data_dir: &Path,
    repository: &tough::Repository,
    file: &ReleaseFile,
) -> Result<PathBuf, UpdateError> {
    let folder = updates_dir(data_dir).join("downloads");
    let local =
        |path: &Path, e: std::io::Error| UpdateError::local(format!("{}: {e}", path.display()));
    // What a check cut short left (this check holds the lock: no other writes here).
    let _ = tokio::fs::remove_dir_all(&folder).await;
    crate::private_files::private_dir(&folder).map_err(|e| local(&folder, e))?;
    let path = folder.join(format!("{}.download", file.version));
    let written = write_verified(repository, &file.target, &path).await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    written.map(|size| {
        log::info!(
            "release {} downloaded and verified ({size} bytes)",
            file.version
        );
        path
    })
}

/// Streams `target` through tough into `path` (owner-only) and syncs it; its size.
async fn write_verified(
    repository: &tough::Repository,
    target: &TargetName,
    path: &Path,
) -> Result<u64, UpdateError> {
    let local = |e: std::io::Error| UpdateError::local(format!("{}: {e}", path.display()));
    let mut stream = repository
        .read_target(target)
        .await
        .map_err(UpdateError::of_tough)?
        .ok_or_else(|| UpdateError::local(format!("target {} vanished", target.raw())))?;
    let mut out = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .await
        .map_err(local)?;
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        // tough fails the last chunk when the whole does not match its length and hash.
        let chunk = chunk.map_err(UpdateError::of_tough)?;
        out.write_all(&chunk).await.map_err(local)?;
        size += chunk.len() as u64;
    }
    out.sync_all().await.map_err(local)?;
    Ok(size)
}
