//! The vendor's HTTP API, every endpoint, against an in-process server on loopback. The same
//! suite runs on SQLite and on PostgreSQL (the store contract); without a PostgreSQL server
//! (`POSTCOUNTER_TEST_PG`, see .ci/postgres.sh) the PostgreSQL half says it is skipped.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};

use common::vendor::{
    LICENSE, PSD_A1, PSD_A2, StoreKind, indicium, kind_of, message_of, piece, vendor_or_skip,
};
use postcounter::indicium::{Indicium, verify};

common::contract!(
    health_and_the_api_description_need_no_signature,
    a_counter_buys_an_indicium_that_verifies_under_the_vendors_license,
    several_pieces_in_one_purchase_get_consecutive_serials,
    a_retry_with_the_same_key_returns_the_first_indicia_and_debits_once,
    the_same_key_with_another_body_is_refused_and_nothing_is_written,
    a_bad_signature_is_refused_and_nothing_is_written,
    a_replayed_request_is_refused,
    a_stale_timestamp_is_refused,
    an_unknown_counter_gets_nothing,
    a_revoked_counter_gets_nothing,
    a_used_label_serial_is_refused,
    a_label_serial_of_another_accounts_stock_is_refused,
    a_forged_label_serial_is_caught_by_its_check_digits,
    malformed_bodies_get_a_reason_and_nothing_is_written,
    a_purchase_without_an_idempotency_key_is_refused,
    a_short_psd_is_topped_up_from_the_account,
    insufficient_funds_issue_nothing,
    a_declined_card_issues_nothing,
    an_approved_card_pays_for_the_purchase_and_is_kept_only_as_last_four,
    an_unused_indicium_is_voided_once,
    a_refill_moves_funds_from_the_account_once,
    registers_are_read_only_by_the_accounts_counters,
    purchases_go_to_the_processing_servers_in_turn,
    enrollment_codes_register_one_counter_each,
    unknown_routes_and_methods_answer_in_json,
);

async fn health_and_the_api_description_need_no_signature(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "health").await else {
        return;
    };
    let health: Value = reqwest::get(format!("{}/v1/health", v.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["license_number"], LICENSE);
    assert_eq!(health["processing_servers"], 2);
    let expected_store = match kind {
        StoreKind::Sqlite => "sqlite",
        StoreKind::Postgres => "postgres",
    };
    assert_eq!(health["store"], expected_store);
    let openapi: Value = reqwest::get(format!("{}/v1/openapi.json", v.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["paths"]["/v1/purchases"]["post"].is_object());
}

async fn a_counter_buys_an_indicium_that_verifies_under_the_vendors_license(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "buy").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter.buy("sale-1", vec![piece(780)]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["license_number"], LICENSE);
    assert_eq!(answer["psd_id"], PSD_A1);
    let bytes = indicium(&answer, 0);
    let verified = verify(
        &bytes,
        &v.keys.root_public_key().unwrap(),
        &v.keys.certificates().unwrap(),
    )
    .unwrap();
    let data = verified.indicium.data;
    assert_eq!(data.license_number, LICENSE);
    assert_eq!(data.device_id, PSD_A1);
    assert_eq!(data.postage.mills(), 780);
    assert_eq!(data.piece_serial, 1);
    assert_eq!(data.origin_zip5, 2134);
    let registers = &answer["registers"];
    assert_eq!(registers["ascending_mills"], 780);
    assert_eq!(data.ascending_register.mills(), 780);
    assert_eq!(
        registers["ascending_mills"].as_i64().unwrap()
            + registers["descending_mills"].as_i64().unwrap(),
        registers["control_total_mills"].as_i64().unwrap()
    );
    assert!(v.store.audit_psd(PSD_A1).await.unwrap().is_empty());
}

