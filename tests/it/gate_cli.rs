//! Gates as the real binary runs them, beside a `vendor serve` data centre: a ticket sold at
//! one counter and printed with its QR code is read back from its PNG and its ESC/POS
//! capture; two gates that scanned the same ticket while offline both queue it (never
//! "admitted"), and the one that syncs second is told of the duplicate with the first
//! entry's gate; a copy scanned online is refused; a code encoded by Debian's zint reads; a
//! third party checks the ticket from the documented format.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;
use crate::common::data_centre::{Counter, DataCentre};
use crate::common::link_relay::dead_endpoint;
use postcounter::verify_input::{TicketCode, ticket_code};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{output:?}");
    stdout(&output)
}

fn job(counter: &Counter, number: u32, extension: &str) -> PathBuf {
    let name = format!("jobs/receipt/job-{number:06}.{extension}");
    counter.data_dir.join(name)
}

fn code_in(path: &Path) -> String {
    match ticket_code(&std::fs::read(path).unwrap()).unwrap() {
        (_, TicketCode::Event(code)) => code,
        other => panic!("{other:?}"),
    }
}

/// `gate scan TICKET --event EVENT --gate NAME` at `gate`, through `endpoint`.
fn scan(gate: &Counter, endpoint: &str, ticket: &str, (event, name): (&str, &str)) -> Output {
    let args = ["gate", "scan", ticket, "--event", event, "--gate", name];
    gate.command(endpoint, &args)
}

/// A data centre selling the demo event, and a counter that sold A-1-1 and A-1-2 there.
fn sold_two(runtime: &tokio::runtime::Runtime, dir: &Path) -> (DataCentre, Counter) {
    let centre = DataCentre::start(runtime, &["code-seller", "code-north", "code-south"]);
    let event_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tickets/demo-event.toml");
    centre.command(&["admin", "event", "--file", event_file.to_str().unwrap()]);
    let seller = centre.counter(dir.join("seller"), "code-seller");
    let args = [
        "event", "sell", "--event", "demo", "--seat", "A-1-1", "--seat", "A-1-2",
    ];
    let sold = ok(seller.command(&seller.endpoint, &args));
    assert!(sold.contains("sold ticket 1 Demo Concert A-1-1"), "{sold}");
    (centre, seller)
}

#[test]
fn offline_gates_queue_a_ticket_and_the_later_sync_reports_the_duplicate() {
    let runtime = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let (centre, seller) = sold_two(&runtime, dir.path());
    let (png, capture) = (job(&seller, 1, "png"), job(&seller, 1, "escpos"));
    let (png, capture) = (png.to_str().unwrap(), capture.to_str().unwrap());
    // The printed QR code reads back, from the picture and from the printer's bytes.
    assert_eq!(code_in(Path::new(png)), code_in(Path::new(capture)));
    let north = centre.counter(dir.path().join("north"), "code-north");
    let south = centre.counter(dir.path().join("south"), "code-south");
    for gate in [&north, &south] {
        let said = ok(gate.command(&gate.endpoint, &["gate", "status"]));
        assert!(said.contains("0 revoked tickets"), "{said}");
    }
    let dead = runtime.block_on(dead_endpoint());
    let said = ok(scan(&north, &dead, png, ("demo", "north")));
    assert!(
        said.starts_with("QUEUED") && !said.contains("ADMITTED"),
        "{said}"
    );
    let said = ok(scan(&south, &dead, capture, ("demo", "south")));
    assert!(said.starts_with("QUEUED"), "{said}");
    // The same ticket again at the same offline gate: refused there and then.
    let again = scan(&north, &dead, png, ("demo", "north"));
    assert_eq!(again.status.code(), Some(3), "{again:?}");
    assert!(
        stdout(&again).contains("scanned at this gate already"),
        "{again:?}"
    );
    // A gate admitting to another event refuses it before anything is asked.
    let elsewhere = scan(&north, &dead, png, ("gala", "north"));
    assert_eq!(elsewhere.status.code(), Some(3), "{elsewhere:?}");
    assert!(
        stdout(&elsewhere).contains("admits to gala"),
        "{elsewhere:?}"
    );
    let said = ok(north.command(&north.endpoint, &["gate", "sync"]));
    assert!(
        said.contains("ADMITTED") && said.contains("1 queued scans sent, 0 not admitted"),
        "{said}"
    );
    let said = ok(south.command(&south.endpoint, &["gate", "sync"]));
    assert!(
        said.contains("DUPLICATE") && said.contains("first at gate north"),
        "{said}"
    );
    assert!(
        said.contains("1 queued scans sent, 1 not admitted"),
        "{said}"
    );
    // Online, the copy is refused with the first entry's gate.
    let copy = scan(&south, &south.endpoint, png, ("demo", "south"));
    assert_eq!(copy.status.code(), Some(3), "{copy:?}");
    assert!(
        stdout(&copy).contains("DUPLICATE") && stdout(&copy).contains("gate north"),
        "{copy:?}"
    );
}

#[test]
fn a_ticket_reads_from_zint_and_checks_from_its_documented_format() {
    let runtime = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let (centre, seller) = sold_two(&runtime, dir.path());
    let gate = centre.counter(dir.path().join("gate"), "code-north");
    // The second ticket's code, encoded by zint rather than by the project: it reads, once.
    let code = code_in(&job(&seller, 2, "png"));
    let zint_png = dir.path().join("zint.png");
    let zint = Command::new("zint")
        .args([
            "-b",
            "QRCODE",
            "--scale",
            "4",
            "-d",
            &code,
            "-o",
            zint_png.to_str().unwrap(),
        ])
        .output()
        .expect("zint is installed (.ci/run installs it)");
    assert!(zint.status.success(), "{zint:?}");
    let said = ok(scan(
        &gate,
        &gate.endpoint,
        zint_png.to_str().unwrap(),
        ("demo", "main"),
    ));
    assert!(
        said.contains("ADMITTED") && said.contains("A-1-2"),
        "{said}"
    );
    // A third party checks the first ticket with the published events key.
    let key_file = dir.path().join("events.pub.pem");
    centre.command(&["admin", "events-key", "--out", key_file.to_str().unwrap()]);
    let capture = job(&seller, 1, "escpos");
    let inspector = dir.path().join("inspector");
    let verified = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .args([
            "--data-dir",
            inspector.to_str().unwrap(),
            "verify",
            capture.to_str().unwrap(),
        ])
        .args(["--events-key", key_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        stdout(&verified).contains("VALID event ticket 1 version 1: demo seat A-1-1"),
        "{verified:?}"
    );
    // And from the README's table alone, with Python's `cryptography`, not the project's code.
    if let Some(python) = crate::updates::tuf_python() {
        let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/check_ticket.py");
        let checked = Command::new(python)
            .arg(&tool)
            .args(["event", &code_in(&capture), key_file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            stdout(&checked).contains("VALID ticket 1 version 1 event demo seat A-1-1"),
            "{checked:?}"
        );
    }
    // A forged code (the right fields, another key) is refused offline, before any queue.
    let (fields, _) = postcounter::tickets::event_code::EventTicketCode::read(&code).unwrap();
    let forger = {
        use p256::elliptic_curve::Generate;
        p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng())
    };
    let forged = fields.sign(&forger).unwrap();
    let dead = runtime.block_on(dead_endpoint());
    let refused = scan(&gate, &dead, &forged, ("demo", "main"));
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert!(stdout(&refused).contains("REFUSED"), "{refused:?}");
}
