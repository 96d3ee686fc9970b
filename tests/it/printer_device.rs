//! Printers on a serial port and a USB printer device, simulated behind a pseudo-terminal
//! that the device transport opens as it opens /dev/ttyS0 or /dev/usb/lp0: the status is
//! asked with `DLE EOT` and read back, a job arrives byte for byte, a printer that stops
//! taking bytes fails the job as a timeout, and `sell` refuses to issue on a serial label
//! printer out of paper.

use std::process::Command;
use std::time::Duration;

use postcounter::print::device_simulator::DevicePrinterSimulator;
use postcounter::print::status::{PrinterProblem, PrinterStatus};
use postcounter::print::{DeviceLine, DeviceTransport, Transport, TransportErrorKind};
use postcounter::serial_port::FlowControl;

fn lines() -> [DeviceLine; 2] {
    [
        DeviceLine::Serial {
            baud: 38400,
            flow: FlowControl::RtsCts,
        },
        DeviceLine::Usb,
    ]
}

#[test]
fn status_and_jobs_cross_a_serial_port_and_a_usb_device() {
    for line in lines() {
        let printer = DevicePrinterSimulator::start().unwrap();
        let mut transport = DeviceTransport::new(printer.path(), line);
        let ready = transport.status().unwrap();
        assert_eq!(ready, Some(PrinterStatus::default()), "{line:?}");
        printer.set_status(PrinterStatus {
            paper_out: true,
            offline: true,
            ..PrinterStatus::default()
        });
        let out = transport.status().unwrap().unwrap();
        assert_eq!(out.problem(), Some(PrinterProblem::PaperOut), "{line:?}");
        assert_eq!(printer.status_queries(), 6);

        let job: Vec<u8> = b"\x1b@HELLO\n"
            .iter()
            .copied()
            .chain((0..20_000u32).map(|n| (n % 251) as u8))
            .collect();
        transport.send(&job).unwrap();
        let received = printer.wait_for_bytes(18 + job.len(), Duration::from_secs(5));
        assert!(received.ends_with(&job), "{line:?}: the job arrives whole");
    }
}

#[test]
fn a_printer_that_stops_taking_bytes_fails_the_job_as_a_timeout() {
    let printer = DevicePrinterSimulator::start().unwrap();
    printer.set_busy(true);
    let mut transport = DeviceTransport::new(printer.path(), lines()[0]).with_write_timeout_ms(300);
    let error = transport.send(&vec![0x20; 1 << 20]).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
    assert!(error.to_string().contains(printer.path()), "{error}");
}

#[test]
fn a_missing_device_is_offline() {
    for line in lines() {
        let mut transport = DeviceTransport::new("/dev/no-printer-here", line);
        let error = transport.status().unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Offline, "{error}");
    }
}

#[test]
fn sell_on_a_serial_label_printer_out_of_paper_issues_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let printer = DevicePrinterSimulator::start().unwrap();
    printer.set_status(PrinterStatus {
        paper_out: true,
        offline: true,
        ..PrinterStatus::default()
    });
    let sell = || {
        Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["sell", "--weight", "1oz", "--to", "90210"])
            .env_remove("POSTCOUNTER_CONFIG")
            .env(
                "POSTCOUNTER_PRINTER__LABEL__TRANSPORT",
                format!("serial:{},19200,xon-xoff", printer.path()),
            )
            .output()
            .unwrap()
    };
    let refused = sell();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains(&format!(
            "the label printer (serial printer {} at 19200 baud) is out of paper",
            printer.path()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was issued"), "{stderr}");
    let queries = printer.received();
    assert!(
        queries.iter().all(|&b| [0x10, 0x04, 1, 2, 4].contains(&b)),
        "no job: {queries:?}"
    );

    printer.set_status(PrinterStatus::default());
    let sold = sell();
    assert!(
        sold.status.success(),
        "{}",
        String::from_utf8_lossy(&sold.stderr)
    );
    let received = printer.wait_for_bytes(1000, Duration::from_secs(5));
    assert!(
        received.windows(2).any(|w| w == b"\x1b@"),
        "the label printed"
    );
}
