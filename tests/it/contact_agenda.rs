//! One contact, every service's pending work: a station whose certificate is due for renewal,
//! whose refill answer was lost (a pending credit), whose reconciliation is due and whose data
//! centre has staged a rate table for a later date makes one purchase; the answer's signed
//! agenda names all four, the station's monitor does them in that contact, and its ledger's
//! contact log keeps the agenda and each outcome. With one service down, the others are
//! still done.

use std::time::Duration;

use crate::common::link_relay::{self, Network, Relay};
use crate::common::vendor::{StoreKind, TestVendor};
use crate::common::{manual_clock, priced_letter};
use postcounter::money::Money;
use postcounter::protocol::agenda::Work;
use postcounter::protocol::updates::Published;
use postcounter::psd::ledger::contact_log::ContactEntryKind;
use postcounter::rates::book::EMBEDDED_FILES;

const HOUR_MS: i64 = 3_600_000;
const STAGED_RATES: &str = "usps-retail-2027-01-18.toml";

/// The current rate file with every table moved to 2027-01-18.
fn staged_rate_file() -> Vec<u8> {
    let (_, text) = EMBEDDED_FILES
        .iter()
        .find(|(name, _)| name.contains("2026-07-12"))
        .unwrap();
    text.replace("effective = 2026-07-12", "effective = 2027-01-18")
        .into_bytes()
}

/// A counter with three services due, through a relay; the vendor fails `failing`.
async fn station_with_work_due(
    failing: Option<&'static str>,
) -> (
    TestVendor,
    Network,
    tempfile::TempDir,
    postcounter::link::CounterLink,
    postcounter::psd::Psd,
    postcounter::clock::Clock,
) {
    let (clock, now) = manual_clock();
    // Every key certificate is within the renewal window of this data centre.
    let vendor = TestVendor::start_custom(StoreKind::Sqlite, clock.clone(), 365)
        .await
        .unwrap();
    let network = Network::start(&vendor.url).await;
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = link_relay::counter(
        &vendor.store,
        dir.path(),
        &[network.url()],
        "A1",
        clock.clone(),
    )
    .await;
    vendor.fail_under(failing);
    // A refill the data centre authorizes and charges, whose answer never arrives.
    network.set(Relay::SwallowAnswers);
    assert!(
        link.refill_embedded(&psd, "lost-refill", Money::from_mills(20_000))
            .await
            .is_err()
    );
    network.set(Relay::Up);
    // A rate table published ahead of its date: staged at the station, not priced with yet.
    vendor
        .update_repository()
        .publish(
            STAGED_RATES,
            &staged_rate_file(),
            Published::Rates {
                effective: String::new(),
            },
            clock.now_unix_ms(),
        )
        .await
        .unwrap();
    // Two days on: more than half of the 72-hour lease is gone.
    now.fetch_add(48 * HOUR_MS, std::sync::atomic::Ordering::SeqCst);
    link.state_station(&psd).await;
    (vendor, network, dir, link, psd, clock)
}

async fn agenda_after_one_purchase(
    link: &postcounter::link::CounterLink,
    psd: &postcounter::psd::Psd,
    clock: &postcounter::clock::Clock,
) -> postcounter::link::counter_link::ReceivedAgenda {
    let mut letter = priced_letter("1oz");
    letter.request.mailing_date = clock.today();
    let issued = link.issue(psd, &letter, "sale-1").await.unwrap();
    assert!(!issued.offline, "the purchase went to the data centre");
    tokio::time::timeout(Duration::from_secs(5), link.next_agenda())
        .await
        .expect("the purchase's answer carried an agenda")
}

#[tokio::test]
async fn one_purchase_runs_every_service_due_in_the_same_contact() {
    let (vendor, _network, dir, link, psd, clock) = station_with_work_due(None).await;
    let serial_before = psd.certificate().serial;
    let control_before = psd.state().await.unwrap().registers.control_total;
    let received = agenda_after_one_purchase(&link, &psd, &clock).await;
    let mut asked: Vec<&str> = received.agenda.items.iter().map(|w| w.name()).collect();
    asked.sort();
    assert_eq!(
        asked,
        ["pending-credit", "reconcile", "renew-certificate", "update"]
    );
    assert!(
        received
            .agenda
            .items
            .contains(&Work::PendingCredit { mills: 20_000 })
    );

    let outcomes = link.carry_out(&psd, &received, false).await.unwrap();
    for outcome in &outcomes {
        assert!(outcome.result.is_ok(), "{outcome:?}");
    }
    assert_ne!(
        psd.certificate().serial,
        serial_before,
        "the key was renewed"
    );
    let control_after = psd.state().await.unwrap().registers.control_total;
    assert_eq!(
        control_after.mills() - control_before.mills(),
        20_000,
        "credited once"
    );
    let reconciled: i64 = sqlx::query_scalar("SELECT reconciled_unix_ms FROM counter_ledger")
        .fetch_one(vendor.store.pool())
        .await
        .unwrap();
    assert!(reconciled >= received.agenda.issued_unix_ms);

    // The ledger keeps the signed agenda, then what became of each item, chained.
    let log = psd.ledger().contact_log().await.unwrap();
    assert_eq!(log[0].kind, ContactEntryKind::Agenda);
    assert_eq!(log[0].detail, received.bytes);
    let mut done: Vec<&str> = log[1..].iter().map(|e| e.work.as_str()).collect();
    done.sort();
    assert_eq!(
        done,
        ["pending-credit", "reconcile", "renew-certificate", "update"]
    );
    assert!(log[1..].iter().all(|e| e.kind == ContactEntryKind::Done));
    // The staged table is installed beside the ones in force.
    let installed = postcounter::link::updates::installed_rates_dir(dir.path())
        .unwrap()
        .unwrap();
    assert_eq!(
        std::fs::read(installed.join(STAGED_RATES)).unwrap(),
        staged_rate_file()
    );

    // Done: nothing is left, and the poll says so, signed (a new certificate has all of its
    // 365 days, outside even this data centre's renewal window).
    let polled = link.poll(&psd).await.unwrap();
    assert_eq!(polled.agenda.items, []);
}

