//! Reconciliation: the embedded PSD's offline pieces reach the vendor through the counter's
//! link when it returns; a reported ledger with a fork, a gap or an indicium whose signature
//! does not verify is refused and locks the counter; a report of a PSD the data centre did
//! not certify for the counter, or an indicium under a certificate it did not issue, is
//! refused.

use crate::common;

use std::path::Path;

use serde_json::{Value, json};

use common::link_relay::{BehindRelay, Relay, behind_relay, count};
use common::vendor::{PSD_A1, StoreKind, TestVendor, enroll, message_of, vendor_or_skip};
use common::vendor_counter::TestCounter;
use common::{DEVICE_ID, letter, priced_letter};
use postcounter::clock::Clock;
use postcounter::date::Date;
use postcounter::hex;
use postcounter::indicium::Indicium;
use postcounter::ledger_chain::{ChainEntry, ChainHead, chained};
use postcounter::link::{LinkError, LinkErrorKind};
use postcounter::money::Money;
use postcounter::psd::Psd;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_pieces_come_from_the_embedded_psd_and_are_reconciled_when_the_vendor_returns() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    link.issue(&psd, &priced_letter("1oz"), "sale-1")
        .await
        .unwrap();

    network.set(Relay::Down);
    let mut offline = Vec::new();
    for sale in 2..=3 {
        let issued = link
            .issue(&psd, &priced_letter("1oz"), &format!("sale-{sale}"))
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
    link.issue(&psd, &priced_letter("1oz"), "offline-1")
        .await
        .unwrap();
    link.issue(&psd, &priced_letter("1oz"), "offline-2")
        .await
        .unwrap();
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
    let after = link
        .issue(&psd, &priced_letter("1oz"), "sale-9")
        .await
        .unwrap_err();
    assert_eq!(after.kind(), LinkErrorKind::Refused, "{after}");
}

// The reports sent by hand, on both stores (the store contract).
common::contract!(
    a_report_with_a_gap_is_refused_and_locks_the_counter,
    a_reported_indicium_whose_signature_does_not_verify_locks_the_counter,
    a_report_of_a_psd_the_data_centre_did_not_certify_for_the_counter_is_refused,
    a_refused_ledger_locks_only_an_active_counter,
);

/// `counter`'s embedded PSD, certified by `vendor`, its ledger in `dir`, once it has issued
/// `pieces` letters (as offline sales do); and its ledger's entries.
pub(crate) async fn issued(
    vendor: &TestVendor,
    counter: &TestCounter,
    dir: &Path,
    pieces: u32,
) -> (Psd, Vec<ChainEntry>) {
    let psd = vendor.certified_psd(counter, dir).await;
    for sale in 1..=pieces {
        psd.issue(&letter(&format!("sale-{sale}"), 780))
            .await
            .unwrap();
    }
    let entries = psd
        .ledger()
        .chain_entries_after(psd.device_id(), 0, 100)
        .await
        .unwrap();
    (psd, entries)
}

/// The body of a report of `entries` of `psd`, as the counter's link sends one.
pub(crate) fn report(psd: &Psd, entries: &[(ChainEntry, [u8; 32])]) -> Value {
    json!({
        "psd_id": psd.device_id(),
        "entries": entries.iter().map(|(entry, hash)| json!({
            "piece_serial": entry.piece_serial,
            "postage_mills": entry.postage_mills,
            "mailing_date": Date::from_days_since_2000(entry.mailing_day).to_string(),
            "issued_unix_ms": entry.issued_unix_ms,
            "indicium": hex::encode(&entry.indicium),
            "entry_hash": hex::encode(hash),
        })).collect::<Vec<_>>(),
    })
}

/// Sends `body` as a report under `key`, expects it refused with `status`, and gives the
/// refusal's message.
pub(crate) async fn refused(counter: &TestCounter, key: &str, body: &Value, status: u16) -> String {
    let (got, answer) = counter.post("/postage/v1/reconciliations", key, body).await;
    assert_eq!(got, status, "{answer}");
    message_of(&answer).to_string()
}

async fn offline_pieces(vendor: &TestVendor) -> i64 {
    count(vendor, "SELECT CAST(COUNT(*) AS BIGINT) FROM offline_piece").await
}

async fn a_report_with_a_gap_is_refused_and_locks_the_counter(kind: StoreKind) {
    let Some(vendor) = vendor_or_skip(kind, "gap").await else {
        return;
    };
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let dir = tempfile::tempdir().unwrap();
    let (psd, entries) = issued(&vendor, &counter, dir.path(), 3).await;
    let mut entries = chained(ChainHead::EMPTY, entries);
    entries.remove(1);
    let message = refused(&counter, "report-1", &report(&psd, &entries), 409).await;
    assert!(message.contains("a gap: piece 2 was expected"), "{message}");
    assert_eq!(offline_pieces(&vendor).await, 0);
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 403, "a locked counter gets nothing: {answer}");
}

