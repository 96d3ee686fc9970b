//! The station's half of the events service: events and seats, holds and their booking,
//! refunds, a gate's entries and the revocation list. Like the lottery, there is no offline
//! sale; only a gate works offline, checking codes with the key and list it last fetched
//! and queueing its scans (see `crate::tickets::gate`).

use reqwest::Method;

use super::{CounterLink, json_body};
use crate::link::LinkError;
use crate::protocol::events::{
    BookingResponse, EntriesRequest, EntriesResponse, EventsResponse, GateScan, HoldRef,
    HoldRequest, HoldResponse, RefundRequest, RefundResponse, ReleaseResponse, RevocationsResponse,
    SeatsResponse,
};

impl CounterLink {
    pub async fn events(&self) -> Result<EventsResponse, LinkError> {
        self.signed(Method::GET, "/events/v1/events", None, "")
            .await
    }

    pub async fn event_seats(&self, event_id: &str) -> Result<SeatsResponse, LinkError> {
        if !event_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(LinkError::Local(format!(
                "event {event_id:?} is not accepted: lower-case letters, digits and dashes"
            )));
        }
        self.signed(
            Method::GET,
            &format!("/events/v1/events/{event_id}/seats"),
            None,
            "",
        )
        .await
    }

    /// Holds `seats` under `request_id`.
    pub async fn hold_seats(
        &self,
        request_id: &str,
        request: &HoldRequest,
    ) -> Result<HoldResponse, LinkError> {
        let body = json_body(request)?;
        self.signed(Method::POST, "/events/v1/holds", Some(request_id), &body)
            .await
    }

    pub async fn release_hold(&self, hold_id: &str) -> Result<ReleaseResponse, LinkError> {
        let body = json_body(&HoldRef {
            hold_id: hold_id.to_string(),
        })?;
        self.signed(
            Method::POST,
            "/events/v1/releases",
            Some(&format!("release-{hold_id}")),
            &body,
        )
        .await
    }

    /// Books `hold_id`: the same hold asked again answers the same tickets.
    pub async fn book_hold(&self, hold_id: &str) -> Result<BookingResponse, LinkError> {
        let body = json_body(&HoldRef {
            hold_id: hold_id.to_string(),
        })?;
        self.signed(
            Method::POST,
            "/events/v1/bookings",
            Some(&format!("book-{hold_id}")),
            &body,
        )
        .await
    }

    pub async fn refund_event_ticket(
        &self,
        code: &str,
        refund_id: &str,
    ) -> Result<RefundResponse, LinkError> {
        let body = json_body(&RefundRequest {
            code: code.to_string(),
        })?;
        self.signed(Method::POST, "/events/v1/refunds", Some(refund_id), &body)
            .await
    }

    /// Redeems `scans` under `request_id` (a digest of them, so a batch sent again after a
    /// lost answer is answered the same).
    pub async fn redeem(
        &self,
        request_id: &str,
        scans: &[GateScan],
    ) -> Result<EntriesResponse, LinkError> {
        let body = json_body(&EntriesRequest {
            scans: scans.to_vec(),
        })?;
        self.signed(Method::POST, "/events/v1/entries", Some(request_id), &body)
            .await
    }

    pub async fn revocations(&self) -> Result<RevocationsResponse, LinkError> {
        self.signed(Method::GET, "/events/v1/revocations", None, "")
            .await
    }
}
