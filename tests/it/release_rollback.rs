//! The launcher with real child processes and real release files: a release that exits with
//! an error before its health check, one that hangs past it, and one that never starts are
//! each rolled back by the launcher by itself, refused from then on, and the release before
//! runs again. The releases here are small scripts, so every ending is certain; the counter
//! itself runs as a release in `release_switch`.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use postcounter::release::launcher::supervise;
use postcounter::release::{ReleaseVersion, store};

fn v(text: &str) -> ReleaseVersion {
    text.parse().unwrap()
}

/// `script` kept as release `version`'s build, as the monitor keeps a verified one.
fn stage_script(data_dir: &Path, version: &str, script: &str) {
    store::stage(
        data_dir,
        v(version),
        format!("#!/bin/sh\n{script}\n").as_bytes(),
    )
    .unwrap();
}

/// A station running release 0.2.0 (healthy: it records that it ran, and exits 0 as a clerk
/// quitting does), with `failing` staged as 0.3.0.
fn station_with_a_failing_release(data_dir: &Path, failing: &str) {
    let ran = data_dir.join("0.2.0-ran");
    stage_script(
        data_dir,
        "0.2.0",
        &format!("echo \"$POSTCOUNTER_RELEASE $*\" >> '{}'", ran.display()),
    );
    store::change(data_dir, |releases| {
        releases.switch(0, 1);
        releases.healthy(v("0.2.0"));
    })
    .unwrap();
    stage_script(data_dir, "0.3.0", failing);
}

fn launch(data_dir: &Path, health_check: Duration) -> ExitCode {
    let args: Vec<OsString> = vec!["--data-dir".into(), data_dir.as_os_str().into()];
    supervise(data_dir, health_check, &args).unwrap()
}

fn assert_rolled_back(data_dir: &Path, reason: &str) {
    let releases = store::read(data_dir).unwrap();
    assert_eq!(releases.current, Some(v("0.2.0")), "{releases:?}");
    assert_eq!(releases.trial, None);
    assert_eq!(releases.staged, None);
    assert_eq!(releases.refused.len(), 1, "{releases:?}");
    assert_eq!(releases.refused[0].version, v("0.3.0"));
    assert!(releases.refused[0].reason.contains(reason), "{releases:?}");
    assert!(
        !store::binary_path(data_dir, v("0.3.0")).exists(),
        "a refused release's files are removed"
    );
    // The release before ran again, as the launcher runs a release: with its version and
    // the launcher's own arguments.
    let ran = std::fs::read_to_string(data_dir.join("0.2.0-ran")).unwrap();
    assert_eq!(
        ran,
        format!("0.2.0 --data-dir {}\n", data_dir.display()),
        "the release before runs again once"
    );
}

#[test]
fn a_release_that_exits_with_an_error_on_trial_is_rolled_back_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "exit 3");
    let code = launch(dir.path(), Duration::from_secs(60));
    assert_eq!(
        code,
        ExitCode::SUCCESS,
        "the release before quit as a clerk does"
    );
    assert_rolled_back(dir.path(), "exited with status 3");
}

#[test]
fn a_release_that_hangs_past_its_health_check_is_ended_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "exec sleep 600");
    let started = Instant::now();
    launch(dir.path(), Duration::from_secs(1));
    let took = started.elapsed();
    assert_rolled_back(dir.path(), "did not pass its health check");
    // Ended after the check and its grace period, not left to run.
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn a_release_that_cannot_start_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "");
    // Not a program this machine can start (a format it does not run).
    let binary = store::binary_path(dir.path(), v("0.3.0"));
    std::fs::write(&binary, b"\x7fELF not really").unwrap();
    launch(dir.path(), Duration::from_secs(60));
    assert_rolled_back(dir.path(), "could not be started");
}

#[test]
fn a_release_killed_on_trial_is_rolled_back_and_a_healthy_one_that_fails_is_not() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "kill -9 $$");
    launch(dir.path(), Duration::from_secs(60));
    assert_rolled_back(dir.path(), "was ended by signal 9");

    // Release 0.2.0 is past its trial: when it fails, the launcher reports it (its exit
    // code) and keeps it, rather than rolling back to a build older than the last good one.
    let build = store::binary_path(dir.path(), v("0.2.0"));
    std::fs::write(&build, "#!/bin/sh\nexit 4\n").unwrap();
    let code = launch(dir.path(), Duration::from_secs(60));
    assert_eq!(code, ExitCode::from(4));
    let releases = store::read(dir.path()).unwrap();
    assert_eq!(releases.current, Some(v("0.2.0")));
    assert_eq!(releases.refused.len(), 1);
}