async fn a_reported_indicium_whose_signature_does_not_verify_locks_the_counter(kind: StoreKind) {
    let Some(vendor) = vendor_or_skip(kind, "forged signature").await else {
        return;
    };
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let dir = tempfile::tempdir().unwrap();
    let (psd, mut entries) = issued(&vendor, &counter, dir.path(), 3).await;
    // The chain is whole and every field agrees; only piece 2's signature is altered.
    let last = entries[1].indicium.len() - 1;
    entries[1].indicium[last] ^= 0x01;
    let entries = chained(ChainHead::EMPTY, entries);
    let message = refused(&counter, "report-1", &report(&psd, &entries), 409).await;
    assert!(
        message.contains("the signature of piece 2 does not verify under certificate"),
        "{message}"
    );
    assert_eq!(offline_pieces(&vendor).await, 0);
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 403, "a locked counter gets nothing: {answer}");
}

/// The holes: anyone holding a counter's root key could certify a key of their own for its
/// PSD and report a $5,000 forgery; and a counter could report another's PSD. The vendor
/// takes a report only of the embedded PSD it certified for the asking counter, and only
/// indicia under certificates it issued for that PSD.
async fn a_report_of_a_psd_the_data_centre_did_not_certify_for_the_counter_is_refused(
    kind: StoreKind,
) {
    let Some(vendor) = vendor_or_skip(kind, "not certified").await else {
        return;
    };
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let dir = tempfile::tempdir().unwrap();
    let (psd, entries) = issued(&vendor, &counter, dir.path(), 2).await;
    let entries = chained(ChainHead::EMPTY, entries);
    let (status, answer) = counter
        .post(
            "/postage/v1/reconciliations",
            "report-1",
            &report(&psd, &entries),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["recorded"], 2);
    assert!(
        answer["lease"].is_string(),
        "an accepted report grants a lease: {answer}"
    );

    // Another counter's embedded PSD, or a PSD number the counter was never given.
    let other = enroll(&vendor.store, &vendor.url, "A1").await;
    let other_dir = tempfile::tempdir().unwrap();
    let (theirs, _) = issued(&vendor, &other, other_dir.path(), 0).await;
    for psd_id in [theirs.device_id(), psd.device_id() + 100] {
        let mut foreign = report(&psd, &[]);
        foreign["psd_id"] = json!(psd_id);
        let message = refused(&counter, &format!("report-{psd_id}"), &foreign, 403).await;
        assert!(
            message.contains("is not the embedded PSD the data centre certified"),
            "{message}"
        );
    }
    assert_eq!(offline_pieces(&vendor).await, 2);

    // A $5,000 piece of this very PSD, signed by a key certified (as certificate 999) under a
    // root of the counter's own making: the chain continues, but the certificate is not the
    // data centre's, so the report is refused and the counter locked.
    let stranger_dir = tempfile::tempdir().unwrap();
    let (_, stranger) = common::signer(stranger_dir.path());
    let mut forged = entries[1].0.clone();
    let mut data = Indicium::from_bytes(&forged.indicium).unwrap().data;
    data.certificate_serial = 999;
    data.piece_serial = 3;
    data.postage = Money::parse("5000.00").unwrap();
    forged.indicium = Indicium::sign(data, &stranger)
        .unwrap()
        .to_bytes()
        .unwrap()
        .to_vec();
    forged.piece_serial = 3;
    forged.postage_mills = 5_000_000;
    let head = ChainHead {
        through_serial: 2,
        hash: entries[1].1,
    };
    let forged = chained(head, vec![forged]);
    let message = refused(&counter, "report-forged", &report(&psd, &forged), 409).await;
    assert!(
        message.contains("names certificate 999, which the data centre did not issue"),
        "{message}"
    );
    assert_eq!(offline_pieces(&vendor).await, 2);
    let (status, _) = counter.registers(PSD_A1).await;
    assert_eq!(status, 403, "the counter is locked");
}

async fn a_refused_ledger_locks_only_an_active_counter(kind: StoreKind) {
    let Some(vendor) = vendor_or_skip(kind, "lock only active").await else {
        return;
    };
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let id = counter.id().to_string();
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM counter WHERE counter_id = $1")
            .bind(&id)
            .fetch_one(vendor.store.pool())
            .await
            .unwrap()
    };
    // Revoked by an administrator while a report that forks was on its way.
    vendor
        .store
        .set_counter_status(&id, "revoked", Some("stolen"))
        .await
        .unwrap();
    vendor
        .store
        .lock_active_counter(&id, "a fork")
        .await
        .unwrap();
    assert_eq!(status().await, "revoked");
    vendor
        .store
        .set_counter_status(&id, "active", None)
        .await
        .unwrap();
    vendor
        .store
        .lock_active_counter(&id, "a fork")
        .await
        .unwrap();
    assert_eq!(status().await, "locked");
}
