//! The hole: an owner who deletes the pieces its embedded PSD issued offline, resets the
//! registers (a copy of the ledger from before) and reports what is left, sells that postage
//! twice; the data centre's books balance and every piece verifies. The mail stream shows
//! it: the postal service's scans reach the data centre, which finds the hidden pieces (one
//! whose serial the counter reported with other bytes, one the counter left out of a report
//! made after the scan) unpaid and locks the counter, while paid, refunded, copied and
//! forged pieces are told apart.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::letter as offline_letter;
use common::vendor::{LICENSE, PSD_A1, StoreKind, TestVendor, indicium, letter, vendor_or_skip};
use postcounter::clock::Clock;
use postcounter::indicium::Indicium;
use postcounter::keys::Trust;
use postcounter::ledger_chain::{ChainHead, chained};
use postcounter::psd::{Ledger, Psd};
use postcounter::vendor_system::mail_scans::{Finding, MailScanReport, Scan, check_mail_scans};
use serde_json::json;

use crate::vendor_reconcile::report;

async fn trust(vendor: &TestVendor) -> Trust {
    vendor
        .keys
        .trust(vendor.store.psd_certificates(None).await.unwrap())
        .unwrap()
}

/// `psd`'s ledger as it is now, in another file: what its owner keeps to reset to.
async fn twin(psd: &Psd, ledger_path: &Path, dir: &Path) -> Psd {
    let copy = dir.join("ledger.sqlite");
    let backup = Command::new("sqlite3")
        .arg(ledger_path)
        .arg(format!(".backup {}", copy.display()))
        .output()
        .expect("sqlite3 (the CI installs it)");
    assert!(backup.status.success(), "{backup:?}");
    let ledger = Ledger::open(&copy).await.unwrap();
    let (twin, _) = Psd::open(ledger, (*psd.signer()).clone(), LICENSE)
        .await
        .unwrap();
    twin
}

/// `indicia` as the lines of one scan file, each naming its mail piece.
fn scans_of(indicia: &[Vec<u8>]) -> Vec<Scan> {
    indicia
        .iter()
        .enumerate()
        .map(|(line, indicium)| Scan {
            indicium: indicium.clone(),
            sighting: format!("piece IMB{line}"),
        })
        .collect()
}

fn findings(report: &MailScanReport) -> Vec<(String, Finding, u32)> {
    report
        .outcomes
        .iter()
        .map(|o| (o.serial_text.clone(), o.verdict.finding, o.seen_count))
        .collect()
}

async fn hidden_offline_pieces_are_found_in_the_mail_stream_and_lock_their_counter(
    kind: StoreKind,
) {
    let Some(vendor) = vendor_or_skip(kind, "mail scans").await else {
        return;
    };
    let counter = vendor.counter("A1").await;
    let dir = tempfile::tempdir().unwrap();
    let twin_dir = tempfile::tempdir().unwrap();
    let psd = vendor.certified_psd(&counter, dir.path()).await;
    let reset = twin(&psd, &dir.path().join("ledger.sqlite"), twin_dir.path()).await;

    // Two pieces sold offline and mailed, then hidden: the owner goes on from the copy.
    let mut hidden = Vec::new();
    for sale in ["hidden-1", "hidden-2"] {
        hidden.push(psd.issue(&offline_letter(sale, 780)).await.unwrap().bytes);
    }
    let trust = trust(&vendor).await;
    let now = || Clock::system().now_unix_ms();
    let first = check_mail_scans(&vendor.store, &trust, &scans_of(&hidden), "94107", now())
        .await
        .unwrap();
    let awaiting: Vec<Finding> = first.outcomes.iter().map(|o| o.verdict.finding).collect();
    assert_eq!(awaiting, [Finding::AwaitingReport; 2], "{first:?}");
    assert!(first.locked.is_empty());

    // The copy sells the same letter again as piece 1 (the registers the lease certificate
    // allows) and reports it: the data centre's books balance. The embedded PSD signs
    // hedged, so the twin is not the hidden piece byte for byte (a photocopy would be).
    let resold = reset.issue(&offline_letter("resold-1", 780)).await.unwrap();
    let hidden_first = Indicium::from_bytes(&hidden[0]).unwrap();
    assert_eq!(resold.indicium.data, hidden_first.data);
    assert_ne!(resold.bytes, hidden[0]);
    let entries = reset
        .ledger()
        .chain_entries_after(reset.device_id(), 0, 10)
        .await
        .unwrap();
    let (status, answer) = counter
        .post(
            "/postage/v1/reconciliations",
            "report-1",
            &report(&reset, &chained(ChainHead::EMPTY, entries)),
        )
        .await;
    assert_eq!(status, 200, "{answer}");

    // Central pieces: one mailed, one voided and mailed all the same; and a forgery.
    let (status, bought) = counter.buy("sale-1", vec![letter(), letter()]).await;
    assert_eq!(status, 201, "{bought}");
    let body = json!({"psd_id": PSD_A1, "piece_serial": 2});
    let (status, voided) = counter.post("/postage/v1/voids", "void-1", &body).await;
    assert_eq!(status, 200, "{voided}");
    let mut forged = indicium(&bought, 0);
    forged[100] ^= 1;
    // The resold piece is on two mail pieces (a photocopy: judged once, seen on two), and
    // the file comes twice (counted once).
    let scans = scans_of(&[
        resold.bytes.clone(),
        resold.bytes.clone(),
        indicium(&bought, 0),
        indicium(&bought, 1),
        forged,
    ]);
    let second = check_mail_scans(&vendor.store, &trust, &scans, "94107", now())
        .await
        .unwrap();
    let again = check_mail_scans(&vendor.store, &trust, &scans, "94107", now())
        .await
        .unwrap();
    assert_eq!(
        again.outcomes[0].seen_count, 2,
        "a file given twice counts once"
    );
    let serial = |n: u32| format!("{}-{n:07}", psd.device_id());
    let central = |n: u32| format!("{PSD_A1}-{n:07}");
    assert_eq!(
        findings(&second),
        [
            (serial(1), Finding::Paid, 2),
            (central(1), Finding::Paid, 1),
            (central(2), Finding::Refunded, 1),
            (central(1), Finding::Invalid, 1),
            (serial(1), Finding::Unpaid, 1),
            (serial(2), Finding::Unpaid, 1),
        ],
        "{second:#?}"
    );
    let details: Vec<&str> = second.outcomes[4..]
        .iter()
        .map(|o| o.verdict.detail.as_str())
        .collect();
    assert!(
        details[0].contains("its ledger was rewritten"),
        "{details:?}"
    );
    assert!(
        details[1].contains("after this piece was in the mail, without it"),
        "{details:?}"
    );
    assert_eq!(second.locked, [counter.id().to_string()]);
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 403, "a locked counter gets nothing: {answer}");
}

common::contract!(hidden_offline_pieces_are_found_in_the_mail_stream_and_lock_their_counter);
