//! Issuing on the embedded PSD when no data centre answers: a retry of a piece issued before
//! is given back whatever the lease allows now; a new piece only within the offline lease the
//! data centre granted, under the lease's certificate, by the ledger's clock.

use super::{CounterLink, Issued, local};
use crate::link::LinkError;
use crate::link::fallback::offline_refusal;
use crate::psd::{IssueRequest, Psd};

impl CounterLink {
    pub(super) async fn issue_offline(
        &self,
        psd: &Psd,
        request: &IssueRequest,
        cause: &LinkError,
    ) -> Result<Issued, LinkError> {
        let ledger = psd.ledger();
        let device_id = psd.device_id();
        let issued = if ledger
            .holds_request(device_id, &request.request_id)
            .await
            .map_err(local)?
        {
            // A retry of a piece issued before: the ledger gives it back (or refuses a
            // different sale under its id), whatever the lease allows now; nothing is debited.
            psd.issue(request).await.map_err(local)?
        } else {
            self.issue_under_lease(psd, request, cause).await?
        };
        Ok(Issued {
            serial_text: issued.indicium.data.serial_text(),
            device_id,
            piece_serial: issued.indicium.data.piece_serial,
            bytes: issued.bytes,
            replayed: issued.replayed,
            offline: true,
        })
    }

    /// A new piece from the embedded PSD, within its lease, under the lease's certificate.
    async fn issue_under_lease(
        &self,
        psd: &Psd,
        request: &IssueRequest,
        cause: &LinkError,
    ) -> Result<crate::psd::IssuedIndicium, LinkError> {
        let ledger = psd.ledger();
        let device_id = psd.device_id();
        let link = ledger.link_state(device_id).await.map_err(local)?;
        let through = link.map_or(0, |state| state.head.through_serial);
        let unreported = ledger.unreported(device_id, through).await.map_err(local)?;
        let lease = self.verified_lease(psd).await?;
        // The ledger's clock: never earlier than the data centre's time last seen.
        let now = ledger.now_unix_ms();
        if let Some(reason) = offline_refusal(lease.as_ref(), &unreported, request.postage, now) {
            // The time at which the lease was found spent is kept: setting the clock back
            // afterwards reads no earlier, so it reopens nothing.
            ledger.raise_time_floor(now).await.map_err(local)?;
            return Err(LinkError::Local(format!(
                "the vendor cannot be reached ({cause}) and the embedded PSD may not issue: {reason}"
            )));
        }
        let certificate = self.lease_certificate(psd, request.mailing_date)?;
        let issued = psd
            .issue_under(request, &certificate)
            .await
            .map_err(local)?;
        log::warn!(
            "issued {} offline on the embedded PSD: {cause}",
            issued.indicium.data.serial_text()
        );
        Ok(issued)
    }
}