async fn several_pieces_in_one_purchase_get_consecutive_serials(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "several").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter
        .buy("sale-1", vec![piece(780), piece(1_000), piece(5_250)])
        .await;
    assert_eq!(status, 201, "{answer}");
    let serials: Vec<u32> = (0..3)
        .map(|i| {
            Indicium::from_bytes(&indicium(&answer, i))
                .unwrap()
                .data
                .piece_serial
        })
        .collect();
    assert_eq!(serials, [1, 2, 3]);
    let last = Indicium::from_bytes(&indicium(&answer, 2)).unwrap();
    assert_eq!(last.data.ascending_register.mills(), 7_030);
    assert_eq!(answer["registers"]["piece_count"], 3);
}

async fn a_retry_with_the_same_key_returns_the_first_indicia_and_debits_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "retry").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (_, first) = counter.buy("sale-1", vec![piece(780)]).await;
    let footprint = v.footprint().await;
    let (status, again) = counter.buy("sale-1", vec![piece(780)]).await;
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
    counter.buy("sale-1", vec![piece(780)]).await;
    let footprint = v.footprint().await;
    let (status, answer) = counter.buy("sale-1", vec![piece(990)]).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(kind_of(&answer), "conflict");
    assert!(message_of(&answer).contains("sale-1"));
    assert_eq!(v.footprint().await, footprint);
}

async fn a_bad_signature_is_refused_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "badsig").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let footprint = v.footprint().await;
    let signed = json!({"pieces": [piece(780)]}).to_string();
    let authorization =
        counter.authorization("POST", "/v1/purchases", Some("sale-1"), signed.as_bytes());
    let altered = json!({"pieces": [piece(78)]}).to_string();
    let (status, answer) = counter
        .send_with(
            "POST",
            "/v1/purchases",
            Some("sale-1"),
            altered.as_bytes(),
            Some(&authorization),
        )
        .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(kind_of(&answer), "unauthenticated");
    let (status, _) = counter
        .send_with(
            "POST",
            "/v1/purchases",
            Some("sale-1"),
            signed.as_bytes(),
            None,
        )
        .await;
    assert_eq!(status, 401, "an unsigned request is refused too");
    assert_eq!(v.footprint().await, footprint);
}

async fn a_replayed_request_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "replay").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let body = json!({"pieces": [piece(780)]}).to_string();
    let authorization =
        counter.authorization("POST", "/v1/purchases", Some("sale-1"), body.as_bytes());
    let send = || {
        counter.send_with(
            "POST",
            "/v1/purchases",
            Some("sale-1"),
            body.as_bytes(),
            Some(&authorization),
        )
    };
    assert_eq!(send().await.0, 201);
    let (status, answer) = send().await;
    assert_eq!(status, 401, "{answer}");
    assert!(message_of(&answer).contains("replayed"));
    let path = format!("/v1/psds/{PSD_A1}/registers");
    let read = counter.authorization("GET", &path, None, b"");
    assert_eq!(
        counter
            .send_with("GET", &path, None, b"", Some(&read))
            .await
            .0,
        200
    );
    assert_eq!(
        counter
            .send_with("GET", &path, None, b"", Some(&read))
            .await
            .0,
        401
    );
}

async fn a_stale_timestamp_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "stale").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let body = json!({"pieces": [piece(780)]}).to_string();
    let request = postcounter::vendor::auth::SignedRequest {
        method: "POST",
        path: "/v1/purchases",
        idempotency_key: Some("sale-1"),
        body: body.as_bytes(),
    };
    let ten_minutes_ago = postcounter::clock::Clock::system().now_unix_ms() - 600_000;
    let authorization = counter.signer.authorization(&request, ten_minutes_ago);
    let (status, answer) = counter
        .send_with(
            "POST",
            "/v1/purchases",
            Some("sale-1"),
            body.as_bytes(),
            Some(&authorization),
        )
        .await;
    assert_eq!(status, 401);
    assert!(message_of(&answer).contains("timestamp"), "{answer}");
}

