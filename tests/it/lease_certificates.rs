//! The hole: an embedded PSD's key and ledger are files its owner holds, so an owner could
//! sign with the key directly, or rewrite the ledger and sign again, and every piece verified
//! under the PSD's certificate for years. Now the key's own certificate covers no register;
//! each lease brings a certificate of the key for the lease's days and for the registers
//! from what the data centre last saw reported up to the lease's value more. A piece outside
//! them is refused by the PSD, by `verify` and by reconciliation (which locks the counter).

use crate::common;

use common::link_relay::{BehindRelay, Relay, behind_relay};
use common::vendor::{LEASE_MAX_MILLS, PSD_A1, StoreKind, enroll, vendor_or_skip};
use common::{letter, priced_letter};
use postcounter::clock::Clock;
use postcounter::date::Date;
use postcounter::indicium::verify::{VerifyError, verify};
use postcounter::indicium::{Indicium, IndiciumData};
use postcounter::keys::{AscendingRange, PsdSigner, Trust};
use postcounter::ledger_chain::{ChainEntry, ChainHead, chained};
use postcounter::money::Money;
use postcounter::psd::Keyring;

use crate::vendor_reconcile::{issued, refused, report};

/// `data` signed by `signer` under its certificate, as an owner holding the key file can.
fn forged(mut data: IndiciumData, signer: &PsdSigner) -> Vec<u8> {
    data.certificate_serial = signer.certificate().serial;
    Indicium::sign(data, signer)
        .unwrap()
        .to_bytes()
        .unwrap()
        .to_vec()
}

fn refusal(bytes: &[u8], trust: &Trust) -> VerifyError {
    verify(bytes, trust).unwrap_err()
}

async fn an_embedded_key_signs_nothing_that_verifies_outside_its_lease(kind: StoreKind) {
    let Some(vendor) = vendor_or_skip(kind, "lease certificates").await else {
        return;
    };
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let dir = tempfile::tempdir().unwrap();
    let (psd, _) = issued(&vendor, &counter, dir.path(), 0).await;
    let certificates = vendor
        .store
        .psd_certificates(Some(&[psd.device_id()]))
        .await
        .unwrap();
    let key_certificate = certificates.iter().find(|c| !c.is_lease()).unwrap().clone();
    let lease_certificate = psd.certificate();
    assert_eq!(key_certificate.ascending, AscendingRange::NONE);
    assert_eq!(
        lease_certificate.ascending,
        AscendingRange::Within {
            above: Money::ZERO,
            through: Money::from_mills(LEASE_MAX_MILLS),
        }
    );
    let trust = vendor
        .keys
        .trust(vendor.store.psd_certificates(None).await.unwrap())
        .unwrap();

    // Twelve letters ($9.36) are within the $10.00 lease and verify; a thirteenth is refused
    // by the PSD, and nothing is debited for it.
    let mut last = None;
    for sale in 1..=12 {
        let piece = psd
            .issue(&letter(&format!("sale-{sale}"), 780))
            .await
            .unwrap();
        verify(&piece.bytes, &trust).unwrap();
        last = Some(piece.indicium.data);
    }
    let before = psd.state().await.unwrap().registers;
    let refused_issue = psd.issue(&letter("sale-13", 780)).await.unwrap_err();
    assert!(
        refused_issue
            .to_string()
            .contains("vouches for ascending register above $0.00 through $10.00"),
        "{refused_issue}"
    );
    assert_eq!(psd.state().await.unwrap().registers, before);

    // The owner signs the thirteenth with the key file itself: under the key's certificate,
    // under the lease's beyond its registers, or dated after the lease's last day.
    let mut thirteenth = last.unwrap();
    thirteenth.piece_serial = 13;
    thirteenth.ascending_register = Money::from_mills(13 * 780);
    thirteenth.descending_register = Money::from_mills(50_000 - 13 * 780);
    let key_signer = psd.signer().under(&key_certificate).unwrap();
    let under_key = forged(thirteenth.clone(), &key_signer);
    let beyond = forged(thirteenth.clone(), &psd.signer());
    let mut late = thirteenth.clone();
    late.ascending_register = Money::from_mills(780);
    late.mailing_date = lease_certificate.valid_until.add_days(1);
    let after_lease = forged(late, &psd.signer());
    // Or a $16,000 piece that ends inside the registers but starts far below them.
    let mut dear = thirteenth.clone();
    dear.ascending_register = Money::from_mills(9_360);
    dear.postage = Money::from_mills(16_000_000);
    let dear = forged(dear, &psd.signer());
    let reasons =
        [under_key.as_slice(), &beyond, &after_lease, &dear].map(|bytes| refusal(bytes, &trust));
    assert!(
        matches!(&reasons[0], VerifyError::RegisterNotCertified { range, .. } if range.contains("key only")),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1]
            .to_string()
            .contains("above $0.00 through $10.00"),
        "{}",
        reasons[1]
    );
    assert!(
        matches!(reasons[2], VerifyError::CertificateNotValidOnDate { .. }),
        "{}",
        reasons[2]
    );
    assert!(
        reasons[3]
            .to_string()
            .contains("not for this indicium's piece of $16000.00"),
        "{}",
        reasons[3]
    );

    // Reported after the twelve, the forgery is refused and locks the counter.
    let mut entries = psd
        .ledger()
        .chain_entries_after(psd.device_id(), 0, 100)
        .await
        .unwrap();
    let twelfth = entries.last().unwrap().clone();
    entries.push(ChainEntry {
        piece_serial: 13,
        indicium: beyond,
        ..twelfth
    });
    let body = report(&psd, &chained(ChainHead::EMPTY, entries));
    let message = refused(&counter, "report-1", &body, 409).await;
    assert!(
        message.contains("piece 13") && message.contains("not for this indicium's piece of $0.78"),
        "{message}"
    );
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 403, "a locked counter gets nothing: {answer}");
}

