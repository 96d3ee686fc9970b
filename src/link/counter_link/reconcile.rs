//! Closing what an outage left open, whenever the data centre is reachable: purchases in
//! doubt are asked for again under their keys (and voided if the vendor had issued them), a
//! key certificate near its end is renewed, the embedded PSD's unreported pieces are
//! reported as a hash chain, in parts of at most [`ENTRIES_PER_REPORT`], and the head the
//! vendor acknowledges is kept with the offline lease the answer grants. Then the trust is
//! refreshed (roots, certificates with the lease's certificate of the key, the status list)
//! and refills whose answer was lost are asked for again. A counter the data centre refuses
//! (revoked or locked) drops its lease: it issues nothing offline from then on.

use std::sync::atomic::Ordering;

use reqwest::Method;

use super::{CounterLink, json_body, local};
use crate::date::Date;
use crate::ledger_chain::{ChainHead, chained};
use crate::link::{LinkError, LinkErrorKind};
use crate::protocol::{LedgerEntry, PurchaseResponse, ReconcileRequest, ReconcileResponse};
use crate::psd::Psd;

/// Entries per reconciliation request; a longer backlog goes in several.
const ENTRIES_PER_REPORT: u32 = 500;

/// What [`CounterLink::reconcile`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// Purchases in doubt that turned out to be issued, and were voided.
    pub voided_in_doubt: u32,
    /// Purchases in doubt the vendor had never issued.
    pub cleared_in_doubt: u32,
    /// Embedded PSD pieces the vendor recorded.
    pub reported_pieces: u32,
    pub through_serial: u32,
    /// Pending credits (refills whose answer was lost) credited now.
    pub credited_refills: u32,
    /// Whether the embedded PSD's certificate was renewed.
    pub renewed: bool,
    /// Labels of reported pieces the data centre refused (the pieces are recorded).
    pub refused_labels: Vec<crate::protocol::RefusedLabel>,
}

impl CounterLink {
    /// Settles purchases in doubt and reports the embedded PSD's unreported pieces (an
    /// empty report when there are none, which renews the inspection window).
    pub async fn reconcile(&self, psd: &Psd) -> Result<Settled, LinkError> {
        let _one_at_a_time = self.reconciling.lock().await;
        let mut settled = Settled::default();
        let mut outcome = self.settle_doubts(psd, &mut settled).await;
        if outcome.is_ok() {
            // Before the report: the lease it brings certifies the key in use from then on.
            outcome = self.renew_if_due(psd).await.map(|renewed| {
                settled.renewed = renewed;
            });
        }
        if outcome.is_ok() {
            outcome = self.report_ledger(psd, &mut settled).await;
        }
        if outcome.is_ok() {
            // The status list, new roots and certificates reach the counter at each contact.
            outcome = self.refresh_trust().await.map(|_| ());
        }
        if outcome.is_ok() {
            outcome = self.settle_pending_credits(psd).await.map(|credited| {
                settled.credited_refills = credited;
            });
        }
        self.after_contact(psd, outcome.as_ref().map(|_| ())).await;
        if outcome.is_ok() {
            self.state_station(psd).await;
        }
        outcome.map(|()| settled)
    }

    /// What a contact's outcome says of the link: online; offline (unreachable); or revoked
    /// or locked (403), when what the data centre granted is not used any longer: the lease
    /// is dropped, and the embedded PSD issues nothing offline from then on.
    pub(super) async fn after_contact(&self, psd: &Psd, outcome: Result<(), &LinkError>) {
        match outcome {
            Ok(()) => self.set_online(),
            Err(error) if error.kind() == LinkErrorKind::Unreachable => {
                self.set_status(false, error.to_string());
            }
            Err(LinkError::Refused { status: 403, .. }) => {
                if let Err(e) = psd.ledger().clear_lease(psd.device_id()).await {
                    log::error!("dropping the offline lease: {e}");
                }
            }
            Err(_) => {}
        }
    }

    /// Settles purchases in doubt and reports the embedded PSD's ledger (renewing its lease):
    /// the postage service's item of an agenda.
    pub async fn reconcile_ledger(&self, psd: &Psd) -> Result<String, LinkError> {
        let _one_at_a_time = self.reconciling.lock().await;
        let mut settled = Settled::default();
        self.settle_doubts(psd, &mut settled).await?;
        self.report_ledger(psd, &mut settled).await?;
        Ok(format!(
            "ledger reconciled through piece {} ({} reported, {} in doubt voided, {} cleared)",
            settled.through_serial,
            settled.reported_pieces,
            settled.voided_in_doubt,
            settled.cleared_in_doubt
        ))
    }

