//! An event ticket on the receipt printer: the event, venue and time, the place (section,
//! row and seat, or the standing area), its price class and price, the ticket's id and where
//! it was sold, and its QR code, which carries the signed code a gate checks offline and
//! redeems against the data centre (see [`crate::tickets::event_code`]).

use crate::money::Money;

use super::document::TextStyle;
use super::qr::QrSymbol;
use super::receipt::{fit, row, wrap};
use super::{Align, Document, PrintError, PrinterProfile};

/// What an event ticket prints, as text already in the venue's time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTicketContent {
    pub header_lines: Vec<String>,
    pub event_name: String,
    pub venue: String,
    pub starts_at: String,
    /// `SECTION A  ROW 1  SEAT 1`, or `GA 17` for general admission.
    pub place: String,
    pub price_class: String,
    pub price: Money,
    pub ticket_id: u64,
    pub issued_at: String,
    pub terminal: String,
    pub retailer: String,
    pub code: String,
}

/// Dots per QR module: a ticket's code (about 180 characters) makes a symbol of about 45
/// modules, 212 dots with its quiet zone at 4 dots, under 3 cm at 203 dpi.
const QR_DOTS_PER_MODULE: u32 = 4;

/// The ticket for `content` on `profile`; refused when its code cannot be a QR code.
pub fn event_ticket_document(
    content: &EventTicketContent,
    profile: &PrinterProfile,
) -> Result<Document, PrintError> {
    let columns = profile.chars_per_line();
    let centered = TextStyle::default().aligned(Align::Center);
    let mut document = Document::new();
    for line in content.header_lines.iter().flat_map(|l| wrap(l, columns)) {
        document = document.styled_line(line, centered.bold());
    }
    for line in wrap(&content.event_name.to_uppercase(), columns / 2) {
        document = document.styled_line(line, centered.bold().size(2, 2));
    }
    document = document
        .styled_line(fit(&content.venue, columns), centered)
        .styled_line(fit(&content.starts_at, columns), centered.bold())
        .line("-".repeat(columns));
    for line in wrap(&content.place, columns / 2) {
        document = document.styled_line(line, centered.bold().size(2, 2));
    }
    document = document
        .line(row(
            &content.price_class.to_uppercase(),
            &content.price.to_string(),
            columns,
        ))
        .line("-".repeat(columns))
        .line(row("TICKET", &content.ticket_id.to_string(), columns))
        .line(row("ISSUED", &content.issued_at, columns))
        .line(row("TERMINAL", &content.terminal, columns))
        .line(row("RETAILER", &content.retailer, columns))
        .feed(1)
        .qr(
            QrSymbol::encode(&content.code)?,
            QR_DOTS_PER_MODULE,
            Align::Center,
        )
        .styled_line("ADMITS ONE - SCANNED ONCE AT THE GATE", centered);
    Ok(document.feed(4).cut())
}

/// `SECTION A  ROW 1  SEAT 1` for `A-1-1`; `GA 17` for `GA-17`.
pub fn place_text(seat: &str) -> String {
    match seat.split('-').collect::<Vec<_>>().as_slice() {
        [section, row, place] => format!("SECTION {section}  ROW {row}  SEAT {place}"),
        [area, place] => format!("{area} {place}"),
        _ => seat.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::virtual_printer::render;
    use crate::scan::{LumaImage, find_qr};

    fn content(code: &str) -> EventTicketContent {
        EventTicketContent {
            header_lines: vec!["MAIN ST POST".into()],
            event_name: "Demo Concert".into(),
            venue: "Town Hall".into(),
            starts_at: "2027-01-06 20:00 EST".into(),
            place: place_text("A-1-1"),
            price_class: "stalls".into(),
            price: Money::from_mills(40_000),
            ticket_id: 1,
            issued_at: "2026-12-07 20:27 EST".into(),
            terminal: "C5475c48dd6".into(),
            retailer: "local".into(),
            code: code.into(),
        }
    }

    #[test]
    fn the_qr_code_reads_back_whether_the_printer_draws_it_or_a_raster_carries_it() {
        let code = format!("PCE1:{}", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".repeat(5));
        for name in ["receipt-80mm", "receipt-58mm", "receipt-80mm-native-dm"] {
            let profile = PrinterProfile::embedded(name).unwrap();
            let document = event_ticket_document(&content(&code), &profile).unwrap();
            let bytes = crate::print::encode(&document, &profile).unwrap();
            // A native printer gets the text itself (GS ( k, cn 49), the others a picture.
            let native = bytes.windows(code.len()).any(|w| w == code.as_bytes());
            assert_eq!(native, profile.native_qr, "{name}");
            let rendered = render(&bytes, profile.dots_per_line).unwrap();
            let image = LumaImage {
                width: rendered.bitmap.width,
                height: rendered.bitmap.height,
                pixels: rendered.bitmap.pixels,
            };
            assert_eq!(find_qr(&image).unwrap(), code, "{name}");
        }
        assert_eq!(place_text("GA-17"), "GA 17");
    }
}
