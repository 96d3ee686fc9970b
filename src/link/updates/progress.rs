//! What a station has done with its data centre's update repository beyond the rate files:
//! the snapshot it handled whole (its rate files installed and the build it wants staged),
//! which is what it states to the data centre, so a check that left a build behind (over
//! the modem, or a download that failed) is asked for again at the next contact; and the
//! build that failed, with a back-off, so a build that does not verify is not fetched again
//! at every contact.
//!
//! Both live in `<data dir>/updates` beside the rest, written whole under the check's lock.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::installed::write_synced;
use super::{UpdateError, updates_dir};

const HANDLED_FILE: &str = "handled";
const FAILED_FILE: &str = "release-failed.json";
/// The first wait after a failed download, doubled at each failure.
const FIRST_WAIT_MS: i64 = 5 * 60 * 1000;
/// The longest wait: a build is tried at least daily.
const LONGEST_WAIT_MS: i64 = 24 * 3600 * 1000;

/// The snapshot version the station handled whole, if it ever did.
pub fn handled_snapshot_version(data_dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(updates_dir(data_dir).join(HANDLED_FILE)).ok()?;
    text.trim().parse().ok()
}

/// Records `snapshot_version` handled, unless a newer one was (a download that ends after
/// a later check).
pub(super) fn set_handled(data_dir: &Path, snapshot_version: u64) -> Result<(), UpdateError> {
    if handled_snapshot_version(data_dir).is_some_and(|handled| handled >= snapshot_version) {
        return Ok(());
    }
    let path = updates_dir(data_dir).join(HANDLED_FILE);
    write_synced(&path, format!("{snapshot_version}\n").as_bytes())
}

/// A build whose download failed: which (by its hash), how often, and when it may be tried
/// again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRelease {
    pub version: String,
    pub sha256: String,
    pub failures: u32,
    pub next_try_unix_ms: i64,
    pub reason: String,
}

/// The build that failed last, if one did and has not been staged since.
pub fn failed_release(data_dir: &Path) -> Option<FailedRelease> {
    let bytes = std::fs::read(updates_dir(data_dir).join(FAILED_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// When the build with `sha256` may be fetched: `None` now, else the time it waits for.
pub(super) fn wait_for(data_dir: &Path, sha256: &str, now_unix_ms: i64) -> Option<FailedRelease> {
    failed_release(data_dir).filter(|f| f.sha256 == sha256 && now_unix_ms < f.next_try_unix_ms)
}

/// Records a failed download of `version` (`sha256`), doubling the wait if it failed before.
pub(super) fn record_failure(
    data_dir: &Path,
    version: String,
    sha256: String,
    reason: String,
    now_unix_ms: i64,
) -> Result<FailedRelease, UpdateError> {
    let failures = failed_release(data_dir)
        .filter(|f| f.sha256 == sha256)
        .map_or(1, |f| f.failures.saturating_add(1));
    let wait_ms = FIRST_WAIT_MS
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(LONGEST_WAIT_MS);
    let failed = FailedRelease {
        version,
        sha256,
        failures,
        next_try_unix_ms: now_unix_ms.saturating_add(wait_ms),
        reason,
    };
    let path = updates_dir(data_dir).join(FAILED_FILE);
    let bytes =
        serde_json::to_vec_pretty(&failed).map_err(|e| UpdateError::local(e.to_string()))?;
    write_synced(&path, &bytes)?;
    Ok(failed)
}

/// Forgets a failure once a build was staged.
pub(super) fn forget_failure(data_dir: &Path) {
    let _ = std::fs::remove_file(updates_dir(data_dir).join(FAILED_FILE));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_per_failure_of_the_same_build_and_is_at_most_a_day() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(updates_dir(dir.path())).unwrap();
        let fail = |sha: &str, now| {
            record_failure(dir.path(), "0.2.0".into(), sha.into(), "why".into(), now).unwrap()
        };
        let waits: Vec<i64> = (0..10).map(|_| fail("aa", 0).next_try_unix_ms).collect();
        assert_eq!(waits[0], FIRST_WAIT_MS);
        assert_eq!(waits[1], 2 * FIRST_WAIT_MS);
        assert_eq!(waits[2], 4 * FIRST_WAIT_MS);
        assert_eq!(waits[9], LONGEST_WAIT_MS);
        assert!(wait_for(dir.path(), "aa", LONGEST_WAIT_MS - 1).is_some());
        assert!(wait_for(dir.path(), "aa", LONGEST_WAIT_MS).is_none());
        // Another build (republished) is tried at once, and counts from one.
        assert!(wait_for(dir.path(), "bb", 0).is_none());
        assert_eq!(fail("bb", 0).failures, 1);
        forget_failure(dir.path());
        assert_eq!(failed_release(dir.path()), None);
    }
}
