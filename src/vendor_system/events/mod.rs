//! The events service: events with their seat maps, seats held for a while by one station
//! and booked atomically into tickets whose codes the events key signs, refunds that revoke,
//! and the central redemption record every gate redeems against (see
//! [`crate::vendor_system::store::events`] and [`crate::vendor_system::store::event_entries`]).
//! The events key is a P-256 key in the data centre's key store; its public half and the
//! revocation list are published to gates, which check tickets offline with them.

use std::path::Path;

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;

use super::error::VendorError;
use super::service::{Vendor, digest, parse_body};
use super::store::event_entries::{RefundDecision, ScanCheck, StoredEventTicket};
use super::store::void_refill::{Answer, RequestContext};
use crate::keys::key_file::{read_private_key, write_private_key};
use crate::protocol::events::{
    EntriesRequest, EventOnSale, EventsResponse, HoldRef, HoldRequest, RefundRequest,
    RefundResponse, RevocationsResponse, SeatsResponse,
};
use crate::tickets::event::Event;
use crate::tickets::event_code::EventTicketCode;

/// The events key's file in the data centre's key store.
const EVENTS_KEY_FILE: &str = "events-ticket.key.pem";
/// A hold lasts this long unless the station asks for another length.
const HOLD_DEFAULT_S: u32 = 600;
const HOLD_RANGE_S: std::ops::RangeInclusive<u32> = 10..=900;
/// The most places one hold takes.
const HOLD_SEATS_MAX: usize = 10;
/// The most scans one entries request carries (an offline gate's queue is sent in parts).
const SCANS_MAX: usize = 500;

/// The events key from `keys_dir`, made the first time (owner-only); a second process racing
/// to make it reads the first one's.
pub fn load_or_create_events_key(keys_dir: &Path) -> Result<SigningKey, VendorError> {
    let path = keys_dir.join(EVENTS_KEY_FILE);
    if !path.exists() {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        if let Err(error) = write_private_key(&path, &key)
            && !path.exists()
        {
            return Err(VendorError::storage(error));
        }
    }
    read_private_key(&path).map_err(VendorError::storage)
}

fn unknown_event(event_id: &str) -> VendorError {
    VendorError::not_found(format!(
        "there is no event {:?}: see GET /events/v1/events",
        super::validate::shown(event_id)
    ))
}

/// The ticket's fields, if the events key signed its code.
fn signed_code(key: &SigningKey, code: &str) -> Result<EventTicketCode, String> {
    EventTicketCode::verify(code, key.verifying_key()).map_err(|e| e.to_string())
}

/// Whether `stored` may be refunded to the asking station's account at `now_unix_ms`.
fn check_refund(
    stored: &StoredEventTicket,
    account_id: &str,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    let ticket = &stored.ticket;
    if stored.status != "valid" {
        return Err(VendorError::refused(format!(
            "ticket {} ({}) is refunded already",
            ticket.ticket_id, ticket.seat
        )));
    }
    if stored.account_id != account_id {
        return Err(VendorError::forbidden(format!(
            "ticket {} was sold by another retailer: it is refunded where it was bought",
            ticket.ticket_id
        )));
    }
    if let Some(entry) = &stored.entry {
        return Err(VendorError::refused(format!(
            "ticket {} entered at gate {} at {}: a used ticket is not refunded",
            ticket.ticket_id,
            entry.gate,
            crate::clock::format_unix_ms(entry.scanned_unix_ms)
        )));
    }
    if now_unix_ms >= ticket.starts_unix_ms {
        return Err(VendorError::refused(format!(
            "{} started at {}: its tickets are no longer refunded",
            ticket.event_name,
            crate::clock::format_unix_ms(ticket.starts_unix_ms)
        )));
    }
    Ok(())
}

impl Vendor {
    async fn event_of(&self, event_id: &str) -> Result<Event, VendorError> {
        self.store
            .event(event_id)
            .await?
            .ok_or_else(|| unknown_event(event_id))
    }

    /// `GET /events/v1/events`.
    pub async fn events(&self, _context: RequestContext) -> Result<EventsResponse, VendorError> {
        let now = self.clock.now_unix_ms();
        let events = self.store.events(now).await?;
        Ok(EventsResponse {
            events: events
                .into_iter()
                .map(|(event, available)| EventOnSale { event, available })
                .collect(),
        })
    }

    /// `GET /events/v1/events/{event_id}/seats`.
    pub async fn seats(
        &self,
        _context: RequestContext,
        event_id: &str,
    ) -> Result<SeatsResponse, VendorError> {
        let event = self.event_of(event_id).await?;
        let mut seats = self
            .store
            .seat_states(event_id, self.clock.now_unix_ms())
            .await?;
        // In the seat map's order: section by section, row by row, seat by seat.
        let order: std::collections::HashMap<String, usize> = event
            .places()
            .into_iter()
            .enumerate()
            .map(|(at, place)| (place.seat, at))
            .collect();
        seats.sort_by_key(|seat| order.get(&seat.seat).copied().unwrap_or(usize::MAX));
        Ok(SeatsResponse { event, seats })
    }

