//! The ticket workloads of `postcounter loadtest --tickets`: after the postage run, on the
//! same vendor and store, the counters sell quick-pick wagers of the demo draw game, then book
//! event seats (a hold and its booking, two requests, per seat), each counter its own seats
//! of a large event so that none waits for a seat another holds. Each is timed per sale.

use std::time::Instant;

use super::counters::CounterTally;
use crate::link::VendorClient;
use crate::protocol::events::{HoldRequest, HoldResponse};
use crate::protocol::lottery::{PlayRequest, WagerRequest};
use crate::protocol::signature::RequestSigner;
use crate::tickets::event::Section;
use crate::tickets::game::{Game, PICK3_TOML};
use crate::vendor_system::store::VendorStore;

/// A registered counter and its link, shared by the workloads' tasks.
pub type Counter = std::sync::Arc<(RequestSigner, VendorClient)>;

/// Rows and seats of the loadtest's event: 24,000 places, more than a run books.
const ROWS: u16 = 240;
const SEATS_PER_ROW: u16 = 100;

/// Puts the demo game and a large event in `store`.
pub async fn set_up(store: &VendorStore, now_unix_ms: i64) -> anyhow::Result<()> {
    store
        .put_lottery_game(&Game::from_toml(PICK3_TOML)?, now_unix_ms)
        .await?;
    let mut event = crate::tickets::event::demo_event(now_unix_ms)?;
    event.event_id = "loadtest".into();
    event.sections = vec![Section {
        name: "S".into(),
        rows: ROWS,
        seats_per_row: SEATS_PER_ROW,
        price_class: "stalls".into(),
    }];
    event.general_admission.clear();
    store.put_event(&event, now_unix_ms).await?;
    Ok(())
}

/// The seats counter `index` of `counters` books, in turn.
pub fn seats_of(index: usize, counters: usize) -> Vec<String> {
    let places = usize::from(ROWS) * usize::from(SEATS_PER_ROW);
    (index..places)
        .step_by(counters.max(1))
        .map(|place| {
            format!(
                "S-{}-{}",
                place / usize::from(SEATS_PER_ROW) + 1,
                place % usize::from(SEATS_PER_ROW) + 1
            )
        })
        .collect()
}

fn refusal(tally: &mut CounterTally, status: u16, body: &[u8]) {
    tally.refused += 1;
    if tally.first_refusal.is_none() {
        let body: String = String::from_utf8_lossy(body).chars().take(300).collect();
        tally.first_refusal = Some(format!("{status} {body}"));
    }
}

/// One counter selling one-play quick-pick wagers until `deadline`.
pub async fn drive_wagers(counter: Counter, deadline: Instant) -> anyhow::Result<CounterTally> {
    let (signer, link) = &*counter;
    let wager = WagerRequest {
        game: "pick3".into(),
        plays: vec![PlayRequest {
            numbers: Vec::new(),
            quick_pick: true,
        }],
        draws: 1,
        first_draw: None,
    };
    let body = serde_json::to_vec(&wager)?;
    let mut tally = CounterTally::default();
    let mut sequence = 0u64;
    while Instant::now() < deadline {
        sequence += 1;
        let key = format!("{}-wager-{sequence}", signer.counter_id());
        let sent = Instant::now();
        let reply = link
            .send(
                reqwest::Method::POST,
                "/lottery/v1/wagers",
                Some(&key),
                &body,
                Some(signer),
            )
            .await?;
        tally.latencies.push(sent.elapsed());
        match reply.status {
            200 => tally.indicia += 1,
            status => refusal(&mut tally, status, &reply.body),
        }
    }
    Ok(tally)
}

/// One counter booking `seats` one at a time (a hold, then its booking) until `deadline`.
pub async fn drive_bookings(
    counter: Counter,
    seats: Vec<String>,
    deadline: Instant,
) -> anyhow::Result<CounterTally> {
    let (signer, link) = &*counter;
    let mut tally = CounterTally::default();
    for seat in seats {
        if Instant::now() >= deadline {
            break;
        }
        let sent = Instant::now();
        let hold = serde_json::to_vec(&HoldRequest {
            event: "loadtest".into(),
            seats: vec![seat.clone()],
            hold_seconds: None,
        })?;
        let key = format!("{}-hold-{seat}", signer.counter_id());
        let reply = link
            .send(
                reqwest::Method::POST,
                "/events/v1/holds",
                Some(&key),
                &hold,
                Some(signer),
            )
            .await?;
        if reply.status != 200 {
            refusal(&mut tally, reply.status, &reply.body);
            continue;
        }
        let held: HoldResponse = serde_json::from_slice(&reply.body)?;
        let book = serde_json::to_vec(&serde_json::json!({ "hold_id": held.hold_id }))?;
        let key = format!("book-{}", held.hold_id);
        let reply = link
            .send(
                reqwest::Method::POST,
                "/events/v1/bookings",
                Some(&key),
                &book,
                Some(signer),
            )
            .await?;
        tally.latencies.push(sent.elapsed());
        match reply.status {
            200 => tally.indicia += 1,
            status => refusal(&mut tally, status, &reply.body),
        }
    }
    Ok(tally)
}

