//! The security matrix (issue 17, part 3): every service of the data centre at its level
//! (see `postcounter::protocol::security`), shown against the four attacks a link meets.
//! Downgrade: a request below its level is refused, whatever it carries, and nothing is
//! written; an answer below its level is not taken. Tamper and replay: an altered or
//! repeated request is refused at every level; an altered, unsigned or replayed answer is not
//! taken. Plaintext capture: a wiretap on the link reads no enrollment code, key agreement,
//! certificate request, trust or card, and does read what the levels leave in clear.

use serde_json::json;

use crate::common::intercept::{Intercept, Tamper};
use crate::common::link_relay::counter;
use crate::common::payment::card_charge;
use crate::common::vendor::{
    PSD_A1, Prepared, StoreKind, TestCounter, TestVendor, kind_of, letter, message_of,
};
use postcounter::clock::Clock;
use postcounter::link::LinkError;
use postcounter::payment::PaymentGateway;

const CARD: &str = "4242424242424242";

/// One request per route family: (what, method, path, idempotency key, body).
fn routes() -> Vec<(
    &'static str,
    &'static str,
    String,
    Option<&'static str>,
    String,
)> {
    let card = json!({"number": CARD, "expiry": "12/30", "holder": "A Customer"});
    vec![
        (
            "contact: a poll",
            "GET",
            "/contact/v1/agenda".into(),
            None,
            String::new(),
        ),
        (
            "keys: the trust",
            "GET",
            "/keys/v1/trust".into(),
            None,
            String::new(),
        ),
        (
            "postage: a purchase",
            "POST",
            "/postage/v1/purchases".into(),
            Some("sale-1"),
            json!({"pieces": [letter()]}).to_string(),
        ),
        (
            "postage: a purchase paid by card",
            "POST",
            "/postage/v1/purchases".into(),
            Some("sale-card-1"),
            json!({"pieces": [letter()], "card": card}).to_string(),
        ),
        (
            "funds: a refill",
            "POST",
            format!("/funds/v1/psds/{PSD_A1}/refills"),
            Some("refill-1"),
            json!({"amount_mills": 10_000}).to_string(),
        ),
        (
            "accounts: a card payment",
            "POST",
            "/accounts/v1/card-payments".into(),
            Some("charge-1"),
            json!({"charge_id": "charge-1", "card": card, "amount_mills": 7_800}).to_string(),
        ),
    ]
}

async fn vendor_and_counter() -> (TestVendor, TestCounter) {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let counter = vendor.counter("A1").await;
    (vendor, counter)
}

#[tokio::test]
async fn a_request_below_its_level_is_refused_and_leaves_nothing_written() {
    let (vendor, counter) = vendor_and_counter().await;
    for (what, method, path, key, body) in routes() {
        let sealed = counter.prepare(method, &path, key, body.as_bytes());
        if sealed.seal.is_none() {
            continue;
        }
        // Signed as it is, but in clear where its level seals: refused before it runs.
        let footprint = vendor.footprint().await;
        let plain = Prepared::plain(method, &path, key, body.as_bytes());
        let authorization = counter.sign(&plain);
        let (status, refused) = counter.send_prepared(&plain, Some(&authorization)).await;
        assert_eq!(
            (status, kind_of(&refused)),
            (400, "security_level"),
            "{what}: {refused}"
        );
        assert_eq!(vendor.footprint().await, footprint, "{what}");
        // The same request at its level goes through (its answer is checked signed).
        let authorization = counter.sign(&sealed);
        let (status, answer) = counter.send_prepared(&sealed, Some(&authorization)).await;
        assert!((200..300).contains(&status), "{what}: {status} {answer}");
    }
}

