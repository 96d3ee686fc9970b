//! The counter takes a new release of itself, end to end: the real binary in tmux, linked to
//! a separate `vendor serve`, while a clerk has a letter in the basket. `admin
//! publish-release` publishes a build; the counter's monitor verifies and stages it and the
//! clerk's header says an update waits, but the sale goes on to its end; at the next quiet
//! moment the counter leaves, the launcher switches the release in and it passes its health
//! check. Then a broken release is published: it is switched in at a quiet moment, fails,
//! and is rolled back by itself, and the counter sells again on the release before.
//!
//! Each build here is a two-line script that runs this test's own counter binary (the
//! debug binary is larger than a target the station takes); what runs is the real counter,
//! started by the launcher as a release.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::vendor::PSD_A1;
use common::vendor_process::{VendorProcess, enrolled, free_address};
use postcounter::release::{ReleaseVersion, Releases, store, this_platform};

/// `admin publish-release` on the data centre's machine.
fn publish_release(data_centre: &Path, store: &str, build: &Path, version: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_centre)
        .args(["admin", "publish-release"])
        .arg(build)
        .args(["--version", version, "--platform", &this_platform()])
        .env("POSTCOUNTER_VENDOR__STORE", store)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

fn script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    path
}

/// Waits (bounded) until the station's release record satisfies `done`.
fn wait_for_record(data_dir: &Path, tmux: &Tmux, done: impl Fn(&Releases) -> bool) -> Releases {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let releases = store::read(data_dir).unwrap();
        if done(&releases) {
            return releases;
        }
        assert!(
            Instant::now() < deadline,
            "the release record: {releases:?}; the screen shows:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn pay_cash_and_finish(tmux: &Tmux) -> String {
    tmux.keys(&["F9"]);
    tmux.wait_for("Amount due");
    tmux.keys(&["5", "Enter"]);
    let done = tmux.wait_for("Sale complete");
    tmux.keys(&["Enter"]);
    done
}

/// A counter in tmux (its data in `data_dir`), enrolled at a separate `vendor serve`.
struct Beside {
    fixture: common::vendor::VendorFixture,
    _vendor: VendorProcess,
    dir: tempfile::TempDir,
    data_dir: std::path::PathBuf,
    tmux: Tmux,
}

/// [`Beside`], named `name`, with a supervisor `pin` and `settings` (environment
/// assignments) beside a quiet time of one second.
fn beside_a_data_centre(name: &str, pin: Option<&str>, settings: &str) -> Beside {
    let runtime = common::runtime();
    let code = format!("{name}-enrollment-code");
    let fixture = enrolled(&runtime, &code);
    let address = free_address();
    let vendor = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    if let Some(pin) = pin {
        common::set_supervisor_pin(&data_dir, pin);
    }
    let environment = format!(
        "POSTCOUNTER_LINK__ENDPOINTS=http://{address} POSTCOUNTER_LINK__ENROLLMENT_CODE={code} \
         POSTCOUNTER_LINK__TIMEOUT_MS=2000 POSTCOUNTER_LINK__POLL_AFTER_S=1 \
         POSTCOUNTER_UPDATES__QUIET_S=1 {settings}"
    );
    let tmux = Tmux::start_with(&data_dir, &environment, name);
    tmux.wait_for("vendor online");
    Beside {
        fixture,
        _vendor: vendor,
        dir,
        data_dir,
        tmux,
    }
}

#[test]
fn a_release_waits_for_the_sale_switches_in_and_a_broken_one_rolls_back_by_itself() {
    let Beside {
        fixture,
        _vendor,
        dir,
        data_dir,
        tmux,
    } = beside_a_data_centre("release", None, "POSTCOUNTER_UPDATES__HEALTH_CHECK_S=60");
    tmux.basket_a_letter_to_90210();

    // Published mid-sale: verified and staged, announced, and the sale goes on.
    let good = script(
        dir.path(),
        "postcounter-0.2.0",
        &format!("exec '{}' \"$@\"", env!("CARGO_BIN_EXE_postcounter")),
    );
    publish_release(fixture.dir.path(), &fixture.location, &good, "0.2.0");
    let waiting = tmux.wait_for("Update 0.2.0 waiting");
    assert!(waiting.contains("Basket: 1 piece(s)"), "{waiting}");
    let staged = store::read(&data_dir).unwrap();
    assert_eq!(staged.staged, Some("0.2.0".parse().unwrap()));
    assert_eq!(staged.current, None, "nothing is switched during a sale");
    let done = pay_cash_and_finish(&tmux);
    assert!(done.contains(&format!("{PSD_A1}-0000001")), "{done}");

    // The quiet moment: the counter leaves, the release runs, and it passes its check.
    let v020: ReleaseVersion = "0.2.0".parse().unwrap();
    wait_for_record(&data_dir, &tmux, |r| {
        r.current == Some(v020) && r.trial.is_none() && r.staged.is_none()
    });
    let screen = tmux.wait_for("Weigh the piece");
    assert!(!screen.contains("Update 0.2.0"), "{screen}");

    // A broken release: switched in at the next quiet moment, rolled back by itself.
    let broken = script(dir.path(), "postcounter-0.3.0", "exit 3");
    publish_release(fixture.dir.path(), &fixture.location, &broken, "0.3.0");
    let releases = wait_for_record(&data_dir, &tmux, |r| !r.refused.is_empty());
    assert_eq!(releases.current, Some(v020), "{releases:?}");
    assert_eq!(releases.refused[0].version.to_string(), "0.3.0");
    assert_eq!(releases.refused[0].reason, "exited with status 3");

    // The release before sells on, and quits as a clerk quits.
    tmux.basket_a_letter_to_90210();
    let done = pay_cash_and_finish(&tmux);
    assert!(done.contains(&format!("{PSD_A1}-0000002")), "{done}");
    tmux.quit();
    let status = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["updates", "status"])
        .output()
        .unwrap();
    let text = String::from_utf8(status.stdout).unwrap();
    assert!(text.contains("runs             release 0.2.0"), "{text}");
    assert!(
        text.contains("rolled back      release 0.3.0") && text.contains("exited with status 3"),
        "{text}"
    );
}

