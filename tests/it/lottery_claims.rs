//! Cancelling and paying lottery tickets: a cancellation only at the selling station, the
//! same day, before the first draw's cut-off, and never twice; results entered after the
//! draw and final; a winning ticket paid once at any station, even when 100 stations claim
//! it at the same moment on PostgreSQL.

use serde_json::Value;

use crate::common::vendor::{StoreKind, kind_of, message_of};
use crate::lottery::{Lottery, about, sell, wager};

fn validation_of(ticket: &Value) -> String {
    ticket["validation"].as_str().unwrap().to_string()
}

#[test]
fn a_ticket_is_cancelled_only_where_and_when_the_rules_allow() {
    crate::common::runtime().block_on(async {
        let lottery = Lottery::start(StoreKind::Sqlite).await.unwrap();
        let seller = lottery.counter("A1").await;
        let other = lottery.counter("A1").await;
        let (_, ticket) = sell(&seller, "w-1", &wager(&[1, 2, 3])).await;
        let validation = validation_of(&ticket);
        let (status, refused) = about(&other, "cancellations", "c-0", &validation).await;
        assert_eq!((status, kind_of(&refused)), (403, "forbidden"), "{refused}");
        assert!(
            message_of(&refused).contains("only where it was sold"),
            "{refused}"
        );
        let (status, cancelled) = about(&seller, "cancellations", "c-1", &validation).await;
        assert_eq!(status, 200, "{cancelled}");
        assert_eq!(
            (
                cancelled["refund_mills"].as_i64(),
                cancelled["ticket"]["status"].as_str()
            ),
            (Some(1_000), Some("cancelled"))
        );
        // Kept, as cancelled; not cancelled twice, not reprinted, never paid.
        let stored = lottery
            .vendor
            .store
            .lottery_wager(&validation)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, "cancelled");
        let (status, refused) = about(&seller, "cancellations", "c-2", &validation).await;
        assert!(
            status == 422 && message_of(&refused).contains("cancelled already"),
            "{refused}"
        );
        let (status, _) = about(&seller, "reprints", "r-1", &validation).await;
        assert_eq!(status, 422);
        // After the cut-off: not cancelled.
        let (_, late) = sell(&seller, "w-2", &wager(&[4, 5, 6])).await;
        lottery.set_now(lottery.draw.cutoff_unix_ms + 1);
        let (status, refused) = about(&seller, "cancellations", "c-3", &validation_of(&late)).await;
        assert!(
            status == 422 && message_of(&refused).contains("closed at"),
            "{refused}"
        );
        // Sold today for a draw a week ahead, asked tomorrow: not the same day.
        lottery.set_now(lottery.draw.cutoff_unix_ms - 3_600_000);
        let mut ahead = wager(&[7, 8, 9]);
        ahead["first_draw"] = lottery.draw.date.add_days(7).to_string().into();
        let (_, ahead) = sell(&seller, "w-3", &ahead).await;
        lottery.set_now(lottery.draw.draw_unix_ms + 86_400_000);
        let (status, refused) =
            about(&seller, "cancellations", "c-4", &validation_of(&ahead)).await;
        assert!(
            status == 422 && message_of(&refused).contains("only on the day it was sold"),
            "{refused}"
        );
        // The cancelled ticket wins nothing, whatever is drawn.
        lottery.set_now(lottery.draw.draw_unix_ms + 60_000);
        lottery.enter(lottery.draw.date, &[1, 2, 3]).await.unwrap();
        let (status, refused) = about(&other, "claims", "k-1", &validation).await;
        assert!(
            status == 422 && message_of(&refused).contains("cancelled"),
            "{refused}"
        );
    });
}

