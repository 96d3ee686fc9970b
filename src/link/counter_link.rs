//! The link as the counter uses it: issue an indicium from the vendor, or from the embedded
//! PSD when no vendor answers and the fallback's limits allow; void a piece where it was
//! issued; and, whenever the vendor is reachable, settle what the outage left open.
//!
//! Two things are left open by an outage, and [`CounterLink::reconcile`] closes both:
//! - purchases sent whose answer never came ("in doubt", written to the embedded ledger
//!   before they are sent): each is asked for again under its key, and if the vendor had
//!   issued it, the piece is voided, because the customer got an offline indicium instead;
//! - pieces the embedded PSD issued: reported to the vendor as a hash chain, and the head
//!   the vendor acknowledges is kept, which restarts the offline limits' clocks.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::Method;

use super::fallback::{OfflineLimits, offline_refusal};
use super::identity::{self, Registration};
use super::{LinkError, LinkErrorKind, VendorClient};
use crate::clock::Clock;
use crate::indicium::Indicium;
use crate::ledger_chain::{ChainHead, chained};
use crate::psd::{IssueRequest, Psd};
use crate::vendor::auth::RequestSigner;
use crate::vendor::wire::{
    LedgerEntry, PieceOrder, PurchaseRequest, PurchaseResponse, ReconcileRequest,
    ReconcileResponse, VoidRequest, VoidResponse,
};

/// How often, at most, a successful contact is written to the ledger.
const CONTACT_WRITE_INTERVAL_MS: i64 = 60_000;
/// Entries per reconciliation request; a longer backlog goes in several.
const ENTRIES_PER_REPORT: u32 = 500;

/// What the counter shows of its link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkStatus {
    pub online: bool,
    /// The vendor's endpoint when online; why not, when offline.
    pub detail: String,
}

/// An indicium from either source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub serial_text: String,
    pub bytes: Vec<u8>,
    /// Issued by the embedded PSD because no vendor answered.
    pub offline: bool,
}

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
}

pub struct LinkSettings {
    pub data_dir: PathBuf,
    pub enrollment_code: String,
    pub counter_name: String,
    pub limits: OfflineLimits,
}

pub struct CounterLink {
    client: VendorClient,
    settings: LinkSettings,
    clock: Clock,
    signer: tokio::sync::Mutex<Option<Arc<(RequestSigner, Registration)>>>,
    status: Mutex<LinkStatus>,
    /// One reconciliation at a time.
    reconciling: tokio::sync::Mutex<()>,
    contact_written_unix_ms: AtomicI64,
}

impl CounterLink {
    pub fn new(client: VendorClient, settings: LinkSettings, clock: Clock) -> CounterLink {
        let detail = format!("not yet in touch with {}", client.endpoints().join(", "));
        CounterLink {
            client,
            settings,
            clock,
            signer: tokio::sync::Mutex::new(None),
            status: Mutex::new(LinkStatus {
                online: false,
                detail,
            }),
            reconciling: tokio::sync::Mutex::new(()),
            contact_written_unix_ms: AtomicI64::new(i64::MIN),
        }
    }

    pub fn endpoints(&self) -> &[String] {
        self.client.endpoints()
    }

