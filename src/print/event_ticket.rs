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
/// modules, 265 dots with its quiet zone at 5 dots (0.63 mm modules at 203 dpi, 3.3 cm), which
/// fits 58 mm paper.
const QR_DOTS_PER_MODULE: u32 = 5;

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
        .styled_line("ADMITS ONE - SCANNED ONCE AT THE GATE", centered)
        // Blank lines around the code besides its quiet zone: a reader that takes glyphs
        // next to it for part of it misreads the symbol.
        .feed(2)
        .qr(
            QrSymbol::encode(&content.code)?,
            QR_DOTS_PER_MODULE,
            Align::Center,
        );
    Ok(document.feed(5).cut())
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

    /// A ticket code as the data centre makes them: `PCE1:` and 177 base32 characters of
    /// random bytes (a real code's length).
    fn random_code() -> String {
        let bytes: Vec<u8> = (0..110).map(|_| rand::random::<u8>()).collect();
        format!("PCE1:{}", crate::tickets::base32::encode(&bytes))
    }

    #[test]
    fn the_qr_code_reads_back_whether_the_printer_draws_it_or_a_raster_carries_it() {
        // Random codes on each profile (20, or POSTCOUNTER_QR_TRIALS): a symbol the reader
        // misses is a ticket a gate cannot admit. Before the reader looked at a receipt's
        // blocks one by one, about 2 in 100 were missed.
        let trials: usize = std::env::var("POSTCOUNTER_QR_TRIALS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(20);
        for _ in 0..trials {
            for name in ["receipt-80mm", "receipt-58mm", "receipt-80mm-native-dm"] {
                read_back(&random_code(), name);
            }
        }
        println!(
            "{} random ticket codes printed on 3 profiles: every one read back",
            trials
        );
        assert_eq!(place_text("GA-17"), "GA 17");
    }

    fn read_back(code: &str, name: &str) {
        {
            let profile = PrinterProfile::embedded(name).unwrap();
            let document = event_ticket_document(&content(code), &profile).unwrap();
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
    }
}
