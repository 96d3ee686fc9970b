//! The counter's link against a real vendor on loopback, reached through a TCP relay the
//! test can cut (an outage: connections dropped) or make swallow the vendor's answers (a
//! purchase the vendor commits but the counter never hears of). Checks failover past a dead
//! endpoint, idempotent retries, that a refusal is final, the embedded PSD's fallback and
//! its limits, reconciliation of the offline pieces, the settling of lost answers, and that
//! a gap or a fork in a reported ledger locks the counter.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use common::vendor::{PSD_A1, StoreKind, TestVendor, VendorFixture, enroll};
use common::vendor_process::VendorProcess;
use common::{DEVICE_ID, letter, manual_clock, open_psd_with_clock};
use postcounter::clock::Clock;
use postcounter::ledger_chain::{ChainEntry, ChainHead, chained};
use postcounter::link::counter_link::LinkSettings;
use postcounter::link::fallback::DAY_MS;
use postcounter::link::{CounterLink, LinkError, LinkErrorKind, OfflineLimits, VendorClient};
use postcounter::money::Money;
use postcounter::psd::Psd;
use postcounter::vendor::store::VendorStore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relay {
    Up,
    /// Every connection is dropped, open ones too.
    Down,
    /// Requests reach the vendor; its answers are thrown away.
    SwallowAnswers,
}

/// A TCP relay in front of the vendor, so the test decides what the network does.
struct Network {
    address: SocketAddr,
    relay: Arc<Mutex<Relay>>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Network {
    async fn start(upstream: &str) -> Network {
        let upstream: SocketAddr = upstream.trim_start_matches("http://").parse().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let network = Network {
            address: listener.local_addr().unwrap(),
            relay: Arc::new(Mutex::new(Relay::Up)),
            connections: Arc::new(Mutex::new(Vec::new())),
        };
        let relay = network.relay.clone();
        let connections = network.connections.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let mode = *relay.lock().unwrap();
                if mode == Relay::Down {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let requests = tokio::io::copy(&mut client_read, &mut server_write);
                    let answers = async {
                        if mode == Relay::SwallowAnswers {
                            tokio::io::copy(&mut server_read, &mut tokio::io::sink()).await
                        } else {
                            tokio::io::copy(&mut server_read, &mut client_write).await
                        }
                    };
                    let _ = tokio::join!(requests, answers);
                });
                connections.lock().unwrap().push(task.abort_handle());
            }
        });
        network
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn set(&self, mode: Relay) {
        *self.relay.lock().unwrap() = mode;
        // Kept-alive connections must not outlive the change.
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }
}

/// A URL where nothing listens.
async fn dead_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn limits() -> OfflineLimits {
    OfflineLimits {
        max_value: Money::from_mills(10_000),
        max_days: 3,
        inspection_window_days: 30,
    }
}

/// A counter with an embedded PSD holding $50.00, linked to `endpoints`, enrolled for
/// `account` in the vendor's `store`.
async fn counter(
    store: &VendorStore,
    dir: &Path,
    endpoints: &[String],
    account: &str,
    clock: Clock,
) -> (CounterLink, Psd) {
    let psd = open_psd_with_clock(dir, clock.clone()).await;
    psd.refill("funds", Money::from_mills(50_000))
        .await
        .unwrap();
    let code = format!("code-{}", std::process::id());
    store
        .create_enrollment(&code, account, clock.now_unix_ms() + DAY_MS)
        .await
        .unwrap();
    let client =
        VendorClient::new(endpoints, Duration::from_millis(700), 3, clock.clone()).unwrap();
    let settings = LinkSettings {
        data_dir: dir.to_path_buf(),
        enrollment_code: code,
        counter_name: "Counter 1".into(),
        limits: limits(),
    };
    (CounterLink::new(client, settings, clock), psd)
}

/// A vendor, the relay in front of it, and a counter of account A1 linked through the relay.
struct BehindRelay {
    vendor: TestVendor,
    network: Network,
    dir: tempfile::TempDir,
    link: CounterLink,
    psd: Psd,
}

async fn behind_relay(clock: Clock) -> BehindRelay {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let network = Network::start(&vendor.url).await;
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = counter(&vendor.store, dir.path(), &[network.url()], "A1", clock).await;
    BehindRelay {
        vendor,
        network,
        dir,
        link,
        psd,
    }
}

async fn count(vendor: &TestVendor, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(vendor.store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vendor_issues_past_a_dead_endpoint_and_a_retry_gets_the_same_indicium() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let endpoints = [dead_endpoint().await, vendor.url.clone()];
    let (link, psd) = counter(&vendor.store, dir.path(), &endpoints, "A1", Clock::system()).await;
    let mut received = Vec::new();
    for sale in 1..=4 {
        let issued = link
            .issue(&psd, &letter(&format!("sale-{sale}"), 780))
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
    let retry = link.issue(&psd, &letter("sale-2", 780)).await.unwrap();
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
    let error = link.issue(&psd, &letter("sale-1", 780)).await.unwrap_err();
    assert_eq!(error.kind(), LinkErrorKind::Refused, "{error}");
    assert!(error.to_string().contains("insufficient funds"), "{error}");
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 0);
}

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
async fn the_offline_limits_stop_the_embedded_psd() {
    let (clock, now) = manual_clock();
    let BehindRelay {
        vendor: _vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(clock).await;

    network.set(Relay::Down);
    let never = link.issue(&psd, &letter("sale-1", 780)).await.unwrap_err();
    assert!(
        never.to_string().contains("never reached its vendor"),
        "{never}"
    );

    network.set(Relay::Up);
    link.reconcile(&psd).await.unwrap();
    network.set(Relay::Down);
    // $10.00 may go unreported: twelve 78-cent letters, not thirteen.
    for sale in 1..=12 {
        let issued = link
            .issue(&psd, &letter(&format!("offline-{sale}"), 780))
            .await
            .unwrap();
        assert!(issued.offline);
    }
    let value = link
        .issue(&psd, &letter("offline-13", 780))
        .await
        .unwrap_err();
    assert!(value.to_string().contains("at most $10.00"), "{value}");

    network.set(Relay::Up);
    link.reconcile(&psd).await.unwrap();
    network.set(Relay::Down);
    now.fetch_add(31 * DAY_MS, Ordering::SeqCst);
    let inspection = link
        .issue(&psd, &letter("offline-14", 780))
        .await
        .unwrap_err();
    assert!(
        inspection.to_string().contains("inspection window"),
        "{inspection}"
    );
    assert_eq!(psd.state().await.unwrap().registers.piece_count, 12);
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
    let issued = link.issue(&psd, &letter("sale-1", 780)).await.unwrap();
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
    let issued = link.issue(&psd, &letter("sale-1", 780)).await.unwrap();
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
