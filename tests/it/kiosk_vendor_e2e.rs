//! The counter, the real binary in tmux, linked to a separate `postcounter vendor serve`
//! process: a clerk sells a letter whose indicium comes from the vendor's central PSD; the
//! vendor is killed mid-session and the next sale completes offline on the embedded PSD,
//! with the screen saying so; the vendor comes back on the same address and the counter
//! reports the offline piece, which the vendor then holds.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::vendor::PSD_A1;
use common::vendor_process::{VendorProcess, enrolled, free_address};
use postcounter::modem::simulator::{LineSettings, PhoneLine};
use postcounter::vendor_system::store::VendorStore;

/// `postcounter verify --json` of a label capture, with the trust the station in `data_dir`
/// holds or the keys in `keys`: the serial.
fn verified_serial(data_dir: &Path, keys: Option<&Path>, job: &Path) -> String {
    let mut verify = Command::new(env!("CARGO_BIN_EXE_postcounter"));
    verify
        .arg("--data-dir")
        .arg(data_dir)
        .args(["verify", "--json"]);
    if let Some(keys) = keys {
        verify.arg("--keys").arg(keys);
    }
    let output = verify.arg(job).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["valid"], true, "{json}");
    json["serial"].as_str().unwrap().to_string()
}

/// `postcounter keys export` on the data centre's machine: what a third party verifies with.
fn exported_keys(data_centre: &Path, store: &str, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_centre)
        .args(["keys", "export", "--out"])
        .arg(out)
        .env("POSTCOUNTER_VENDOR__STORE", store)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

fn sell_a_letter_for_cash(tmux: &Tmux, zip: &str, place: &str) {
    tmux.wait_for("Weigh the piece");
    tmux.keys(&["1oz", "Enter"]);
    tmux.wait_for("Where is it going?");
    tmux.keys(&[zip, "Enter"]);
    tmux.wait_for(place);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Basket: 1 piece(s)");
    tmux.keys(&["F9"]);
    tmux.wait_for("Amount due");
    tmux.keys(&["5", "Enter"]);
}

