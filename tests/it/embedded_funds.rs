//! The data centre alone funds an embedded PSD. A counter owner who raises the PSD's
//! descending register in its ledger file (a refill row of their own, registers to match,
//! so the counter's own audit passes) can issue offline, but the first report of those
//! pieces shows registers above what the data centre funded: it is refused, nothing of it
//! is kept, and the counter is locked. Nor does a lease edited in the ledger grant anything.

use crate::common;

use common::link_relay::{BehindRelay, Relay, behind_relay};
use common::priced_letter;
use postcounter::clock::Clock;
use postcounter::link::identity::saved_registration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_pieces_beyond_what_the_data_centre_funded_lock_the_counter() {
    let BehindRelay {
        vendor,
        network,
        dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    let device_id = i64::from(psd.device_id());
    let ledger = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("ledger.sqlite").display()
    ))
    .await
    .unwrap();
    let before = psd.state().await.unwrap().registers;
    let forged_mills = 1_000_000;
    sqlx::query(
        "INSERT INTO refill (device_id, refill_id, amount_mills, control_total_after_mills, applied_unix_ms) VALUES (?, 'mine', ?, ?, 0)",
    )
    .bind(device_id)
    .bind(forged_mills)
    .bind(before.control_total.mills() + forged_mills)
    .execute(&ledger)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE psd SET descending_mills = descending_mills + ?, control_total_mills = control_total_mills + ? WHERE device_id = ?",
    )
    .bind(forged_mills)
    .bind(forged_mills)
    .bind(device_id)
    .execute(&ledger)
    .await
    .unwrap();
    assert!(
        psd.audit().await.unwrap().discrepancies.is_empty(),
        "the counter's own audit cannot tell"
    );

    network.set(Relay::Down);
    link.issue(&psd, &priced_letter("1oz"), "offline-1")
        .await
        .unwrap();
    network.set(Relay::Up);
    let refused = link.reconcile(&psd).await.unwrap_err();
    let message = refused.to_string();
    assert!(
        message.contains("above the $50.00 the data centre ever funded"),
        "{message}"
    );
    assert!(message.contains("is locked"), "{message}");
    let pieces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offline_piece")
        .fetch_one(vendor.store.pool())
        .await
        .unwrap();
    assert_eq!(pieces, 0, "nothing of the report is kept");
    let registration = saved_registration(dir.path()).unwrap().unwrap();
    let counter = vendor
        .store
        .counter(&registration.counter_id)
        .await
        .unwrap();
    assert!(counter.check_active().is_err(), "the counter is locked");
}

/// The lease's terms are read from the data centre's signed grant, not from the ledger's
/// columns: a lease edited to run until 2100 for $100,000 issues nothing offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_edited_in_the_ledger_grants_nothing() {
    let BehindRelay {
        vendor: _vendor,
        network,
        dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    let ledger = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("ledger.sqlite").display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "UPDATE lease SET not_after_unix_ms = 4102444800000, max_value_mills = 100000000 WHERE device_id = ?",
    )
    .bind(i64::from(psd.device_id()))
    .execute(&ledger)
    .await
    .unwrap();
    network.set(Relay::Down);
    let refused = link
        .issue(&psd, &priced_letter("1oz"), "offline-1")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("the offline lease in the ledger is not the data centre's grant"),
        "{refused}"
    );
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 0);
    // The next contact brings a new grant, and the counter issues offline again under it.
    network.set(Relay::Up);
    link.reconcile(&psd).await.unwrap();
    network.set(Relay::Down);
    link.issue(&psd, &priced_letter("1oz"), "offline-2")
        .await
        .unwrap();
}
