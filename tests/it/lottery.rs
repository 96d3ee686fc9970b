//! The lottery service over its API, against a data centre on a manual clock: a wager is
//! recorded with a checked validation number; no sale after a draw's cut-off; cancellation
//! only where, when and before what the rules allow; results entered after the draw, once;
//! a winning ticket paid once, a second claim told when and where it was paid; a replayed
//! sale answered as a marked reprint.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};

use crate::common::manual_clock;
use crate::common::vendor::{StoreKind, TestCounter, TestVendor, kind_of, message_of};
use postcounter::date::Date;
use postcounter::tickets::draw_schedule::Draw;
use postcounter::tickets::game::{Game, PICK3_TOML};
use postcounter::tickets::validation_number::ValidationNumber;
use postcounter::vendor_system::lottery::enter_draw_result;

pub struct Lottery {
    pub vendor: TestVendor,
    pub now: Arc<AtomicI64>,
    /// The next pick3 draw when the test starts.
    pub draw: Draw,
}

impl Lottery {
    /// A data centre selling pick3, its clock an hour before the next draw's cut-off.
    pub async fn start(kind: StoreKind) -> Option<Lottery> {
        let (clock, now) = manual_clock();
        let game = Game::from_toml(PICK3_TOML).unwrap();
        let draw = game.schedule.open_draws(clock.now_unix_ms() + 7_200_000, 1)[0];
        now.store(draw.cutoff_unix_ms - 3_600_000, Ordering::SeqCst);
        let vendor = TestVendor::start_with_clock(kind, clock).await?;
        vendor.store.put_lottery_game(&game, 0).await.unwrap();
        Some(Lottery { vendor, now, draw })
    }

    /// A counter of account `account` whose clock is the data centre's.
    pub async fn counter(&self, account: &str) -> TestCounter {
        let mut counter = self.vendor.counter(account).await;
        let now = self.now.clone();
        counter.clock = postcounter::clock::Clock::from_fn(move || now.load(Ordering::SeqCst));
        counter
    }

    pub fn set_now(&self, unix_ms: i64) {
        self.now.store(unix_ms, Ordering::SeqCst);
    }

    pub async fn enter(
        &self,
        date: Date,
        numbers: &[u8],
    ) -> Result<postcounter::vendor_system::lottery::DrawReport, String> {
        let now = self.now.load(Ordering::SeqCst);
        enter_draw_result(&self.vendor.store, "pick3", date, numbers, now)
            .await
            .map_err(|e| e.to_string())
    }
}

pub fn wager(numbers: &[u8]) -> Value {
    json!({"game": "pick3", "plays": [{"numbers": numbers}], "draws": 1})
}

pub async fn sell(counter: &TestCounter, key: &str, body: &Value) -> (u16, Value) {
    counter.post("/lottery/v1/wagers", key, body).await
}

pub async fn about(
    counter: &TestCounter,
    route: &str,
    key: &str,
    validation: &str,
) -> (u16, Value) {
    counter
        .post(
            &format!("/lottery/v1/{route}"),
            key,
            &json!({ "validation": validation }),
        )
        .await
}

fn validation_of(ticket: &Value) -> String {
    ticket["validation"].as_str().unwrap().to_string()
}

