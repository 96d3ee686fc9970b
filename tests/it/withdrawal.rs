//! A retired embedded PSD gives its descending register back to the account, in two phases
//! with the data centre: every piece reported, the authorization applied once by the PSD
//! (descending register zero, locked for good), then the account credited once on the PSD's
//! signed confirmation. Asked again it changes nothing; the retired PSD issues nothing
//! offline, takes no refill and gets no lease.

use crate::common;

use common::link_relay::{BehindRelay, Relay, behind_relay};
use common::priced_letter;
use postcounter::clock::Clock;
use postcounter::money::Money;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retired_psd_gives_its_descending_register_back_once() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
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
