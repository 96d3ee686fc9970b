//! Card payments through the data centre (claim 6), with a real vendor on loopback and a
//! counter's link: the data centre validates the counter and the card and charges it once
//! per charge id, credits the account, refunds at most what was paid once per refund id,
//! and takes nothing from a revoked counter or while it cannot be reached.

use crate::common;

use common::link_relay::{BehindRelay, Relay, behind_relay, by_hand, count};
use common::vendor::{StoreKind, VendorFixture, enroll, message_of};
use common::vendor_process::VendorProcess;
use postcounter::clock::Clock;
use postcounter::money::Money;
use postcounter::payment::{CardCharge, CardNumber, Expiry, PaymentErrorKind, PaymentGateway};

/// Ids as long as the counter screen's and the API allow (64 characters): the gateway's own
/// ids, made from them, must still fit it.
const SALE: &str = "counter-3f9a0c1d7e2b4a60-sale1-card-0000000000000000000000000000";
const REFUND: &str = "counter-3f9a0c1d7e2b4a60-sale1-refund-11111111111111111111111111";

fn charge(id: &str, number: &str, mills: i64) -> CardCharge {
    CardCharge {
        id: id.to_string(),
        card: CardNumber::parse(number).unwrap(),
        expiry: Expiry::parse("12/30").unwrap(),
        amount: Money::from_mills(mills),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_centre_validates_charges_once_credits_the_account_and_refunds_at_most_what_was_paid()
 {
    let BehindRelay {
        vendor,
        network,
        dir,
        link,
        psd: _psd,
    } = behind_relay(Clock::system()).await;
    let balance = || async { vendor.store.account("A1").await.unwrap().balance.mills() };
    let before = balance().await;

    let approved = link
        .charge(&charge(SALE, "4242 4242 4242 4242", 15_600))
        .await
        .unwrap();
    assert_eq!(
        (approved.last4.as_str(), approved.brand.name()),
        ("4242", "Visa")
    );
    let again = link
        .charge(&charge(SALE, "4242 4242 4242 4242", 15_600))
        .await
        .unwrap();
    assert_eq!(again, approved, "a retried charge is the first answer");
    assert_eq!(balance().await, before + 15_600, "credited once");

    let declined = link
        .charge(&charge("sale-2", "4000000000000002", 780))
        .await
        .unwrap_err();
    assert_eq!(declined.kind(), PaymentErrorKind::Declined, "{declined}");
    assert!(
        !declined.to_string().contains("4000000000000002"),
        "{declined}"
    );
    assert_eq!(balance().await, before + 15_600);

    let refund = link
        .refund(SALE, REFUND, Money::from_mills(7_800))
        .await
        .unwrap();
    assert_eq!(refund.refunded_total, Money::from_mills(7_800));
    let retried = link
        .refund(SALE, REFUND, Money::from_mills(7_800))
        .await
        .unwrap();
    assert_eq!(retried, refund);
    let too_much = link
        .refund(SALE, "refund-2", Money::from_mills(7_801))
        .await
        .unwrap_err();
    assert_eq!(too_much.kind(), PaymentErrorKind::Conflict, "{too_much}");
    // The same charge id under another request: a conflict that names the first charge,
    // not a store failure, and nothing credited again.
    let by_hand = by_hand(dir.path(), &vendor.url).await;
    let body = serde_json::json!({
        "charge_id": SALE,
        "card": {"number": "4242424242424242", "expiry": "12/30", "holder": "A Customer"},
        "amount_mills": 15_600,
    })
    .to_string();
    let (status, answer) = by_hand
        .send(
            "POST",
            "/accounts/v1/card-payments",
            Some("another-charge"),
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        message_of(&answer).contains("was used before, for a charge of $15.60"),
        "{answer}"
    );
    // The same refund id under another request, for another amount: a conflict that names
    // the first refund, not a store failure.
    let body = serde_json::json!({"refund_id": REFUND, "amount_mills": 100}).to_string();
    let (status, answer) = by_hand
        .send(
            "POST",
            &format!("/accounts/v1/card-payments/{SALE}/refunds"),
            Some("another-request"),
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        message_of(&answer).contains("was used before, for a refund of $7.80"),
        "{answer}"
    );
    assert_eq!(balance().await, before + 7_800);
    let sent = count(
        &vendor,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM card_refund WHERE status = 'refunded'",
    )
    .await;
    assert_eq!(sent, 1, "the gateway confirmed the refund");

    // No card is taken while the data centre cannot be reached.
    network.set(Relay::Down);
    let offline = link
        .charge(&charge("sale-3", "4242424242424242", 780))
        .await
        .unwrap_err();
    assert_eq!(offline.kind(), PaymentErrorKind::Unavailable, "{offline}");
    assert!(
        offline.to_string().contains("need the data centre"),
        "{offline}"
    );
    network.set(Relay::Up);

    // A revoked counter's card is not charged at all.
    let counter_id: String = sqlx::query_scalar("SELECT counter_id FROM counter")
        .fetch_one(vendor.store.pool())
        .await
        .unwrap();
    vendor
        .store
        .set_counter_status(&counter_id, "revoked", Some("reported stolen"))
        .await
        .unwrap();
    let revoked = link
        .charge(&charge("sale-4", "4242424242424242", 780))
        .await
        .unwrap_err();
    assert!(revoked.to_string().contains("reported stolen"), "{revoked}");
    let payments = count(&vendor, "SELECT CAST(COUNT(*) AS BIGINT) FROM card_payment").await;
    assert_eq!(payments, 1);
}

/// The test gateway approves test cards and no money moves, so every approval credits an
/// account with nothing behind it. A data centre set with `vendor.card_gateway = "none"`
/// takes no card, and credits nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_centre_without_a_card_gateway_takes_no_card() {
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let process = VendorProcess::spawn_configured(
        fixture.dir.path(),
        &fixture.location,
        "127.0.0.1:0",
        &[("POSTCOUNTER_VENDOR__CARD_GATEWAY", "none")],
    );
    let counter = enroll(&fixture.store, &process.url, "A1").await;
    let before = fixture.store.account("A1").await.unwrap().balance;
    let body = serde_json::json!({
        "charge_id": "sale-1",
        "card": {"number": "4242424242424242", "expiry": "12/30", "holder": "A Customer"},
        "amount_mills": 10_000_000,
    })
    .to_string();
    let (status, answer) = counter
        .send(
            "POST",
            "/accounts/v1/card-payments",
            Some("sale-1"),
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 402, "{answer}");
    assert!(
        message_of(&answer).contains("this vendor takes no card payments"),
        "{answer}"
    );
    assert_eq!(fixture.store.account("A1").await.unwrap().balance, before);
}