/// A counter certified before lease certificates holds a certificate for any register. At
/// its next lease the data centre replaces it with a key-only certificate of the same key
/// and revokes it from the first day no piece it signed today can be dated for.
async fn an_embedded_certificate_for_any_register_is_replaced_at_the_next_lease(kind: StoreKind) {
    let Some(vendor) = vendor_or_skip(kind, "unbounded certificate").await else {
        return;
    };
    let counter = enroll(&vendor.store, &vendor.url, "A1").await;
    let dir = tempfile::tempdir().unwrap();
    let (psd, _) = issued(&vendor, &counter, dir.path(), 0).await;
    let today = Date::today_utc();
    let serial = vendor.store.next_certificate_serial().await.unwrap();
    let key = psd.certificate().public_key;
    let unbounded = vendor
        .keys
        .certify(psd.device_id(), serial, key, today, today.add_days(365))
        .unwrap();
    vendor
        .store
        .record_psd_certificate(&unbounded, 0)
        .await
        .unwrap();
    let before = psd
        .issue_under(&letter("before", 780), &unbounded)
        .await
        .unwrap();

    let (status, answer) = counter
        .post(
            "/postage/v1/reconciliations",
            "lease-2",
            &serde_json::json!({"psd_id": psd.device_id(), "entries": []}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["lease"].is_string(), "{answer}");
    let certificates = vendor
        .store
        .psd_certificates(Some(&[psd.device_id()]))
        .await
        .unwrap();
    let replacement = certificates
        .iter()
        .filter(|c| !c.is_lease())
        .max_by_key(|c| c.serial)
        .unwrap();
    assert!(replacement.serial > serial);
    assert_eq!(
        (replacement.public_key, replacement.ascending),
        (key, AscendingRange::NONE)
    );
    let lease = certificates
        .iter()
        .filter(|c| c.is_lease())
        .max_by_key(|c| c.serial)
        .unwrap();
    assert_eq!(lease.public_key, key);

    let mut trust = vendor.keys.trust(certificates.clone()).unwrap();
    trust.status = vendor.store.latest_status_list().await.unwrap();
    let cutoff = today.add_days(8);
    assert_eq!(
        trust.status.as_ref().unwrap().revoked_from(serial),
        Some(cutoff)
    );
    verify(&before.bytes, &trust).unwrap();
    let mut late = before.indicium.data.clone();
    late.mailing_date = cutoff;
    let signer = psd.signer().under(&unbounded).unwrap();
    assert!(matches!(
        refusal(&forged(late, &signer), &trust),
        VerifyError::Revoked { .. }
    ));
}

common::contract!(
    an_embedded_key_signs_nothing_that_verifies_outside_its_lease,
    an_embedded_certificate_for_any_register_is_replaced_at_the_next_lease,
);

/// Found trying the product: offline, the third piece of a sale passed the lease's value and
/// was refused, and the sale's retry (to print the two issued) was refused at its first
/// piece, whose postage the lease check counted again. A retry gets its piece back whatever
/// the lease allows now, and debits nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_retry_gets_its_piece_back_when_the_lease_is_spent() {
    let BehindRelay {
        vendor: _vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    link.reconcile(&psd).await.unwrap();
    network.set(Relay::Down);
    let mut issued = Vec::new();
    for sale in 1..=12 {
        let piece = link
            .issue(&psd, &priced_letter("1oz"), &format!("sale-{sale}"))
            .await
            .unwrap();
        assert!(piece.offline);
        issued.push(piece.bytes);
    }
    let spent = link
        .issue(&psd, &priced_letter("1oz"), "sale-13")
        .await
        .unwrap_err();
    assert!(
        spent
            .to_string()
            .contains("the lease allows at most $10.00"),
        "{spent}"
    );
    let registers = psd.state().await.unwrap().registers;
    let retry = link
        .issue(&psd, &priced_letter("1oz"), "sale-12")
        .await
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.bytes, issued[11]);
    assert_eq!(psd.state().await.unwrap().registers, registers);
    // Another sale under a used id is still refused.
    let other = link
        .issue(&psd, &priced_letter("2oz"), "sale-12")
        .await
        .unwrap_err();
    assert!(other.to_string().contains("already used"), "{other}");
}

