//! The events service's bodies: events and their seats, a hold on seats, its booking into
//! signed tickets, a refund, the gates' entries, and the revocation list gates check offline.

use serde::{Deserialize, Serialize};

use crate::tickets::event::Event;

/// `GET /events/v1/events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsResponse {
    pub events: Vec<EventOnSale>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOnSale {
    pub event: Event,
    /// Places neither sold nor under a hold that still runs.
    pub available: u32,
}

/// `GET /events/v1/events/{event_id}/seats`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatsResponse {
    pub event: Event,
    pub seats: Vec<SeatState>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatState {
    pub seat: String,
    pub price_class: String,
    pub price_mills: i64,
    /// `free`, `held` (a hold that still runs) or `sold`.
    pub status: String,
}

/// `POST /events/v1/holds`: these places, held for the asking station.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub event: String,
    pub seats: Vec<String>,
    /// How long the hold lasts, 10 to 900 seconds; absent, 600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_seconds: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldResponse {
    pub hold_id: String,
    pub event: String,
    pub seats: Vec<SeatState>,
    pub total_mills: i64,
    /// When the seats go back on sale unless booked (the data centre's clock).
    pub expires_unix_ms: i64,
}

/// `POST /events/v1/bookings` and `/releases`: a hold, booked or let go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRef {
    pub hold_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingResponse {
    pub tickets: Vec<EventTicket>,
    pub total_mills: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseResponse {
    pub hold_id: String,
    pub released: u32,
}

/// A ticket as sold: what it prints, and its signed code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTicket {
    pub ticket_id: u64,
    pub version: u32,
    pub event: String,
    pub event_name: String,
    pub venue: String,
    pub starts_unix_ms: i64,
    pub time_zone: String,
    pub seat: String,
    pub price_class: String,
    pub price_mills: i64,
    pub issued_unix_ms: i64,
    pub counter_id: String,
    pub retailer: String,
    /// `PCE1:` and base32: what the QR code carries (see `tickets::event_code`).
    pub code: String,
}

/// `POST /events/v1/refunds`: the ticket whose code this is, refunded and revoked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    pub code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundResponse {
    pub ticket: EventTicket,
    pub refund_mills: i64,
    pub refunded_unix_ms: i64,
}

/// `POST /events/v1/entries`: scans from a gate, as they happened (one when online; a
/// queue when the gate was offline).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntriesRequest {
    pub scans: Vec<GateScan>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateScan {
    pub code: String,
    /// The event the gate admits to: a ticket for another is refused.
    pub event: String,
    pub gate: String,
    /// When the gate scanned it, by the gate's clock.
    pub scanned_unix_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntriesResponse {
    pub results: Vec<EntryResult>,
}

/// What the central redemption record made of one scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryResult {
    /// `admitted`, `duplicate` (entered twice: see `first_entry`, the earliest scan),
    /// `revoked` (refunded or reissued) or `invalid` (not a ticket of this data centre, or
    /// of another event).
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_entry: Option<FirstEntry>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstEntry {
    pub gate: String,
    pub scanned_unix_ms: i64,
}

/// `GET /events/v1/revocations`: the key tickets are signed with and the tickets no gate
/// admits any more, for gates that check offline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationsResponse {
    /// The events key, P-256 SEC1 compressed, hex.
    pub key: String,
    pub revoked: Vec<RevokedTicket>,
    pub as_of_unix_ms: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedTicket {
    pub ticket_id: u64,
    /// Every version up to this one is revoked.
    pub version: u32,
}
