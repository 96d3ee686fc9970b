//! Helpers for the payment tests: a payment store in a temporary folder with a clock the
//! test moves, and card numbers.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use postcounter::date::Date;
use postcounter::money::Money;
use postcounter::payment::*;

/// Noon UTC of `date`.
pub fn day_ms(date: &str) -> i64 {
    (i64::from(Date::parse(date).unwrap().days_since_2000()) + 10_957) * 86_400_000 + 43_200_000
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub now_ms: Arc<AtomicI64>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/payments.sqlite");
        Fixture {
            _dir: dir,
            path,
            now_ms: Arc::new(AtomicI64::new(day_ms("2026-07-12"))),
        }
    }

    pub async fn store(&self) -> PaymentStore {
        let now_ms = self.now_ms.clone();
        let clock = Clock::from_fn(move || now_ms.load(Ordering::SeqCst));
        PaymentStore::open_with_clock(&self.path, clock)
            .await
            .unwrap()
    }

    pub async fn accounts(&self) -> PostageAccounts {
        PostageAccounts::from_store(self.store().await)
            .await
            .unwrap()
    }

    /// Every byte of the store: the database file and its WAL.
    pub fn file_bytes(&self) -> Vec<u8> {
        let folder = self.path.parent().unwrap();
        let mut bytes = Vec::new();
        for file in std::fs::read_dir(folder).unwrap() {
            bytes.extend(std::fs::read(file.unwrap().path()).unwrap());
        }
        bytes
    }
}

pub fn card_charge(id: &str, number: &str, dollars: &str) -> CardCharge {
    CardCharge {
        id: id.to_string(),
        card: CardNumber::parse(number).unwrap(),
        expiry: Expiry::parse("12/28").unwrap(),
        amount: Money::parse(dollars).unwrap(),
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

pub fn digits_to_text(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// A Luhn-valid card number from a payload of 11-18 digits (the check digit found by trial).
pub fn with_check_digit(payload: &[u8]) -> String {
    (0..10u8)
        .map(|check| format!("{}{check}", digits_to_text(payload)))
        .find(|number| CardNumber::parse(number).is_ok())
        .unwrap()
}
