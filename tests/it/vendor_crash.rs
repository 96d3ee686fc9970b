//! The vendor's crash test: a real `vendor serve` process is killed with SIGKILL at random
//! moments while counters buy from it, 200 times, and restarted on the same store each time.
//!
//! A vendor that dies may lose answers, never value. After every kill the ledger is read
//! back: every indicium a counter received is in it byte for byte, serials run on without a
//! gap or a repeat, AR + DR = control total and the control total plus the account's balance
//! is what was credited. A purchase whose answer was lost is retried under its idempotency
//! key, as a counter does: if it committed before the kill the retry must answer with the
//! original indicia and issue nothing more; if it did not, the retry issues it. Group commit
//! answers only after the batch's fsync, so the case that matters is a kill between commit and
//! answer; killing often under load is how to land there. Runs on SQLite (WAL,
//! `synchronous=FULL`) and PostgreSQL.

use crate::common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::sync::Notify;

use common::crash_counter::{
    Book, Purchase, PurchaseId, RETRY_TIMEOUT_MS, buy_until_the_vendor_dies, indicia,
    retry_everything,
};
use common::crash_ledger::{pieces_after, vendor_store, wait_for_the_vendor_sessions_to_end};
use common::vendor::{PSD_A2, StoreKind, VendorFixture, enroll, letter_mills};
use common::vendor_process::VendorProcess;
use postcounter::indicium::verify;
use postcounter::money::Money;
use postcounter::vendor_system::store::VendorStore;

