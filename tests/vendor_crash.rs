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
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use sqlx::Row;
use tokio::sync::Notify;

use common::vendor::{PSD_A2, StoreKind, TestCounter, VendorFixture, enroll, piece};
use common::vendor_process::VendorProcess;
use postcounter::date::Date;
use postcounter::indicium::verify;
use postcounter::money::Money;
use postcounter::vendor::store::{Backend, VendorStore};

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
const POSTAGE_MILLS: i64 = 780;
/// Pieces per purchase: more than one, so a purchase cut in half by a kill would show.
const PIECES: RangeInclusive<usize> = 1..=3;
/// Account A2's funds: far more than 200 short rounds can spend, so no purchase is refused
/// for want of funds and every lost one can still be issued on its retry.
const FUNDS_MILLS: i64 = 1_000_000_000;
/// Fixed so a failing run's delays and purchases can be replayed (the moments of the kills
/// still depend on scheduling).
const SEED: u64 = 0x00C0_FFEE;
/// A vendor that is up and not being killed answers a retry within this, or it is stuck.
const RETRY_TIMEOUT_MS: u64 = 30_000;
/// 503 means "nothing was done, retry": a bound on how often the final vendor may say it.
const UNAVAILABLE_RETRIES_MAX: usize = 50;
/// The application name of the vendor processes' PostgreSQL sessions.
const VENDOR_APPLICATION: &str = "postcounter-vendor-crash";
/// How long a killed vendor's PostgreSQL sessions may take to end.
const SESSIONS_END_TIMEOUT_MS: u64 = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_vendor_killed_under_load_loses_no_indicium_and_replays_lost_answers() {
    killed_under_load(StoreKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_vendor_killed_under_load_loses_no_indicium_and_replays_lost_answers() {
    killed_under_load(StoreKind::Postgres).await;
}

/// One purchase as a counter sent it: a retry must be the same key and the same bytes.
#[derive(Clone, Debug)]
struct Purchase {
    key: String,
    body: Vec<u8>,
}

/// A counter and what it knows between kills.
struct Book {
    counter: TestCounter,
    rng: StdRng,
    sales: u64,
    /// Purchases whose answer never came (a transport error or a 503), oldest first. A
    /// counter retries them before it sells anything new, as a real one does.
    unanswered: VecDeque<Purchase>,
    /// Every key that was ever unanswered, for the tally.
    lost: HashSet<String>,
    /// Answers (201, the body as sent) received since the last check.
    answered: Vec<(Purchase, String)>,
    unavailable: usize,
    /// Attempts that found the vendor already gone (connection refused): never sent.
    refused: usize,
}

impl Book {
    fn new(counter: TestCounter, index: usize) -> Book {
        Book {
            counter,
            rng: StdRng::seed_from_u64(SEED ^ (index as u64 + 1)),
            sales: 0,
            unanswered: VecDeque::new(),
            lost: HashSet::new(),
            answered: Vec::new(),
            unavailable: 0,
            refused: 0,
        }
    }

    fn new_purchase(&mut self) -> Purchase {
        self.sales += 1;
        // Mailed tomorrow: a retry must send the very same body, and one sent after midnight
        // UTC with today's date would be refused as back-dated.
        let tomorrow = Date::today_utc().add_days(1).to_string();
        let pieces: Vec<Value> = (0..self.rng.random_range(PIECES))
            .map(|_| {
                let mut piece = piece(POSTAGE_MILLS);
                piece["mailing_date"] = json!(tomorrow);
                piece
            })
            .collect();
        Purchase {
            key: format!("sale-{}", self.sales),
            body: json!({ "pieces": pieces }).to_string().into_bytes(),
        }
    }

    async fn send(&self, purchase: &Purchase) -> Result<(u16, String), reqwest::Error> {
        self.counter
            .try_send("POST", "/v1/purchases", Some(&purchase.key), &purchase.body)
            .await
    }
}

/// Buys (retries first) until the vendor is gone: the request in flight at the kill, or the
/// first one after it, fails in transport and stays unanswered. `answering` hears of every
/// answer, so the kill can wait for the vendor to be under load.
async fn buy_until_the_vendor_dies(mut book: Book, answering: Arc<Notify>) -> Book {
    loop {
        let purchase = match book.unanswered.pop_front() {
            Some(purchase) => purchase,
            None => book.new_purchase(),
        };
        match book.send(&purchase).await {
            Ok((201, answer)) => {
                book.answered.push((purchase, answer));
                answering.notify_one();
            }
            Ok((503, _)) => {
                book.unavailable += 1;
                book.lost.insert(purchase.key.clone());
                book.unanswered.push_front(purchase);
            }
            Ok((status, answer)) => panic!(
                "counter {} purchase {}: unexpected {status}: {answer}",
                book.counter.id(),
                purchase.key
            ),
            Err(error) => {
                book.refused += usize::from(error.is_connect());
                book.lost.insert(purchase.key.clone());
                book.unanswered.push_front(purchase);
                return book;
            }
        }
    }
}

/// A purchase's answer from a vendor nobody kills: a transport error is a failure here.
async fn answer_of(book: &Book, purchase: &Purchase) -> String {
    for _ in 0..UNAVAILABLE_RETRIES_MAX {
        let sent =
            tokio::time::timeout(Duration::from_millis(RETRY_TIMEOUT_MS), book.send(purchase))
                .await;
        let Ok(sent) = sent else {
            panic!("the vendor did not answer {} in time", purchase.key);
        };
        match sent.unwrap() {
            (201, answer) => return answer,
            (503, _) => tokio::time::sleep(Duration::from_millis(20)).await,
            (status, answer) => panic!("retry of {}: unexpected {status}: {answer}", purchase.key),
        }
    }
    panic!("the vendor stayed unavailable for {}", purchase.key);
}

/// The final round: every unanswered purchase retried until it is answered, then every
/// answered one retried, which must bring back its first answer byte for byte.
async fn retry_everything(mut book: Book, first_answers: Vec<(Purchase, String)>) -> Book {
    while let Some(purchase) = book.unanswered.pop_front() {
        let answer = answer_of(&book, &purchase).await;
        book.answered.push((purchase, answer));
    }
    for (purchase, first) in first_answers.iter().chain(&book.answered) {
        let again = answer_of(&book, purchase).await;
        assert_eq!(
            &again,
            first,
            "counter {} key {}: a retry answers the first answer byte for byte",
            book.counter.id(),
            purchase.key
        );
    }
    book
}

/// (counter id, idempotency key): how the vendor names a purchase.
type PurchaseId = (String, String);

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
        books.push(Book::new(enroll(store, &vendor.url, "A2").await, index));
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

/// The store as the vendor processes open it. On PostgreSQL their sessions carry
/// [`VENDOR_APPLICATION`], and go without TLS unless the URL names an `sslmode`: the test
/// server is on loopback, and with TLS a debug vendor took about 250 ms to start instead of
/// 20 and the counters completed half as many purchases. What is under test is the ledger,
/// not the transport.
fn vendor_store(location: &str) -> String {
    if !location.starts_with("postgres") {
        return location.to_string();
    }
    let mut url = location.to_string();
    let mut add = |parameter: &str| {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(parameter);
    };
    add(&format!("application_name={VENDOR_APPLICATION}"));
    if !location.contains("sslmode=") {
        add("sslmode=disable");
    }
    url
}

/// Waits until the killed vendor's PostgreSQL sessions have ended, and returns how many
/// pieces were committed meanwhile. The server finishes a statement it is running when its
/// client dies, a COMMIT included, so the store is still only once those sessions are gone.
/// A killed SQLite vendor leaves nothing running.
async fn wait_for_the_vendor_sessions_to_end(store: &VendorStore) -> u32 {
    if store.backend() != Backend::Postgres {
        return 0;
    }
    let before = last_serial(store).await;
    let deadline = Instant::now() + Duration::from_millis(SESSIONS_END_TIMEOUT_MS);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1",
        )
        .bind(VENDOR_APPLICATION)
        .fetch_one(store.pool())
        .await
        .unwrap();
        if open == 0 {
            return last_serial(store).await - before;
        }
        assert!(
            Instant::now() < deadline,
            "{open} sessions of a killed vendor are still open"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn last_serial(store: &VendorStore) -> u32 {
    let serial: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(piece_serial), 0) AS BIGINT) FROM piece WHERE psd_id = $1",
    )
    .bind(i64::from(PSD_A2))
    .fetch_one(store.pool())
    .await
    .unwrap();
    u32::try_from(serial).unwrap()
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

/// Pieces of A2's PSD with a serial above `after`, in serial order.
async fn pieces_after(store: &VendorStore, after: u32) -> Vec<(PurchaseId, u32, i64, Vec<u8>)> {
    sqlx::query(
        "SELECT counter_id, purchase_key, piece_serial, postage_mills, indicium FROM piece \
         WHERE psd_id = $1 AND piece_serial > $2 ORDER BY piece_serial",
    )
    .bind(i64::from(PSD_A2))
    .bind(i64::from(after))
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| {
        let serial: i64 = row.get("piece_serial");
        (
            (row.get("counter_id"), row.get("purchase_key")),
            u32::try_from(serial).unwrap(),
            row.get("postage_mills"),
            row.get("indicium"),
        )
    })
    .collect()
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
    let root = fixture.keys.root_public_key().unwrap();
    let certificates = fixture.keys.certificates().unwrap();
    for pieces in tally.ledger.values() {
        for (serial, bytes) in pieces {
            let indicium = verify(bytes, &root, &certificates).unwrap().indicium;
            assert_eq!(indicium.data.device_id, PSD_A2);
            assert_eq!(indicium.data.piece_serial, *serial);
            assert_eq!(indicium.data.postage.mills(), POSTAGE_MILLS);
        }
    }
    check_registers(&fixture.store, tally).await;
}

/// The indicium bytes of every piece of a purchase answer.
fn indicia(answer: &str) -> Vec<Vec<u8>> {
    let answer: Value = serde_json::from_str(answer).unwrap();
    let count = answer["pieces"].as_array().unwrap().len();
    (0..count)
        .map(|index| common::vendor::indicium(&answer, index))
        .collect()
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