#[test]
fn a_wager_is_recorded_and_numbered_and_a_retry_prints_as_a_reprint() {
    crate::common::runtime().block_on(async {
        let lottery = Lottery::start(StoreKind::Sqlite).await.unwrap();
        let counter = lottery.counter("A1").await;
        let body = json!({"game": "pick3", "plays": [{"numbers": [4, 0, 7]}, {"quick_pick": true}], "draws": 2});
        let (status, ticket) = sell(&counter, "w-1", &body).await;
        assert_eq!(status, 200, "{ticket}");
        let validation = validation_of(&ticket);
        ValidationNumber::parse(&validation).expect("a number whose check digit checks");
        assert_eq!(ticket["price_mills"], 4_000, "2 plays x 2 draws x $1");
        assert_eq!(ticket["draws"][0]["date"], lottery.draw.date.to_string());
        assert_eq!(ticket["plays"][0]["numbers"], json!([4, 0, 7]));
        assert_eq!(ticket["plays"][1]["quick_pick"], true);
        assert_eq!(ticket["plays"][1]["numbers"].as_array().unwrap().len(), 3);
        assert_eq!((ticket["counter_id"].as_str(), ticket["retailer"].as_str()), (Some(counter.id()), Some("A1")));
        assert_eq!(ticket["reprint"], 0);
        // Recorded: the data centre holds it before the station has printed anything.
        let stored = lottery.vendor.store.lottery_wager(&validation).await.unwrap().unwrap();
        assert_eq!((stored.status.as_str(), stored.price_mills), ("sold", 4_000));
        // The same request again: the same ticket, as reprint 1 and then 2; nothing new sold.
        for reprint in 1..=2 {
            let (status, again) = sell(&counter, "w-1", &body).await;
            assert_eq!(status, 200, "{again}");
            assert_eq!(validation_of(&again), validation);
            assert_eq!(again["plays"], ticket["plays"], "the quick pick is not drawn again");
            assert_eq!(again["reprint"], reprint);
        }
        let (status, again) = about(&counter, "reprints", "r-1", &validation).await;
        assert_eq!((status, again["reprint"].as_u64()), (200, Some(3)));
        // Another station cannot reprint it.
        let other = lottery.counter("A1").await;
        let (status, refused) = about(&other, "reprints", "r-2", &validation).await;
        assert_eq!((status, kind_of(&refused)), (403, "forbidden"), "{refused}");
        // Consecutive wagers get unrelated numbers.
        let (_, next) = sell(&counter, "w-2", &wager(&[1, 2, 3])).await;
        assert_ne!(validation_of(&next)[..8], validation[..8]);
        // Bad plays are refused with what is accepted.
        let (status, refused) = sell(&counter, "w-3", &wager(&[1, 2])).await;
        assert_eq!((status, kind_of(&refused)), (400, "bad_request"));
        assert!(message_of(&refused).contains("3 numbers from 0 to 9"), "{refused}");
        let body = json!({"game": "pick3", "plays": [{"numbers": [1, 2, 3], "quick_pick": true}], "draws": 1});
        let (status, refused) = sell(&counter, "w-4", &body).await;
        assert_eq!(status, 400, "{refused}");
        let body = json!({"game": "pick3", "plays": [{"quick_pick": true}], "draws": 8});
        let (status, refused) = sell(&counter, "w-5", &body).await;
        assert!(status == 400 && message_of(&refused).contains("1 to 7"), "{refused}");
        let (status, refused) = sell(&counter, "w-6", &json!({"game": "keno", "plays": [{"quick_pick": true}], "draws": 1})).await;
        assert_eq!((status, kind_of(&refused)), (404, "not_found"), "{refused}");
    });
}

#[test]
fn no_sale_after_the_cut_off_by_the_data_centres_clock() {
    crate::common::runtime().block_on(async {
        let lottery = Lottery::start(StoreKind::Sqlite).await.unwrap();
        let counter = lottery.counter("A1").await;
        let mut body = wager(&[1, 2, 3]);
        body["first_draw"] = lottery.draw.date.to_string().into();
        lottery.set_now(lottery.draw.cutoff_unix_ms - 1_000);
        let (status, ticket) = sell(&counter, "before", &body).await;
        assert_eq!(status, 200, "{ticket}");
        lottery.set_now(lottery.draw.cutoff_unix_ms);
        let (status, refused) = sell(&counter, "at-cutoff", &body).await;
        assert_eq!((status, kind_of(&refused)), (422, "refused"), "{refused}");
        assert!(message_of(&refused).contains("closed at"), "{refused}");
        // Without a draw named, the sale goes to the next draw still on sale.
        let (status, next) = sell(&counter, "next", &wager(&[1, 2, 3])).await;
        assert_eq!(status, 200, "{next}");
        assert_eq!(
            next["draws"][0]["date"],
            lottery.draw.date.add_days(1).to_string()
        );
        // The sale made a second before the cut-off is asked again after it: its ticket.
        let (status, again) = sell(&counter, "before", &body).await;
        assert_eq!(
            (status, validation_of(&again)),
            (200, validation_of(&ticket))
        );
    });
}
