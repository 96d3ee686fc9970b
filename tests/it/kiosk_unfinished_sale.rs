//! A counter that stops between a card charge and the postage it pays for gives the money
//! back when it starts again. Every charge is recorded before it is sent; at start-up each
//! record is settled against the postage the ledger holds for its sale. A finished sale
//! owes nothing; a sale whose pieces are not in the ledger (made so here by pointing the
//! record at another sale, as a crash before the issue leaves it) is refunded once, under
//! the screen's own refund id, and the screen says so.

use crate::common;

use std::process::Command;

use common::tmux::Tmux;

fn statement(data_dir: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["admin", "account-statement", "local"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn lines_of(statement: &str, kind: &str) -> usize {
    let column = format!("  {kind}  ");
    statement
        .lines()
        .filter(|line| line.contains(&column))
        .count()
}

#[test]
fn a_charge_left_without_its_postage_is_refunded_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let tmux = Tmux::start_with(&data_dir, "", "unfinished");
    tmux.basket_a_letter_to_90210();
    tmux.keys(&["F11"]);
    tmux.wait_for("Card number");
    tmux.keys(&["4242424242424242", "Tab", "12/30", "Enter"]);
    tmux.wait_for("Sale complete");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Weigh the piece");
    tmux.quit();
    drop(tmux);

    let records: Vec<_> = std::fs::read_dir(data_dir.join("charges"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(records.len(), 1, "the charge was recorded: {records:?}");
    let record = std::fs::read_to_string(&records[0]).unwrap();
    let mut open: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(open["amount_mills"], 780);
    // As a crash before the issue leaves it: no piece of its sale in the ledger.
    open["sale_id"] = "counter-0000000000000000-sale999".into();
    std::fs::write(&records[0], serde_json::to_vec(&open).unwrap()).unwrap();
    assert_eq!(lines_of(&statement(&data_dir), "card"), 1);
    assert_eq!(lines_of(&statement(&data_dir), "card_refund"), 0);

    let restarted = Tmux::start_with(&data_dir, "", "unfinished-again");
    restarted.wait_for("$0.78 of a sale cut short");
    restarted.quit();
    drop(restarted);
    let after = statement(&data_dir);
    assert_eq!(lines_of(&after, "card_refund"), 1, "{after}");
    assert!(
        std::fs::read_dir(data_dir.join("charges"))
            .unwrap()
            .next()
            .is_none()
    );

    // Settled once: the next start refunds nothing more.
    let third = Tmux::start_with(&data_dir, "", "unfinished-third");
    third.wait_for("Weigh the piece");
    third.quit();
    assert_eq!(lines_of(&statement(&data_dir), "card_refund"), 1);
}