async fn an_unknown_counter_gets_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "unknown").await else {
        return;
    };
    let registered = v.counter("A1").await;
    let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let stranger = common::vendor::TestCounter {
        signer: postcounter::vendor::auth::RequestSigner::new("C0123456789", &key).unwrap(),
        client: registered.client.clone(),
        url: v.url.clone(),
        clock: registered.clock.clone(),
    };
    let (status, answer) = stranger.buy("sale-1", vec![piece(780)]).await;
    assert_eq!(status, 401, "{answer}");
    assert!(message_of(&answer).contains("not registered"));
    // A registered counter's id with the stranger's key: the signature does not match.
    let impostor = common::vendor::TestCounter {
        signer: postcounter::vendor::auth::RequestSigner::new(registered.id(), &key).unwrap(),
        client: registered.client.clone(),
        url: v.url.clone(),
        clock: registered.clock.clone(),
    };
    assert_eq!(impostor.buy("sale-1", vec![piece(780)]).await.0, 401);
}

async fn a_revoked_counter_gets_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "revoked").await else {
        return;
    };
    let counter = v.counter("A1").await;
    assert_eq!(counter.buy("sale-1", vec![piece(780)]).await.0, 201);
    v.store
        .set_counter_status(counter.id(), "revoked", Some("stolen"))
        .await
        .unwrap();
    let footprint = v.footprint().await;
    let (status, answer) = counter.buy("sale-2", vec![piece(780)]).await;
    assert_eq!(status, 403, "{answer}");
    assert!(message_of(&answer).contains("stolen"));
    assert_eq!(counter.registers(PSD_A1).await.0, 403);
    // Not even the first purchase's answer is given to a revoked counter.
    assert_eq!(counter.buy("sale-1", vec![piece(780)]).await.0, 403);
    assert_eq!(v.footprint().await, footprint);
}

fn labelled(postage_mills: i64, label: &str) -> Value {
    let mut piece = piece(postage_mills);
    piece["label_serial"] = json!(label);
    piece
}

fn label(sequence: u64) -> String {
    postcounter::vendor::label_serial::LabelSerial::new(sequence)
        .unwrap()
        .to_string()
}

async fn a_used_label_serial_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "label-used").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter.buy("sale-1", vec![labelled(780, &label(5))]).await;
    assert_eq!(status, 201, "{answer}");
    let bound = Indicium::from_bytes(&indicium(&answer, 0))
        .unwrap()
        .data
        .label_binding;
    assert_eq!(bound, postcounter::indicium::label_binding(Some(&label(5))));
    let footprint = v.footprint().await;
    let (status, answer) = counter.buy("sale-2", vec![labelled(780, &label(5))]).await;
    assert_eq!(status, 422, "{answer}");
    assert!(message_of(&answer).contains("used before"));
    // Two pieces on one label in one purchase: the second is refused, and with it the first.
    let (status, _) = counter
        .buy(
            "sale-3",
            vec![labelled(780, &label(6)), labelled(780, &label(6))],
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
            .buy("sale-1", vec![labelled(780, &label(sequence))])
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
    let (status, answer) = counter.buy("sale-1", vec![labelled(780, &forged)]).await;
    assert_eq!(status, 400, "{answer}");
    assert!(message_of(&answer).contains(&forged), "{answer}");
    assert_eq!(v.footprint().await, footprint);
}

async fn malformed_bodies_get_a_reason_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "malformed").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let footprint = v.footprint().await;
    let mut zero = piece(0);
    zero["postage_mills"] = json!(0);
    let mut bad_zip = piece(780);
    bad_zip["origin_zip"] = json!("2134");
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "not accepted"),
        (json!({"pieces": [piece(780)], "coupon": 1}).to_string(), "unknown field `coupon`"),
        (json!({}).to_string(), "missing field `pieces`"),
        (json!({"pieces": []}).to_string(), "0 pieces"),
        (json!({"pieces": [zero]}).to_string(), "postage_mills 0"),
        (json!({"pieces": [bad_zip]}).to_string(), "\"2134\""),
        (json!({"pieces": [piece(780)], "card": {"number": 4242424242424242u64, "expiry": "12/30", "holder": "A"}}).to_string(), "invalid type"),
    ];
    for (index, (body, reason)) in cases.iter().enumerate() {
        let key = format!("bad-{index}");
        let (status, answer) = counter
            .send("POST", "/v1/purchases", Some(&key), body.as_bytes())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(kind_of(&answer), "bad_request");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{body}: {message}");
        assert!(
            !message.contains("4242424242424242"),
            "a card number is never echoed: {message}"
        );
    }
    assert_eq!(v.footprint().await, footprint);
}