    pub fn status(&self) -> LinkStatus {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The counter's registration, enrolling on first use.
    pub async fn registration(&self) -> Result<Registration, LinkError> {
        Ok(self.identity().await?.1.clone())
    }

    /// Issues `request`: from the vendor, else (no vendor answered) from `psd` within the
    /// offline limits. A vendor's refusal is final: it is not retried offline.
    pub async fn issue(&self, psd: &Psd, request: &IssueRequest) -> Result<Issued, LinkError> {
        match self.issue_online(psd, request).await {
            Ok(issued) => Ok(issued),
            Err(error)
                if matches!(
                    error.kind(),
                    LinkErrorKind::Unreachable | LinkErrorKind::Protocol
                ) =>
            {
                self.set_status(false, error.to_string());
                self.issue_offline(psd, request, &error).await
            }
            Err(error) => Err(error),
        }
    }

    async fn issue_online(&self, psd: &Psd, request: &IssueRequest) -> Result<Issued, LinkError> {
        let order = PurchaseRequest {
            pieces: vec![piece_order(request)],
            card: None,
        };
        let body = serde_json::to_string(&order).map_err(|e| LinkError::Local(e.to_string()))?;
        let key = request.request_id.as_str();
        // Written before it is sent: a crash or a lost answer leaves a record to settle.
        psd.ledger()
            .record_doubt(key, &body, self.clock.now_unix_ms())
            .await
            .map_err(local)?;
        let answer: Result<PurchaseResponse, LinkError> = self
            .signed(Method::POST, "/v1/purchases", Some(key), &body)
            .await;
        let settled = matches!(
            &answer,
            Ok(_)
                | Err(LinkError::Refused { .. })
                | Err(LinkError::Unreachable {
                    maybe_delivered: false,
                    ..
                })
        );
        if settled {
            psd.ledger().clear_doubt(key).await.map_err(local)?;
        }
        if matches!(&answer, Ok(_) | Err(LinkError::Refused { .. })) {
            self.contact(psd).await;
        }
        let response = answer?;
        let piece = response
            .pieces
            .first()
            .ok_or_else(|| LinkError::Protocol("a purchase answer without pieces".into()))?;
        let bytes = crate::hex::decode(&piece.indicium)
            .ok_or_else(|| LinkError::Protocol("an indicium that is not hex".into()))?;
        let indicium = Indicium::from_bytes(&bytes)
            .map_err(|e| LinkError::Protocol(format!("the vendor's indicium: {e}")))?;
        Ok(Issued {
            serial_text: indicium.data.serial_text(),
            bytes,
            offline: false,
        })
    }

    async fn issue_offline(
        &self,
        psd: &Psd,
        request: &IssueRequest,
        cause: &LinkError,
    ) -> Result<Issued, LinkError> {
        let ledger = psd.ledger();
        let device_id = psd.device_id();
        let link = ledger.link_state(device_id).await.map_err(local)?;
        let through = link.map_or(0, |state| state.head.through_serial);
        let unreported = ledger.unreported(device_id, through).await.map_err(local)?;
        let now = self.clock.now_unix_ms();
        if let Some(reason) = offline_refusal(
            &self.settings.limits,
            link.as_ref(),
            &unreported,
            request.postage,
            now,
        ) {
            return Err(LinkError::Local(format!(
                "the vendor cannot be reached ({cause}) and the embedded PSD may not issue: {reason}"
            )));
        }
        let issued = psd.issue(request).await.map_err(local)?;
        log::warn!(
            "issued {} offline on the embedded PSD: {cause}",
            issued.indicium.data.serial_text()
        );
        Ok(Issued {
            serial_text: issued.indicium.data.serial_text(),
            bytes: issued.bytes,
            offline: true,
        })
    }

    /// Voids piece `piece_serial` of central PSD `psd_id` at the vendor.
    pub async fn void(&self, psd_id: u32, piece_serial: u32) -> Result<VoidResponse, LinkError> {
        let body = serde_json::to_string(&VoidRequest {
            psd_id,
            piece_serial,
        })
        .map_err(|e| LinkError::Local(e.to_string()))?;
        let key = format!("void-{psd_id}-{piece_serial}");
        self.signed(Method::POST, "/v1/voids", Some(&key), &body)
            .await
    }

    /// Settles purchases in doubt and reports the embedded PSD's unreported pieces (an
    /// empty report when there are none, which renews the inspection window).
    pub async fn reconcile(&self, psd: &Psd) -> Result<Settled, LinkError> {
        let _one_at_a_time = self.reconciling.lock().await;
        let outcome = self.settle_and_report(psd).await;
        match &outcome {
            Ok(_) => self.set_status(true, self.client.endpoints().join(", ")),
            Err(error) if error.kind() == LinkErrorKind::Unreachable => {
                self.set_status(false, error.to_string());
            }
            Err(_) => {}
        }
        outcome
    }

    async fn settle_and_report(&self, psd: &Psd) -> Result<Settled, LinkError> {
        let mut settled = Settled::default();
        let ledger = psd.ledger();
        for (key, body) in ledger.doubts().await.map_err(local)? {
            let answer: Result<PurchaseResponse, LinkError> = self
                .signed(Method::POST, "/v1/purchases", Some(&key), &body)
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
            let report = ReconcileRequest {
                psd_id: device_id,
                entries: entries
                    .iter()
                    .map(|(entry, hash)| LedgerEntry {
                        piece_serial: entry.piece_serial,
                        postage_mills: entry.postage_mills,
                        mailing_date: crate::date::Date::from_days_since_2000(entry.mailing_day)
                            .to_string(),
                        issued_unix_ms: entry.issued_unix_ms,
                        indicium: crate::hex::encode(&entry.indicium),
                        entry_hash: crate::hex::encode(hash),
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
            let body =
                serde_json::to_string(&report).map_err(|e| LinkError::Local(e.to_string()))?;
            let answer: ReconcileResponse = self
                .signed(Method::POST, "/v1/reconciliations", Some(&key), &body)
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
            self.contact_written_unix_ms.store(now, Ordering::Relaxed);
            settled.reported_pieces += answer.recorded;
            settled.through_serial = expected.through_serial;
            if !full {
                return Ok(settled);
            }
        }
    }

    /// A signed request, the answer parsed; registers first if needed.
    async fn signed<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: &str,
    ) -> Result<T, LinkError> {
        let identity = self.identity().await?;
        let reply = self
            .client
            .send(method, path, key, body.as_bytes(), Some(&identity.0))
            .await?;
        super::client::parse_reply(&reply)
    }

    /// The signer and registration, enrolling on first use.
    async fn identity(&self) -> Result<Arc<(RequestSigner, Registration)>, LinkError> {
        let mut slot = self.signer.lock().await;
        if let Some(identity) = slot.as_ref() {
            return Ok(identity.clone());
        }
        let identity = Arc::new(self.enroll().await?);
        *slot = Some(identity.clone());
        Ok(identity)
    }

    async fn enroll(&self) -> Result<(RequestSigner, Registration), LinkError> {
        identity::signer(
            &self.client,
            &self.settings.data_dir,
            &self.settings.enrollment_code,
            &self.settings.counter_name,
        )
        .await
    }

    /// The vendor answered: online, and (at most once a minute) the contact is kept.
    async fn contact(&self, psd: &Psd) {
        self.set_status(true, self.client.endpoints().join(", "));
        let now = self.clock.now_unix_ms();
        let written = self.contact_written_unix_ms.load(Ordering::Relaxed);
        if now.saturating_sub(written) < CONTACT_WRITE_INTERVAL_MS {
            return;
        }
        match psd.ledger().record_contact(psd.device_id(), now).await {
            Ok(()) => self.contact_written_unix_ms.store(now, Ordering::Relaxed),
            Err(e) => log::warn!("recording the vendor's contact: {e}"),
        }
    }

    fn set_status(&self, online: bool, detail: String) {
        let mut status = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if status.online != online {
            if online {
                log::info!("the vendor is reachable: {detail}");
            } else {
                log::warn!("offline: {detail}");
            }
        }
        *status = LinkStatus { online, detail };
    }
}

fn local(error: crate::psd::PsdError) -> LinkError {
    LinkError::Local(error.to_string())
}

fn piece_order(request: &IssueRequest) -> PieceOrder {
    PieceOrder {
        postage_mills: request.postage.mills(),
        mailing_date: request.mailing_date.to_string(),
        origin_zip: format!("{:05}", request.origin_zip5),
        destination_zip: request.destination_zip.map(|zip| match zip.plus4 {
            Some(plus4) => format!("{:05}-{plus4:04}", zip.zip5),
            None => format!("{:05}", zip.zip5),
        }),
        rate_category: request.rate_category,
        extra_services: request.extra_services,
        label_serial: request.label_serial.clone(),
    }
}
