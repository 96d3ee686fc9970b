//! Gates as the real binary runs them, beside a `vendor serve` data centre: a ticket sold at
//! one counter and printed with its QR code is read back from its PNG and its ESC/POS
//! capture; two gates that scanned the same ticket while offline both queue it (never
//! "admitted"), and the one that syncs second is told of the duplicate with the first
//! entry's gate; a copy scanned online is refused; a code encoded by Debian's zint reads.

use std::path::{Path, PathBuf};
use std::process::Output;

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
    counter
        .data_dir
        .join(format!("jobs/receipt/job-{number:06}.{extension}"))
}

fn code_in(path: &Path) -> String {
    match ticket_code(&std::fs::read(path).unwrap()).unwrap() {
        (_, TicketCode::Event(code)) => code,
        other => panic!("{other:?}"),
    }
}

#[test]
fn offline_gates_queue_a_ticket_and_the_later_sync_reports_the_duplicate() {
    let runtime = common::runtime();
    let centre = DataCentre::start(&runtime, &["code-seller", "code-north", "code-south"]);
    let event_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tickets/demo-event.toml");
    centre.command(&["admin", "event", "--file", event_file.to_str().unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    let seller = centre.counter(dir.path().join("seller"), "code-seller");
    let sold = ok(seller.command(
        &seller.endpoint,
        &[
            "event", "sell", "--event", "demo", "--seat", "A-1-1", "--seat", "A-1-2",
        ],
    ));
    assert!(sold.contains("sold ticket 1 Demo Concert A-1-1"), "{sold}");
    let (png, capture) = (job(&seller, 1, "png"), job(&seller, 1, "escpos"));
    // The printed QR code reads back, from the picture and from the printer's bytes.
    assert_eq!(code_in(&png), code_in(&capture));
    let north = centre.counter(dir.path().join("north"), "code-north");
    let south = centre.counter(dir.path().join("south"), "code-south");
    for gate in [&north, &south] {
        let said = ok(gate.command(&gate.endpoint, &["gate", "status"]));
        assert!(said.contains("0 revoked tickets"), "{said}");
    }
    let dead = runtime.block_on(dead_endpoint());
    let said = ok(north.command(
        &dead,
        &[
            "gate",
            "scan",
            png.to_str().unwrap(),
            "--event",
            "demo",
            "--gate",
            "north",
        ],
    ));
    assert!(
        said.starts_with("QUEUED") && !said.contains("ADMITTED"),
        "{said}"
    );
    let said = ok(south.command(
        &dead,
        &[
            "gate",
            "scan",
            capture.to_str().unwrap(),
            "--event",
            "demo",
            "--gate",
            "south",
        ],
    ));
    assert!(said.starts_with("QUEUED"), "{said}");
    // The same ticket again at the same offline gate: refused there and then.
    let again = north.command(
        &dead,
        &[
            "gate",
            "scan",
            png.to_str().unwrap(),
            "--event",
            "demo",
            "--gate",
            "north",
        ],
    );
    assert_eq!(again.status.code(), Some(3), "{again:?}");
    assert!(
        stdout(&again).contains("scanned at this gate already"),
        "{again:?}"
    );
    let said = ok(north.command(&north.endpoint, &["gate", "sync"]));
    assert!(
        said.contains("ADMITTED") && said.contains("1 queued scans sent, 0 not admitted"),
        "{said}"
    );
    let said = ok(south.command(&south.endpoint, &["gate", "sync"]));
    assert!(
        said.contains("DUPLICATE") && said.contains("at gate north"),
        "{said}"
    );
    assert!(
        said.contains("1 queued scans sent, 1 not admitted"),
        "{said}"
    );
    // Online, the copy is refused with the first entry's gate.
    let copy = south.command(
        &south.endpoint,
        &[
            "gate",
            "scan",
            png.to_str().unwrap(),
            "--event",
            "demo",
            "--gate",
            "south",
        ],
    );
    assert_eq!(copy.status.code(), Some(3), "{copy:?}");
    assert!(
        stdout(&copy).contains("DUPLICATE") && stdout(&copy).contains("gate north"),
        "{copy:?}"
    );
    // The second ticket's code, encoded by zint rather than by the project: it reads, once.
    let code = code_in(&job(&seller, 2, "png"));
    let zint_png = dir.path().join("zint.png");
    let zint = std::process::Command::new("zint")
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
    let said = ok(south.command(
        &south.endpoint,
        &[
            "gate",
            "scan",
            zint_png.to_str().unwrap(),
            "--event",
            "demo",
            "--gate",
            "south",
        ],
    ));
    assert!(
        said.contains("ADMITTED") && said.contains("A-1-2"),
        "{said}"
    );
    // A third party checks the ticket with the published events key and the documented format.
    let key_file = dir.path().join("events.pub.pem");
    centre.command(&["admin", "events-key", "--out", key_file.to_str().unwrap()]);
    let verified = std::process::Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .args([
            "--data-dir",
            dir.path().join("inspector").to_str().unwrap(),
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
        let checked = std::process::Command::new(python)
            .arg(&tool)
            .args(["event", &code_in(&capture), key_file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            stdout(&checked).contains("VALID ticket 1 version 1 event demo seat A-1-1"),
            "{checked:?}"
        );
    }
    // A gate admitting to another event refuses the ticket before anything is asked.
    let elsewhere = north.command(
        &dead,
        &[
            "gate",
            "scan",
            png.to_str().unwrap(),
            "--event",
            "gala",
            "--gate",
            "north",
        ],
    );
    assert_eq!(elsewhere.status.code(), Some(3), "{elsewhere:?}");
    assert!(
        stdout(&elsewhere).contains("admits to gala"),
        "{elsewhere:?}"
    );
    // A forged code (the right fields, another key) is refused offline, before any queue.
    let (fields, _) = postcounter::tickets::event_code::EventTicketCode::read(&code).unwrap();
    let forger = {
        use p256::elliptic_curve::Generate;
        p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng())
    };
    let forged = fields.sign(&forger).unwrap();
    let refused = north.command(
        &dead,
        &[
            "gate", "scan", &forged, "--event", "demo", "--gate", "north",
        ],
    );
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert!(stdout(&refused).contains("REFUSED"), "{refused:?}");
}
