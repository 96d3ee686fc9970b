//! Reconciliation: a counter reports what its embedded PSD issued while its data centre could
//! not be reached, as a hash chain; each indicium is checked ([`validate`], then under the
//! certificates key management issued for that PSD) before the store records the report.
//! An accepted report is the contact that grants the next offline lease: a counter that is
//! revoked or locked is refused before it gets one, and one that stops reporting keeps the
//! lease it has only until it runs out.

mod pending;
pub mod validate;

use super::error::VendorError;
use super::service::{Vendor, digest, parse_body};
use super::store::reconcile::CheckedReport;
use super::store::void_refill::{Answer, RequestContext};
use crate::grants::OfflineLease;
use crate::protocol::{ReconcileRequest, ReconcileResponse};

impl Vendor {
    /// `POST /postage/v1/reconciliations`: a counter's offline pieces, hash-chained.
    pub async fn reconcile(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: ReconcileRequest = parse_body(
            body,
            "{\"psd_id\": 10000001, \"entries\": [{\"piece_serial\": 1, ...}]}",
        )?;
        let psd_id = request.psd_id;
        let embedded = self.store.embedded_psd_of(&context.counter_id).await?;
        if embedded.as_ref().map(|psd| psd.psd_id) != Some(psd_id) {
            return Err(VendorError::forbidden(format!(
                "PSD {psd_id} is not the embedded PSD the data centre certified for counter {}",
                context.counter_id
            )));
        }
        let entries = validate::ledger_entries(psd_id, &request.entries)?;
        let labels = validate::entry_labels(&request.entries)?;
        let certificates = self.store.psd_certificates(Some(&[psd_id])).await?;
        // A full report is hundreds of signature verifications: off the async workers.
        let report = tokio::task::spawn_blocking(move || {
            CheckedReport::check(psd_id, &certificates, entries).with_labels(labels)
        })
        .await
        .map_err(|e| VendorError::storage(format!("checking a report: {e}")))?;
        let answer = self
            .store
            .reconcile(&context, &key, &digest("reconcile", body), &report)
            .await?;
        // A locked embedded PSD, or one retiring or retired, gets no lease.
        let locked = self.store.embedded_lock_of(&context.counter_id).await?;
        let active = embedded.as_ref().is_some_and(|psd| psd.status == "active");
        self.with_lease(
            &context.counter_id,
            psd_id,
            answer,
            active && locked.is_none(),
        )
        .await
    }

    /// `answer` with the data centre's time and, if `leased` (the embedded PSD is not locked),
    /// a fresh lease for embedded PSD `psd_id`, its certificate recorded first (the counter
    /// fetches it with the trust, in the same contact).
    async fn with_lease(
        &self,
        counter_id: &str,
        psd_id: u32,
        answer: Answer,
        leased: bool,
    ) -> Result<Answer, VendorError> {
        let mut response: ReconcileResponse =
            serde_json::from_str(&answer.body).map_err(VendorError::storage)?;
        let now_unix_ms = self.clock.now_unix_ms();
        response.time_unix_ms = now_unix_ms;
        response.lease = None;
        if leased {
            self.grant_lease(counter_id, psd_id, now_unix_ms, &mut response)
                .await?;
        }
        Ok(Answer {
            status_code: answer.status_code,
            body: serde_json::to_string(&response).map_err(VendorError::storage)?,
        })
    }

    /// Puts a lease for embedded PSD `psd_id` into `response`, unless its key is revoked.
    async fn grant_lease(
        &self,
        counter_id: &str,
        psd_id: u32,
        now_unix_ms: i64,
        response: &mut ReconcileResponse,
    ) -> Result<(), VendorError> {
        let lease = OfflineLease {
            counter_id: counter_id.to_string(),
            psd_id,
            issued_unix_ms: now_unix_ms,
            not_after_unix_ms: now_unix_ms
                .saturating_add(i64::from(self.settings.lease_hours).saturating_mul(3_600_000)),
            max_value: self.settings.lease_max_value,
        };
        if self.lease_certificate(psd_id, &lease).await?.is_none() {
            return Ok(());
        }
        let bytes =
            self.with_root_signer(|signer| lease.sign(signer).map_err(VendorError::storage))?;
        response.lease = Some(crate::hex::encode(&bytes));
        Ok(())
    }
}