#[tokio::test]
async fn a_replayed_or_altered_request_is_refused_at_every_level() {
    let (vendor, counter) = vendor_and_counter().await;
    for (what, method, path, key, body) in routes() {
        let prepared = counter.prepare(method, &path, key, body.as_bytes());
        let authorization = counter.sign(&prepared);
        let (status, answer) = counter.send_prepared(&prepared, Some(&authorization)).await;
        assert!((200..300).contains(&status), "{what}: {status} {answer}");
        let footprint = vendor.footprint().await;
        // Captured and sent again, byte for byte.
        let (status, replay) = counter.send_prepared(&prepared, Some(&authorization)).await;
        assert_eq!(status, 401, "{what}: {replay}");
        assert!(message_of(&replay).contains("replayed"), "{what}: {replay}");
        // A bit of the body flipped: a sealed body no longer opens, a plain one no longer
        // matches its signature.
        let mut altered = counter.prepare(method, &path, key, body.as_bytes());
        let authorization = counter.sign(&altered);
        if altered.wire.is_empty() {
            altered.wire.push(b' ');
        } else {
            let middle = altered.wire.len() / 2;
            altered.wire[middle] ^= 0x01;
        }
        let (status, refused) = counter.send_prepared(&altered, Some(&authorization)).await;
        let expected = if altered.seal.is_some() {
            (400, "security_level")
        } else {
            (401, "unauthenticated")
        };
        assert_eq!((status, kind_of(&refused)), expected, "{what}: {refused}");
        // A seal of another key (a man in the middle's, to read the answer) under the
        // request's signature: the signature covers the seal.
        if altered.seal.is_some() {
            let original = counter.prepare(method, &path, key, body.as_bytes());
            let authorization = counter.sign(&original);
            let swapped = counter.prepare(method, &path, key, body.as_bytes());
            let (status, refused) = counter.send_prepared(&swapped, Some(&authorization)).await;
            assert_eq!(status, 401, "{what}: {refused}");
        }
        assert_eq!(
            vendor.footprint().await,
            footprint,
            "{what}: nothing written"
        );
    }
}

