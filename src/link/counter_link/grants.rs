//! What the counter asks of its data centre for its embedded PSD, and keeps: a certificate
//! for a key it generated (the PSD's first, or a renewal before it expires), the trust to
//! check every indicium and grant with, refill authorizations (a refill is recorded as a
//! pending credit before it is asked, and asked again under the same id until it is
//! credited), and the offline lease each contact brings.

use p256::ecdsa::Signature;
use p256::ecdsa::signature::Signer;
use reqwest::Method;

use super::{CounterLink, json_body, local};
use crate::grants::OfflineLease;
use crate::keys::{PsdCertificate, PsdSigner, Trust};
use crate::link::LinkError;
use crate::money::Money;
use crate::protocol::keys::possession_text;
use crate::protocol::{
    EmbeddedRefillRequest, EmbeddedRefillResponse, PsdCertificateRequest, PsdCertificateResponse,
    ReconcileResponse, ReportedRegisters, TrustBundle,
};
use crate::psd::ledger::{RefillOutcome, StoredLease};
use crate::psd::{KeyringError, Psd};

/// A refill the data centre authorized and the PSD credited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedRefilled {
    pub outcome: RefillOutcome,
    pub account_balance: Money,
}

fn keyring_error(error: KeyringError) -> LinkError {
    LinkError::Local(error.to_string())
}

impl CounterLink {
    /// The data centre's trust bundle, merged into the keyring's trust.
    pub async fn refresh_trust(&self) -> Result<Trust, LinkError> {
        let bundle: TrustBundle = self.signed(Method::GET, "/keys/v1/trust", None, "").await?;
        let received = bundle.trust().map_err(LinkError::Protocol)?;
        self.settings
            .keyring
            .absorb(received)
            .map_err(keyring_error)
    }

    /// Makes sure the client holds the data centre's current service keys (see
    /// [`crate::protocol::security`]), fetching them when it holds none or theirs ran out:
    /// checked against the trust held, or, on a first contact, taken with the roots they
    /// name as the anchor (as the first trust bundle was before).
    pub(super) async fn ensure_service_keys(&self) -> Result<(), LinkError> {
        let _one_fetch = self.service_keys_fetch.lock().await;
        if self
            .client
            .holds_current_service_keys(self.clock.now_unix_ms())
        {
            return Ok(());
        }
        let answer = self.client.service_keys_answer().await?;
        let roots = answer.roots().map_err(LinkError::Protocol)?;
        let trust = self.settings.keyring.absorb(roots).map_err(keyring_error)?;
        let keys =
            crate::link::client::open_announcement(&answer, &trust, self.clock.now_unix_ms())?;
        self.client.use_service_keys(keys);
        Ok(())
    }

    /// The trust held, fetched first if none is held yet.
    pub async fn trust(&self) -> Result<Trust, LinkError> {
        match self.settings.keyring.trust().map_err(keyring_error)? {
            Some(trust) => Ok(trust),
            None => self.refresh_trust().await,
        }
    }

    /// The trust to open `grant` with: the trust held, refreshed first when it does not
    /// reach the root generation that signed the grant (the data centre rolled its root over
    /// since the last refresh).
    pub(super) async fn trust_reaching(&self, grant: &[u8]) -> Result<Trust, LinkError> {
        let trust = self.trust().await?;
        let Some(generation) = crate::grants::signing_generation(grant) else {
            return Ok(trust);
        };
        match trust.root(generation) {
            Ok(Some(_)) => Ok(trust),
            _ => self.refresh_trust().await,
        }
    }

    /// The embedded PSD's current signer: the keyring's, or certified by the data centre now
    /// (the counter's first contact).
    pub async fn embedded_signer(&self) -> Result<PsdSigner, LinkError> {
        match self.settings.keyring.signer().map_err(keyring_error)? {
            Some(signer) => Ok(signer),
            None => self.certify().await,
        }
    }

    /// Has the keyring's pending key certified for the embedded PSD and installs it.
    async fn certify(&self) -> Result<PsdSigner, LinkError> {
        let keyring = &self.settings.keyring;
        let key = keyring.pending_key().map_err(keyring_error)?;
        let counter_id = self.registration().await?.counter_id;
        let public_key = crate::hex::encode(key.verifying_key().to_sec1_point(false).as_bytes());
        let proof: Signature = key.sign(possession_text(&counter_id, &public_key).as_bytes());
        // One key per request: a retry of a lost answer certifies this same key once.
        let idempotency_key = format!("certify-{}", &public_key[2..34]);
        let body = json_body(&PsdCertificateRequest {
            public_key,
            proof: crate::hex::encode(&proof.to_bytes()),
        })?;
        let answer: PsdCertificateResponse = self
            .signed(
                Method::POST,
                "/keys/v1/psd-certificates",
                Some(&idempotency_key),
                &body,
            )
            .await?;
        let bytes = crate::hex::decode(&answer.certificate)
            .ok_or_else(|| LinkError::Protocol("a certificate that is not hex".into()))?;
        let certificate = PsdCertificate::from_bytes(&bytes)
            .map_err(|e| LinkError::Protocol(format!("the certificate: {e}")))?;
        self.refresh_trust().await?;
        let signer = keyring.install(&certificate).map_err(keyring_error)?;
        log::info!(
            "the data centre certified embedded PSD {} (certificate {}, valid {} to {})",
            certificate.psd_id,
            certificate.serial,
            certificate.valid_from,
            certificate.valid_until
        );
        Ok(signer)
    }

