//! The date of mailing is the counter's local date: the real binary under `faketime` at
//! 20:00 in Los Angeles (04:00 UTC the next day), and the counter's screen across local
//! midnight, driven by the date the edge reads from the clock.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::kiosk::{add_letter, context, new_state, send};
use postcounter::kiosk::action::Action;
use postcounter::kiosk::state::{Notice, Step};

/// `sell` at 2026-12-07 04:00 UTC with the counter's `time_zone` set to `zone`.
fn sell_at_four_utc(data_dir: &Path, zone: &str) -> Output {
    Command::new("faketime")
        .args([
            "-f",
            "@2026-12-07 04:00:00",
            env!("CARGO_BIN_EXE_postcounter"),
        ])
        .env("TZ", "UTC")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env_remove("POSTCOUNTER_CONFIG")
        .env("POSTCOUNTER_TIME_ZONE", zone)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["sell", "--weight", "1oz", "--to", "90210", "--json"])
        .output()
        .expect("faketime and postcounter run (.ci/run installs faketime)")
}

fn label_text(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let sale: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let label = std::fs::read(sale["label_files"][0].as_str().unwrap()).unwrap();
    String::from_utf8_lossy(&label).into_owned()
}

#[test]
fn at_eight_in_the_evening_in_los_angeles_the_label_carries_the_local_date() {
    let dir = tempfile::tempdir().unwrap();
    let los_angeles = label_text(&sell_at_four_utc(
        &dir.path().join("la"),
        "America/Los_Angeles",
    ));
    assert!(los_angeles.contains("2026-12-06"), "{los_angeles}");
    assert!(!los_angeles.contains("2026-12-07"), "{los_angeles}");
    let utc = label_text(&sell_at_four_utc(&dir.path().join("utc"), "UTC"));
    assert!(utc.contains("2026-12-07"), "{utc}");
    // A misspelt zone stops the command before anything is sold.
    let wrong = sell_at_four_utc(&dir.path().join("wrong"), "America/Lost_Angeles");
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr)
            .contains("time zone \"America/Lost_Angeles\" is not known"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}

#[test]
fn a_counter_running_across_midnight_changes_its_date_and_prices_the_basket_for_it() {
    let (context, mut state) = (context(), new_state());
    let day = state.today;
    add_letter(&mut state, &context, "1oz", "90210");
    assert_eq!(state.basket[0].priced.request.mailing_date, day);
    let next = day.add_days(1);
    send(&mut state, &context, [Action::DateChanged(next)]);
    assert_eq!(state.today, next);
    assert_eq!(state.basket[0].priced.request.mailing_date, next);
    assert_eq!(
        state.notice,
        Some(Notice::Info(format!(
            "the date is now {next}: pieces are mailed on it"
        )))
    );
    // The next piece is mailed on the new date too, and a clock going back changes nothing.
    send(&mut state, &context, [Action::AddAnother]);
    add_letter(&mut state, &context, "2oz", "10001");
    assert_eq!(state.basket[1].priced.request.mailing_date, next);
    send(&mut state, &context, [Action::DateChanged(day)]);
    assert_eq!(state.today, next);
    assert_eq!(state.step, Step::Basket);
}