/// A station linked through a man in the middle.
async fn station_behind(
    intercept: &Intercept,
    vendor: &TestVendor,
    dir: &std::path::Path,
) -> (postcounter::link::CounterLink, postcounter::psd::Psd) {
    counter(
        &vendor.store,
        dir,
        std::slice::from_ref(&intercept.url),
        "A1",
        Clock::system(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_unsigned_replayed_or_unsealed_answer_is_not_taken() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let intercept = Intercept::start(&vendor.url).await;
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = station_behind(&intercept, &vendor, dir.path()).await;
    for tamper in [
        Tamper::AlterAnswer,
        Tamper::StripSignature,
        Tamper::ReplayEarlierAnswer,
        Tamper::UnsealAnswer,
    ] {
        intercept.set(tamper);
        if tamper == Tamper::ReplayEarlierAnswer {
            // The man in the middle keeps one answer per route to give back later.
            link.central_registers().await.unwrap();
            link.refresh_trust().await.unwrap();
            link.poll(&psd).await.unwrap();
            link.charge(&card_charge("keep-1", CARD, "0.78"))
                .await
                .unwrap();
        }
        let not_taken = |what: &str, error: &LinkError| {
            assert!(
                matches!(error, LinkError::Protocol(_)),
                "{tamper:?}, {what}: {error}"
            );
        };
        // Postage (signed answers): the registers.
        if tamper != Tamper::UnsealAnswer {
            let error = link.central_registers().await.unwrap_err();
            not_taken("postage", &error);
        }
        // Keys and contact (encrypted): the trust, a poll.
        not_taken("keys", &link.refresh_trust().await.unwrap_err());
        not_taken("contact", &link.poll(&psd).await.unwrap_err());
        // Accounts (encrypted): a card charge is not taken as approved.
        let charged = link
            .charge(&card_charge(&format!("charge-{tamper:?}"), CARD, "0.78"))
            .await;
        assert!(
            charged.is_err(),
            "{tamper:?}: a tampered approval was taken"
        );
    }
    intercept.set(Tamper::Nothing);
    link.central_registers().await.unwrap();
    link.refresh_trust().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wiretap_on_the_link_reads_no_code_key_agreement_trust_or_card() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let intercept = Intercept::start(&vendor.url).await;
    let dir = tempfile::tempdir().unwrap();
    // Enrollment, certification, trust, a refill, a reconciliation: all through the tap.
    let (link, psd) = station_behind(&intercept, &vendor, dir.path()).await;
    let approval = link
        .charge(&card_charge("tap-1", CARD, "0.78"))
        .await
        .unwrap();
    link.central_registers().await.unwrap();
    let heard = intercept.heard();
    let psd_key =
        postcounter::hex::encode(psd.certificate().public_key.to_sec1_point(false).as_bytes());
    let code = format!("code-{}", std::process::id());
    for (what, secret) in [
        ("the enrollment code", code.as_str()),
        ("the embedded PSD's key, as certified", psd_key.as_str()),
        ("the session's key agreement", "ephemeral_public_key"),
        ("the trust bundle", "status_list"),
        ("the card number", CARD),
        ("the card's expiry", "12/30"),
        ("the approval", approval.approval_code.as_str()),
    ] {
        assert!(
            !heard.contains(secret),
            "{what} ({secret}) crossed the link in clear"
        );
    }
    // What the tap does read: the routes, the seals, and the postage service's signed but
    // unencrypted answers (the registers).
    for (what, clear) in [
        ("an enrollment", "POST /contact/v1/counters"),
        ("a sealed request", "postcounter-seal: v1 "),
        ("a sealed answer", "application/postcounter-sealed"),
        ("a signed answer", "postcounter-answer: PC1A key="),
        ("the registers, in clear", "descending_mills"),
    ] {
        assert!(
            heard.contains(clear),
            "the tap heard no {what}: {heard:.2000}"
        );
    }
}

/// Service keys made anew (a key file lost, restored from an old backup): the station's next
/// request meets an answer under keys it does not hold, fetches them again under the root,
/// and is sent once more under its idempotency key; nothing is lost and nothing is taken
/// unchecked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_takes_new_service_keys_under_the_root_without_losing_a_request() {
    use crate::common::vendor::VendorFixture;
    use crate::common::vendor_process::VendorProcess;
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let mut first = VendorProcess::spawn(fixture.dir.path(), &fixture.location);
    let address = first.url.trim_start_matches("http://").to_string();
    let dir = tempfile::tempdir().unwrap();
    let (link, _psd) = counter(
        &fixture.store,
        dir.path(),
        std::slice::from_ref(&first.url),
        "A1",
        Clock::system(),
    )
    .await;
    let before = link.central_registers().await.unwrap();
    first.kill();
    let keys = fixture.keys.dir().to_path_buf();
    for file in ["service-answer-key.pem", "service-payload-key.pem"] {
        std::fs::remove_file(keys.join(file)).unwrap();
    }
    let _second = VendorProcess::spawn_at(fixture.dir.path(), &fixture.location, &address);
    let refill = link
        .refill_central(
            "after-new-keys",
            postcounter::money::Money::from_mills(10_000),
        )
        .await
        .unwrap();
    assert_eq!(
        refill.account_balance_mills,
        before.account_balance_mills - 10_000,
        "refilled once"
    );
    assert!(keys.join("service-answer-key.pem").exists(), "made anew");
}

/// A man in the middle carries a purchase, throws its answer away and hands the station the
/// data centre's (signed) refusal of a copy instead: an altered copy's refusal is bound to
/// the copy and not taken, an exact copy's (`replayed`) is taken for "perhaps carried out";
/// either way the station asks again, freshly signed, and gets the sale's own answer. A
/// plain 503 put in place of every answer leaves the sale in doubt, never cleared, until
/// reconciliation voids it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_of_a_copy_or_a_false_unavailable_never_settles_a_carried_out_sale() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let intercept = Intercept::start(&vendor.url).await;
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = station_behind(&intercept, &vendor, dir.path()).await;
    let letter = crate::common::priced_letter("1oz");
    let doubts = || async { psd.ledger().doubts().await.unwrap() };

    intercept.set(Tamper::ReplayACopy);
    let issued = link.issue(&psd, &letter, "copied-1").await.unwrap();
    assert!(!issued.offline, "the sale's own answer, asked for again");
    let pieces = |key: &'static str| {
        let sql =
            format!("SELECT CAST(COUNT(*) AS BIGINT) FROM piece WHERE purchase_key LIKE '{key}%'");
        let vendor = &vendor;
        async move { crate::common::link_relay::count(vendor, &sql).await }
    };
    assert_eq!(pieces("copied-1").await, 1, "carried out once");
    assert_eq!(doubts().await, []);

    // The copy's refusal does not pass as the answer to the sale: the link asks again under
    // the sale's idempotency key and gets the sale's own answer (a refusal taken would
    // have been an error here, and the carried-out piece lost to the station).
    intercept.set(Tamper::RefuseACopy);
    let issued = link.issue(&psd, &letter, "copied-2").await.unwrap();
    assert!(!issued.offline, "the sale's own answer, asked for again");
    assert_eq!(pieces("copied-2").await, 1, "carried out once");
    assert_eq!(doubts().await, []);

    intercept.set(Tamper::Unavailable);
    let issued = link.issue(&psd, &letter, "unavailable-1").await.unwrap();
    assert!(issued.offline);
    let held: Vec<String> = doubts().await.into_iter().map(|(key, _)| key).collect();
    assert!(held.contains(&"unavailable-1".to_string()), "{held:?}");

    // Reconciliation settles it: the carried-out purchase is voided at the data centre.
    intercept.set(Tamper::Nothing);
    link.reconcile(&psd).await.unwrap();
    assert_eq!(doubts().await, []);
    let voided = "SELECT CAST(COUNT(*) AS BIGINT) FROM piece WHERE voided_unix_ms IS NOT NULL AND purchase_key LIKE 'unavailable-1%'";
    assert_eq!(crate::common::link_relay::count(&vendor, voided).await, 1);
}
