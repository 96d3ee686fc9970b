//! The offline lease end to end under `faketime`: the real binary, its data centre gone,
//! with the process's wall clock moved as a clerk or an attacker moves the system clock. A
//! lease runs out by that clock, and setting the clock back afterwards reopens nothing: the
//! ledger's clock never reads earlier than the time it last knew.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::offline_counter::OfflineCounter;

fn sell(counter: &OfflineCounter, data_dir: &Path, offset: Option<&str>) -> Output {
    let mut command = match offset {
        Some(offset) => counter.command_at(data_dir, offset),
        None => counter.command(data_dir),
    };
    command
        .args(common::SELL_ONE_LETTER_JSON)
        .env("POSTCOUNTER_PRINTER__LABEL__TRANSPORT", "file:/dev/null")
        .output()
        .expect("faketime and postcounter run (.ci/run installs faketime)")
}

#[test]
fn under_faketime_a_lease_runs_out_and_a_clock_set_back_reopens_nothing() {
    let runtime = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("counter");
    let counter = OfflineCounter::prepare_leased(&runtime, &data_dir, "20.00", "1");

    let now = sell(&counter, &data_dir, None);
    assert!(now.status.success(), "{now:?}");
    let in_lease = sell(&counter, &data_dir, Some("+50m"));
    assert!(in_lease.status.success(), "{in_lease:?}");

    for offset in ["+2h", "-1d", "-10m"] {
        let refused = sell(&counter, &data_dir, Some(offset));
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{offset}: {refused:?}");
        assert!(
            stderr.contains("offline lease ran out"),
            "{offset}: {stderr}"
        );
    }
    let show = counter
        .command(&data_dir)
        .args(["psd", "show", "--json"])
        .output()
        .unwrap();
    let state: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(state["piece_count"], 2, "{state}");
}
