//! The launcher with real child processes and real release files: a release that exits with
//! an error before its health check, one that hangs past it, and one that never starts are
//! each rolled back by the launcher by itself, refused from then on, and the release before
//! runs again. The releases here are small scripts, so every ending is certain; the counter
//! itself runs as a release in `release_switch`.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use postcounter::release::launcher::{Ended, supervise};
use postcounter::release::{ReleaseVersion, store};

fn v(text: &str) -> ReleaseVersion {
    text.parse().unwrap()
}

/// `script` kept as release `version`'s build, as the monitor keeps a verified one.
fn stage_script(data_dir: &Path, version: &str, script: &str) {
    let build = format!("#!/bin/sh\n{script}\n");
    assert!(stage(data_dir, version, build.as_bytes(), v("0.1.0")));
}

/// `bytes`, downloaded as the update check downloads a build (a file in the data folder),
/// offered to the store as release `version`; whether it was staged.
fn stage(data_dir: &Path, version: &str, bytes: &[u8], running: ReleaseVersion) -> bool {
    let download = data_dir.join(format!("{version}.download"));
    std::fs::write(&download, bytes).unwrap();
    let staged = store::stage(data_dir, v(version), &download, running).unwrap();
    assert_eq!(
        download.exists(),
        !staged,
        "a staged build is moved in, no other"
    );
    staged
}

/// The releases here must be newer than this build, or the launcher would run the build
/// (this test binary) instead.
fn assert_releases_are_newer() {
    assert!(
        v("0.2.0") > ReleaseVersion::of_this_build(),
        "bump the test releases above {}",
        ReleaseVersion::of_this_build()
    );
}

/// A station running release 0.2.0 (healthy: it records that it ran, and exits 0 as a clerk
/// quitting does), with `failing` staged as 0.3.0.
fn station_with_a_failing_release(data_dir: &Path, failing: &str) {
    assert_releases_are_newer();
    let ran = data_dir.join("0.2.0-ran");
    stage_script(
        data_dir,
        "0.2.0",
        &format!("echo \"$POSTCOUNTER_RELEASE $*\" >> '{}'", ran.display()),
    );
    store::change(data_dir, |releases| {
        releases.switch(0, 1, v("0.1.0"));
        releases.healthy(v("0.2.0"));
    })
    .unwrap();
    stage_script(data_dir, "0.3.0", failing);
}

fn launch(data_dir: &Path, health_check: Duration) -> Ended {
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
    let ended = launch(dir.path(), Duration::from_secs(60));
    assert_eq!(
        ended,
        Ended {
            code: 0,
            failure: None
        },
        "the release before quit as a clerk does"
    );
    assert_rolled_back(dir.path(), "exited with status 3");
}

#[test]
fn a_release_that_hangs_on_trial_is_ended_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    // It never beats (a counter beats every five seconds while it runs).
    station_with_a_failing_release(dir.path(), "exec sleep 600");
    let started = Instant::now();
    launch(dir.path(), Duration::from_secs(1));
    let took = started.elapsed();
    assert_rolled_back(dir.path(), "showed no sign of life for 1 s on trial (hung)");
    // Ended once silent for the check's length, not left to run.
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn a_release_that_beats_is_not_ended_and_one_that_leaves_for_a_switch_on_trial_fails() {
    let dir = tempfile::tempdir().unwrap();
    // Beats (a count in its heartbeat file, as the counter writes it) for three seconds,
    // three times the check's length, then leaves as if for a switch, which nothing on
    // trial does: nothing is due while a release is on trial.
    station_with_a_failing_release(
        dir.path(),
        "for n in 1 2 3 4 5 6; do echo $n > \"$(dirname \"$0\")/../heartbeat-$$\"; sleep 0.5; done; exit 75",
    );
    let started = Instant::now();
    launch(dir.path(), Duration::from_secs(1));
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "it was left to run"
    );
    assert_rolled_back(dir.path(), "left for a release switch while on trial");
    assert!(
        !dir.path()
            .join("releases")
            .read_dir()
            .unwrap()
            .any(|entry| entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("heartbeat-")),
        "the launcher removes an ended counter's heartbeat"
    );
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
    let ended = launch(dir.path(), Duration::from_secs(60));
    assert_eq!(
        ended,
        Ended {
            code: 4,
            failure: Some("exited with status 4".into())
        },
        "the reason goes to the terminal"
    );
    let releases = store::read(dir.path()).unwrap();
    assert_eq!(releases.current, Some(v("0.2.0")));
    assert_eq!(releases.refused.len(), 1);
}