/// Whether the store holds exactly `sold` valid tickets for the loadtest event, one per seat.
pub async fn seats_sold_once(store: &VendorStore, sold: u64) -> anyhow::Result<bool> {
    let (tickets, seats): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT seat) FROM event_ticket WHERE event_id = 'loadtest' AND status = 'valid'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(u64::try_from(tickets).ok() == Some(sold) && tickets == seats)
}

/// What the ticket workloads measured.
pub struct TicketFigures {
    pub wagers_per_s: f64,
    pub wager_ms: (f64, f64),
    pub bookings_per_s: f64,
    pub booking_ms: (f64, f64),
    pub clean: bool,
}

/// The tallies of counters run at once, summed: (sales, latencies, refused, first refusal).
async fn gather(
    tasks: Vec<tokio::task::JoinHandle<anyhow::Result<CounterTally>>>,
) -> anyhow::Result<CounterTally> {
    let mut all = CounterTally::default();
    for task in tasks {
        let tally = task.await??;
        all.latencies.extend(tally.latencies);
        all.indicia += tally.indicia;
        all.refused += tally.refused;
        all.first_refusal = all.first_refusal.or(tally.first_refusal);
    }
    Ok(all)
}

/// Prints one workload's figures: per second, p50 and p99 per sale.
fn report(what: &str, tally: &CounterTally, elapsed_s: f64) -> (f64, (f64, f64)) {
    let summary = crate::measure::tui_bench::Percentiles::of(&tally.latencies);
    let per_s = tally.indicia as f64 / elapsed_s;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what}: {} in {elapsed_s:.1} s = {per_s:.0}/s ({} refused); p50 {:.1} ms, p99 {:.1} ms",
        tally.indicia,
        tally.refused,
        ms(summary.p50),
        ms(summary.p99)
    );
    if let Some(refusal) = &tally.first_refusal {
        println!("first refusal: {refusal}");
    }
    (per_s, (ms(summary.p50), ms(summary.p99)))
}

/// Sets the game and event up, registers a counter for each of `accounts`, and measures.
pub async fn run(
    store: &VendorStore,
    url: &str,
    accounts: impl Iterator<Item = &String>,
    clock: &crate::clock::Clock,
    seconds: u64,
) -> anyhow::Result<TicketFigures> {
    set_up(store, clock.now_unix_ms()).await?;
    let mut counters = Vec::new();
    for account in accounts {
        let registered = super::counters::enroll(store, url, account, clock).await?;
        counters.push(std::sync::Arc::new(registered));
    }
    measure(store, counters, seconds).await
}

/// Wagers, then seat bookings, by `counters` (each a registered counter and its link) for
/// `seconds` each.
async fn measure(
    store: &VendorStore,
    counters: Vec<Counter>,
    seconds: u64,
) -> anyhow::Result<TicketFigures> {
    let count = counters.len();
    let started = Instant::now();
    let deadline = started + std::time::Duration::from_secs(seconds);
    let tasks = counters
        .iter()
        .map(|counter| tokio::spawn(drive_wagers(counter.clone(), deadline)))
        .collect();
    let wagers = gather(tasks).await?;
    let (wagers_per_s, wager_ms) = report(
        "wagers (one quick-pick play)",
        &wagers,
        started.elapsed().as_secs_f64(),
    );
    let started = Instant::now();
    let deadline = started + std::time::Duration::from_secs(seconds);
    let tasks = counters
        .into_iter()
        .enumerate()
        .map(|(index, counter)| {
            tokio::spawn(drive_bookings(counter, seats_of(index, count), deadline))
        })
        .collect();
    let bookings = gather(tasks).await?;
    let (bookings_per_s, booking_ms) = report(
        "seat bookings (hold + book)",
        &bookings,
        started.elapsed().as_secs_f64(),
    );
    let sold_once = seats_sold_once(store, bookings.indicia).await?;
    println!(
        "audit: {} valid tickets, one per seat: {}",
        bookings.indicia,
        if sold_once { "yes" } else { "NO" }
    );
    Ok(TicketFigures {
        wagers_per_s,
        wager_ms,
        bookings_per_s,
        booking_ms,
        clean: sold_once && wagers.refused == 0 && bookings.refused == 0,
    })
}
