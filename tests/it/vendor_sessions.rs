//! Sessions at the vendor's API: a counter signs once to open one, then authenticates each
//! request with the session's MAC. Checks that a session buys what a signature buys, that a
//! replayed, altered or unknown request in a session gets nothing and writes nothing, that a
//! revoked counter's open session is worth nothing, and that the counter's link opens a new
//! session by itself when a restarted vendor no longer knows the old one. On SQLite and on
//! PostgreSQL, as the rest of the API.

use crate::common;

use std::time::Duration;

use serde_json::{Value, json};

use common::vendor::{
    PSD_A1, StoreKind, TestCounter, VendorFixture, enroll, indicium, kind_of, letter,
    letter_weighing, message_of, vendor_or_skip,
};
use common::vendor_process::VendorProcess;
use postcounter::clock::Clock;
use postcounter::indicium::verify;
use postcounter::link::VendorClient;
use postcounter::link::session::{ClientSession, OpenFailure};
use postcounter::protocol::signature::SignedRequest;

common::contract!(
    a_session_buys_what_a_signature_buys,
    a_replayed_request_in_a_session_is_refused_and_nothing_is_written,
    an_altered_request_in_a_session_is_refused_and_nothing_is_written,
    an_unknown_session_is_answered_session_expired,
    a_revoked_counter_gets_nothing_in_its_open_session,
    an_opening_is_signed_once_and_never_from_a_session,
);

async fn open(counter: &TestCounter) -> ClientSession {
    match ClientSession::open(
        &counter.client,
        &counter.url,
        &counter.signer,
        Some(counter.keys.clone()),
        &counter.clock,
    )
    .await
    {
        Ok(session) => session,
        Err(OpenFailure::Answered(status, body)) => {
            panic!("no session: {status} {}", String::from_utf8_lossy(&body))
        }
        Err(_) => panic!("no session"),
    }
}

/// The `Authorization` header for a purchase under `key` in `session`.
fn purchase_header(
    counter: &TestCounter,
    session: &ClientSession,
    key: &str,
    body: &str,
) -> String {
    let request = SignedRequest {
        method: "POST",
        path: "/postage/v1/purchases",
        idempotency_key: Some(key),
        body: body.as_bytes(),
        seal: None,
    };
    session.authorization(&request, counter.clock.now_unix_ms())
}

async fn buy_in(
    counter: &TestCounter,
    session: &ClientSession,
    key: &str,
    body: &str,
) -> (u16, Value) {
    let header = purchase_header(counter, session, key, body);
    counter.purchase_with(key, body, Some(&header)).await
}

fn one_piece() -> String {
    json!({"pieces": [letter()]}).to_string()
}

async fn a_session_buys_what_a_signature_buys(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "session-buys").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let session = open(&counter).await;
    for (serial, key) in [(1, "sale-1"), (2, "sale-2")] {
        let (status, answer) = buy_in(&counter, &session, key, &one_piece()).await;
        assert_eq!(status, 201, "{answer}");
        let verified = verify(
            &indicium(&answer, 0),
            &common::vendor::central_trust(&v.keys),
        )
        .unwrap();
        assert_eq!(verified.indicium.data.piece_serial, serial);
        assert_eq!(verified.indicium.data.device_id, PSD_A1);
    }
    // A retry in the session gets the first answer, as with signatures.
    let (status, again) = buy_in(&counter, &session, "sale-1", &one_piece()).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["pieces"][0]["piece_serial"], 1);
    let (status, registers) = counter
        .send_with(
            "GET",
            &format!("/postage/v1/psds/{PSD_A1}/registers"),
            None,
            b"",
            Some(&session.authorization(
                &SignedRequest {
                    method: "GET",
                    path: &format!("/postage/v1/psds/{PSD_A1}/registers"),
                    idempotency_key: None,
                    body: b"",
                    seal: None,
                },
                counter.clock.now_unix_ms(),
            )),
        )
        .await;
    assert_eq!(status, 200, "{registers}");
    assert_eq!(registers["registers"]["piece_count"], 2);
    assert!(v.store.audit_psd(PSD_A1).await.unwrap().is_empty());
}

async fn a_replayed_request_in_a_session_is_refused_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "session-replay").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let session = open(&counter).await;
    let body = one_piece();
    let header = purchase_header(&counter, &session, "sale-1", &body);
    let send = || counter.purchase_with("sale-1", &body, Some(&header));
    assert_eq!(send().await.0, 201);
    let footprint = v.footprint().await;
    let (status, answer) = send().await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(kind_of(&answer), "replayed");
    assert!(message_of(&answer).contains("replayed"), "{answer}");
    assert_eq!(v.footprint().await, footprint);
}

