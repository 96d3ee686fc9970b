//! The software half of an update check: the newest release the repository lists for this
//! platform, when this station wants it (newer than what runs and what waits, never one
//! that failed here), streamed through tough (its length and hash checked against the
//! signed targets metadata as it streams) into `updates/downloads/`, a chunk at a time, and
//! handed to [`crate::release::store::stage`] once it verified whole. A build of 159 MB
//! costs the station a buffer, not 159 MB of memory.
//!
//! One download at a time (the downloads folder's lock, which a second comer skips rather
//! than waits for). In a contact it runs in the background ([`Builds::Background`]): a
//! download of minutes must not hold up the contact's other work (credits, trust, polls);
//! the check returns, and the download, once staged, marks its snapshot handled.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tough::TargetName;

use super::{UpdateError, progress, updates_dir};
use crate::clock::Clock;
use crate::file_lock::FileLock;
use crate::release::{ReleaseVersion, store, this_platform};

/// A build the repository lists.
#[derive(Clone)]
pub(super) struct ReleaseFile {
    pub target: TargetName,
    pub version: ReleaseVersion,
    pub platform: String,
    pub sha256: Vec<u8>,
}

/// Whether a check waits for a build's download, or leaves it running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builds {
    /// `updates check`, and tests: the check returns once the build is staged.
    Await,
    /// A contact: the download goes on after the check returns.
    Background,
}

/// What became of the builds a check found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ReleaseOutcome {
    /// None this station wants.
    NoneWanted,
    /// This check verified and staged it.
    Staged(ReleaseVersion),
    /// One is wanted and not staged by this check: why (over the modem, a back-off after
    /// failed downloads, a download under way).
    Waits(String),
}

/// A download this check may make: the build, the downloads folder's lock, and the
/// snapshot that listed it.
struct Download {
    data_dir: PathBuf,
    file: ReleaseFile,
    snapshot_version: u64,
    _lock: FileLock,
}

/// Stages the newest wanted release for this platform, unless the check came over the
/// modem, that build failed lately and waits out its back-off, or another download runs.
pub(super) async fn stage_newest(
    data_dir: &Path,
    repository: tough::Repository,
    files: &[ReleaseFile],
    over_modem: bool,
    snapshot_version: u64,
    builds: Builds,
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
    let now = Clock::system().now_unix_ms();
    if let Some(failed) = progress::wait_for(data_dir, &crate::hex::encode(&file.sha256), now) {
        return Ok(ReleaseOutcome::Waits(format!(
            "release {version} failed {} time(s), last: {}; tried again from {}",
            failed.failures,
            failed.reason,
            crate::clock::format_unix_ms(failed.next_try_unix_ms)
        )));
    }
    let folder = downloads_dir(data_dir);
    let local = |e: std::io::Error| UpdateError::local(format!("{}: {e}", folder.display()));
    crate::private_files::private_dir(&folder).map_err(local)?;
    let Some(lock) = FileLock::try_take(&folder).map_err(local)? else {
        return Ok(ReleaseOutcome::Waits(format!(
            "release {version}: a download is under way"
        )));
    };
    let download = Download {
        data_dir: data_dir.to_path_buf(),
        file: file.clone(),
        snapshot_version,
        _lock: lock,
    };
    match builds {
        Builds::Await => download.run(&repository).await,
        Builds::Background => {
            // What became of it is in the log (`run` writes it) and in the release record.
            tokio::spawn(async move {
                let _ = download.run(&repository).await;
            });
            Ok(ReleaseOutcome::Waits(format!(
                "release {version} is downloading"
            )))
        }
    }
}

fn downloads_dir(data_dir: &Path) -> PathBuf {
    updates_dir(data_dir).join("downloads")
}

impl Download {
    /// Downloads, verifies and stages the build; a failure is recorded for the back-off.
    /// Staged, its snapshot is handled: nothing of it is left to fetch.
    async fn run(self, repository: &tough::Repository) -> Result<ReleaseOutcome, UpdateError> {
        let version = self.file.version;
        let staged = self.download_and_stage(repository).await;
        match &staged {
            Ok(true) => {
                progress::forget_failure(&self.data_dir);
                log::info!("release {version} verified and staged");
                if let Err(e) = progress::set_handled(&self.data_dir, self.snapshot_version) {
                    // The data centre asks again; the next check finds it staged.
                    log::error!(
                        "snapshot {} not recorded as handled: {e}",
                        self.snapshot_version
                    );
                }
            }
            // Staged or refused by another check meanwhile: not wanted any more.
            Ok(false) => progress::forget_failure(&self.data_dir),
            Err(error) => {
                log::warn!("release {version}: {error}");
                let sha256 = crate::hex::encode(&self.file.sha256);
                let (reason, now) = (error.to_string(), Clock::system().now_unix_ms());
                let recorded = progress::record_failure(
                    &self.data_dir,
                    version.to_string(),
                    sha256,
                    reason,
                    now,
                );
                match recorded {
                    Ok(failed) => {
                        log::info!("release {version}: failure {} recorded", failed.failures)
                    }
                    Err(e) => log::error!("release {version}: the failure was not recorded: {e}"),
                }
            }
        }
        Ok(match staged? {
            true => ReleaseOutcome::Staged(version),
            false => ReleaseOutcome::NoneWanted,
        })
    }

    async fn download_and_stage(
        &self,
        repository: &tough::Repository,
    ) -> Result<bool, UpdateError> {
        let (version, running) = (self.file.version, crate::release::running_version());
        let path = downloads_dir(&self.data_dir).join(format!("{version}.download"));
        // What a download cut short left (this one holds the folder's lock).
        let _ = tokio::fs::remove_file(&path).await;
        let written = write_verified(repository, &self.file.target, &path).await;
        if let Err(error) = written {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(error);
        }
        // Moved in and synced off the async threads: the counter's screen runs on them.
        let (dir, build) = (self.data_dir.clone(), path.clone());
        let staged =
            tokio::task::spawn_blocking(move || store::stage(&dir, version, &build, running))
                .await
                .map_err(|e| UpdateError::local(format!("staging release {version}: {e}")))?
                .map_err(|e| UpdateError::local(e.to_string()));
        // Staged, it was moved; not staged, it is not wanted.
        let _ = std::fs::remove_file(&path);
        staged
    }
}

/// Streams `target` through tough into `path` (owner-only) and syncs it.
async fn write_verified(
    repository: &tough::Repository,
    target: &TargetName,
    path: &Path,
) -> Result<(), UpdateError> {
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
    while let Some(chunk) = stream.next().await {
        // tough fails the last chunk when the whole does not match its length and hash.
        let chunk = chunk.map_err(UpdateError::of_tough)?;
        out.write_all(&chunk).await.map_err(local)?;
    }
    out.sync_all().await.map_err(local)
}
