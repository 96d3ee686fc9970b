//! Idempotency keys: a retried purchase gets its first answer and moves value once, even
//! when the funds ran out meanwhile, its label is used (by itself), or the retry reaches
//! another vendor process while the first attempt is being committed; the same key with
//! another body is refused. Against in-process vendors; the same suite runs on SQLite and
//! on PostgreSQL (the store contract).

use crate::common;

use serde_json::json;

use common::vendor::{
    PSD_A1, StoreKind, kind_of, letter, letter_mills, letter_weighing, letters, message_of,
    vendor_or_skip,
};

common::contract!(
    a_retry_with_the_same_key_returns_the_first_indicia_and_debits_once,
    the_same_key_with_another_body_is_refused_and_nothing_is_written,
    a_purchase_without_an_idempotency_key_is_refused,
    a_retry_after_the_funds_ran_out_gets_its_first_answer,
    a_retry_at_two_vendor_processes_at_once_issues_once,
);

async fn a_retry_with_the_same_key_returns_the_first_indicia_and_debits_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "retry").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (_, first) = counter.buy("sale-1", vec![letter()]).await;
    let footprint = v.footprint().await;
    let (status, again) = counter.buy("sale-1", vec![letter()]).await;
    assert_eq!(status, 201);
    assert_eq!(
        again, first,
        "a retry returns the first answer, byte for byte"
    );
    assert_eq!(
        v.footprint().await,
        footprint,
        "no second piece, AR moved once, no second key"
    );
}

async fn the_same_key_with_another_body_is_refused_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "conflict").await else {
        return;
    };
    let counter = v.counter("A1").await;
    counter.buy("sale-1", vec![letter()]).await;
    let footprint = v.footprint().await;
    let (status, answer) = counter.buy("sale-1", vec![letter_weighing("2oz")]).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(kind_of(&answer), "conflict");
    assert!(message_of(&answer).contains("sale-1"));
    assert_eq!(v.footprint().await, footprint);
}

async fn a_purchase_without_an_idempotency_key_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "nokey").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let body = json!({"pieces": [letter()]}).to_string();
    let (status, answer) = counter
        .send("POST", "/postage/v1/purchases", None, body.as_bytes())
        .await;
    assert_eq!(status, 400);
    assert!(message_of(&answer).contains("Idempotency-Key"));
    let (status, _) = counter
        .send(
            "POST",
            "/postage/v1/purchases",
            Some("has space"),
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 400);
}

async fn a_retry_after_the_funds_ran_out_gets_its_first_answer(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "retry-nofunds").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, first) = counter.buy("sale-1", vec![letter()]).await;
    assert_eq!(status, 201, "{first}");
    // The rest of A1's $1000.00: its PSD's DR and then all of its balance, 100 letters at a
    // time, then one letter at a time, until a purchase finds no funds.
    let mut sale = 2;
    for batch in [100, 1] {
        loop {
            let (status, answer) = counter.buy(&format!("sale-{sale}"), letters(batch)).await;
            sale += 1;
            if status == 422 {
                assert_eq!(kind_of(&answer), "insufficient_funds", "{answer}");
                break;
            }
            assert_eq!(status, 201, "{answer}");
        }
    }
    let footprint = v.footprint().await;
    let (status, again) = counter.buy("sale-1", vec![letter()]).await;
    assert_eq!(
        (status, &again),
        (201, &first),
        "the retry gets its first answer, not a refusal for want of funds"
    );
    assert_eq!(v.footprint().await, footprint);
}

async fn a_retry_at_two_vendor_processes_at_once_issues_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "retry-two-vendors").await else {
        return;
    };
    let other = v.another_process().await;
    let counter = v.counter("A1").await;
    let sales = 24;
    for sale in 0..sales {
        // One purchase sent to both at once, as a counter whose first attempt timed out
        // sends it again to the next endpoint; each copy signed afresh (its own nonce).
        let key = format!("sale-{sale}");
        let ((status_a, answer_a), (status_b, answer_b)) = tokio::join!(
            counter.buy_at(&v.url, &key, vec![letter()]),
            counter.buy_at(&other, &key, vec![letter()]),
        );
        assert_eq!((status_a, status_b), (201, 201), "{answer_a} / {answer_b}");
        assert_eq!(answer_a, answer_b, "both get the one answer, byte for byte");
    }
    let pieces: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM piece")
        .fetch_one(v.store.pool())
        .await
        .unwrap();
    assert_eq!(pieces, sales, "one piece per key");
    assert!(v.store.audit_psd(PSD_A1).await.unwrap().is_empty());
    let (_, registers) = counter.registers(PSD_A1).await;
    assert_eq!(
        registers["registers"]["ascending_mills"],
        letter_mills() * sales
    );
}
