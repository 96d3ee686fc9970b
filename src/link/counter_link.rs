//! The link as the counter uses it: issue an indicium from the vendor, or from the embedded
//! PSD when no vendor answers and the data centre's offline lease allows; void a piece where it was
//! issued; and, whenever the vendor is reachable, settle what the outage left open.
//!
//! Two things are left open by an outage, and [`CounterLink::reconcile`] closes both:
//! - purchases sent whose answer never came ("in doubt", written to the embedded ledger
//!   before they are sent): each is asked for again under its key, and if the vendor had
//!   issued it, the piece is voided, because the customer got an offline indicium instead;
//! - pieces the embedded PSD issued: reported to the vendor as a hash chain, and the head
//!   the vendor acknowledges is kept with the new offline lease its answer grants.

mod cards;
mod central;
mod contact;
mod events;
mod grants;
mod lottery;
mod offline;
mod reconcile;
mod updates;
mod withdraw;

pub use contact::{ItemOutcome, ReceivedAgenda};
pub use grants::EmbeddedRefilled;
pub use reconcile::Settled;

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::Method;

use super::client::Interface;
use super::identity::{self, Registration};
use super::{LinkError, LinkErrorKind, VendorClient};
use crate::clock::Clock;
use crate::indicium::Indicium;
use crate::indicium::layout::indicium_serial_text;
use crate::money::Money;
use crate::protocol::signature::RequestSigner;
use crate::protocol::{PieceOrder, PurchaseRequest, PurchaseResponse};
use crate::psd::ledger::VendorPiece;
use crate::psd::{IssueRequest, Keyring, Psd};
use crate::rates::PricedPiece;

/// How often, at most, a successful contact is written to the ledger.
const CONTACT_WRITE_INTERVAL_MS: i64 = 60_000;

/// What the counter shows of its link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkStatus {
    pub online: bool,
    /// Which way the data centre answered last: the Internet, or the backup modem.
    pub interface: Interface,
    /// The vendor's endpoint when online; why not, when offline.
    pub detail: String,
}

/// An indicium from either source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub serial_text: String,
    /// The PSD that issued it: a central PSD, or the embedded one when offline.
    pub device_id: u32,
    pub piece_serial: u32,
    pub bytes: Vec<u8>,
    /// Issued before under the same request id: this is the same indicium again.
    pub replayed: bool,
    /// Issued by the embedded PSD because no vendor answered.
    pub offline: bool,
}

pub struct LinkSettings {
    pub data_dir: PathBuf,
    pub enrollment_code: String,
    pub counter_name: String,
    /// The embedded PSD's keys and the trust the station holds.
    pub keyring: Keyring,
    /// A certificate with fewer days left is renewed at the next contact.
    pub certificate_renew_days: i32,
    /// The embedded PSD's refill at the counter's first contact (zero: none).
    pub first_refill: Money,
}

pub struct CounterLink {
    client: Arc<VendorClient>,
    settings: LinkSettings,
    clock: Clock,
    signer: tokio::sync::Mutex<Option<Arc<(RequestSigner, Registration)>>>,
    status: Mutex<LinkStatus>,
    /// One reconciliation at a time.
    reconciling: tokio::sync::Mutex<()>,
    contact_written_unix_ms: AtomicI64,
    /// The last time the data centre answered anything.
    last_answer_unix_ms: AtomicI64,
    /// The station's monitor (see [`contact`]): the agenda last seen on an answer, the one
    /// waiting to be carried out, and its wake-up.
    agenda_seen: Mutex<Option<String>>,
    agenda_waiting: Mutex<Option<ReceivedAgenda>>,
    agenda_arrived: tokio::sync::Notify,
    /// Set when the link goes offline, cleared by a poll: the station's own pending work
    /// (offline pieces, purchases in doubt) is due at the next round.
    offline_since_poll: std::sync::atomic::AtomicBool,
    /// One fetch of the service keys at a time.
    service_keys_fetch: tokio::sync::Mutex<()>,
}

