//! The real binary in a real pseudo-terminal (tmux), on its embedded defaults: the counter
//! runs its vendor in-process, so every indicium comes from the central PSD over loopback
//! HTTP. A clerk sells two letters for cash, and the printed label captures verify with
//! `postcounter verify`.

use crate::common;

use std::process::Command;

use common::tmux::Tmux;

#[test]
fn a_clerk_sells_two_letters_for_cash_and_the_labels_verify() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let tmux = Tmux::start(&data_dir);
    tmux.wait_for("Weigh the piece");
    tmux.keys(&["2oz", "Enter"]);
    tmux.wait_for("Where is it going?");
    tmux.keys(&["90210", "Enter"]);
    tmux.wait_for("Beverly Hills");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Basket: 1 piece(s)");
    tmux.keys(&["F2"]);
    tmux.wait_for("Weigh the piece");
    tmux.keys(&["1oz", "Enter"]);
    tmux.wait_for("Where is it going?");
    tmux.keys(&["10001", "Enter"]);
    tmux.wait_for("New York");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Basket: 2 piece(s)   Total $1.85");
    tmux.keys(&["F9"]);
    tmux.wait_for("Amount due");
    tmux.keys(&["20", "Enter"]);
    let done = tmux.wait_for("Sale complete");
    assert!(done.contains("$18.15"), "change due:\n{done}");
    tmux.keys(&["Enter"]);
    tmux.quit();

    let labels = data_dir.join("jobs/label");
    let mut serials = Vec::new();
    for job in ["job-000001.escpos", "job-000002.escpos"] {
        let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["verify", "--json"])
            .arg(labels.join(job))
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["valid"], true, "{json}");
        serials.push(json["serial"].as_str().unwrap().to_string());
    }
    serials.sort();
    // The in-process vendor's central PSD, not the embedded fallback (10000001).
    assert_eq!(serials, ["20000001-0000001", "20000001-0000002"]);
    let show = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["admin", "psd-show", "20000001"])
        .output()
        .unwrap();
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains("AR $1.85") && show.contains("pieces 2"),
        "{show}"
    );
    assert!(show.contains("the registers match the pieces"), "{show}");
    let receipt = std::fs::read(data_dir.join("jobs/receipt/job-000002.escpos")).unwrap();
    let rendered = postcounter::print::virtual_printer::render(&receipt, 576).unwrap();
    assert!(
        rendered
            .text_lines
            .iter()
            .any(|l| l.contains("CHANGE") && l.contains("$18.15")),
        "{:?}",
        rendered.text_lines
    );
}

#[test]
fn a_card_is_declined_then_approved_and_the_supervisor_sees_the_sale() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    common::set_supervisor_pin(&data_dir, "2468");
    let tmux = Tmux::start_with(&data_dir, "", "card");
    tmux.basket_a_letter_to_90210();
    tmux.keys(&["F11"]);
    tmux.wait_for("Card number");
    tmux.keys(&["4000000000000002", "Tab", "12/30", "Enter"]);
    let declined = tmux.wait_for("payment not taken");
    assert!(!declined.contains("4000000000000002"), "{declined}");
    tmux.keys(&["4242424242424242", "Tab", "12/30", "Enter"]);
    let done = tmux.wait_for("Sale complete");
    assert!(done.contains("VISA •••• 4242"), "{done}");
    assert!(
        done.contains("Label 20000001-0000001"),
        "the label preview:\n{done}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Weigh the piece");
    tmux.keys(&["F7"]);
    tmux.wait_for("PIN");
    tmux.keys(&["2468", "Enter"]);
    // The bottom box is drawn last: the whole screen is there once it shows.
    let supervisor = tmux.wait_for("Scale   none");
    // Of the account's $500.00 demo funds, $100.00 refilled the embedded PSD through the
    // data centre and $100.00 topped the central PSD up; the card's $0.78 went to the data
    // centre (claim 6), which credited it to the account.
    assert!(
        supervisor.contains("$99.22"),
        "descending register:\n{supervisor}"
    );
    assert!(supervisor.contains("$300.78"), "account:\n{supervisor}");
    assert!(supervisor.contains("20000001-0000001"), "{supervisor}");
    tmux.keys(&["Escape"]);
    // A key sent right after Escape would read as Alt+key: wait for the screen to change.
    tmux.wait_for("Weigh the piece");
    tmux.quit();

    let receipt = std::fs::read(data_dir.join("jobs/receipt/job-000001.escpos")).unwrap();
    let rendered = postcounter::print::virtual_printer::render(&receipt, 576).unwrap();
    assert!(
        rendered.text_lines.iter().any(|l| l.contains("****4242")),
        "{:?}",
        rendered.text_lines
    );
    // No full card number anywhere the station writes.
    for file in [
        "payments/payments.sqlite",
        "log/postcounter.log",
        "vendor/vendor.sqlite",
        "vendor/card-gateway.sqlite",
    ] {
        let bytes = std::fs::read(data_dir.join(file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for number in ["4242424242424242", "4000000000000002"] {
            assert!(!text.contains(number), "{file} holds {number}");
        }
    }
    let log = std::fs::read_to_string(data_dir.join("log/postcounter.log")).unwrap();
    assert!(log.contains("issued 20000001-0000001"), "{log}");
    assert!(
        log.contains("declined") || log.contains("not taken"),
        "{log}"
    );
}

/// Three wrong supervisor PINs close the gate for a minute, and quitting and starting the
/// counter again does not open it: the right PIN still waits (a clerk pass found that a
/// restart gave three new guesses).
#[test]
fn a_supervisor_lockout_outlives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    common::set_supervisor_pin(&data_dir, "2468");
    let tmux = Tmux::start_with(&data_dir, "", "lockout");
    tmux.wait_for("Weigh the piece");
    tmux.keys(&["F7"]);
    tmux.wait_for("PIN");
    for left in ["2 more", "1 more"] {
        tmux.keys(&["1111", "Enter"]);
        tmux.wait_for(left);
    }
    tmux.keys(&["1111", "Enter"]);
    tmux.wait_for("locked for 60 s");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Weigh the piece");
    tmux.quit();

    let tmux = Tmux::start_with(&data_dir, "", "lockout-again");
    tmux.wait_for("Weigh the piece");
    tmux.keys(&["F7"]);
    tmux.wait_for("PIN");
    tmux.keys(&["2468", "Enter"]);
    tmux.wait_for("too many wrong PINs: try again in");
    tmux.quit();
}
