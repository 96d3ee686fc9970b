//! The counters of the vendor's crash test (`tests/vendor_crash.rs`): what each one bought,
//! what it was answered and what it lost when the vendor was killed under it. Kept apart from
//! the kill loop and the checks so the test itself reads as the rounds and what they prove.

use std::collections::{HashSet, VecDeque};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::vendor::{TestCounter, letter};
use postcounter::date::Date;
/// Pieces per purchase: more than one, so a purchase cut in half by a kill would show.
pub const PIECES: RangeInclusive<usize> = 1..=3;
/// A vendor that is up and not being killed answers a retry within this, or it is stuck.
pub const RETRY_TIMEOUT_MS: u64 = 30_000;
/// 503 means "nothing was done, retry": a bound on how often the final vendor may say it.
pub const UNAVAILABLE_RETRIES_MAX: usize = 50;

/// One purchase as a counter sent it: a retry must be the same key and the same bytes.
#[derive(Clone, Debug)]
pub struct Purchase {
    pub key: String,
    pub body: Vec<u8>,
}

/// (counter id, idempotency key): how the vendor names a purchase.
pub type PurchaseId = (String, String);

/// A counter and what it knows between kills.
pub struct Book {
    pub counter: TestCounter,
    pub rng: StdRng,
    pub sales: u64,
    /// Purchases whose answer never came (a transport error or a 503), oldest first. A
    /// counter retries them before it sells anything new, as a real one does.
    pub unanswered: VecDeque<Purchase>,
    /// Every key that was ever unanswered, for the tally.
    pub lost: HashSet<String>,
    /// Answers (201, the body as sent) received since the last check.
    pub answered: Vec<(Purchase, String)>,
    pub unavailable: usize,
    /// Attempts that found the vendor already gone (connection refused): never sent.
    pub refused: usize,
}

impl Book {
    /// A counter whose purchases are drawn from `seed`, so a failing run can be replayed.
    pub fn new(counter: TestCounter, seed: u64) -> Book {
        Book {
            counter,
            rng: StdRng::seed_from_u64(seed),
            sales: 0,
            unanswered: VecDeque::new(),
            lost: HashSet::new(),
            answered: Vec::new(),
            unavailable: 0,
            refused: 0,
        }
    }

    pub fn new_purchase(&mut self) -> Purchase {
        self.sales += 1;
        // Mailed tomorrow: a retry must send the very same body, and one sent after midnight
        // UTC with today's date would be refused as back-dated.
        let tomorrow = Date::today_utc().add_days(1).to_string();
        let pieces: Vec<Value> = (0..self.rng.random_range(PIECES))
            .map(|_| {
                let mut piece = letter();
                piece["mailing_date"] = json!(tomorrow);
                piece
            })
            .collect();
        Purchase {
            key: format!("sale-{}", self.sales),
            body: json!({ "pieces": pieces }).to_string().into_bytes(),
        }
    }

    pub async fn send(&self, purchase: &Purchase) -> Result<(u16, String), reqwest::Error> {
        self.counter
            .try_send(
                "POST",
                "/postage/v1/purchases",
                Some(&purchase.key),
                &purchase.body,
            )
            .await
    }
}

/// Buys (retries first) until the vendor is gone: the request in flight at the kill, or the
/// first one after it, fails in transport and stays unanswered. `answering` hears of every
/// answer, so the kill can wait for the vendor to be under load.
pub async fn buy_until_the_vendor_dies(mut book: Book, answering: Arc<Notify>) -> Book {
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
pub async fn answer_of(book: &Book, purchase: &Purchase) -> String {
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
pub async fn retry_everything(mut book: Book, first_answers: Vec<(Purchase, String)>) -> Book {
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

/// The indicium bytes of every piece of a purchase answer.
pub fn indicia(answer: &str) -> Vec<Vec<u8>> {
    let answer: Value = serde_json::from_str(answer).unwrap();
    let count = answer["pieces"].as_array().unwrap().len();
    (0..count)
        .map(|index| super::vendor::indicium(&answer, index))
        .collect()
}