impl CounterLink {
    pub fn new(client: VendorClient, settings: LinkSettings, clock: Clock) -> CounterLink {
        let detail = format!("not yet in touch with {}", client.endpoints().join(", "));
        let client = Arc::new(client);
        CounterLink {
            client,
            settings,
            clock,
            signer: tokio::sync::Mutex::new(None),
            status: Mutex::new(LinkStatus {
                online: false,
                interface: Interface::Internet,
                detail,
            }),
            reconciling: tokio::sync::Mutex::new(()),
            contact_written_unix_ms: AtomicI64::new(i64::MIN),
            last_answer_unix_ms: AtomicI64::new(i64::MIN),
            agenda_seen: Mutex::new(None),
            agenda_waiting: Mutex::new(None),
            agenda_arrived: tokio::sync::Notify::new(),
            offline_since_poll: std::sync::atomic::AtomicBool::new(true),
            service_keys_fetch: tokio::sync::Mutex::new(()),
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

    /// Issues `priced` under the idempotency key `request_id`: from the vendor, which prices
    /// it again and signs its own price, else (no vendor answered) from `psd` within the
    /// offline limits. A vendor's refusal is final: it is not retried offline.
    pub async fn issue(
        &self,
        psd: &Psd,
        priced: &PricedPiece,
        request_id: &str,
    ) -> Result<Issued, LinkError> {
        match self.issue_online(psd, priced, request_id).await {
            Ok(issued) => Ok(issued),
            Err(error)
                if matches!(
                    error.kind(),
                    LinkErrorKind::Unreachable | LinkErrorKind::Protocol
                ) =>
            {
                self.set_status(false, error.to_string());
                let request = IssueRequest::for_piece(priced, request_id);
                self.issue_offline(psd, &request, &error).await
            }
            Err(error) => Err(error),
        }
    }

    async fn issue_online(
        &self,
        psd: &Psd,
        priced: &PricedPiece,
        key: &str,
    ) -> Result<Issued, LinkError> {
        let order = PurchaseRequest {
            pieces: vec![PieceOrder::for_piece(priced)],
            card: None,
        };
        let body = json_body(&order)?;
        // Written before it is sent: a crash or a lost answer leaves a record to settle.
        psd.ledger()
            .record_doubt(key, &body, self.clock.now_unix_ms())
            .await
            .map_err(local)?;
        let answer: Result<PurchaseResponse, LinkError> = self
            .signed(Method::POST, "/postage/v1/purchases", Some(key), &body)
            .await;
        if matches!(&answer, Ok(_) | Err(LinkError::Refused { .. })) {
            self.contact(psd).await;
        }
        let response = match answer {
            Ok(response) => response,
            Err(error) => {
                // Refused, or never delivered: nothing was issued, nothing is in doubt.
                if matches!(
                    &error,
                    LinkError::Refused { .. }
                        | LinkError::Unreachable {
                            maybe_delivered: false,
                            ..
                        }
                ) {
                    psd.ledger().clear_doubt(key).await.map_err(local)?;
                }
                return Err(error);
            }
        };
        // An answer that does not parse stays in doubt: reconciliation voids it.
        let pieces = vendor_pieces(&response)?;
        let first = pieces
            .first()
            .ok_or_else(|| LinkError::Protocol("a purchase answer without pieces".into()))?;
        let newly_received = psd
            .ledger()
            .record_vendor_pieces(key, &pieces, self.clock.now_unix_ms())
            .await
            .map_err(local)?;
        Ok(Issued {
            serial_text: indicium_serial_text(first.device_id, first.piece_serial),
            device_id: first.device_id,
            piece_serial: first.piece_serial,
            bytes: first.indicium.clone(),
            replayed: !newly_received,
            offline: false,
        })
    }

    /// A signed request, the answer parsed; registers first if needed.
    async fn signed<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: &str,
    ) -> Result<T, LinkError> {
        self.ensure_service_keys().await?;
        let identity = self.identity().await?;
        let send = || {
            self.client.send(
                method.clone(),
                path,
                key,
                body.as_bytes(),
                Some(&identity.0),
            )
        };
        let reply = match send().await {
            // An answer not taken drops the service keys held: fetched again (they pass only
            // under the root), the request is sent once more under its idempotency key. So a
            // data centre whose keys were made anew loses no sale to it.
            Err(LinkError::Protocol(why)) if self.client.held_service_keys().is_none() => {
                log::warn!("{path}: {why}; fetching the data centre's service keys again");
                // The first answer came: the request may have been carried out, whatever
                // happens to the second.
                if let Err(error) = self.ensure_service_keys().await {
                    log::warn!("{path}: the service keys: {error}");
                    return Err(LinkError::Protocol(why));
                }
                match send().await {
                    Err(LinkError::Unreachable { detail, .. }) => {
                        return Err(LinkError::Unreachable {
                            detail,
                            maybe_delivered: true,
                        });
                    }
                    other => other?,
                }
            }
            other => other?,
        };
        self.last_answer_unix_ms
            .store(self.clock.now_unix_ms(), Ordering::Relaxed);
        if (200..300).contains(&reply.status) {
            self.receive_agenda(reply.agenda.as_deref(), &identity.1.counter_id);
        }
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
        // Only a first enrollment reaches the data centre (its code goes sealed); a counter
        // that enrolled before starts from its files, online or not.
        if identity::saved_registration(&self.settings.data_dir)?.is_none() {
            self.ensure_service_keys().await?;
        }
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
        self.set_online();
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

    fn set_online(&self) {
        let detail = match self.client.interface() {
            Interface::Internet => self.client.endpoints().join(", "),
            Interface::Modem => "the backup modem: no Internet endpoint answers".into(),
        };
        self.set_status(true, detail);
    }

    fn set_status(&self, online: bool, detail: String) {
        let mut status = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !online {
            self.offline_since_poll.store(true, Ordering::Relaxed);
        }
        if status.online != online {
            if online {
                log::info!("the vendor is reachable: {detail}");
            } else {
                log::warn!("offline: {detail}");
            }
        }
        *status = LinkStatus {
            online,
            interface: self.client.interface(),
            detail,
        };
    }
}

fn json_body(body: &impl serde::Serialize) -> Result<String, LinkError> {
    serde_json::to_string(body).map_err(|e| LinkError::Local(e.to_string()))
}

fn local(error: crate::psd::PsdError) -> LinkError {
    LinkError::Local(error.to_string())
}

/// The answer's pieces, each checked to be an indicium before anything is kept, and
/// described by the indicium's own signed fields.
fn vendor_pieces(response: &PurchaseResponse) -> Result<Vec<VendorPiece>, LinkError> {
    response
        .pieces
        .iter()
        .map(|piece| {
            let bytes = crate::hex::decode(&piece.indicium)
                .ok_or_else(|| LinkError::Protocol("an indicium that is not hex".into()))?;
            let indicium = Indicium::from_bytes(&bytes)
                .map_err(|e| LinkError::Protocol(format!("the vendor's indicium: {e}")))?;
            let data = &indicium.data;
            Ok(VendorPiece {
                device_id: data.device_id,
                piece_serial: data.piece_serial,
                postage: data.postage,
                mailing_date: data.mailing_date,
                indicium: bytes,
            })
        })
        .collect()
}
