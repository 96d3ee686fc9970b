//! Reconciliation: a counter reports what its embedded PSD issued while its data centre could
//! not be reached, as a hash chain; each indicium is checked ([`validate`], then under the
//! reported certificate) before the store records the report.

pub mod validate;

use super::error::VendorError;
use super::service::{Vendor, digest, parse_body};
use super::store::reconcile::CheckedReport;
use super::store::void_refill::{Answer, RequestContext};
use crate::protocol::ReconcileRequest;

impl Vendor {
    /// `POST /v1/reconciliations`: a counter's offline pieces, hash-chained.
    pub async fn reconcile(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: ReconcileRequest = parse_body(
            body,
            "{\"psd_id\": 10000001, \"psd_certificate\": \"01...\", \"entries\": [{\"piece_serial\": 1, ...}]}",
        )?;
        let certificate = validate::psd_certificate(request.psd_id, &request.psd_certificate)?;
        let entries = validate::ledger_entries(request.psd_id, &request.entries)?;
        // A full report is hundreds of signature verifications: off the async workers.
        let report =
            tokio::task::spawn_blocking(move || CheckedReport::check(certificate, entries))
                .await
                .map_err(|e| VendorError::storage(format!("checking a report: {e}")))?;
        self.store
            .reconcile(&context, &key, &digest("reconcile", body), &report)
            .await
    }
}