    /// Renews the embedded PSD's certificate with a new key when fewer than the configured
    /// days are left of it (by the ledger's clock), or the status list revokes it; whether
    /// it did. Indicia signed under the
    /// old key keep verifying under the old certificate, which the trust keeps.
    pub async fn renew_if_due(&self, psd: &Psd) -> Result<bool, LinkError> {
        let certificate = psd.certificate();
        let days_left = psd.ledger().today().days_until(certificate.valid_until);
        // A key whose certificate the data centre revoked (a key it no longer trusts) is
        // replaced at once: it gets no lease any more.
        let revoked = self
            .settings
            .keyring
            .revoked_from(&certificate)
            .map_err(keyring_error)?
            .is_some();
        if days_left >= self.settings.certificate_renew_days && !revoked {
            return Ok(false);
        }
        self.renew(psd).await?;
        Ok(true)
    }

    /// Renews the embedded PSD's certificate with a new key now (the data centre's agenda
    /// asked); the new certificate's serial.
    pub async fn renew(&self, psd: &Psd) -> Result<u32, LinkError> {
        let signer = self.certify().await?;
        let serial = signer.certificate().serial;
        psd.renew(signer).map_err(local)?;
        Ok(serial)
    }

    /// Refills the embedded PSD by `amount` under `refill_id`: recorded as a pending credit,
    /// then asked of the data centre (which charges the account), then credited once.
    pub async fn refill_embedded(
        &self,
        psd: &Psd,
        refill_id: &str,
        amount: Money,
    ) -> Result<EmbeddedRefilled, LinkError> {
        psd.ledger()
            .record_pending_credit(psd.device_id(), refill_id, amount)
            .await
            .map_err(local)?;
        let credited = self.credit(psd, refill_id, amount).await;
        self.forget_if_refused(psd, refill_id, &credited).await?;
        credited
    }

    /// A refill the data centre refused (a locked PSD, an account short of funds) charged
    /// nothing and is not pending any more; a lost answer stays pending.
    async fn forget_if_refused<T>(
        &self,
        psd: &Psd,
        refill_id: &str,
        credited: &Result<T, LinkError>,
    ) -> Result<(), LinkError> {
        if let Err(error) = credited
            && error.kind() == crate::link::LinkErrorKind::Refused
        {
            psd.ledger()
                .drop_pending_credit(psd.device_id(), refill_id)
                .await
                .map_err(local)?;
        }
        Ok(())
    }

    /// Asks again for every pending credit (a refill whose answer was lost); how many were
    /// credited.
    pub(super) async fn settle_pending_credits(&self, psd: &Psd) -> Result<u32, LinkError> {
        let pending = psd
            .ledger()
            .pending_credits(psd.device_id())
            .await
            .map_err(local)?;
        let mut credited = 0;
        for credit in pending {
            let outcome = self.credit(psd, &credit.refill_id, credit.amount).await;
            self.forget_if_refused(psd, &credit.refill_id, &outcome)
                .await?;
            match outcome {
                Ok(_) => credited += 1,
                Err(error) if error.kind() == crate::link::LinkErrorKind::Refused => {
                    log::warn!(
                        "pending refill {:?} refused, dropped: {error}",
                        credit.refill_id
                    );
                }
                Err(error) => return Err(error),
            }
        }
        Ok(credited)
    }

    /// One refill's request and its authorization, credited.
    async fn credit(
        &self,
        psd: &Psd,
        refill_id: &str,
        amount: Money,
    ) -> Result<EmbeddedRefilled, LinkError> {
        let psd_id = psd.device_id();
        let registers = psd.state().await.map_err(local)?.registers;
        let control_total = registers.control_total;
        let body = json_body(&EmbeddedRefillRequest {
            refill_id: refill_id.to_string(),
            amount_mills: amount.mills(),
            registers: ReportedRegisters {
                ascending_mills: registers.ascending.mills(),
                descending_mills: registers.descending.mills(),
                control_total_mills: control_total.mills(),
                piece_count: registers.piece_count,
            },
        })?;
        // The key names the register state: asked again after the PSD's control total moved,
        // the data centre authorizes the same refill (charged once) at the new one.
        let key = format!("embedded-refill-{refill_id}-{}", control_total.mills());
        let answer: EmbeddedRefillResponse = self
            .signed(
                Method::POST,
                &format!("/funds/v1/embedded-psds/{psd_id}/refills"),
                Some(&key),
                &body,
            )
            .await?;
        let authorization = crate::hex::decode(&answer.authorization)
            .ok_or_else(|| LinkError::Protocol("an authorization that is not hex".into()))?;
        let trust = self.trust_reaching(&authorization).await?;
        let outcome = psd
            .apply_refill(&authorization, refill_id, &trust)
            .await
            .map_err(local)?;
        Ok(EmbeddedRefilled {
            outcome,
            account_balance: Money::from_mills(answer.account_balance_mills),
        })
    }