#[test]
fn a_winning_ticket_is_paid_once_at_any_station_after_its_draw() {
    crate::common::runtime().block_on(async {
        let lottery = Lottery::start(StoreKind::Sqlite).await.unwrap();
        let seller = lottery.counter("A1").await;
        let payer = lottery.counter("A2").await;
        let (_, winner) = sell(&seller, "w-1", &wager(&[4, 0, 7])).await;
        let (_, loser) = sell(&seller, "w-2", &wager(&[7, 0, 4])).await;
        let (winner, loser) = (validation_of(&winner), validation_of(&loser));
        // Before the draw: no result, no claim.
        let error = lottery
            .enter(lottery.draw.date, &[4, 0, 7])
            .await
            .unwrap_err();
        assert!(error.contains("entered after it"), "{error}");
        let (status, refused) = about(&payer, "claims", "k-0", &winner).await;
        assert!(
            status == 422 && message_of(&refused).contains("not drawn yet"),
            "{refused}"
        );
        lottery.set_now(lottery.draw.draw_unix_ms + 60_000);
        let report = lottery.enter(lottery.draw.date, &[4, 0, 7]).await.unwrap();
        assert_eq!(
            (report.tickets, report.winning, report.prizes_mills),
            (2, 1, 500_000)
        );
        assert!(
            lottery.enter(lottery.draw.date, &[4, 0, 7]).await.is_ok(),
            "the same result again"
        );
        let error = lottery
            .enter(lottery.draw.date, &[1, 1, 1])
            .await
            .unwrap_err();
        assert!(error.contains("results are final"), "{error}");
        let (status, paid) = about(&payer, "claims", "k-1", &winner).await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(
            (paid["prize_mills"].as_i64(), paid["paid_by"].as_str()),
            (Some(500_000), Some(payer.id()))
        );
        assert_eq!(paid["wins"][0]["play"], 1);
        // The same request retried (its answer lost) gets the same answer; a new claim of the
        // same ticket, at the same station (a photocopy) or another, is refused.
        let (status, again) = about(&payer, "claims", "k-1", &winner).await;
        assert_eq!((status, &again), (200, &paid));
        let (status, refused) = about(&payer, "claims", "k-1b", &winner).await;
        assert!(
            status == 422 && message_of(&refused).contains("paid already"),
            "{refused}"
        );
        let (status, refused) = about(&seller, "claims", "k-2", &winner).await;
        assert_eq!((status, kind_of(&refused)), (422, "refused"), "{refused}");
        let message = message_of(&refused);
        assert!(
            message.contains("paid already") && message.contains(payer.id()),
            "{message}"
        );
        assert!(
            !message.contains(&winner),
            "the full number is not shown: {message}"
        );
        let (status, refused) = about(&payer, "claims", "k-3", &loser).await;
        assert!(
            status == 422 && message_of(&refused).contains("not a winning ticket"),
            "{refused}"
        );
        // A number that checks but names no ticket, and a mistyped one.
        let unknown = postcounter::tickets::validation_number::ScrambleKey::new(&[1; 32])
            .validation_number(99_999_999)
            .unwrap()
            .digits();
        let (status, refused) = about(&payer, "claims", "k-4", &unknown).await;
        assert_eq!((status, kind_of(&refused)), (404, "not_found"), "{refused}");
        let mut typo: Vec<u8> = loser.bytes().collect();
        typo.swap(3, 4);
        if typo[3] == typo[4] {
            typo[3] = if typo[3] == b'9' { b'8' } else { typo[3] + 1 };
        }
        let typo = String::from_utf8(typo).unwrap();
        let (status, refused) = about(&payer, "claims", "k-5", &typo).await;
        assert!(
            status == 400 && message_of(&refused).contains("does not check"),
            "{refused}"
        );
    });
}

#[test]
fn a_hundred_concurrent_claims_of_one_ticket_pay_it_once_on_postgresql() {
    crate::common::runtime().block_on(async {
        let Some(lottery) = Lottery::start(StoreKind::Postgres).await else {
            crate::common::postgres::skip_note(
                "a_hundred_concurrent_claims_of_one_ticket_pay_it_once_on_postgresql",
            );
            return;
        };
        let seller = lottery.counter("A1").await;
        let (_, winner) = sell(&seller, "w-1", &wager(&[9, 9, 9])).await;
        let winner = validation_of(&winner);
        lottery.set_now(lottery.draw.draw_unix_ms + 60_000);
        lottery.enter(lottery.draw.date, &[9, 9, 9]).await.unwrap();
        let mut counters = Vec::new();
        for index in 0..10 {
            counters.push(
                lottery
                    .counter(if index % 2 == 0 { "A1" } else { "A2" })
                    .await,
            );
        }
        let claims = (0..100).map(|n| {
            let (counter, winner) = (&counters[n % 10], winner.clone());
            async move { about(counter, "claims", &format!("k-{n}"), &winner).await }
        });
        let answers = futures_util::future::join_all(claims).await;
        let paid: Vec<&Value> = answers
            .iter()
            .filter(|(s, _)| *s == 200)
            .map(|(_, a)| a)
            .collect();
        let refused = answers
            .iter()
            .filter(|(s, a)| *s == 422 && message_of(a).contains("paid already"))
            .count();
        println!(
            "100 concurrent claims: {} paid, {refused} refused as paid already",
            paid.len()
        );
        assert_eq!(paid.len(), 1, "{answers:?}");
        assert_eq!(refused, 99, "{answers:?}");
        let claims: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lottery_claim")
            .fetch_one(lottery.vendor.store.pool())
            .await
            .unwrap();
        assert_eq!(claims, 1);
    });
}
