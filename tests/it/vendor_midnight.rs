//! A purchase whose answer was lost just before midnight (UTC, the vendor's day) and that
//! the counter asks again the next afternoon, when that date is no longer today anywhere on
//! Earth (past 12:00 UTC, UTC-12 has moved on too): today's rules would refuse the mailing
//! date, but the retry gets the first answer, byte for byte, and nothing is issued twice.
//! On SQLite and on PostgreSQL.

use crate::common;

use std::sync::atomic::Ordering;

use postcounter::clock::start_of_day_unix_ms;
use postcounter::date::Date;

use common::vendor::{StoreKind, TestVendor, letter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_retry_after_midnight_gets_its_first_answer() {
    a_retry_after_midnight_gets_its_first_answer(StoreKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_retry_after_midnight_gets_its_first_answer() {
    a_retry_after_midnight_gets_its_first_answer(StoreKind::Postgres).await;
}

async fn a_retry_after_midnight_gets_its_first_answer(kind: StoreKind) {
    let (clock, now_unix_ms) = common::manual_clock();
    let today = Date::today_utc();
    let midnight = start_of_day_unix_ms(today.add_days(1));
    now_unix_ms.store(midnight - 60_000, Ordering::SeqCst);
    let Some(v) = TestVendor::start_with_clock(kind, clock.clone()).await else {
        common::postgres::skip_note("a_retry_after_midnight_gets_its_first_answer");
        return;
    };
    let mut counter = v.counter("A1").await;
    counter.clock = clock;
    let (status, first) = counter.buy("sale-2359", vec![letter()]).await;
    assert_eq!(status, 201, "{first}");
    let footprint = v.footprint().await;

    now_unix_ms.store(midnight + 13 * 3_600_000, Ordering::SeqCst);
    let (status, again) = counter.buy("sale-2359", vec![letter()]).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first, "the first answer, byte for byte");
    assert_eq!(v.footprint().await, footprint, "nothing issued twice");

    // A new purchase with yesterday's date is still refused, and says why.
    let (status, answer) = counter.buy("sale-0001", vec![letter()]).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("mailing_date {today} is not accepted")),
        "{message}"
    );
}
