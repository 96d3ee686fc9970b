//! The real binary in tmux with each kind of hardware, simulated by its real protocol: NCI
//! and Mettler Toledo MT-SICS scales and a USB HID scale on pseudo-terminals, and a
//! serial label printer that runs out of paper. Out of paper, the counter issues nothing
//! (the central PSD's registers do not move), says why, and issues once paper is loaded.

use crate::common;

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use common::tmux::Tmux;
use postcounter::print::device_simulator::DevicePrinterSimulator;
use postcounter::print::status::PrinterStatus;
use postcounter::scale::nci::NciSimulator;
use postcounter::scale::sics::SicsSimulator;
use postcounter::scale::{DisplayUnit, PseudoTerminal};
use postcounter::weight::Weight;

/// Runs a counter on a serial scale of `kind` at `device` whose piece is moving: Enter is
/// refused until `settle` stops it, then takes the stable weight. The destination screen.
fn weigh_a_settling_piece(kind: &str, device: &str, settle: impl Fn()) -> String {
    let dir = tempfile::tempdir().unwrap();
    let environment = format!(
        "POSTCOUNTER_SCALE__KIND={kind} POSTCOUNTER_SCALE__DEVICE={device} POSTCOUNTER_SCALE__POLL_INTERVAL_MS=50"
    );
    let tmux = Tmux::start_with(&dir.path().join("data"), &environment, kind);
    tmux.wait_for("MOVING");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the scale is not stable yet");
    settle();
    tmux.wait_for("STABLE");
    tmux.keys(&["Enter"]);
    let destination = tmux.wait_for("Where is it going?");
    tmux.keys(&["C-q"]);
    destination
}

#[test]
fn the_counter_weighs_on_an_nci_scale() {
    let simulator = NciSimulator::start().unwrap();
    let scale = simulator.handle();
    scale.set_unit(DisplayUnit::Ounces);
    scale.set_load(Weight::from_ounces(3));
    scale.set_motion(true);
    let destination = weigh_a_settling_piece("nci", simulator.path(), || scale.set_motion(false));
    assert!(
        destination.contains("3 oz (scale, stable)"),
        "{destination}"
    );
    assert!(scale.received_commands().iter().any(|c| c.starts_with('W')));
}

#[test]
fn the_counter_weighs_on_an_mt_sics_scale() {
    let simulator = SicsSimulator::start().unwrap();
    let scale = simulator.handle();
    scale.set_load(Weight::from_pounds(15));
    scale.set_motion(true);
    let destination =
        weigh_a_settling_piece("mt-sics", simulator.path(), || scale.set_motion(false));
    assert!(
        destination.contains("15 lb (scale, stable)"),
        "{destination}"
    );
    assert!(scale.received_commands().iter().all(|c| c == "SI"));
}

#[test]
fn the_counter_weighs_on_a_usb_hid_scale() {
    let device = PseudoTerminal::open().unwrap();
    let mut scale_side = &device.master;
    // Report id 3, status, unit (11 = ounces), exponent -1, weight little-endian in tenths.
    let report = |status: u8, tenths: u16| {
        let [low, high] = tenths.to_le_bytes();
        [3, status, 11, 0xFF, low, high]
    };
    // A weight left from the last piece: dropped, never shown.
    scale_side.write_all(&report(4, 999)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let environment = format!(
        "POSTCOUNTER_SCALE__KIND=hid-pos POSTCOUNTER_SCALE__DEVICE={} POSTCOUNTER_SCALE__POLL_INTERVAL_MS=50",
        device.slave_path
    );
    let tmux = Tmux::start_with(&dir.path().join("data"), &environment, "hid");
    tmux.wait_for("Weigh the piece");
    scale_side.write_all(&report(3, 30)).unwrap();
    let moving = tmux.wait_for("MOVING");
    assert!(
        !moving.contains("99.9"),
        "the stale report is shown:\n{moving}"
    );
    scale_side.write_all(&report(4, 35)).unwrap();
    tmux.wait_for("STABLE");
    tmux.keys(&["Enter"]);
    let destination = tmux.wait_for("Where is it going?");
    assert!(
        destination.contains("3.5 oz (scale, stable)"),
        "{destination}"
    );
    tmux.keys(&["C-q"]);
}

/// A label printer on a pseudo-terminal that says it is out of paper.
fn printer_out_of_paper() -> DevicePrinterSimulator {
    let printer = DevicePrinterSimulator::start().unwrap();
    printer.set_status(PrinterStatus {
        paper_out: true,
        offline: true,
        ..PrinterStatus::default()
    });
    printer
}

/// A counter whose label printer is `transport`, with a letter to 90210 in its basket.
fn counter_with_a_letter(data_dir: &std::path::Path, transport: &str, name: &str) -> Tmux {
    let environment = format!("POSTCOUNTER_PRINTER__LABEL__TRANSPORT={transport}");
    let tmux = Tmux::start_with(data_dir, &environment, name);
    tmux.basket_a_letter_to_90210();
    tmux
}

#[test]
fn out_of_paper_the_counter_issues_nothing_until_paper_is_loaded() {
    let printer = printer_out_of_paper();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let transport = format!("serial:{},38400,rts-cts", printer.path());
    let tmux = counter_with_a_letter(&data_dir, &transport, "paper");
    tmux.keys(&["F9"]);
    tmux.wait_for("Amount due");
    tmux.keys(&["1", "Enter"]);
    tmux.wait_for("out of paper");
    let registers = || {
        let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["admin", "psd-show", "20000001"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(registers().contains("pieces 0"), "{}", registers());
    assert!(printer.status_queries() >= 3);

    printer.set_status(PrinterStatus::default());
    tmux.keys(&["Enter"]);
    tmux.wait_for("Sale complete");
    assert!(registers().contains("pieces 1"), "{}", registers());
    let received = printer.wait_for_bytes(2_000, Duration::from_secs(10));
    assert!(received.len() >= 2_000, "the label printed");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Weigh the piece");
    tmux.quit();
}

/// A card is charged only when the label printer can print what it pays for: out of paper,
/// the data centre's statement shows no card payment; with paper, the same sale is charged
/// once and printed.
#[test]
fn out_of_paper_a_card_is_not_charged() {
    let printer = printer_out_of_paper();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let transport = format!("usb:{}", printer.path());
    let tmux = counter_with_a_letter(&data_dir, &transport, "card-paper");
    tmux.keys(&["F11"]);
    tmux.wait_for("Card number");
    tmux.keys(&["4242424242424242", "Tab", "12/30", "Enter"]);
    tmux.wait_for("nothing was charged");
    let statement = || {
        let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["admin", "account-statement", "local"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(!statement().contains("card"), "{}", statement());
    printer.set_status(PrinterStatus::default());
    tmux.keys(&["4242424242424242", "Tab", "12/30", "Enter"]);
    tmux.wait_for("Sale complete");
    let charges = statement()
        .lines()
        .filter(|line| line.contains("  card  "))
        .count();
    assert_eq!(charges, 1, "{}", statement());
    tmux.keys(&["Enter"]);
    tmux.wait_for("Weigh the piece");
    tmux.quit();
}