async fn a_purchase_without_an_idempotency_key_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "nokey").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let body = json!({"pieces": [piece(780)]}).to_string();
    let (status, answer) = counter
        .send("POST", "/v1/purchases", None, body.as_bytes())
        .await;
    assert_eq!(status, 400);
    assert!(message_of(&answer).contains("Idempotency-Key"));
    let (status, _) = counter
        .send("POST", "/v1/purchases", Some("has space"), body.as_bytes())
        .await;
    assert_eq!(status, 400);
}

async fn a_short_psd_is_topped_up_from_the_account(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "topup").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter.buy("sale-1", vec![piece(780)]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["top_up_mills"], 100_000,
        "topped up by the configured step"
    );
    assert_eq!(answer["registers"]["control_total_mills"], 100_000);
    assert_eq!(answer["registers"]["descending_mills"], 100_000 - 780);
    assert_eq!(
        v.store.account("A1").await.unwrap().balance.mills(),
        1_000_000 - 100_000
    );
    let (_, answer) = counter.buy("sale-2", vec![piece(99_220)]).await;
    assert_eq!(answer["top_up_mills"], 0, "DR covered it exactly");
    assert_eq!(answer["registers"]["descending_mills"], 0);
}

async fn insufficient_funds_issue_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "nofunds").await else {
        return;
    };
    let counter = v.counter("A2").await; // A2 has no balance and an empty PSD
    let footprint = v.footprint().await;
    let body = json!({"pieces": [piece(780)]}).to_string();
    let refused_request =
        counter.authorization("POST", "/v1/purchases", Some("sale-1"), body.as_bytes());
    let send_refused = || {
        counter.send_with(
            "POST",
            "/v1/purchases",
            Some("sale-1"),
            body.as_bytes(),
            Some(&refused_request),
        )
    };
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
    assert_eq!(kind_of(&answer), "unauthenticated");
    let (status, answer) = counter.buy("sale-1", vec![piece(780)]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["top_up_mills"], 780,
        "the shortfall, when the step is more than the balance"
    );
}

fn with_card(number: &str) -> Value {
    json!({"pieces": [piece(780)], "card": {"number": number, "expiry": "12/39", "holder": "PAT DOE"}})
}

async fn a_declined_card_issues_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "declined").await else {
        return;
    };
    let counter = v.counter("A2").await;
    let footprint = v.footprint().await;
    let (status, answer) = counter
        .post("/v1/purchases", "sale-1", &with_card("4000000000000002"))
        .await;
    assert_eq!(status, 402, "{answer}");
    assert_eq!(kind_of(&answer), "payment_declined");
    assert!(message_of(&answer).contains("0002"));
    let (status, _) = counter
        .post("/v1/purchases", "sale-2", &with_card("4242424242424241"))
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
        .post("/v1/purchases", "sale-1", &with_card("4242 4242 4242 4242"))
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["card"]["last4"], "4242");
    assert_eq!(answer["card"]["amount_mills"], 780);
    assert_eq!(answer["top_up_mills"], 780);
    let (status, again) = counter
        .post("/v1/purchases", "sale-1", &with_card("4242 4242 4242 4242"))
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

