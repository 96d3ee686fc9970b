//! A printer's real-time status asked before a sale: the network printer simulator answers
//! `DLE EOT` as a real printer does, and out of paper or with its cover open it stops
//! `sell` before anything is issued; back to ready, the same sale prints.

use std::path::Path;
use std::process::{Command, Output};

use postcounter::print::simulator::RecordingPrinter;
use postcounter::print::status::PrinterStatus;

fn sell(data_dir: &Path, printer: &RecordingPrinter) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["sell", "--weight", "1oz", "--to", "90210", "--json"])
        .env_remove("POSTCOUNTER_CONFIG")
        .env(
            "POSTCOUNTER_PRINTER__LABEL__TRANSPORT",
            format!("tcp:{}", printer.address()),
        )
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The central PSD's line of `admin psd-show`: its registers and piece count.
fn registers(data_dir: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["admin", "psd-show", "20000001"])
        .env_remove("POSTCOUNTER_CONFIG")
        .output()
        .expect("the binary runs");
    text(&output.stdout)
}

#[test]
fn paper_out_or_an_open_cover_stops_the_sale_before_anything_is_issued() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let printer = RecordingPrinter::start().unwrap();
    // A first sale sets the station up and leaves one piece on the central PSD.
    let first = sell(&data_dir, &printer);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(printer.wait_for_jobs(1, 5_000).len(), 1);
    assert!(printer.status_queries() >= 3);
    let before = registers(&data_dir);
    assert!(before.contains("pieces 1"), "{before}");

    for (state, says) in [
        (
            PrinterStatus {
                paper_out: true,
                offline: true,
                ..PrinterStatus::default()
            },
            "is out of paper: load a roll, then sell again; nothing was issued",
        ),
        (
            PrinterStatus {
                cover_open: true,
                offline: true,
                ..PrinterStatus::default()
            },
            "has its cover open: close it, then sell again; nothing was issued",
        ),
    ] {
        printer.set_status(state);
        let refused = sell(&data_dir, &printer);
        assert!(!refused.status.success());
        let stderr = text(&refused.stderr);
        assert!(
            stderr.contains(&format!(
                "the label printer (network printer {}) {says}",
                printer.address()
            )),
            "{stderr}"
        );
        assert!(
            text(&refused.stdout).is_empty(),
            "{}",
            text(&refused.stdout)
        );
        assert_eq!(registers(&data_dir), before, "nothing issued");
        assert_eq!(printer.jobs().len(), 1, "nothing printed");
    }

    printer.set_status(PrinterStatus {
        paper_near_end: true,
        ..PrinterStatus::default()
    });
    let low = sell(&data_dir, &printer);
    assert!(low.status.success(), "{}", text(&low.stderr));
    assert!(text(&low.stderr).contains("the label printer's paper is near its end"));
    assert_eq!(printer.wait_for_jobs(2, 5_000).len(), 2);
    assert!(registers(&data_dir).contains("pieces 2"));
}