/// The supervisor puts a waiting release off from the counter's own screen (F8), within the
/// bound: the header stops announcing it and the record holds the postponement (that it
/// holds at a quiet moment is `kiosk_release`'s).
#[test]
fn a_supervisor_puts_a_waiting_release_off_from_the_counter() {
    let Beside {
        fixture,
        _vendor,
        dir,
        data_dir,
        tmux,
    } = beside_a_data_centre(
        "postpone",
        Some("2468"),
        "POSTCOUNTER_UPDATES__POSTPONE_MAX=1",
    );
    // A letter in the basket: no quiet moment while the supervisor gets there.
    tmux.basket_a_letter_to_90210();
    let build = script(dir.path(), "postcounter-0.2.0", "exit 0");
    publish_release(fixture.dir.path(), &fixture.location, &build, "0.2.0");
    tmux.wait_for("Update 0.2.0 waiting");
    tmux.keys(&["F7"]);
    tmux.wait_for("PIN");
    tmux.keys(&["2468", "Enter"]);
    tmux.wait_for("Scale   none");
    tmux.keys(&["F8"]);
    let postponed = tmux.wait_for("update 0.2.0 postponed until");
    assert!(postponed.contains("(1 of 1 times)"), "{postponed}");
    let releases = store::read(&data_dir).unwrap();
    assert_eq!(releases.postponed.map(|p| p.times), Some(1));
    // The bound holds on the screen as on the command line.
    tmux.keys(&["F8"]);
    tmux.wait_for("not postponed: release 0.2.0 was postponed 1 time(s) already");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Basket: 1 piece(s)");
    let screen = tmux.screen();
    assert!(!screen.contains("Update 0.2.0"), "{screen}");
    pay_cash_and_finish(&tmux);
    tmux.wait_for("Weigh the piece");
    assert_eq!(store::read(&data_dir).unwrap().current, None);
    tmux.quit();
}
