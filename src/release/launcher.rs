//! The launcher: the process that runs the counter screen from a release and watches it.
//!
//! It switches a staged release in only when no counter runs (at its own start, or after the
//! counter left at a quiet moment with [`SWITCH_EXIT`]), runs it as a child on the same
//! terminal, and rolls it back by itself when it fails its health check: it exits with any
//! other error before the check passed, leaves with [`UNHEALTHY_EXIT`] after its deadline,
//! or is still running with the check not passed a grace period after it (a build that hangs).
//! The failed release is refused from then on and the one before it runs again, so a broken
//! update costs a station one restart, never its service.
//!
//! A counter that is not on trial and fails is not replaced: its exit code is the launcher's,
//! for whatever starts the launcher (a service manager) to act on.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus};
use std::time::Duration;

use super::state::Trial;
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

/// How often the launcher looks at its counter.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// How one run of the counter ended.
#[derive(Debug, PartialEq, Eq)]
enum Ending {
    /// The clerk quit (or the counter failed, not on trial): the launcher exits with this.
    Exit(u8),
    /// Left for a staged release.
    Switch,
    /// Failed, with why and the exit code to pass on when it was not on trial.
    Failed { reason: String, code: u8 },
}

/// Runs the counter screen (`args`, this process's own arguments) from the station's
/// current release until the clerk quits, switching releases in and rolling failed ones back.
pub fn supervise(
    data_dir: &Path,
    health_check: Duration,
    args: &[OsString],
) -> Result<ExitCode, ReleaseError> {
    let installed = ReleaseVersion::of_this_build();
    let health_ms = i64::try_from(health_check.as_millis()).unwrap_or(i64::MAX);
    loop {
        let now = Clock::system().now_unix_ms();
        let (release, trial) = store::change(data_dir, |releases| {
            if releases.switch(now, health_ms).is_none() {
                releases.restart_trial(now, health_ms);
            }
            (
                releases.current.filter(|current| *current > installed),
                releases.trial.clone(),
            )
        })?;
        let trial = trial.filter(|t| Some(t.version) == release);
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
            Ok(child) => watch(child, data_dir, trial.as_ref(), health_ms)?,
            Err(e) => Ending::Failed {
                reason: format!("could not be started: {e}"),
                code: 1,
            },
        };
        match ending {
            Ending::Exit(code) => return Ok(ExitCode::from(code)),
            Ending::Switch => {}
            Ending::Failed { reason, code } => {
                let now = Clock::system().now_unix_ms();
                let rolled_back = store::change(data_dir, |releases| {
                    let on_trial = releases.trial.as_ref().map(|t| t.version);
                    (on_trial.is_some() && on_trial == release)
                        .then(|| releases.roll_back(reason.clone(), now))
                        .flatten()
                })?;
                match rolled_back {
                    Some(version) => log::error!("release {version} rolled back: it {reason}"),
                    None => {
                        log::error!("the counter {reason}");
                        return Ok(ExitCode::from(code));
                    }
                }
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
    command.args(args).env(SUPERVISED_ENV, "1");
    match release {
        Some(version) => command.env(RELEASE_ENV, version.to_string()),
        None => command.env_remove(RELEASE_ENV),
    };
    command.spawn()
}

/// Waits for the counter to end; one on trial that is still running a grace period (as long
/// as the check itself) after its deadline without having passed is ended.
fn watch(
    mut child: Child,
    data_dir: &Path,
    trial: Option<&Trial>,
    health_ms: i64,
) -> Result<Ending, ReleaseError> {
    let give_up_at = trial.map(|t| t.deadline_unix_ms.saturating_add(health_ms));
    loop {
        let status = child
            .try_wait()
            .map_err(|e| ReleaseError::io_of("the counter process", e))?;
        if let Some(status) = status {
            return Ok(ending_of(status));
        }
        if let Some(give_up_at) = give_up_at
            && Clock::system().now_unix_ms() >= give_up_at
            && store::read(data_dir)?.trial.is_some()
        {
            // Killed, not asked: it did not leave by itself when its deadline passed.
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Ending::Failed {
                reason: format!(
                    "did not pass its health check (start, open its ledger, reach the data centre) within {} s",
                    health_ms / 1000
                ),
                code: 1,
            });
        }
        std::thread::sleep(WATCH_EVERY);
    }
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