#[test]
fn a_release_is_staged_once_and_never_one_that_was_refused() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "exit 3");
    let installed = v("0.1.0");
    // A second check that fetched the same release meanwhile stages nothing.
    assert!(!stage(dir.path(), "0.3.0", b"#!/bin/sh\n", installed));
    launch(dir.path(), Duration::from_secs(60));
    // Nor does one that finishes its download after the rollback.
    assert!(!stage(dir.path(), "0.3.0", b"#!/bin/sh\n", installed));
    assert!(!stage(dir.path(), "0.2.0", b"#!/bin/sh\n", installed));
    assert!(!store::binary_path(dir.path(), v("0.3.0")).exists());
    let releases = store::read(dir.path()).unwrap();
    assert_eq!(releases.staged, None);
    // A newer one is.
    assert!(stage(dir.path(), "0.3.1", b"#!/bin/sh\n", installed));
    assert_eq!(store::read(dir.path()).unwrap().staged, Some(v("0.3.1")));
}

#[test]
fn a_current_release_whose_build_is_gone_is_reported_not_run_blind() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "exit 3");
    launch(dir.path(), Duration::from_secs(60));
    std::fs::remove_dir_all(store::binary_path(dir.path(), v("0.2.0")).parent().unwrap()).unwrap();
    let ended = launch(dir.path(), Duration::from_secs(60));
    assert_eq!(ended.code, 1);
    let failure = ended.failure.unwrap();
    assert!(failure.starts_with("could not be started:"), "{failure}");
    // Past its trial, it is not refused: the operator decides (the record says which).
    assert_eq!(store::read(dir.path()).unwrap().refused.len(), 1);
}

#[test]
fn a_release_that_passed_its_check_is_not_ended_when_it_stops_beating() {
    let dir = tempfile::tempdir().unwrap();
    // It passes its check (as the counter marks itself healthy, here by editing the
    // record), then stays silent for three times the check's length, and quits.
    let record = store::releases_dir(dir.path()).join("state.json");
    station_with_a_failing_release(
        dir.path(),
        &format!(
            "python3 -c \"import json; p='{}'; r=json.load(open(p)); r['trial']=None; json.dump(r, open(p, 'w'))\"; sleep 3; exit 0",
            record.display()
        ),
    );
    let started = Instant::now();
    let ended = launch(dir.path(), Duration::from_secs(1));
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert_eq!(
        ended,
        Ended {
            code: 0,
            failure: None
        }
    );
    let releases = store::read(dir.path()).unwrap();
    assert_eq!(releases.current, Some(v("0.3.0")), "{releases:?}");
    assert!(releases.refused.is_empty());
}

#[test]
fn a_release_past_its_trial_that_leaves_as_unhealthy_is_reported_not_restarted() {
    let dir = tempfile::tempdir().unwrap();
    station_with_a_failing_release(dir.path(), "exit 3");
    launch(dir.path(), Duration::from_secs(60));
    let build = store::binary_path(dir.path(), v("0.2.0"));
    std::fs::write(&build, "#!/bin/sh\nexit 76\n").unwrap();
    let ended = launch(dir.path(), Duration::from_secs(60));
    assert_eq!(ended.code, 76);
    assert!(ended.failure.is_some());
}
