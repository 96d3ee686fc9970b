//! The lottery and events services in the OpenAPI document: their request examples are
//! accepted by the server's types (and refuse an unknown field), their response examples
//! read back as themselves (see `vendor_openapi` for the checks).

use crate::vendor_openapi::{assert_example_fits_its_schema, document, example_of, schema_of};
use crate::vendor_openapi::{assert_request_example, assert_response_example};

use postcounter::protocol::events::{
    BookingResponse, EntriesRequest, EntriesResponse, EntryResult, EventOnSale, EventTicket,
    EventsResponse, FirstEntry, GateScan, HoldRef, HoldRequest, HoldResponse, RefundRequest,
    RefundResponse, ReleaseResponse, RevocationsResponse, RevokedTicket, SeatState, SeatsResponse,
};
use postcounter::protocol::lottery::{
    CancellationResponse, ClaimResponse, GameOnSale, GamesResponse, LotteryTicket, PlayRequest,
    TicketDraw, TicketPlay, TicketRequest, WagerRequest, Win,
};
use postcounter::tickets::draw_schedule::DrawSchedule;
use postcounter::tickets::event::{Event, GeneralAdmission, PriceClass, Section};
use postcounter::tickets::game::{Game, PrizeTier};
use serde_json::Value;

/// The lottery's and the events service's routes (see `vendor_openapi::ROUTES`).
pub(crate) const ROUTES: [(&str, &str); 14] = [
    ("get", "/lottery/v1/games"),
    ("post", "/lottery/v1/wagers"),
    ("post", "/lottery/v1/cancellations"),
    ("post", "/lottery/v1/reprints"),
    ("post", "/lottery/v1/claims"),
    ("post", "/lottery/v1/lookups"),
    ("get", "/events/v1/events"),
    ("get", "/events/v1/events/{event_id}/seats"),
    ("post", "/events/v1/holds"),
    ("post", "/events/v1/releases"),
    ("post", "/events/v1/bookings"),
    ("post", "/events/v1/refunds"),
    ("post", "/events/v1/entries"),
    ("get", "/events/v1/revocations"),
];

/// The request bodies they parse, by schema name.
pub(crate) const REQUEST_BODIES: [&str; 6] = [
    "WagerRequest",
    "TicketRequest",
    "HoldRequest",
    "HoldRef",
    "RefundRequest",
    "EntriesRequest",
];

#[test]
fn ticket_request_examples_are_accepted_by_the_server_types() {
    let doc = document();
    assert_request_example!(&doc, WagerRequest);
    assert_request_example!(&doc, PlayRequest);
    assert_request_example!(&doc, TicketRequest);
    assert_request_example!(&doc, HoldRequest);
    assert_request_example!(&doc, HoldRef);
    assert_request_example!(&doc, RefundRequest);
    assert_request_example!(&doc, EntriesRequest);
    assert_request_example!(&doc, GateScan);
}

#[test]
fn ticket_response_examples_match_the_wire_types() {
    let doc = document();
    assert_response_example!(&doc, GamesResponse);
    assert_response_example!(&doc, GameOnSale);
    assert_response_example!(&doc, Game);
    assert_response_example!(&doc, DrawSchedule);
    assert_response_example!(&doc, PrizeTier);
    assert_response_example!(&doc, LotteryTicket);
    assert_response_example!(&doc, TicketPlay);
    assert_response_example!(&doc, TicketDraw);
    assert_response_example!(&doc, CancellationResponse);
    assert_response_example!(&doc, ClaimResponse);
    assert_response_example!(&doc, Win);
    assert_response_example!(&doc, EventsResponse);
    assert_response_example!(&doc, EventOnSale);
    assert_response_example!(&doc, Event);
    assert_response_example!(&doc, PriceClass);
    assert_response_example!(&doc, Section);
    assert_response_example!(&doc, GeneralAdmission);
    assert_response_example!(&doc, SeatsResponse);
    assert_response_example!(&doc, SeatState);
    assert_response_example!(&doc, HoldResponse);
    assert_response_example!(&doc, ReleaseResponse);
    assert_response_example!(&doc, BookingResponse);
    assert_response_example!(&doc, EventTicket);
    assert_response_example!(&doc, RefundResponse);
    assert_response_example!(&doc, EntriesResponse);
    assert_response_example!(&doc, EntryResult);
    assert_response_example!(&doc, FirstEntry);
    assert_response_example!(&doc, RevocationsResponse);
    assert_response_example!(&doc, RevokedTicket);
}
