//! The counter's link against a real vendor on loopback, reached through a TCP relay the
//! test can cut or make swallow the vendor's answers (`common::link_relay`). Checks failover
//! past a dead endpoint, idempotent retries, that a refusal is final, the embedded PSD's
//! fallback limits, the settling of lost answers, and that a refused connection leaves
//! nothing in doubt. Reconciliation of offline pieces is in `vendor_reconcile.rs`.

use crate::common;

use std::sync::atomic::Ordering;

use common::link_relay::{BehindRelay, Relay, behind_relay, count, counter, dead_endpoint};
use common::vendor::{LEASE_HOURS, PSD_A1, StoreKind, TestVendor, VendorFixture};
use common::vendor_process::VendorProcess;
use common::{manual_clock, priced_letter};
use postcounter::clock::Clock;
use postcounter::link::LinkErrorKind;
use postcounter::money::Money;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vendor_issues_past_a_dead_endpoint_and_a_retry_gets_the_same_indicium() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let endpoints = [dead_endpoint().await, vendor.url.clone()];
    let (link, psd) = counter(&vendor.store, dir.path(), &endpoints, "A1", Clock::system()).await;
    let mut received = Vec::new();
    for sale in 1..=4 {
        let issued = link
            .issue(&psd, &priced_letter("1oz"), &format!("sale-{sale}"))
            .await
            .unwrap();
        assert!(!issued.offline);
        assert!(
            issued.serial_text.starts_with(&format!("{PSD_A1}-")),
            "{}",
            issued.serial_text
        );
        received.push(issued.bytes);
    }
    let retry = link
        .issue(&psd, &priced_letter("1oz"), "sale-2")
        .await
        .unwrap();
    assert_eq!(retry.bytes, received[1]);
    assert!(link.status().online);
    assert_eq!(
        count(&vendor, "SELECT CAST(COUNT(*) AS BIGINT) FROM piece").await,
        4
    );
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 0);
    assert!(psd.ledger().doubts().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_final_and_never_issued_offline() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    // Exactly the counter's first refill: A2 has nothing left for the central PSD.
    vendor
        .store
        .credit_account("A2", "first-refill", Money::from_mills(50_000), 0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = counter(
        &vendor.store,
        dir.path(),
        std::slice::from_ref(&vendor.url),
        "A2",
        Clock::system(),
    )
    .await;
    link.reconcile(&psd).await.unwrap();
    let error = link
        .issue(&psd, &priced_letter("1oz"), "sale-1")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), LinkErrorKind::Refused, "{error}");
    assert!(error.to_string().contains("insufficient funds"), "{error}");
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_lease_bounds_the_embedded_psd_in_value_and_time() {
    let (clock, now) = manual_clock();
    let BehindRelay {
        vendor: _vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(clock).await;

    // The first contact's lease: $10.00 may go unreported, twelve 78-cent letters, not 13.
    network.set(Relay::Down);
    for sale in 1..=12 {
        let issued = link
            .issue(&psd, &priced_letter("1oz"), &format!("offline-{sale}"))
            .await
            .unwrap();
        assert!(issued.offline);
    }
    let value = link
        .issue(&psd, &priced_letter("1oz"), "offline-13")
        .await
        .unwrap_err();
    assert!(value.to_string().contains("at most $10.00"), "{value}");

    // Reported, the next lease opens the value again, for 72 hours and no longer.
    network.set(Relay::Up);
    link.reconcile(&psd).await.unwrap();
    network.set(Relay::Down);
    link.issue(&psd, &priced_letter("1oz"), "offline-14")
        .await
        .unwrap();
    now.fetch_add(
        i64::from(LEASE_HOURS) * 3_600_000 + 60_000,
        Ordering::SeqCst,
    );
    let expired = link
        .issue(&psd, &priced_letter("1oz"), "offline-15")
        .await
        .unwrap_err();
    assert!(expired.to_string().contains("lease ran out"), "{expired}");
    // The clock set back a day reads as the time the lease was found spent: still spent.
    now.fetch_sub(
        24 * 3_600_000 + i64::from(LEASE_HOURS) * 3_600_000,
        Ordering::SeqCst,
    );
    let set_back = link
        .issue(&psd, &priced_letter("1oz"), "offline-16")
        .await
        .unwrap_err();
    assert!(set_back.to_string().contains("lease ran out"), "{set_back}");
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 13);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_counter_gets_no_lease_and_issues_nothing_offline() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    let counter_id: String = sqlx::query_scalar("SELECT counter_id FROM counter")
        .fetch_one(vendor.store.pool())
        .await
        .unwrap();
    vendor
        .store
        .set_counter_status(&counter_id, "revoked", Some("stolen from the shop"))
        .await
        .unwrap();
    let refused = link.reconcile(&psd).await.unwrap_err();
    assert!(
        refused.to_string().contains("stolen from the shop"),
        "{refused}"
    );

    network.set(Relay::Down);
    let offline = link
        .issue(&psd, &priced_letter("1oz"), "offline-1")
        .await
        .unwrap_err();
    assert!(
        offline.to_string().contains("no offline lease"),
        "{offline}"
    );
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_whose_answer_was_lost_is_voided_at_the_vendor_once_it_is_back() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    link.reconcile(&psd).await.unwrap();
    // What the account can still spend: its balance and its PSD's DR.
    let spendable = |vendor: &TestVendor| {
        let store = vendor.store.clone();
        async move {
            let balance = store.account("A1").await.unwrap().balance.mills();
            balance
                + store
                    .psd(PSD_A1)
                    .await
                    .unwrap()
                    .registers
                    .descending
                    .mills()
        }
    };
    let before = spendable(&vendor).await;

    network.set(Relay::SwallowAnswers);
    let issued = link
        .issue(&psd, &priced_letter("1oz"), "sale-1")
        .await
        .unwrap();
    assert!(
        issued.offline,
        "the customer gets the embedded PSD's indicium"
    );
    assert_eq!(psd.ledger().doubts().await.unwrap().len(), 1);
    // The vendor did issue it (every attempt reached it under the same key: once).
    assert_eq!(
        count(&vendor, "SELECT CAST(COUNT(*) AS BIGINT) FROM piece").await,
        1
    );

    network.set(Relay::Up);
    let settled = link.reconcile(&psd).await.unwrap();
    assert_eq!(settled.voided_in_doubt, 1);
    assert_eq!(settled.reported_pieces, 1);
    assert!(psd.ledger().doubts().await.unwrap().is_empty());
    let voided = count(
        &vendor,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM piece WHERE voided_unix_ms IS NOT NULL",
    )
    .await;
    assert_eq!(voided, 1);
    assert_eq!(spendable(&vendor).await, before, "the postage went back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_delivers_nothing_so_nothing_is_left_in_doubt() {
    // A vendor process that can be stopped for real: its port then refuses connections.
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let mut process = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    let dir = tempfile::tempdir().unwrap();
    let endpoints = [process.url.clone()];
    let (link, psd) = counter(
        &fixture.store,
        dir.path(),
        &endpoints,
        "A1",
        Clock::system(),
    )
    .await;
    link.reconcile(&psd).await.unwrap();

    process.kill();
    let issued = link
        .issue(&psd, &priced_letter("1oz"), "sale-1")
        .await
        .unwrap();
    assert!(issued.offline);
    assert!(psd.ledger().doubts().await.unwrap().is_empty());

    let _process = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    let settled = link.reconcile(&psd).await.unwrap();
    assert_eq!(settled.voided_in_doubt, 0);
    assert_eq!(settled.reported_pieces, 1);
    let pieces: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM piece")
        .fetch_one(fixture.store.pool())
        .await
        .unwrap();
    assert_eq!(pieces, 0, "the vendor never issued the refused purchase");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refill_asked_again_under_its_id_is_credited_once_and_leaves_nothing_pending() {
    let BehindRelay {
        vendor,
        network: _network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    let before = vendor.store.account("A1").await.unwrap().balance;
    let amount = Money::from_mills(20_000);
    let first = link
        .refill_embedded(&psd, "refill-7", amount)
        .await
        .unwrap();
    let again = link
        .refill_embedded(&psd, "refill-7", amount)
        .await
        .unwrap();
    assert!(!first.outcome.replayed);
    assert!(again.outcome.replayed);
    assert_eq!(again.outcome.registers, first.outcome.registers);
    let pending = psd.ledger().pending_credits(psd.device_id()).await.unwrap();
    assert!(pending.is_empty(), "{pending:?}");
    let after = vendor.store.account("A1").await.unwrap().balance;
    assert_eq!(before.mills() - after.mills(), 20_000, "charged once");
    assert_eq!(link.reconcile(&psd).await.unwrap().credited_refills, 0);
}