    /// Keeps the lease and the data centre's time from a reconciliation answer; a lease that
    /// does not open under the trust, or is not this counter's, is not kept, and an answer
    /// without one takes the one held away.
    pub(super) async fn keep_lease(
        &self,
        psd: &Psd,
        answer: &ReconcileResponse,
    ) -> Result<(), LinkError> {
        let ledger = psd.ledger();
        if answer.time_unix_ms > 0 {
            ledger
                .raise_time_floor(answer.time_unix_ms)
                .await
                .map_err(local)?;
        }
        let Some(hex) = &answer.lease else {
            // No lease granted (the embedded PSD is locked): the one held is not used either.
            return ledger.clear_lease(psd.device_id()).await.map_err(local);
        };
        let bytes = crate::hex::decode(hex)
            .ok_or_else(|| LinkError::Protocol("a lease that is not hex".into()))?;
        let trust = self.trust_reaching(&bytes).await?;
        let lease =
            OfflineLease::open(&bytes, &trust).map_err(|e| LinkError::Protocol(e.to_string()))?;
        let counter_id = self.registration().await?.counter_id;
        lease
            .check_for(&counter_id, psd.device_id())
            .map_err(|e| LinkError::Protocol(e.to_string()))?;
        ledger
            .store_lease(psd.device_id(), &bytes, &lease)
            .await
            .map_err(local)
    }

    /// The certificate the data centre gave with its lease for the embedded PSD's current
    /// key, valid on `mailing_date`: the only one an offline piece verifies under.
    pub(super) fn lease_certificate(
        &self,
        psd: &Psd,
        mailing_date: crate::date::Date,
    ) -> Result<PsdCertificate, LinkError> {
        let keyring = &self.settings.keyring;
        let signer = psd.signer();
        if let Some(certificate) = keyring
            .lease_certificate(&signer, mailing_date)
            .map_err(keyring_error)?
        {
            return Ok(certificate);
        }
        let leases = keyring
            .lease_certificates(&signer, mailing_date)
            .map_err(keyring_error)?;
        Err(LinkError::Local(match leases.last() {
            Some(newest) if mailing_date > newest.valid_until => format!(
                "the lease covers dates of mailing from {} to {} (certificate {}): {mailing_date} is after its last day",
                newest.valid_from, newest.valid_until, newest.serial
            ),
            _ => format!(
                "the trust holds no lease certificate of PSD {}'s current key for {mailing_date} (the data centre certifies the key for each lease's days and registers, and it comes with the trust at the next contact)",
                psd.device_id()
            ),
        }))
    }

    /// The lease the ledger holds, as the data centre signed it: opened again under the trust
    /// the counter holds, for this counter and PSD, its terms read from the signed bytes.
    /// Terms in the ledger that differ from them were edited, and are refused, not used.
    pub(super) async fn verified_lease(&self, psd: &Psd) -> Result<Option<StoredLease>, LinkError> {
        let Some(stored) = psd.ledger().lease(psd.device_id()).await.map_err(local)? else {
            return Ok(None);
        };
        let refused = |why: String| {
            LinkError::Local(format!(
                "the offline lease in the ledger is not the data centre's grant ({why}): nothing is issued offline until the next contact brings a new one"
            ))
        };
        let trust = self
            .settings
            .keyring
            .trust()
            .map_err(|e| LinkError::Local(e.to_string()))?
            .ok_or_else(|| refused("no trust is held to check it".into()))?;
        let lease =
            OfflineLease::open(&stored.bytes, &trust).map_err(|e| refused(e.to_string()))?;
        let counter_id = self.registration().await?.counter_id;
        lease
            .check_for(&counter_id, psd.device_id())
            .map_err(|e| refused(e.to_string()))?;
        let signed = StoredLease {
            bytes: stored.bytes.clone(),
            issued_unix_ms: lease.issued_unix_ms,
            not_after_unix_ms: lease.not_after_unix_ms,
            max_value: lease.max_value,
        };
        if signed != stored {
            return Err(refused(format!(
                "the ledger says until {} for {}, the grant until {} for {}",
                crate::clock::format_unix_ms(stored.not_after_unix_ms),
                stored.max_value,
                crate::clock::format_unix_ms(lease.not_after_unix_ms),
                lease.max_value
            )));
        }
        Ok(Some(signed))
    }
}
