//! Event tickets' documents from what the data centre answered, times in the venue's zone.

use crate::local_time::LocalTime;
use crate::money::Money;
use crate::print::event_ticket::{EventTicketContent, place_text};
use crate::protocol::events::EventTicket;

pub fn event_ticket_content(ticket: &EventTicket, header_lines: &[String]) -> EventTicketContent {
    let venue_zone =
        LocalTime::from_setting(&ticket.time_zone).unwrap_or_else(|_| LocalTime::utc());
    EventTicketContent {
        header_lines: header_lines.to_vec(),
        event_name: ticket.event_name.clone(),
        venue: ticket.venue.clone(),
        starts_at: venue_zone.date_time_text(ticket.starts_unix_ms),
        place: place_text(&ticket.seat),
        price_class: ticket.price_class.clone(),
        price: Money::from_mills(ticket.price_mills),
        ticket_id: ticket.ticket_id,
        issued_at: venue_zone.date_time_text(ticket.issued_unix_ms),
        terminal: ticket.counter_id.clone(),
        retailer: ticket.retailer.clone(),
        code: ticket.code.clone(),
    }
}