async fn offline_pieces(store: &VendorStore) -> Vec<(i64, i64)> {
    sqlx::query_as("SELECT psd_id, piece_serial FROM offline_piece ORDER BY piece_serial")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

#[test]
fn the_counter_sells_through_a_separate_vendor_and_offline_when_it_stops() {
    let runtime = common::runtime();
    let code = "e2e-enrollment-code";
    let fixture = enrolled(&runtime, code);
    let address = free_address();
    let mut vendor = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    // The vendor keeps a log (its store failures go there) in its data directory.
    let vendor_log =
        std::fs::read_to_string(postcounter::log_file::log_path(fixture.dir.path())).unwrap();
    assert!(
        vendor_log.contains(&format!("vendor listening on http://{address}")),
        "{vendor_log}"
    );

    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let environment = format!(
        "POSTCOUNTER_LINK__ENDPOINTS=http://{address} POSTCOUNTER_LINK__ENROLLMENT_CODE={code} \
         POSTCOUNTER_LINK__TIMEOUT_MS=500 POSTCOUNTER_LINK__POLL_AFTER_S=1"
    );
    let tmux = Tmux::start_with(&data_dir, &environment, "vendor");
    tmux.wait_for("vendor online");
    sell_a_letter_for_cash(&tmux, "90210", "Beverly Hills");
    let done = tmux.wait_for("Sale complete");
    assert!(done.contains(&format!("{PSD_A1}-0000001")), "{done}");
    tmux.keys(&["Enter"]);
    // The counter's log names the data centre's id for each exchange, which its request
    // log carries too: the purchase is found on both sides.
    let counter_log = std::fs::read_to_string(postcounter::log_file::log_path(&data_dir)).unwrap();
    let purchase = counter_log
        .lines()
        .find(|line| line.contains("POST /postage/v1/") && line.contains(": 200 in "))
        .unwrap_or_else(|| panic!("no purchase in the counter's log: {counter_log}"));
    let id = purchase.rsplit("request id ").next().unwrap().trim();
    assert_eq!(id.len(), 16, "{purchase}");
    let vendor_log =
        std::fs::read_to_string(postcounter::log_file::log_path(fixture.dir.path())).unwrap();
    assert!(
        vendor_log
            .lines()
            .any(|l| l.contains(id) && l.contains("/postage/v1/")),
        "{id} is not in the data centre's request log"
    );

    // The vendor dies mid-session: the next sale is issued by the embedded PSD.
    vendor.kill();
    sell_a_letter_for_cash(&tmux, "10001", "New York");
    let offline = tmux.wait_for("Sale complete");
    assert!(offline.contains("OFFLINE: embedded PSD"), "{offline}");
    assert!(offline.contains("10000001-0000001"), "{offline}");
    tmux.keys(&["Enter"]);

    // Both labels verify with what the counter holds, and with the data centre's export.
    let labels = data_dir.join("jobs/label");
    let exported = dir.path().join("exported");
    exported_keys(fixture.dir.path(), &fixture.location, &exported);
    for keys in [None, Some(exported.as_path())] {
        assert_eq!(
            verified_serial(&data_dir, keys, &labels.join("job-000001.escpos")),
            format!("{PSD_A1}-0000001")
        );
        assert_eq!(
            verified_serial(&data_dir, keys, &labels.join("job-000002.escpos")),
            "10000001-0000001"
        );
    }
    assert!(runtime.block_on(offline_pieces(&fixture.store)).is_empty());

    // The vendor returns on the same address; the counter reports its offline piece.
    let _vendor = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    tmux.wait_for("vendor online");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let reported = runtime.block_on(offline_pieces(&fixture.store));
        if reported == [(10_000_001, 1)] {
            break;
        }
        assert!(Instant::now() < deadline, "reported so far: {reported:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The sale made while the vendor was down never reached it: nothing to settle there.
    let vendor_pieces: i64 = runtime
        .block_on(
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM piece")
                .fetch_one(fixture.store.pool()),
        )
        .unwrap();
    assert_eq!(vendor_pieces, 1);
    tmux.keys(&["C-q"]);
}

/// No Internet endpoint answers from the start: the counter enrolls, is certified and
/// refilled, and sells, all over the backup modem on a simulated phone line, to a data centre
/// that answers calls beside its Internet listener; the header says which way it is reached.
#[test]
fn the_counter_sells_over_the_modem_when_no_internet_endpoint_answers() {
    let runtime = common::runtime();
    let code = "modem-enrollment-code";
    let fixture = enrolled(&runtime, code);
    let line = PhoneLine::start(LineSettings::default()).unwrap();
    let mut vendor = VendorProcess::spawn_with(
        fixture.dir.path(),
        &fixture.location,
        "127.0.0.1:0",
        &[],
        &["--modem", &line.centre_path],
    );
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let environment = format!(
        "POSTCOUNTER_LINK__ENDPOINTS=http://{} POSTCOUNTER_LINK__ENROLLMENT_CODE={code} \
         POSTCOUNTER_LINK__TIMEOUT_MS=500 POSTCOUNTER_LINK__POLL_AFTER_S=1 \
         POSTCOUNTER_LINK__MODEM__DEVICE={} POSTCOUNTER_LINK__MODEM__NUMBER={} \
         POSTCOUNTER_LINK__MODEM__BACKOFF_MS=100",
        free_address(),
        line.station_path,
        LineSettings::default().number
    );
    let tmux = Tmux::start_with(&data_dir, &environment, "modem");
    tmux.wait_for("vendor online by modem");
    sell_a_letter_for_cash(&tmux, "90210", "Beverly Hills");
    let done = tmux.wait_for("Sale complete");
    assert!(done.contains(&format!("{PSD_A1}-0000001")), "{done}");
    assert!(done.contains("vendor online by modem"), "{done}");
    vendor.kill();
}