async fn an_altered_request_in_a_session_is_refused_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "session-altered").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let session = open(&counter).await;
    let footprint = v.footprint().await;
    let header = purchase_header(&counter, &session, "sale-1", &one_piece());
    let dearer = json!({"pieces": [letter_weighing("3oz")]}).to_string();
    let (status, answer) = counter
        .purchase_with("sale-1", &dearer, Some(&header))
        .await;
    assert_eq!(status, 401, "{answer}");
    assert!(
        message_of(&answer).contains("MAC does not match"),
        "{answer}"
    );
    assert_eq!(v.footprint().await, footprint);
}

async fn an_unknown_session_is_answered_session_expired(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "session-unknown").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let session = open(&counter).await;
    let header = purchase_header(&counter, &session, "sale-1", &one_piece());
    // Another session id, as a vendor that never opened (or forgot) the session sees it.
    let (prefix, rest) = header.split_once("session=").unwrap();
    let flipped = if rest.starts_with('0') { '1' } else { '0' };
    let forged = format!("{prefix}session={flipped}{}", &rest[1..]);
    let footprint = v.footprint().await;
    let (status, answer) = counter
        .purchase_with("sale-1", &one_piece(), Some(&forged))
        .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(kind_of(&answer), "session_expired");
    assert_eq!(v.footprint().await, footprint);
}

async fn a_revoked_counter_gets_nothing_in_its_open_session(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "session-revoked").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let session = open(&counter).await;
    assert_eq!(
        buy_in(&counter, &session, "sale-1", &one_piece()).await.0,
        201
    );
    v.store
        .set_counter_status(counter.id(), "revoked", Some("stolen"))
        .await
        .unwrap();
    let footprint = v.footprint().await;
    let (status, answer) = buy_in(&counter, &session, "sale-2", &one_piece()).await;
    assert_eq!(status, 403, "{answer}");
    assert!(message_of(&answer).contains("stolen"));
    // Not even the first purchase's answer.
    let (status, _) = buy_in(&counter, &session, "sale-1", &one_piece()).await;
    assert_eq!(status, 403);
    match ClientSession::open(
        &counter.client,
        &counter.url,
        &counter.signer,
        Some(counter.keys.clone()),
        &counter.clock,
    )
    .await
    {
        Err(OpenFailure::Answered(status, _)) => assert_eq!(status, 403),
        _ => panic!("a revoked counter opened a session"),
    }
    assert_eq!(v.footprint().await, footprint);
}

async fn an_opening_is_signed_once_and_never_from_a_session(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "session-opening").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let body = json!({"ephemeral_public_key": postcounter::hex::encode(
        postcounter::protocol::session::SessionOffer::new().unwrap().public_key()
    )})
    .to_string();
    // The opening is sealed (the contact service encrypts); its signature covers the seal.
    let opening = counter.prepare("POST", "/contact/v1/sessions", None, body.as_bytes());
    let signed = counter.sign(&opening);
    let (status, opened) = counter.send_prepared(&opening, Some(&signed)).await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["session_id"].as_str().unwrap().len(), 32);
    let (status, replay) = counter.send_prepared(&opening, Some(&signed)).await;
    assert_eq!(status, 401, "{replay}");
    assert!(message_of(&replay).contains("replayed"), "{replay}");
    let session = open(&counter).await;
    let another = counter.prepare("POST", "/contact/v1/sessions", None, body.as_bytes());
    let from_session = session.authorization(&another.signed(), counter.clock.now_unix_ms());
    let (status, refused) = counter.send_prepared(&another, Some(&from_session)).await;
    assert_eq!(status, 401, "{refused}");
    assert!(
        message_of(&refused).contains("not from within a session"),
        "{refused}"
    );
    let bad_key = json!({"ephemeral_public_key": "04abcd"}).to_string();
    let (status, refused) = counter
        .send("POST", "/contact/v1/sessions", None, bad_key.as_bytes())
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        message_of(&refused).contains("ephemeral_public_key"),
        "{refused}"
    );
}

/// A vendor process restarted on the same address knows none of the sessions of the one
/// before: the link's next request is answered `session_expired`, and the link opens a new
/// session and sends the request again, without the caller seeing any of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_opens_a_new_session_when_a_restarted_vendor_knows_none() {
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let mut first = VendorProcess::spawn(fixture.dir.path(), &fixture.location);
    let address = first.url.trim_start_matches("http://").to_string();
    let counter = enroll(&fixture.store, &first.url, "A1").await;
    let link = VendorClient::new(
        std::slice::from_ref(&first.url),
        Duration::from_secs(10),
        2,
        Clock::system(),
    )
    .unwrap();
    link.use_service_keys((*counter.keys).clone());
    let buy = |key: &'static str| {
        let link = &link;
        let counter = &counter;
        async move {
            link.send(
                reqwest::Method::POST,
                "/postage/v1/purchases",
                Some(key),
                one_piece().as_bytes(),
                Some(&counter.signer),
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(buy("sale-1").await.status, 201);
    first.kill();
    let _second = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    let reply = buy("sale-2").await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let answer: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(answer["pieces"][0]["piece_serial"], 2);
    assert!(fixture.store.audit_psd(PSD_A1).await.unwrap().is_empty());
}