/// Found trying the product: a lease certificate the administrator revoked was given out
/// again at the next contact (the same key, range and last day), the counter sold under it,
/// and its honest labels did not verify. And a counter whose key certificate was revoked
/// got no lease from then on and never renewed its key. Now a revoked lease certificate is
/// never used, by either side, and a revoked key is replaced at the next contact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_lease_certificate_is_never_used_and_a_revoked_key_is_replaced() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    link.reconcile(&psd).await.unwrap();
    let newest_lease = || async {
        vendor
            .store
            .psd_certificates(Some(&[psd.device_id()]))
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.is_lease())
            .max_by_key(|c| c.serial)
            .unwrap()
    };
    let today = Date::today_utc();
    let revoked = newest_lease().await;
    vendor
        .store
        .revoke_certificate(revoked.serial, today, "a test")
        .await
        .unwrap();

    // The counter learns of it with the trust alone: it does not sign under it.
    link.refresh_trust().await.unwrap();
    network.set(Relay::Down);
    let registers = psd.state().await.unwrap().registers;
    let refused = link
        .issue(&psd, &priced_letter("1oz"), "sale-1")
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("no lease certificate"),
        "{refused}"
    );
    assert_eq!(psd.state().await.unwrap().registers, registers);

    // The next contact brings a new lease certificate, and what it signs verifies.
    network.set(Relay::Up);
    link.reconcile(&psd).await.unwrap();
    let fresh = newest_lease().await;
    assert_ne!(fresh.serial, revoked.serial);
    network.set(Relay::Down);
    let piece = link
        .issue(&psd, &priced_letter("1oz"), "sale-2")
        .await
        .unwrap();
    let trust = Keyring::open(_dir.path())
        .unwrap()
        .trust()
        .unwrap()
        .unwrap();
    verify(&piece.bytes, &trust).unwrap();

    // The key itself revoked: one contact learns it (no lease), the next renews the key.
    network.set(Relay::Up);
    let key = psd.certificate();
    vendor
        .store
        .revoke_certificate(key.serial, today.add_days(1), "a test")
        .await
        .unwrap();
    let first = link.reconcile(&psd).await.unwrap();
    assert!(!first.renewed);
    let second = link.reconcile(&psd).await.unwrap();
    assert!(second.renewed);
    assert_ne!(psd.certificate().public_key, key.public_key);
    assert!(psd.ledger().lease(psd.device_id()).await.unwrap().is_some());
}
