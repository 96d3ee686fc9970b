//! Paying for postage: the account's balance topping up a short PSD (claim 11), cards
//! through the payment gateway (claim 6), refills, and refusals that leave nothing, against
//! an in-process vendor. The same suite runs on SQLite and on PostgreSQL (the store
//! contract).

use crate::common;

use serde_json::{Value, json};

use common::vendor::{
    PSD_A1, StoreKind, kind_of, letter, letter_mills, letters, message_of, vendor_or_skip,
};

common::contract!(
    a_short_psd_is_topped_up_from_the_account,
    insufficient_funds_issue_nothing,
    a_declined_card_issues_nothing,
    an_approved_card_pays_for_the_purchase_and_is_kept_only_as_last_four,
    a_refill_moves_funds_from_the_account_once,
    a_card_charged_for_a_refused_purchase_is_refunded_and_its_refusal_kept,
);

async fn a_short_psd_is_topped_up_from_the_account(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "topup").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter.buy("sale-1", vec![letter()]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["top_up_mills"], 100_000,
        "topped up by the configured step"
    );
    assert_eq!(answer["registers"]["control_total_mills"], 100_000);
    assert_eq!(
        answer["registers"]["descending_mills"],
        100_000 - letter_mills()
    );
    assert_eq!(
        v.store.account("A1").await.unwrap().balance.mills(),
        1_000_000 - 100_000
    );
    // 100 more letters are less than the DR left: the account is not touched.
    let (_, answer) = counter.buy("sale-2", letters(100)).await;
    assert_eq!(answer["top_up_mills"], 0, "the DR covered it");
    assert_eq!(
        answer["registers"]["descending_mills"],
        100_000 - 101 * letter_mills()
    );
}

async fn insufficient_funds_issue_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "nofunds").await else {
        return;
    };
    let counter = v.counter("A2").await; // A2 has no balance and an empty PSD
    let footprint = v.footprint().await;
    let body = json!({"pieces": [letter()]}).to_string();
    let refused_request = counter.authorization(
        "POST",
        "/postage/v1/purchases",
        Some("sale-1"),
        body.as_bytes(),
    );
    let send_refused = || counter.purchase_with("sale-1", &body, Some(&refused_request));
    let (status, answer) = send_refused().await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(kind_of(&answer), "insufficient_funds");
    assert_eq!(v.footprint().await, footprint);
    // The same key works once the account is funded: a refusal is not a stored answer.
    v.store
        .credit_account(
            "A2",
            "wire-1",
            postcounter::money::Money::from_mills(5_000),
            0,
        )
        .await
        .unwrap();
    // A captured copy of the refused request cannot buy now: its nonce was kept.
    let (status, answer) = send_refused().await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(kind_of(&answer), "replayed");
    let (status, answer) = counter.buy("sale-1", vec![letter()]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["top_up_mills"],
        letter_mills(),
        "the shortfall, when the step is more than the balance"
    );
}

fn with_card(number: &str) -> Value {
    json!({"pieces": [letter()], "card": {"number": number, "expiry": "12/39", "holder": "PAT DOE"}})
}

async fn a_declined_card_issues_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "declined").await else {
        return;
    };
    let counter = v.counter("A2").await;
    let footprint = v.footprint().await;
    let (status, answer) = counter
        .post(
            "/postage/v1/purchases",
            "sale-1",
            &with_card("4000000000000002"),
        )
        .await;
    assert_eq!(status, 402, "{answer}");
    assert_eq!(kind_of(&answer), "payment_declined");
    assert!(message_of(&answer).contains("0002"));
    let (status, _) = counter
        .post(
            "/postage/v1/purchases",
            "sale-2",
            &with_card("4242424242424241"),
        )
        .await;
    assert_eq!(
        status, 402,
        "a mistyped number is caught by its check digit"
    );
    assert_eq!(v.footprint().await, footprint);
}

async fn an_approved_card_pays_for_the_purchase_and_is_kept_only_as_last_four(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "card").await else {
        return;
    };
    let counter = v.counter("A2").await; // no balance: only the card pays
    let (status, answer) = counter
        .post(
            "/postage/v1/purchases",
            "sale-1",
            &with_card("4242 4242 4242 4242"),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["card"]["last4"], "4242");
    assert_eq!(answer["card"]["amount_mills"], letter_mills());
    assert_eq!(answer["top_up_mills"], letter_mills());
    let (status, again) = counter
        .post(
            "/postage/v1/purchases",
            "sale-1",
            &with_card("4242 4242 4242 4242"),
        )
        .await;
    assert_eq!(
        (status, &again),
        (201, &answer),
        "a retry is not charged again"
    );
    let payments: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM card_payment")
        .fetch_one(v.store.pool())
        .await
        .unwrap();
    assert_eq!(payments, 1);
    if let StoreKind::Sqlite = kind {
        v.store.close().await;
        for file in ["vendor.sqlite", "vendor.sqlite-wal"] {
            let bytes = std::fs::read(v.dir.path().join(file)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("4242424242424242"),
                "{file} holds the card number"
            );
        }
    }
}