async fn an_unused_indicium_is_voided_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "void").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (_, bought) = counter.buy("sale-1", vec![piece(780)]).await;
    let dr_before = bought["registers"]["descending_mills"].as_i64().unwrap();
    let body = json!({"psd_id": PSD_A1, "piece_serial": 1});
    let (status, voided) = counter.post("/v1/voids", "void-1", &body).await;
    assert_eq!(status, 200, "{voided}");
    assert_eq!(voided["refunded_mills"], 780);
    assert_eq!(
        voided["registers"]["descending_mills"].as_i64().unwrap(),
        dr_before + 780
    );
    assert_eq!(
        voided["registers"]["ascending_mills"], 780,
        "AR never goes back"
    );
    assert_eq!(
        counter.post("/v1/voids", "void-1", &body).await,
        (200, voided.clone())
    );
    let (status, answer) = counter.post("/v1/voids", "void-2", &body).await;
    assert_eq!(status, 422, "{answer}");
    assert!(message_of(&answer).contains("voided already"));
    let (status, _) = counter
        .post(
            "/v1/voids",
            "void-3",
            &json!({"psd_id": PSD_A1, "piece_serial": 99}),
        )
        .await;
    assert_eq!(status, 404);
    let other = v.counter("A2").await;
    let (status, _) = other.post("/v1/voids", "void-4", &body).await;
    assert_eq!(status, 403, "another account's piece");
    assert!(v.store.audit_psd(PSD_A1).await.unwrap().is_empty());
}

async fn a_refill_moves_funds_from_the_account_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "refill").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let path = format!("/v1/psds/{PSD_A1}/refills");
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
    let (status, _) = counter
        .post(&path, "refill-3", &json!({"amount_mills": -5}))
        .await;
    assert_eq!(status, 400);
    let (status, _) = counter
        .post(
            "/v1/psds/twelve/refills",
            "refill-4",
            &json!({"amount_mills": 5}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(v.footprint().await, footprint);
}

async fn registers_are_read_only_by_the_accounts_counters(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "registers").await else {
        return;
    };
    let counter = v.counter("A1").await;
    counter.buy("sale-1", vec![piece(780)]).await;
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["registers"]["ascending_mills"], 780);
    assert_eq!(answer["registers"]["piece_count"], 1);
    assert_eq!(answer["account_balance_mills"], 900_000);
    assert_eq!(counter.registers(PSD_A2).await.0, 403);
    assert_eq!(counter.registers(99).await.0, 404);
}

async fn purchases_go_to_the_processing_servers_in_turn(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "roundrobin").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let mut servers = Vec::new();
    for sale in 0..4 {
        let (_, answer) = counter.buy(&format!("sale-{sale}"), vec![piece(780)]).await;
        servers.push(answer["processing_server"]["id"].as_u64().unwrap());
    }
    assert_eq!(servers[0], servers[2]);
    assert_eq!(servers[1], servers[3]);
    assert_ne!(servers[0], servers[1]);
    let stored: Vec<i64> = sqlx::query_scalar("SELECT server_id FROM piece ORDER BY piece_serial")
        .fetch_all(v.store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored,
        servers.iter().map(|&s| s as i64).collect::<Vec<_>>()
    );
}

async fn enrollment_codes_register_one_counter_each(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "enroll").await else {
        return;
    };
    let client = reqwest::Client::new();
    let key = |seed: u8| {
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        postcounter::hex::encode(key.verifying_key().to_sec1_point(false).as_bytes())
    };
    let register = |code: &str, public: String| {
        client
            .post(format!("{}/v1/counters", v.url))
            .json(&json!({"enrollment_code": code, "name": "Front desk", "public_key": public}))
            .send()
    };
    v.store
        .create_enrollment("code-1", "A1", i64::MAX)
        .await
        .unwrap();
    let first = register("code-1", key(1)).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["account_id"], "A1");
    assert_eq!(first["psd_ids"], json!([PSD_A1]));
    let again: Value = register("code-1", key(1))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, first, "a retried registration gets the same counter");
    assert_eq!(register("code-1", key(2)).await.unwrap().status(), 422);
    assert_eq!(register("code-2", key(3)).await.unwrap().status(), 403);
    let bad = register("code-1", "04abcd".into()).await.unwrap();
    assert_eq!(bad.status(), 400);
}

async fn unknown_routes_and_methods_answer_in_json(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "routes").await else {
        return;
    };
    let response = reqwest::get(format!("{}/v2/purchases", v.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(kind_of(&answer), "not_found");
    let response = reqwest::get(format!("{}/v1/purchases", v.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let answer: Value = response.json().await.unwrap();
    assert!(message_of(&answer).contains("does not take GET"));
}