#[tokio::test]
async fn a_service_that_fails_leaves_the_others_done_and_the_log_says_so() {
    let (_vendor, _network, _dir, link, psd, clock) =
        station_with_work_due(Some("/keys/v1/psd-certificates")).await;
    let serial_before = psd.certificate().serial;
    let control_before = psd.state().await.unwrap().registers.control_total;
    let received = agenda_after_one_purchase(&link, &psd, &clock).await;
    let outcomes = link.carry_out(&psd, &received, false).await.unwrap();
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.result.is_err())
        .map(|o| o.work)
        .collect();
    assert_eq!(failed, ["renew-certificate"]);
    assert_eq!(psd.certificate().serial, serial_before);
    let control_after = psd.state().await.unwrap().registers.control_total;
    assert_eq!(control_after.mills() - control_before.mills(), 20_000);
    let log = psd.ledger().contact_log().await.unwrap();
    let failed_entry = log
        .iter()
        .find(|e| e.kind == ContactEntryKind::Failed)
        .expect("the failure is logged");
    assert_eq!(failed_entry.work, "renew-certificate");
    assert_eq!(
        log.iter()
            .filter(|e| e.kind == ContactEntryKind::Done)
            .count(),
        3,
        "reconcile, pending-credit and update done: {log:?}"
    );
}

#[tokio::test]
async fn a_contact_log_changed_afterwards_is_refused() {
    let (_vendor, _network, dir, link, psd, clock) = station_with_work_due(None).await;
    let received = agenda_after_one_purchase(&link, &psd, &clock).await;
    link.carry_out(&psd, &received, false).await.unwrap();
    assert!(psd.ledger().contact_log().await.is_ok());
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("ledger.sqlite").display()
    ))
    .await
    .unwrap();
    sqlx::query("UPDATE contact_log SET detail = CAST('nothing was done' AS BLOB) WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    let error = psd.ledger().contact_log().await.unwrap_err();
    assert!(error.to_string().contains("breaks at entry 2"), "{error}");
}

/// A quiet counter polls all day: a poll with nothing due, at the data centre or here,
/// leaves no trace in the contact log.
#[tokio::test]
async fn a_poll_with_nothing_due_leaves_the_contact_log_as_it_was() {
    let (_vendor, _network, _dir, link, psd, clock) = station_with_work_due(None).await;
    let received = agenda_after_one_purchase(&link, &psd, &clock).await;
    link.carry_out(&psd, &received, false).await.unwrap();
    let before = psd.ledger().contact_log().await.unwrap().len();
    let polled = link.poll(&psd).await.unwrap();
    assert_eq!(polled.agenda.items, []);
    assert_eq!(link.carry_out(&psd, &polled, true).await.unwrap(), []);
    assert_eq!(psd.ledger().contact_log().await.unwrap().len(), before);
}

/// A station header that is not what the data centre reads is refused before anything runs,
/// with the part quoted whole and what is accepted.
#[tokio::test]
async fn a_malformed_station_header_is_refused_with_what_is_accepted() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let refused = reqwest::Client::new()
        .get(format!("{}/postage/v1/psds/20000001/registers", vendor.url))
        .header(
            "postcounter-station",
            "status-list=3; control-total-mills=lots",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"control-total-mills=lots\" is not accepted: key=number"),
        "{message}"
    );
}

/// Key management signs a new status list: the next answer's agenda asks the station, which
/// states an older one, to fetch the trust, and it does in that contact.
#[tokio::test]
async fn a_newer_status_list_is_fetched_in_the_contact_that_learns_of_it() {
    let (vendor, _network, dir, link, psd, clock) = station_with_work_due(None).await;
    let keyring = postcounter::psd::Keyring::open(dir.path()).unwrap();
    let held = keyring.trust().unwrap().unwrap().status.unwrap().number;
    let signed =
        postcounter::vendor_system::keys::sign_status_list(&vendor.store, &vendor.keys, &clock)
            .await
            .unwrap();
    assert_eq!(signed.number, held + 1);
    let received = agenda_after_one_purchase(&link, &psd, &clock).await;
    assert!(
        received.agenda.items.contains(&Work::StatusList {
            number: signed.number
        }),
        "{:?}",
        received.agenda.items
    );
    let outcomes = link.carry_out(&psd, &received, false).await.unwrap();
    let fetched = outcomes.iter().find(|o| o.work == "status-list").unwrap();
    assert!(fetched.result.is_ok(), "{fetched:?}");
    let now_held = keyring.trust().unwrap().unwrap().status.unwrap().number;
    assert_eq!(now_held, signed.number);
}