async fn a_refill_moves_funds_from_the_account_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "refill").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let path = format!("/funds/v1/psds/{PSD_A1}/refills");
    let (status, answer) = counter
        .post(&path, "refill-1", &json!({"amount_mills": 250_000}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["registers"]["descending_mills"], 250_000);
    assert_eq!(answer["account_balance_mills"], 750_000);
    assert_eq!(
        counter
            .post(&path, "refill-1", &json!({"amount_mills": 250_000}))
            .await,
        (200, answer)
    );
    let (status, _) = counter
        .post(&path, "refill-1", &json!({"amount_mills": 1}))
        .await;
    assert_eq!(status, 409);
    let footprint = v.footprint().await;
    let (status, answer) = counter
        .post(&path, "refill-2", &json!({"amount_mills": 800_000}))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(kind_of(&answer), "insufficient_funds");
    for (key, amount_mills) in [("refill-3", -5), ("refill-5", 10_000_000_001i64)] {
        let (status, answer) = counter
            .post(&path, key, &json!({"amount_mills": amount_mills}))
            .await;
        assert_eq!(status, 400, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!(
                "({amount_mills} mills) is not accepted: 1 to 10000000000 mills"
            )),
            "{message}"
        );
    }
    let (status, _) = counter
        .post(
            "/funds/v1/psds/twelve/refills",
            "refill-4",
            &json!({"amount_mills": 5}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(v.footprint().await, footprint);
}

async fn a_card_charged_for_a_refused_purchase_is_refunded_and_its_refusal_kept(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "card-refused").await else {
        return;
    };
    let counter = v.counter("A2").await; // no balance: only the card pays
    let label = postcounter::vendor_system::postage::label_serial::LabelSerial::new(1_000)
        .unwrap()
        .to_string();
    let mut labelled = letter();
    labelled["label_serial"] = json!(label);
    let body = json!({"pieces": [labelled], "card": {"number": "4242424242424242", "expiry": "12/39", "holder": "PAT DOE"}});
    let (status, answer) = counter.post("/postage/v1/purchases", "sale-1", &body).await;
    assert_eq!(status, 201, "{answer}");
    let footprint = v.footprint().await;
    // The label is used now: the next purchase on it is refused after its card was charged.
    let (status, refused) = counter.post("/postage/v1/purchases", "sale-2", &body).await;
    assert_eq!(status, 422, "{refused}");
    assert!(message_of(&refused).contains("used before"), "{refused}");
    let refunds: Vec<(String, i64)> =
        sqlx::query_as("SELECT charge_id, amount_mills FROM card_refund")
            .fetch_all(&gateway(&v).await)
            .await
            .unwrap();
    assert_eq!(
        refunds,
        [(format!("{}:sale-2", counter.id()), letter_mills())]
    );
    // The refusal is the key's answer for good: a retry cannot issue against the gateway's
    // replay of the refunded charge.
    let (status, again) = counter.post("/postage/v1/purchases", "sale-2", &body).await;
    assert_eq!((status, &again), (422, &refused));
    let kept: i64 =
        sqlx::query_scalar("SELECT status_code FROM idempotency WHERE idempotency_key = 'sale-2'")
            .fetch_one(v.store.pool())
            .await
            .unwrap();
    assert_eq!(kept, 422);
    let mut expected = footprint;
    expected[1] += 1; // the kept refusal; nothing else
    assert_eq!(v.footprint().await, expected);
}

/// The test payment gateway's own database.
async fn gateway(v: &common::vendor::TestVendor) -> sqlx::SqlitePool {
    let path = v.dir.path().join("gateway.sqlite");
    sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

mod statements {
    //! The administrator's reads on both stores: a statement whose entries add up to the
    //! balance, and the counter list, after a card purchase and a top-up.
    use super::*;

    common::contract!(a_statement_adds_up_and_the_counter_list_shows_each_counter);

    async fn a_statement_adds_up_and_the_counter_list_shows_each_counter(kind: StoreKind) {
        let Some(v) = vendor_or_skip(kind, "statement").await else {
            return;
        };
        let counter = v.counter("A1").await;
        let (status, answer) = counter.buy("sale-1", vec![letter()]).await;
        assert_eq!(status, 201, "{answer}");
        let statement = v.store.statement("A1").await.unwrap();
        assert_eq!(statement.lines_total(), statement.balance);
        assert!(statement.lines.iter().any(|line| line.kind == "top_up"));
        let central = statement.psds.iter().find(|p| p.psd_id == PSD_A1).unwrap();
        assert_eq!(
            (central.pieces, central.postage.mills()),
            (1, letter_mills())
        );
        let counters = v.store.counter_summaries(Some("A1")).await.unwrap();
        assert_eq!(counters.len(), 1);
        assert_eq!(counters[0].status, "active");
        assert!(
            v.store
                .counter_summaries(Some("A2"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(v.store.counter_summaries(None).await.unwrap().len(), 1);
    }
}
