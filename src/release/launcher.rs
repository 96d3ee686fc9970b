//! The launcher: the process that runs the counter screen from a release and watches it.
//!
//! It switches a staged release in only when no counter runs (at its own start, or after the
//! counter left at a quiet moment with [`SWITCH_EXIT`]), runs it as a child on the same
//! terminal, and rolls it back by itself when it fails on trial: it exits with an error or a
//! signal, cannot be started, leaves at a quiet moment with [`UNHEALTHY_EXIT`] because its
//! health check's deadline passed, or shows no sign of life for as long as the check (hung).
//! The failed release is refused from then on and the one before it runs again, so a broken
//! update costs a station one restart, never its service.
//!
//! A counter that is not on trial and fails is not replaced: its exit code is the launcher's,
//! for whatever starts the launcher (a service manager) to act on.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use super::store::{self, ReleaseError};
use super::version::ReleaseVersion;
use crate::clock::Clock;

/// The counter left at a quiet moment so a staged release can be switched in.
pub const SWITCH_EXIT: u8 = 75;
/// A release on trial saw its health check's deadline pass, and left at a quiet moment.
pub const UNHEALTHY_EXIT: u8 = 76;
/// Set for a counter the launcher runs: it reports back by exit code, never launches.
pub const SUPERVISED_ENV: &str = "POSTCOUNTER_SUPERVISED";
/// The release a supervised counter runs as (absent: the installed build).
pub const RELEASE_ENV: &str = "POSTCOUNTER_RELEASE";
/// The launcher's process id, so a counter knows it is gone when its parent changes.
pub const LAUNCHER_ENV: &str = "POSTCOUNTER_LAUNCHER_PID";

/// How often the launcher looks at its counter.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// How one run of the counter ended.
#[derive(Debug, PartialEq, Eq)]
enum Ending {
    /// The clerk quit: the launcher exits with this.
    Exit(u8),
    /// Left for a staged release.
    Switch,
    /// Failed, with why and the exit code to pass on when it was not on trial.
    Failed { reason: String, code: u8 },
}

/// How the launcher ended: the exit code to pass on, and, when the counter failed (not on
/// trial), why, for the terminal that is the launcher's again (or a counter that cannot
/// start would end without a word).
#[derive(Debug, PartialEq, Eq)]
pub struct Ended {
    pub code: u8,
    pub failure: Option<String>,
}

/// Runs the counter screen (`args`, this process's own arguments) from the station's
/// current release until the clerk quits, switching releases in and rolling failed ones back.
pub fn supervise(
    data_dir: &Path,
    health_check: Duration,
    args: &[OsString],
) -> Result<Ended, ReleaseError> {
    let installed = ReleaseVersion::of_this_build();
    let health_ms = i64::try_from(health_check.as_millis()).unwrap_or(i64::MAX);
    loop {
        let now = Clock::system().now_unix_ms();
        let (release, on_trial) = store::change(data_dir, |releases| {
            releases.forget_older_than(installed);
            if releases.switch(now, health_ms, installed).is_none() {
                releases.restart_trial(now, health_ms);
            }
            let release = releases.release_to_run(installed);
            let on_trial = releases.trial.as_ref().map(|t| t.version);
            (release, release.is_some() && on_trial == release)
        })?;
        let binary = match release {
            Some(version) => store::binary_path(data_dir, version),
            None => this_binary()?,
        };
        log::info!(
            "the launcher runs {} ({})",
            release.map_or("the installed build".to_string(), |v| format!(
                "release {v}"
            )),
            binary.display()
        );
        let ending = match start(&binary, release, args) {
            Ok(child) => watch(child, data_dir, release, on_trial.then_some(health_check)),
            Err(e) => Ending::Failed {
                reason: format!("could not be started: {e}"),
                code: 1,
            },
        };
        let still_on_trial = || {
            store::read(data_dir)
                .map(|r| release.is_some() && r.trial.map(|t| t.version) == release)
        };
        let (reason, code) = match ending {
            Ending::Exit(code) => {
                return Ok(Ended {
                    code,
                    failure: None,
                });
            }
            // Nothing is due while a release is on trial: one that leaves "for a switch"
            // then is misbehaving.
            Ending::Switch if still_on_trial()? => (
                "left for a release switch while on trial".to_string(),
                SWITCH_EXIT,
            ),
            Ending::Switch => continue,
            Ending::Failed { reason, code } => (reason, code),
        };
        let now = Clock::system().now_unix_ms();
        let rolled_back = store::change(data_dir, |releases| {
            let on_trial = releases.trial.as_ref().map(|t| t.version);
            (on_trial.is_some() && on_trial == release)
                .then(|| releases.roll_back(reason.clone(), now))
                .flatten()
        })?;
        match rolled_back {
            Some(version) => log::error!("release {version} rolled back: it {reason}"),
            // It left to be rolled back, but passed its check meanwhile: it runs again.
            None if code == UNHEALTHY_EXIT && on_trial => {
                log::warn!("the counter {reason}; it passed since")
            }
            None => {
                log::error!("the counter {reason}");
                return Ok(Ended {
                    code,
                    failure: Some(reason),
                });
            }
        }
    }
}

