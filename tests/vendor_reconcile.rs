//! Reconciliation through the counter's link: the embedded PSD's offline pieces reach the
//! vendor when it returns, and a reported ledger with a fork or a gap is refused and locks
//! the counter.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::json;

use common::link_relay::{BehindRelay, Relay, behind_relay, count};
use common::vendor::{PSD_A1, StoreKind, TestVendor, enroll};
use common::{DEVICE_ID, letter};
use postcounter::clock::Clock;
use postcounter::ledger_chain::{ChainEntry, ChainHead, chained};
use postcounter::link::{LinkError, LinkErrorKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_pieces_come_from_the_embedded_psd_and_are_reconciled_when_the_vendor_returns() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    link.issue(&psd, &letter("sale-1", 780)).await.unwrap();

    network.set(Relay::Down);
    let mut offline = Vec::new();
    for sale in 2..=3 {
        let issued = link
            .issue(&psd, &letter(&format!("sale-{sale}"), 780))
            .await
            .unwrap();
        assert!(issued.offline);
        assert!(issued.serial_text.starts_with(&format!("{DEVICE_ID}-")));
        offline.push(issued.bytes);
    }
    assert!(!link.status().online, "{:?}", link.status());
    assert!(link.reconcile(&psd).await.is_err());

    network.set(Relay::Up);
    let settled = link.reconcile(&psd).await.unwrap();
    assert_eq!(settled.reported_pieces, 2);
    assert_eq!(settled.through_serial, 2);
    assert!(link.status().online);
    let recorded: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT indicium FROM offline_piece ORDER BY piece_serial")
            .fetch_all(vendor.store.pool())
            .await
            .unwrap();
    assert_eq!(recorded, offline);
    // Nothing new: an empty report, which the vendor acknowledges and records nothing for.
    let again = link.reconcile(&psd).await.unwrap();
    assert_eq!(again.reported_pieces, 0);
    assert_eq!(
        count(
            &vendor,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM offline_piece"
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_that_forks_from_what_was_reported_locks_the_counter() {
    let BehindRelay {
        vendor,
        network,
        dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    link.reconcile(&psd).await.unwrap();
    network.set(Relay::Down);
    link.issue(&psd, &letter("offline-1", 780)).await.unwrap();
    link.issue(&psd, &letter("offline-2", 780)).await.unwrap();
    network.set(Relay::Up);
    link.reconcile(&psd).await.unwrap();

    // The ledger's past is rewritten (a restored backup, an edited file) and its link
    // state forgotten, so the counter reports pieces 1 and 2 again.
    let ledger = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("ledger.sqlite").display()
    ))
    .await
    .unwrap();
    sqlx::query("UPDATE piece SET issued_unix_ms = issued_unix_ms + 1 WHERE piece_serial = 2")
        .execute(&ledger)
        .await
        .unwrap();
    sqlx::query("DELETE FROM link_state")
        .execute(&ledger)
        .await
        .unwrap();
    ledger.close().await;

    let refused = link.reconcile(&psd).await.unwrap_err();
    assert!(
        matches!(&refused, LinkError::Refused { status: 409, message, .. } if message.contains("fork at piece 2")),
        "{refused}"
    );
    let counter_id = link.registration().await.unwrap().counter_id;
    let status: String = sqlx::query_scalar("SELECT status FROM counter WHERE counter_id = $1")
        .bind(&counter_id)
        .fetch_one(vendor.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "locked");
    let after = link.issue(&psd, &letter("sale-9", 780)).await.unwrap_err();
    assert_eq!(after.kind(), LinkErrorKind::Refused, "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_with_a_gap_is_refused_and_locks_the_counter() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let mailing_date = postcounter::date::Date::parse("2026-11-01").unwrap();
    let entry = |piece_serial: u32| ChainEntry {
        psd_id: DEVICE_ID,
        piece_serial,
        postage_mills: 780,
        mailing_day: mailing_date.days_since_2000(),
        issued_unix_ms: 1_795_000_000_000,
        indicium: vec![0; 112],
    };
    let mut entries = chained(ChainHead::EMPTY, vec![entry(1), entry(2), entry(3)]);
    entries.remove(1);
    let body = json!({
        "psd_id": DEVICE_ID,
        "entries": entries.iter().map(|(entry, hash)| json!({
            "piece_serial": entry.piece_serial,
            "postage_mills": entry.postage_mills,
            "mailing_date": "2026-11-01",
            "issued_unix_ms": entry.issued_unix_ms,
            "indicium": postcounter::hex::encode(&entry.indicium),
            "entry_hash": postcounter::hex::encode(hash),
        })).collect::<Vec<_>>(),
    });
    let (status, answer) = counter.post("/v1/reconciliations", "report-1", &body).await;
    assert_eq!(status, 409, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("a gap: piece 2 was expected"), "{message}");
    assert_eq!(
        count(
            &vendor,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM offline_piece"
        )
        .await,
        0
    );
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 403, "a locked counter gets nothing: {answer}");
}
