//! The software half of an update check: the newest release the repository lists for this
//! platform, when this station wants it (newer than what runs and what waits, never one
//! that failed here), read through tough (its length and hash checked against the signed
//! targets metadata as it streams) and handed to [`crate::release::store::stage`].

use std::path::Path;

use tough::TargetName;

use super::UpdateError;
use crate::release::{ReleaseVersion, store, this_platform};

/// A build the repository lists.
pub(super) struct ReleaseFile {
    pub target: TargetName,
    pub version: ReleaseVersion,
    pub platform: String,
}

/// Stages the newest wanted release for this platform; returns its version if one was
/// staged by this check.
pub(super) async fn stage_newest(
    data_dir: &Path,
    repository: &tough::Repository,
    files: &[ReleaseFile],
) -> Result<Option<ReleaseVersion>, UpdateError> {
    let platform = this_platform();
    let releases = store::read(data_dir).map_err(|e| UpdateError::local(e.to_string()))?;
    let running = crate::release::running_version();
    let newest = files
        .iter()
        .filter(|file| file.platform == platform && releases.wants(file.version, running))
        .max_by_key(|file| file.version);
    let Some(file) = newest else {
        return Ok(None);
    };
    let bytes = super::read_verified(repository, &file.target).await?;
    let size = bytes.len();
    let version = file.version;
    // Written and synced whole off the async threads: the counter's screen runs on them.
    let dir = data_dir.to_path_buf();
    let staged = tokio::task::spawn_blocking(move || store::stage(&dir, version, &bytes, running))
        .await
        .map_err(|e| UpdateError::local(format!("staging release {version}: {e}")))?
        .map_err(|e| UpdateError::local(e.to_string()))?;
    if !staged {
        // Staged or refused by another check meanwhile.
        return Ok(None);
    }
    log::info!("release {version} for {platform} verified and staged ({size} bytes)");
    Ok(Some(version))
}
