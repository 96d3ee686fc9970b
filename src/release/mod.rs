//! The counter's own software updates: a build the data centre publishes in its TUF
//! repository (see [`crate::link::updates`]) is verified and kept in `<data dir>/releases`,
//! switched in at a quiet moment, run on trial, and rolled back by itself when it fails its
//! health check: it must start, open its ledger and reach its data centre within
//! `updates.health_check_s`.
//!
//! Who does what:
//! - the station's monitor stages a release when the repository lists a newer one for this
//!   platform ([`store::stage`]);
//! - the counter screen leaves at a quiet moment (the start screen left alone, nothing paid
//!   or in flight) with [`launcher::SWITCH_EXIT`], and marks its release healthy after its
//!   first contact with the data centre ([`mark_healthy`]);
//! - the launcher ([`launcher::supervise`]) switches, runs and watches the counter, and rolls
//!   back a release that fails on trial;
//! - a supervisor may postpone a waiting release a bounded number of times.
//!
//! The stores a release opens stay readable by the release before it: a migration that only
//! adds (expand) leaves them so; one that removes or renames (contract) is marked as such, and
//! an older build then refuses the store with a clear message instead of misreading it (see
//! [`crate::migrations`]).

pub mod launcher;
pub mod state;
pub mod store;
pub mod version;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use state::{PostponeRefused, Releases};
pub use store::{ReleaseError, ReleaseErrorKind};
pub use version::{ReleaseVersion, this_platform};

/// Whether this process is a counter run by the launcher.
pub fn supervised() -> bool {
    std::env::var_os(launcher::SUPERVISED_ENV).is_some_and(|v| v == "1")
}

/// The release this process runs as, when the launcher started it from one.
pub fn running_release() -> Option<ReleaseVersion> {
    std::env::var(launcher::RELEASE_ENV)
        .ok()
        .and_then(|text| text.parse().ok())
}

/// The version this process runs as: its release's, else this build's.
pub fn running_version() -> ReleaseVersion {
    running_release().unwrap_or_else(ReleaseVersion::of_this_build)
}

/// Whether the counter screen must be run by the launcher: a release newer than this build
/// is current, or one waits to be switched in (at start nothing is mid-sale).
pub fn launch_needed(data_dir: &Path, now_unix_ms: i64) -> Result<bool, ReleaseError> {
    let releases = store::read(data_dir)?;
    let installed = ReleaseVersion::of_this_build();
    let due_newer = releases.due(now_unix_ms).is_some_and(|v| v > installed);
    Ok(releases.release_to_run(installed).is_some() || due_newer)
}

/// The release this process runs passed its health check: it started, opened its ledger
/// and reached its data centre. True when this took it off trial. The record is read first
/// without its lock: after the trial, a contact takes no lock at all.
pub fn mark_healthy(data_dir: &Path) -> Result<bool, ReleaseError> {
    let Some(version) = running_release() else {
        return Ok(false);
    };
    let on_trial = |r: &Releases| r.trial.as_ref().is_some_and(|t| t.version == version);
    if !on_trial(&store::read(data_dir)?) {
        return Ok(false);
    }
    store::change(data_dir, |releases| releases.healthy(version))
}

/// Why a postponement was not made.
#[derive(Debug, thiserror::Error)]
pub enum PostponeError {
    #[error(transparent)]
    Refused(#[from] state::PostponeRefused),
    #[error(transparent)]
    Record(#[from] ReleaseError),
}

/// Puts the waiting release off by `settings.postpone_minutes`, at most
/// `settings.postpone_max` times between two switches (`updates postpone`, and the
/// supervisor's key on the counter); what now holds.
pub fn postpone(
    data_dir: &Path,
    settings: &crate::config::UpdateSettings,
    now_unix_ms: i64,
) -> Result<state::Postponement, PostponeError> {
    let for_ms =
        i64::try_from(settings.postpone_minutes.saturating_mul(60_000)).unwrap_or(i64::MAX);
    let postponed = store::change(data_dir, |releases| {
        releases
            .postpone(now_unix_ms, for_ms, settings.postpone_max)
            .cloned()
    })??;
    Ok(postponed)
}

/// `until 2026-12-07 20:41 UTC (1 of 3 times)`: how a postponement is shown.
pub fn postponement_text(postponed: &state::Postponement, max_times: u32) -> String {
    format!(
        "until {} ({} of {max_times} times)",
        crate::clock::format_unix_ms(postponed.until_unix_ms),
        postponed.times
    )
}

/// The launcher that runs this counter, as it named itself.
pub fn launcher_pid() -> Option<u32> {
    std::env::var(launcher::LAUNCHER_ENV)
        .ok()
        .and_then(|text| text.parse().ok())
}

/// Set once the counter screen's edge beats for the launcher (see
/// [`beat_while_starting`]).
static SCREEN_BEATS: AtomicBool = AtomicBool::new(false);

/// A counter run by the launcher beats from its first moment: a thread does it while the
/// station opens (an enrollment over a modem, a migration of a large ledger take a while),
/// until the screen's edge takes over ([`screen_beats`]), so a slow start is not taken for a
/// hang; but for `at_most` (the health check's length) only, so a start that never ends is.
/// A hang of the screen itself then stops the beats.
pub fn beat_while_starting(data_dir: PathBuf, at_most: Duration) {
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        for beat in 0_u64.. {
            if SCREEN_BEATS.load(Ordering::Relaxed) || started.elapsed() >= at_most {
                return;
            }
            if let Err(error) = store::heartbeat(&data_dir, beat) {
                log::error!("the launcher's heartbeat: {error}");
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
}

/// The screen's edge beats from now on: the starting thread stops.
pub fn screen_beats() {
    SCREEN_BEATS.store(true, Ordering::Relaxed);
}
