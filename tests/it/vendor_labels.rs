//! Label stock at purchase time (claims 3-5): a label serial must be of the account's stock
//! and unused, and carries a check string that catches a typo, against an in-process
//! vendor. The same suite runs on SQLite and on PostgreSQL (the store contract).

use crate::common;

use serde_json::{Value, json};

use postcounter::indicium::Indicium;

use common::vendor::{StoreKind, indicium, letter, letter_weighing, message_of, vendor_or_skip};

common::contract!(
    a_used_label_serial_is_refused,
    a_label_serial_of_another_accounts_stock_is_refused,
    a_forged_label_serial_is_caught_by_its_check_digits,
    a_retry_of_a_labelled_purchase_gets_its_first_answer,
);

fn labelled(mut piece: Value, label: &str) -> Value {
    piece["label_serial"] = json!(label);
    piece
}

fn label(sequence: u64) -> String {
    postcounter::vendor_system::postage::label_serial::LabelSerial::new(sequence)
        .unwrap()
        .to_string()
}

async fn a_used_label_serial_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "label-used").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter
        .buy("sale-1", vec![labelled(letter(), &label(5))])
        .await;
    assert_eq!(status, 201, "{answer}");
    let bound = Indicium::from_bytes(&indicium(&answer, 0))
        .unwrap()
        .data
        .label_binding;
    assert_eq!(bound, postcounter::indicium::label_binding(Some(&label(5))));
    let footprint = v.footprint().await;
    let (status, answer) = counter
        .buy("sale-2", vec![labelled(letter(), &label(5))])
        .await;
    assert_eq!(status, 422, "{answer}");
    assert!(message_of(&answer).contains("used before"));
    // Two pieces on one label in one purchase: the second is refused, and with it the first.
    let (status, _) = counter
        .buy(
            "sale-3",
            vec![labelled(letter(), &label(6)), labelled(letter(), &label(6))],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v.footprint().await, footprint);
}

async fn a_label_serial_of_another_accounts_stock_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "label-foreign").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let footprint = v.footprint().await;
    for sequence in [1_000, 5_000] {
        let (status, answer) = counter
            .buy("sale-1", vec![labelled(letter(), &label(sequence))])
            .await;
        assert_eq!(status, 422, "{answer}");
        assert!(message_of(&answer).contains("not from stock issued to account A1"));
    }
    assert_eq!(v.footprint().await, footprint);
}

async fn a_forged_label_serial_is_caught_by_its_check_digits(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "label-forged").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let genuine = label(7);
    let forged = format!(
        "{}{}",
        &genuine[..genuine.len() - 2],
        if genuine.ends_with("00") { "01" } else { "00" }
    );
    let footprint = v.footprint().await;
    let (status, answer) = counter
        .buy("sale-1", vec![labelled(letter(), &forged)])
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(message_of(&answer).contains(&forged), "{answer}");
    assert_eq!(v.footprint().await, footprint);
}

async fn a_retry_of_a_labelled_purchase_gets_its_first_answer(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "label-retry").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let pieces = || {
        vec![
            labelled(letter(), &label(8)),
            labelled(letter_weighing("2oz"), &label(9)),
        ]
    };
    let (status, first) = counter.buy("sale-1", pieces()).await;
    assert_eq!(status, 201, "{first}");
    let footprint = v.footprint().await;
    let (status, again) = counter.buy("sale-1", pieces()).await;
    assert_eq!(
        (status, &again),
        (201, &first),
        "its labels are used, by itself: the retry gets its first answer"
    );
    assert_eq!(v.footprint().await, footprint);
}
