//! Key management: the data centre is the only root. It numbers every embedded PSD and
//! certifies its key (the counter generates the key and proves it holds it; no counter holds
//! a root private key), renews certificates with a new key, rolls its root over with a link
//! certificate, and signs the certificate status list. What a station needs to verify every
//! indicium it prints, and every grant it is given, it gets as a trust bundle.

mod lease_certificates;
pub mod module_keys;
mod pending;
pub mod service_keys;

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

use super::error::{RefusalKind, VendorError};
use super::service::{Vendor, digest, parse_body};
use super::store::VendorStore;
use super::store::void_refill::{Answer, RequestContext};
use super::validate::shown;
use crate::clock::Clock;
use crate::grants::RootSigner;
use crate::keys::{AscendingRange, CertificateStatusList, KeyStore, Trust};
use crate::protocol::keys::possession_text;
use crate::protocol::{PsdCertificateRequest, TrustBundle};

impl Vendor {
    /// `POST /keys/v1/psd-certificates`: certifies the counter's new embedded PSD key.
    pub async fn certify_psd(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: PsdCertificateRequest = parse_body(
            body,
            "{\"public_key\": \"04...\", \"proof\": \"...\"} (a new P-256 key and its signature)",
        )?;
        let public_key = proven_key(&context.counter_id, &request)?;
        let valid_from = self.clock.earliest_today();
        let valid_until = self
            .clock
            .today()
            .add_days(self.settings.certificate_validity_days);
        let keys = &self.keys;
        self.store
            .certify_embedded_psd(
                &context,
                &key,
                &digest("certify", body),
                |psd_id, serial| {
                    // The key only: offline pieces verify under the lease certificates.
                    keys.certify_within(
                        (psd_id, serial, public_key),
                        (valid_from, valid_until),
                        AscendingRange::NONE,
                    )
                    .map_err(VendorError::storage)
                },
            )
            .await
    }

    /// `GET /keys/v1/trust`: the roots, the certificates of the counter's account's central
    /// PSDs and of its embedded PSD, and the status list in force.
    pub async fn trust_bundle(&self, context: RequestContext) -> Result<TrustBundle, VendorError> {
        let counter = self.store.counter(&context.counter_id).await?;
        counter.check_active()?;
        let mut psd_ids: Vec<u32> = self
            .store
            .psds_of_account(&counter.account_id)
            .await?
            .iter()
            .map(|psd| psd.psd_id)
            .collect();
        if let Some(embedded) = self.store.embedded_psd_of(&counter.counter_id).await? {
            psd_ids.push(embedded.psd_id);
        }
        let certificates = self.store.psd_certificates(Some(&psd_ids)).await?;
        let trust = self.trust(certificates).await?;
        TrustBundle::of(&trust, self.clock.now_unix_ms()).map_err(VendorError::storage)
    }

    /// The data centre's roots with `certificates` and the status list in force (signed
    /// anew when none exists yet, or when it lacks a revocation recorded).
    pub async fn trust(
        &self,
        certificates: Vec<crate::keys::PsdCertificate>,
    ) -> Result<Trust, VendorError> {
        let mut trust = self
            .keys
            .trust(certificates)
            .map_err(VendorError::storage)?;
        trust.status = Some(self.status_list_in_step().await?);
        Ok(trust)
    }

    /// Signs (and keeps) a new status list of every revocation recorded.
    pub async fn sign_status_list(&self) -> Result<CertificateStatusList, VendorError> {
        sign_status_list(&self.store, &self.keys, &self.clock).await
    }

    /// See [`status_list_in_step`].
    pub async fn status_list_in_step(&self) -> Result<CertificateStatusList, VendorError> {
        status_list_in_step(&self.store, &self.keys, &self.clock).await
    }

    /// Signs with the current root: grants and certificates alike.
    pub(crate) fn with_root_signer<T>(
        &self,
        sign: impl FnOnce(&RootSigner) -> Result<T, VendorError>,
    ) -> Result<T, VendorError> {
        let (generation, key) = self.keys.current_root().map_err(VendorError::storage)?;
        sign(&RootSigner {
            generation,
            key: &key,
        })
    }
}

/// Signs (and keeps in `store`) a new status list of every revocation recorded, with the
/// current root of `keys`: for the running service and for `admin` alike.
pub async fn sign_status_list(
    store: &VendorStore,
    keys: &KeyStore,
    clock: &Clock,
) -> Result<CertificateStatusList, VendorError> {
    let (generation, root) = keys.current_root().map_err(VendorError::storage)?;
    let number = store.next_status_list_number().await?;
    let list = CertificateStatusList::issue(
        &root,
        generation,
        number,
        clock.today(),
        store.revocations().await?,
    )
    .map_err(VendorError::storage)?;
    store.store_status_list(&list, clock.now_unix_ms()).await?;
    Ok(list)
}

/// The status list in force, signed anew when it does not list every revocation recorded
/// (none signed yet, or a revocation recorded and the signing cut short).
pub async fn status_list_in_step(
    store: &VendorStore,
    keys: &KeyStore,
    clock: &Clock,
) -> Result<CertificateStatusList, VendorError> {
    let recorded = store.revocations().await?;
    if let Some(list) = store.latest_status_list().await? {
        let mut listed = list.revoked.clone();
        listed.sort_by_key(|revocation| revocation.certificate_serial);
        if listed == recorded {
            return Ok(list);
        }
    }
    sign_status_list(store, keys, clock).await
}

/// Everything a third party needs to verify any indicium of this data centre: the anchor,
/// every link, every certificate issued, and the status list in force (none before
/// `vendor serve` signed the first). It only reads: `keys export` writes nothing to a store.
pub async fn full_trust(store: &VendorStore, keys: &KeyStore) -> Result<Trust, VendorError> {
    let mut trust = keys
        .trust(store.psd_certificates(None).await?)
        .map_err(VendorError::storage)?;
    trust.status = store.latest_status_list().await?;
    Ok(trust)
}

/// The requested key, if the request's proof is its signature over the possession text.
fn proven_key(
    counter_id: &str,
    request: &PsdCertificateRequest,
) -> Result<VerifyingKey, VendorError> {
    let bytes = crate::hex::decode(&request.public_key)
        .filter(|bytes| bytes.len() == 65)
        .ok_or_else(|| {
            VendorError::bad_request(format!(
                "public_key {:?} is not accepted: a P-256 public key, SEC1 uncompressed (130 hex digits)",
                shown(&request.public_key)
            ))
        })?;
    let public_key = VerifyingKey::from_sec1_bytes(&bytes)
        .map_err(|_| VendorError::bad_request("public_key is not a point of P-256".to_string()))?;
    let signature = crate::hex::decode(&request.proof)
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or_else(|| {
            VendorError::bad_request(format!(
                "proof {:?} is not accepted: an ECDSA P-256 signature r‖s (128 hex digits)",
                shown(&request.proof)
            ))
        })?;
    let text = possession_text(counter_id, &request.public_key);
    public_key
        .verify(text.as_bytes(), &signature)
        .map_err(|_| {
            VendorError::new(
                RefusalKind::Unauthenticated,
                "the proof is not this key's signature of its possession text: the counter must sign with the key it asks a certificate for",
            )
        })?;
    Ok(public_key)
}
