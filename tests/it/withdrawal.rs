//! A retired embedded PSD gives its descending register back to the account, in two phases
//! with the data centre: every piece reported, the authorization applied once by the PSD
//! (descending register zero, locked for good), then the account credited once on the PSD's
//! signed confirmation. Asked again it changes nothing; the retired PSD issues nothing
//! offline, takes no refill and gets no lease, and its certificate is revoked from the next day.

use crate::common;

use common::link_relay::{BehindRelay, Relay, behind_relay, by_hand};
use common::priced_letter;
use common::vendor::{kind_of, message_of};
use postcounter::clock::Clock;
use postcounter::hex;
use postcounter::link::identity::counter_key;
use postcounter::money::Money;
use postcounter::protocol::funds::withdrawal_text;
use postcounter::psd::Keyring;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retired_psd_gives_its_descending_register_back_once() {
    let BehindRelay {
        vendor,
        network,
        dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    network.set(Relay::Down);
    link.issue(&psd, &priced_letter("1oz"), "offline-1")
        .await
        .unwrap();
    network.set(Relay::Up);
    // The purchase the outage left in doubt is settled (and its top-up made) first.
    link.reconcile(&psd).await.unwrap();
    let balance = || async { vendor.store.account("A1").await.unwrap().balance.mills() };
    let before = balance().await;
    let held = psd.state().await.unwrap().registers;
    assert_eq!(held.descending, Money::from_mills(50_000 - 780));

    let confirmed = link.withdraw_embedded(&psd).await.unwrap();
    assert_eq!(confirmed.amount_mills, 49_220);
    assert_eq!(balance().await, before + 49_220);
    let state = psd.state().await.unwrap();
    assert_eq!(state.registers.descending, Money::ZERO);
    assert_eq!(state.registers.ascending, Money::from_mills(780));
    assert!(state.locked_reason.unwrap().contains("retired"));
    assert!(psd.audit().await.unwrap().discrepancies.is_empty());
    // Its key stays on the counter's disk: the status list now revokes its certificate for
    // mail from tomorrow on, so nothing it signs after retiring verifies.
    let certificate = Keyring::open(dir.path())
        .unwrap()
        .signer()
        .unwrap()
        .unwrap();
    let serial = certificate.certificate().serial;
    let list = vendor.store.latest_status_list().await.unwrap().unwrap();
    let tomorrow = Clock::system().today().add_days(1);
    assert_eq!(list.revoked_from(serial), Some(tomorrow), "{list:?}");

    let again = link.withdraw_embedded(&psd).await.unwrap();
    assert_eq!(again, confirmed);
    assert_eq!(balance().await, before + 49_220, "credited once");

    let refill = link
        .refill_embedded(&psd, "after-retiring", Money::from_mills(10_000))
        .await
        .unwrap_err();
    assert!(refill.to_string().contains("retired"), "{refill}");
    link.reconcile(&psd).await.unwrap();
    let lease = psd.ledger().lease(psd.device_id()).await.unwrap();
    assert_eq!(lease, None, "a retired PSD gets no lease");
    network.set(Relay::Down);
    assert!(
        link.issue(&psd, &priced_letter("1oz"), "offline-2")
            .await
            .is_err()
    );
}

/// The counter's owner holds its link key and its embedded PSD's key, and tries to have the
/// account credited without the PSD giving its descending register up: a confirmation
/// before any authorization, one for more than was authorized, one signed by the link key
/// instead of the PSD's. Each is refused and credits nothing; the real withdrawal then
/// credits the descending register once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_altered_withdrawal_confirmation_credits_nothing() {
    let BehindRelay {
        vendor,
        network: _network,
        dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    let link_key = counter_key(dir.path()).unwrap();
    let owner = by_hand(dir.path(), &vendor.url).await;
    let psd_key = Keyring::open(dir.path())
        .unwrap()
        .signer()
        .unwrap()
        .unwrap();
    let psd_id = psd.device_id();
    let registers = psd.state().await.unwrap().registers;
    let held_mills = registers.descending.mills();
    let confirmation_path = format!("/funds/v1/embedded-psds/{psd_id}/withdrawals/confirmation");
    let confirm = |amount_mills: i64, signature: [u8; 64], key: &'static str| {
        let body = json!({
            "control_total_mills": registers.control_total.mills(),
            "amount_mills": amount_mills,
            "piece_count": registers.piece_count,
            "signature": hex::encode(&signature),
        })
        .to_string();
        let path = confirmation_path.clone();
        let owner = &owner;
        async move { owner.send("POST", &path, Some(key), body.as_bytes()).await }
    };
    let text = |amount_mills: i64| {
        withdrawal_text(
            psd_id,
            registers.control_total.mills(),
            amount_mills,
            registers.piece_count,
        )
    };
    let balance = || async { vendor.store.account("A1").await.unwrap().balance.mills() };
    let before = balance().await;

    // Signed by the PSD's own key, but no withdrawal was ever authorized.
    let (status, answer) =
        confirm(held_mills, psd_key.sign(text(held_mills).as_bytes()), "c1").await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        message_of(&answer).contains("has no withdrawal"),
        "{answer}"
    );
    assert_eq!(balance().await, before);

    // Phase one at registers of the owner's choosing: more than the data centre funded.
    let inflated = held_mills + 5_000_000_000;
    let (status, answer) = owner
        .send(
            "POST",
            &format!("/funds/v1/embedded-psds/{psd_id}/withdrawals"),
            Some("w0"),
            json!({"registers": {
                "ascending_mills": registers.ascending.mills(),
                "descending_mills": inflated,
                "control_total_mills": registers.ascending.mills() + inflated,
                "piece_count": registers.piece_count,
            }})
            .to_string()
            .as_bytes(),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        message_of(&answer).contains("the data centre funded $50.00"),
        "{answer}"
    );

    // Phase one, as the counter would ask it: the PSD is retiring at these registers.
    let (status, answer) = owner
        .send(
            "POST",
            &format!("/funds/v1/embedded-psds/{psd_id}/withdrawals"),
            Some("w1"),
            json!({"registers": {
                "ascending_mills": registers.ascending.mills(),
                "descending_mills": held_mills,
                "control_total_mills": registers.control_total.mills(),
                "piece_count": registers.piece_count,
            }})
            .to_string()
            .as_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{answer}");

    // More than was authorized, signed by the PSD's key.
    let more = held_mills + 100_000;
    let (status, answer) = confirm(more, psd_key.sign(text(more).as_bytes()), "c2").await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        message_of(&answer).contains("has no withdrawal of $150.00"),
        "{answer}"
    );
    // The authorized amount, signed by the link key rather than the PSD's.
    let by_link_key: p256::ecdsa::Signature =
        p256::ecdsa::signature::Signer::sign(&link_key, text(held_mills).as_bytes());
    let (status, answer) = confirm(held_mills, by_link_key.to_bytes().into(), "c3").await;
    assert_eq!(status, 401, "{answer}");
    assert!(kind_of(&answer) == "unauthenticated", "{answer}");
    assert_eq!(balance().await, before, "nothing credited by a forgery");

    let confirmed = link.withdraw_embedded(&psd).await.unwrap();
    assert_eq!(confirmed.amount_mills, held_mills);
    assert_eq!(balance().await, before + held_mills, "credited once");
}