const KILLS: usize = 200;
const COUNTERS: usize = 12;
/// How long the counters buy before the kill, counted from the round's first answer: the
/// vendor is committing batches by then. A fresh vendor took 50-300 ms to answer its first
/// burst here (its first batch, the store's new connections), and a window counted from
/// its start would have ended there in most rounds on PostgreSQL.
const LOAD_MS: RangeInclusive<u64> = 0..=100;
/// One round in this many is killed cold, counted from the start instead: during the first
/// batch, or before the vendor has answered anything.
const COLD_ONE_IN: u32 = 4;
/// Account A2's funds: far more than 200 short rounds can spend, so no purchase is refused
/// for want of funds and every lost one can still be issued on its retry.
const FUNDS_MILLS: i64 = 1_000_000_000;
/// Fixed so a failing run's delays and purchases can be replayed (the moments of the kills
/// still depend on scheduling).
const SEED: u64 = 0x00C0_FFEE;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_vendor_killed_under_load_loses_no_indicium_and_replays_lost_answers() {
    killed_under_load(StoreKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_vendor_killed_under_load_loses_no_indicium_and_replays_lost_answers() {
    killed_under_load(StoreKind::Postgres).await;
}

/// What the test has learned from the counters and the store.
#[derive(Default)]
struct Tally {
    /// Every purchase's pieces in the ledger, in serial order: (serial, indicium).
    ledger: HashMap<PurchaseId, Vec<(u32, Vec<u8>)>>,
    last_serial: u32,
    postage_mills: i64,
    /// The first answer each purchase received.
    answers: BTreeMap<PurchaseId, (Purchase, String)>,
    /// Unanswered purchases found committed in the ledger after a kill.
    committed_unanswered: HashSet<PurchaseId>,
    /// Pieces a PostgreSQL server committed after their vendor was killed.
    committed_after_kill: u32,
    restarts: Vec<Duration>,
}

async fn killed_under_load(kind: StoreKind) {
    let Some(fixture) = VendorFixture::create(kind).await else {
        common::postgres::skip_note("killed_under_load");
        return;
    };
    let started = Instant::now();
    let store = &fixture.store;
    store
        .credit_account("A2", "funds", Money::from_mills(FUNDS_MILLS), 0)
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut tally = Tally::default();
    let mut vendor = spawn_timed(&fixture, &mut tally);
    let mut books = Vec::new();
    for index in 0..COUNTERS {
        let counter = enroll(store, &vendor.url, "A2").await;
        books.push(Book::new(counter, SEED ^ (index as u64 + 1)));
    }
    for round in 0..KILLS {
        if round > 0 {
            vendor = spawn_timed(&fixture, &mut tally);
        }
        books = buy_and_kill(&mut vendor, books, &mut rng).await;
        tally.committed_after_kill += wait_for_the_vendor_sessions_to_end(store).await;
        check_ledger(store, &mut tally, &mut books).await;
    }
    let vendor = spawn_timed(&fixture, &mut tally);
    books = recover(&vendor, books, &tally).await;
    drop(vendor);
    wait_for_the_vendor_sessions_to_end(store).await;
    check_ledger(store, &mut tally, &mut books).await;
    check_final(&fixture, &tally).await;
    report(kind, &tally, &books, started.elapsed());
}

/// One round: the counters buy from `vendor` until it is killed at a random moment.
async fn buy_and_kill(vendor: &mut VendorProcess, books: Vec<Book>, rng: &mut StdRng) -> Vec<Book> {
    let answering = Arc::new(Notify::new());
    let tasks: Vec<_> = books
        .into_iter()
        .map(|mut book| {
            book.counter.url.clone_from(&vendor.url);
            tokio::spawn(buy_until_the_vendor_dies(book, answering.clone()))
        })
        .collect();
    if !rng.random_ratio(1, COLD_ONE_IN) {
        let first_answer = Duration::from_millis(RETRY_TIMEOUT_MS);
        tokio::time::timeout(first_answer, answering.notified())
            .await
            .expect("a restarted vendor answers a purchase");
    }
    tokio::time::sleep(Duration::from_millis(rng.random_range(LOAD_MS))).await;
    // SIGKILL, and waits for the process to be gone before the store is read.
    vendor.kill();
    let mut books = Vec::new();
    for task in tasks {
        books.push(task.await.unwrap());
    }
    books
}

/// A last vendor that lives: every lost answer is recovered through its key, and every
/// answer received is asked for again.
async fn recover(vendor: &VendorProcess, books: Vec<Book>, tally: &Tally) -> Vec<Book> {
    let tasks: Vec<_> = books
        .into_iter()
        .map(|mut book| {
            book.counter.url.clone_from(&vendor.url);
            let first = tally
                .answers
                .iter()
                .filter(|((counter, _), _)| counter == book.counter.id())
                .map(|(_, first)| first.clone())
                .collect();
            tokio::spawn(retry_everything(book, first))
        })
        .collect();
    let mut books = Vec::new();
    for task in tasks {
        books.push(task.await.unwrap());
    }
    books
}

/// Starts a vendor on the fixture's store, timing how long it takes to listen.
fn spawn_timed(fixture: &VendorFixture, tally: &mut Tally) -> VendorProcess {
    let spawned = Instant::now();
    let vendor = VendorProcess::spawn(fixture.dir.path(), &vendor_store(&fixture.location));
    tally.restarts.push(spawned.elapsed());
    vendor
}

/// Reads the pieces committed since the last check and holds the store to what the counters
/// were told. Runs after each kill and after the final retries, when no request is in
/// flight, so the store is still.
async fn check_ledger(store: &VendorStore, tally: &mut Tally, books: &mut [Book]) {
    let known: HashSet<PurchaseId> = tally.ledger.keys().cloned().collect();
    for (id, serial, postage_mills, indicium) in pieces_after(store, tally.last_serial).await {
        assert_eq!(
            serial,
            tally.last_serial + 1,
            "serials run on with no gap or repeat"
        );
        tally.last_serial = serial;
        tally.postage_mills += postage_mills;
        assert!(
            !known.contains(&id),
            "purchase {id:?} issued again at serial {serial}"
        );
        tally.ledger.entry(id).or_default().push((serial, indicium));
    }
    for book in books.iter_mut() {
        let counter = book.counter.id().to_string();
        for purchase in &book.unanswered {
            let id = (counter.clone(), purchase.key.clone());
            if tally.ledger.contains_key(&id) {
                tally.committed_unanswered.insert(id);
            }
        }
        for (purchase, answer) in book.answered.drain(..) {
            let id = (counter.clone(), purchase.key.clone());
            let received = indicia(&answer);
            let stored: Vec<Vec<u8>> = tally
                .ledger
                .get(&id)
                .unwrap_or_else(|| panic!("purchase {id:?} was answered but is not in the ledger"))
                .iter()
                .map(|(_, indicium)| indicium.clone())
                .collect();
            assert_eq!(
                received, stored,
                "purchase {id:?}: what the counter received is what the ledger holds"
            );
            assert!(
                tally.answers.insert(id, (purchase, answer)).is_none(),
                "a purchase is answered once before the final retries"
            );
        }
    }
    check_registers(store, tally).await;
}

/// AR + DR = control total, nothing created or lost, and the registers agree with the pieces.
async fn check_registers(store: &VendorStore, tally: &Tally) {
    let registers = store.psd(PSD_A2).await.unwrap().registers;
    let balance = store.account("A2").await.unwrap().balance.mills();
    assert_eq!(
        registers.ascending.mills() + registers.descending.mills(),
        registers.control_total.mills(),
        "AR + DR = control total"
    );
    assert_eq!(
        registers.control_total.mills() + balance,
        FUNDS_MILLS,
        "no funds created or lost"
    );
    assert_eq!(registers.ascending.mills(), tally.postage_mills);
    assert_eq!(registers.piece_count, u64::from(tally.last_serial));
    assert_eq!(store.audit_psd(PSD_A2).await.unwrap(), Vec::<String>::new());
}

/// After the final retries: every purchase any counter made is in the ledger once, answered
/// with what the ledger holds, and every indicium verifies under the root key.
async fn check_final(fixture: &VendorFixture, tally: &Tally) {
    let attempted: HashSet<&PurchaseId> = tally.answers.keys().collect();
    let issued: HashSet<&PurchaseId> = tally.ledger.keys().collect();
    assert_eq!(
        attempted, issued,
        "the ledger holds exactly the purchases the counters made"
    );
    let trust = common::vendor::central_trust(&fixture.keys);
    for pieces in tally.ledger.values() {
        for (serial, bytes) in pieces {
            let indicium = verify(bytes, &trust).unwrap().indicium;
            assert_eq!(indicium.data.device_id, PSD_A2);
            assert_eq!(indicium.data.piece_serial, *serial);
            assert_eq!(indicium.data.postage.mills(), letter_mills());
        }
    }
    check_registers(&fixture.store, tally).await;
}

fn report(kind: StoreKind, tally: &Tally, books: &[Book], elapsed: Duration) {
    let lost: usize = books.iter().map(|book| book.lost.len()).sum();
    let unavailable: usize = books.iter().map(|book| book.unavailable).sum();
    let refused: usize = books.iter().map(|book| book.refused).sum();
    let restarts_ms: Vec<u128> = tally.restarts.iter().map(Duration::as_millis).collect();
    eprintln!(
        "{kind:?}: {KILLS} kills, {} purchases ({} pieces); {lost} lost their answer, \
         {} of them found committed after the kill, then replayed; {refused} attempts refused \
         (vendor gone, never sent); {unavailable} answered 503; {} pieces committed by the \
         server after their vendor was killed; \
         vendor start {} ms mean, {} ms max; {:.1} s in all",
        tally.answers.len(),
        tally.last_serial,
        tally.committed_unanswered.len(),
        tally.committed_after_kill,
        restarts_ms.iter().sum::<u128>() / restarts_ms.len() as u128,
        restarts_ms.iter().max().unwrap(),
        elapsed.as_secs_f64(),
    );
}
