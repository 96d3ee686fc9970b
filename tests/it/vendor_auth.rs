//! Who may buy: a counter's signature over each request, its freshness (timestamp and
//! nonce), and its standing (registered, not revoked), against an in-process vendor. The
//! same suite runs on SQLite and on PostgreSQL (the store contract).

use crate::common;

use serde_json::json;

use common::vendor::{
    PSD_A1, StoreKind, kind_of, letter, letter_weighing, message_of, vendor_or_skip,
};

common::contract!(
    a_bad_signature_is_refused_and_nothing_is_written,
    a_replayed_request_is_refused,
    a_stale_timestamp_is_refused,
    an_unknown_counter_gets_nothing,
    a_revoked_counter_gets_nothing,
);

async fn a_bad_signature_is_refused_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "badsig").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let footprint = v.footprint().await;
    let signed = json!({"pieces": [letter()]}).to_string();
    let authorization = counter.authorization(
        "POST",
        "/postage/v1/purchases",
        Some("sale-1"),
        signed.as_bytes(),
    );
    let altered = json!({"pieces": [letter_weighing("2oz")]}).to_string();
    let (status, answer) = counter
        .purchase_with("sale-1", &altered, Some(&authorization))
        .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(kind_of(&answer), "unauthenticated");
    let (status, _) = counter.purchase_with("sale-1", &signed, None).await;
    assert_eq!(status, 401, "an unsigned request is refused too");
    assert_eq!(v.footprint().await, footprint);
}

async fn a_replayed_request_is_refused(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "replay").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let body = json!({"pieces": [letter()]}).to_string();
    let authorization = counter.authorization(
        "POST",
        "/postage/v1/purchases",
        Some("sale-1"),
        body.as_bytes(),
    );
    let send = || counter.purchase_with("sale-1", &body, Some(&authorization));
    assert_eq!(send().await.0, 201);
    let (status, answer) = send().await;
    assert_eq!(status, 401, "{answer}");
    assert!(message_of(&answer).contains("replayed"));
    let path = format!("/postage/v1/psds/{PSD_A1}/registers");
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
    let body = json!({"pieces": [letter()]}).to_string();
    let request = postcounter::protocol::signature::SignedRequest {
        method: "POST",
        path: "/postage/v1/purchases",
        idempotency_key: Some("sale-1"),
        body: body.as_bytes(),
        seal: None,
    };
    let ten_minutes_ago = postcounter::clock::Clock::system().now_unix_ms() - 600_000;
    let authorization = counter.signer.authorization(&request, ten_minutes_ago);
    let (status, answer) = counter
        .purchase_with("sale-1", &body, Some(&authorization))
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
        signer: postcounter::protocol::signature::RequestSigner::new("C0123456789", &key).unwrap(),
        client: registered.client.clone(),
        url: v.url.clone(),
        clock: registered.clock.clone(),
        keys: registered.keys.clone(),
    };
    let (status, answer) = stranger.buy("sale-1", vec![letter()]).await;
    assert_eq!(status, 401, "{answer}");
    assert!(message_of(&answer).contains("not registered"));
    // A registered counter's id with the stranger's key: the signature does not match.
    let impostor = common::vendor::TestCounter {
        signer: postcounter::protocol::signature::RequestSigner::new(registered.id(), &key)
            .unwrap(),
        client: registered.client.clone(),
        url: v.url.clone(),
        clock: registered.clock.clone(),
        keys: registered.keys.clone(),
    };
    assert_eq!(impostor.buy("sale-1", vec![letter()]).await.0, 401);
}

async fn a_revoked_counter_gets_nothing(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "revoked").await else {
        return;
    };
    let counter = v.counter("A1").await;
    assert_eq!(counter.buy("sale-1", vec![letter()]).await.0, 201);
    v.store
        .set_counter_status(counter.id(), "revoked", Some("stolen"))
        .await
        .unwrap();
    let footprint = v.footprint().await;
    let (status, answer) = counter.buy("sale-2", vec![letter()]).await;
    assert_eq!(status, 403, "{answer}");
    assert!(message_of(&answer).contains("stolen"));
    assert_eq!(counter.registers(PSD_A1).await.0, 403);
    // Not even the first purchase's answer is given to a revoked counter.
    assert_eq!(counter.buy("sale-1", vec![letter()]).await.0, 403);
    assert_eq!(v.footprint().await, footprint);
}