    async fn settle_doubts(&self, psd: &Psd, settled: &mut Settled) -> Result<(), LinkError> {
        let ledger = psd.ledger();
        for (key, body) in ledger.doubts().await.map_err(local)? {
            let answer: Result<PurchaseResponse, LinkError> = self
                .signed(Method::POST, "/postage/v1/purchases", Some(&key), &body)
                .await;
            match answer {
                Ok(purchase) => {
                    for piece in &purchase.pieces {
                        self.void(purchase.psd_id, piece.piece_serial).await?;
                    }
                    log::warn!(
                        "purchase {key} had been issued by the vendor while its answer was lost; voided it"
                    );
                    settled.voided_in_doubt += 1;
                }
                Err(LinkError::Refused { .. }) => settled.cleared_in_doubt += 1,
                Err(error) => return Err(error),
            }
            ledger.clear_doubt(&key).await.map_err(local)?;
        }
        Ok(())
    }

    async fn report_ledger(&self, psd: &Psd, settled: &mut Settled) -> Result<(), LinkError> {
        let ledger = psd.ledger();
        let device_id = psd.device_id();
        loop {
            let head = ledger
                .link_state(device_id)
                .await
                .map_err(local)?
                .map_or(ChainHead::EMPTY, |state| state.head);
            let entries = ledger
                .chain_entries_after(device_id, head.through_serial, ENTRIES_PER_REPORT)
                .await
                .map_err(local)?;
            let full = entries.len() == ENTRIES_PER_REPORT as usize;
            let entries = chained(head, entries);
            let expected = entries.last().map_or(head, |(entry, hash)| ChainHead {
                through_serial: entry.piece_serial,
                hash: *hash,
            });
            let labels = ledger
                .piece_labels(device_id, head.through_serial, expected.through_serial)
                .await
                .map_err(local)?;
            let report = ReconcileRequest {
                psd_id: device_id,
                entries: entries
                    .iter()
                    .map(|(entry, hash)| LedgerEntry {
                        piece_serial: entry.piece_serial,
                        postage_mills: entry.postage_mills,
                        mailing_date: Date::from_days_since_2000(entry.mailing_day).to_string(),
                        issued_unix_ms: entry.issued_unix_ms,
                        indicium: crate::hex::encode(&entry.indicium),
                        entry_hash: crate::hex::encode(hash),
                        label_serial: labels.get(&entry.piece_serial).cloned(),
                    })
                    .collect(),
            };
            let now = self.clock.now_unix_ms();
            // The key names the chain it extends, so a retry is answered and another
            // history under the same range is checked (and refused) rather than replayed.
            let key = if report.entries.is_empty() {
                format!("inspect-{device_id}-{}-{now}", head.through_serial)
            } else {
                format!(
                    "reconcile-{device_id}-{}-{}",
                    expected.through_serial,
                    crate::hex::encode(&expected.hash[..8])
                )
            };
            let answer: ReconcileResponse = self
                .signed(
                    Method::POST,
                    "/postage/v1/reconciliations",
                    Some(&key),
                    &json_body(&report)?,
                )
                .await?;
            if answer.through_serial != expected.through_serial
                || answer.head_hash != crate::hex::encode(&expected.hash)
            {
                return Err(LinkError::Protocol(format!(
                    "the vendor holds the chain up to piece {} ({}), this counter sent up to {}",
                    answer.through_serial, answer.head_hash, expected.through_serial
                )));
            }
            ledger
                .record_reconciled(device_id, expected, now)
                .await
                .map_err(local)?;
            self.keep_lease(psd, &answer).await?;
            for refused in &answer.refused_labels {
                log::warn!(
                    "the data centre refused label {} of offline piece {}: {}",
                    refused.label_serial,
                    refused.piece_serial,
                    refused.reason
                );
            }
            settled.refused_labels.extend(answer.refused_labels);
            self.contact_written_unix_ms.store(now, Ordering::Relaxed);
            settled.reported_pieces += answer.recorded;
            settled.through_serial = expected.through_serial;
            if !full {
                return Ok(());
            }
        }
    }
}