    /// `POST /events/v1/holds`.
    pub async fn hold(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: HoldRequest =
            parse_body(body, "{\"event\": \"demo\", \"seats\": [\"A-1-1\"]}")?;
        let event = self.event_of(&request.event).await?;
        let seconds = request.hold_seconds.unwrap_or(HOLD_DEFAULT_S);
        if !HOLD_RANGE_S.contains(&seconds) {
            return Err(VendorError::bad_request(format!(
                "hold_seconds {seconds} is not accepted: 10 to 900"
            )));
        }
        let mut seats = request.seats.clone();
        seats.sort();
        seats.dedup();
        if seats.is_empty() || seats.len() > HOLD_SEATS_MAX || seats.len() != request.seats.len() {
            return Err(VendorError::bad_request(format!(
                "seats {:?} are not accepted: 1 to {HOLD_SEATS_MAX} places, each once",
                request
                    .seats
                    .iter()
                    .map(|s| super::validate::shown(s))
                    .collect::<Vec<_>>()
            )));
        }
        if let Some(unknown) = seats.iter().find(|seat| !event.has_place(seat)) {
            return Err(VendorError::bad_request(format!(
                "{} has no seat {:?}: seats are named like A-1-1 (section, row, seat) or GA-17",
                event.name,
                super::validate::shown(unknown)
            )));
        }
        if context.now_unix_ms >= event.starts_unix_ms {
            return Err(VendorError::refused(format!(
                "{} has started: its sales are closed",
                event.name
            )));
        }
        let hold_id = format!("hold-{}", crate::hex::encode(&rand::random::<[u8; 12]>()));
        let expires = context.now_unix_ms + i64::from(seconds) * 1000;
        let sha = digest("events-hold", body);
        self.store
            .hold_seats(
                &context,
                (&key, &sha),
                (&event.event_id, &seats),
                (&hold_id, expires),
            )
            .await
    }

    /// `POST /events/v1/releases`.
    pub async fn release(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: HoldRef = parse_body(body, "{\"hold_id\": \"hold-...\"}")?;
        let sha = digest("events-release", body);
        self.store
            .release_hold(&context, (&key, &sha), &request.hold_id)
            .await
    }

    /// `POST /events/v1/bookings`: the hold's seats sold, their tickets signed.
    pub async fn book(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: HoldRef = parse_body(body, "{\"hold_id\": \"hold-...\"}")?;
        let event_id = self
            .store
            .hold_event(&request.hold_id)
            .await?
            .ok_or_else(|| {
                VendorError::not_found(format!(
                    "there is no hold {:?}",
                    super::validate::shown(&request.hold_id)
                ))
            })?;
        let event = self.event_of(&event_id).await?;
        if context.now_unix_ms >= event.starts_unix_ms {
            return Err(VendorError::refused(format!(
                "{} has started: a hold is no longer booked",
                event.name
            )));
        }
        let sha = digest("events-book", body);
        self.store
            .book_hold(
                &context,
                (&key, &sha),
                &request.hold_id,
                (&event, &self.events_key),
            )
            .await
    }

    /// `POST /events/v1/refunds`: the ticket refunded, revoked, its place back on sale.
    pub async fn refund(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: RefundRequest = parse_body(body, "{\"code\": \"PCE1:...\"}")?;
        let fields =
            signed_code(&self.events_key, &request.code).map_err(VendorError::bad_request)?;
        let now = context.now_unix_ms;
        let sha = digest("events-refund", body);
        self.store
            .refund_event_ticket(
                &context,
                (&key, &sha),
                fields.ticket_id,
                |stored, account_id| {
                    check_refund(stored, account_id, now)?;
                    let answer = RefundResponse {
                        ticket: stored.ticket.clone(),
                        refund_mills: stored.ticket.price_mills,
                        refunded_unix_ms: now,
                    };
                    Ok(RefundDecision {
                        answer: serde_json::to_value(answer).map_err(VendorError::storage)?,
                    })
                },
            )
            .await
    }

    /// `POST /events/v1/entries`: a gate's scans redeemed against the central record.
    pub async fn entries(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: EntriesRequest = parse_body(
            body,
            "{\"scans\": [{\"code\": \"PCE1:...\", \"gate\": \"north\", \"scanned_unix_ms\": 0}]}",
        )?;
        if request.scans.is_empty() || request.scans.len() > SCANS_MAX {
            return Err(VendorError::bad_request(format!(
                "{} scans are not accepted: 1 to {SCANS_MAX} per request",
                request.scans.len()
            )));
        }
        let scans = request
            .scans
            .into_iter()
            .map(|scan| match signed_code(&self.events_key, &scan.code) {
                Err(reason) => ScanCheck::Invalid(reason),
                Ok(fields) => ScanCheck::Signed {
                    fields,
                    event: scan.event.clone(),
                    gate: super::validate::shown(&scan.gate)
                        .chars()
                        .take(32)
                        .collect(),
                    scanned_unix_ms: scan.scanned_unix_ms,
                },
            })
            .collect();
        let sha = digest("events-entries", body);
        self.store
            .record_entries(&context, (&key, &sha), scans)
            .await
    }

    /// `GET /events/v1/revocations`.
    pub async fn revocations(
        &self,
        _context: RequestContext,
    ) -> Result<RevocationsResponse, VendorError> {
        Ok(RevocationsResponse {
            key: crate::hex::encode(
                self.events_key
                    .verifying_key()
                    .to_sec1_point(true)
                    .as_bytes(),
            ),
            revoked: self.store.revoked_tickets().await?,
            as_of_unix_ms: self.clock.now_unix_ms(),
        })
    }
}