fn this_binary() -> Result<PathBuf, ReleaseError> {
    std::env::current_exe().map_err(|e| ReleaseError::io_of("this program's path", e))
}

fn start(
    binary: &Path,
    release: Option<ReleaseVersion>,
    args: &[OsString],
) -> std::io::Result<Child> {
    let mut command = Command::new(binary);
    command
        .args(args)
        .env(SUPERVISED_ENV, "1")
        .env(LAUNCHER_ENV, std::process::id().to_string());
    match release {
        Some(version) => command.env(RELEASE_ENV, version.to_string()),
        None => command.env_remove(RELEASE_ENV),
    };
    command.spawn()
}

/// Waits for the counter to end. One on trial (`hang_after`: its health check's length)
/// that shows no sign of life for that long (its heartbeat, see [`store::heartbeat`]) is
/// hung, and ended: a live one is never ended, even mid-check, because it may be mid-sale.
/// Times are the launcher's monotonic clock, so a clock set at boot ends nothing early.
fn watch(
    child: Child,
    data_dir: &Path,
    release: Option<ReleaseVersion>,
    hang_after: Option<Duration>,
) -> Ending {
    let pid = child.id();
    let ending = watch_until_ended(child, data_dir, release, hang_after);
    store::forget_heartbeat(data_dir, pid);
    ending
}

fn watch_until_ended(
    mut child: Child,
    data_dir: &Path,
    release: Option<ReleaseVersion>,
    mut hang_after: Option<Duration>,
) -> Ending {
    let pid = child.id();
    let mut last_beat = store::read_heartbeat(data_dir, pid);
    let mut alive_at = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return ending_of(status),
            Ok(None) => {}
            Err(e) => log::error!("the counter process: {e}"),
        }
        // Once it passed its check it is watched no more (a disk that stops taking its
        // heartbeat must not end a healthy counter mid-sale).
        if hang_after.is_some() && passed(data_dir, release) {
            hang_after = None;
        }
        let beat = store::read_heartbeat(data_dir, pid);
        if beat != last_beat {
            last_beat = beat;
            alive_at = Instant::now();
        }
        if let Some(hang_after) = hang_after
            && alive_at.elapsed() >= hang_after
        {
            let _ = child.kill();
            let _ = child.wait();
            return Ending::Failed {
                reason: format!(
                    "showed no sign of life for {} s on trial (hung)",
                    hang_after.as_secs()
                ),
                code: 1,
            };
        }
        std::thread::sleep(WATCH_EVERY);
    }
}

/// Whether the record no longer has `release` on trial (a record that cannot be read says
/// nothing: the watch goes on).
fn passed(data_dir: &Path, release: Option<ReleaseVersion>) -> bool {
    store::read(data_dir).is_ok_and(|r| r.trial.map(|t| t.version) != release)
}

fn ending_of(status: ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    let failed = |reason: String, code: i32| Ending::Failed {
        reason,
        code: u8::try_from(code).unwrap_or(1),
    };
    match (status.code(), status.signal()) {
        (Some(0), _) => Ending::Exit(0),
        (Some(code), _) if code == i32::from(SWITCH_EXIT) => Ending::Switch,
        (Some(code), _) if code == i32::from(UNHEALTHY_EXIT) => failed(
            "did not pass its health check (start, open its ledger, reach the data centre) in time"
                .into(),
            code,
        ),
        (Some(code), _) => failed(format!("exited with status {code}"), code),
        // The shell's convention for a process ended by a signal.
        (None, Some(signal)) => failed(format!("was ended by signal {signal}"), 128 + signal),
        (None, None) => failed("ended without a status".into(), 1),
    }
}
