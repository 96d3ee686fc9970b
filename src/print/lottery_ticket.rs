//! The lottery's printed documents, on the receipt printer: the ticket (game, plays, draws,
//! price, issue time, terminal and retailer, the validation number and its barcode), a
//! reprint marked as one with its count, the cancellation slip that goes with a refund, and
//! the prize receipt of a ticket paid.
//!
//! The barcode is Code 128 of the fifteen digits of the validation number, which the data
//! centre turns back into the wager (its lookup recreates the ticket). A slip or receipt of an
//! unpaid ticket never carries its whole number: only the ticket itself does.

use crate::money::Money;

use super::document::TextStyle;
use super::receipt::{fit, row, wrap};
use super::{Align, Document, PrinterProfile};

/// Dots high of the ticket's barcode.
const BARCODE_HEIGHT_DOTS: u32 = 80;

/// What a ticket prints, as text already in the station's time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketContent {
    pub header_lines: Vec<String>,
    pub game_name: String,
    /// 0 for the first print; n for the n-th reprint.
    pub reprint: u32,
    /// Each play: its numbers as shown, and whether the data centre picked them.
    pub plays: Vec<(String, bool)>,
    /// Each draw: its date and time as shown.
    pub draws: Vec<String>,
    pub price_per_play: Money,
    pub total: Money,
    pub issued_at: String,
    pub terminal: String,
    pub retailer: String,
    /// `1234-5678-9012-345`.
    pub validation_grouped: String,
    /// The fifteen digits the barcode carries.
    pub validation_digits: String,
    pub footer_lines: Vec<String>,
}

/// What a cancellation slip or a prize receipt prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlipContent {
    pub header_lines: Vec<String>,
    /// `CANCELLED - REFUND` or `PRIZE PAID`.
    pub title: String,
    pub game_name: String,
    /// The validation number as the slip may show it.
    pub validation_shown: String,
    /// Lines between the title and the amount: what was won, draw by draw.
    pub lines: Vec<(String, Money)>,
    /// `REFUND` or `PRIZE`, and the amount handed to the customer.
    pub amount_label: String,
    pub amount: Money,
    pub at: String,
    pub terminal: String,
}

/// Play letters as tickets print them: A, B, C...
fn play_letter(index: usize) -> char {
    char::from(b'A' + u8::try_from(index % 26).unwrap_or(0))
}

fn centered_lines(document: Document, lines: &[String], columns: usize, bold: bool) -> Document {
    let style = TextStyle::default().aligned(Align::Center);
    let style = if bold { style.bold() } else { style };
    lines
        .iter()
        .flat_map(|l| wrap(l, columns))
        .fold(document, |document, line| document.styled_line(line, style))
}

/// The ticket for `content` on `profile`.
pub fn ticket_document(content: &TicketContent, profile: &PrinterProfile) -> Document {
    let columns = profile.chars_per_line();
    let centered = TextStyle::default().aligned(Align::Center);
    let mut document = centered_lines(Document::new(), &content.header_lines, columns, true);
    document = document.styled_line(
        fit(&content.game_name.to_uppercase(), columns / 2),
        centered.bold().size(2, 2),
    );
    if content.reprint > 0 {
        document = document.styled_line(
            format!("*** REPRINT {} ***", content.reprint),
            centered.bold(),
        );
    }
    document = document.line("-".repeat(columns));
    for (index, (numbers, quick_pick)) in content.plays.iter().enumerate() {
        let play = format!("{} {numbers}", play_letter(index));
        let line = if *quick_pick {
            row(&play, "QP", columns)
        } else {
            fit(&play, columns)
        };
        document = document.styled_line(line, TextStyle::default().bold());
    }
    document = document.line("-".repeat(columns));
    let draw_label = if content.draws.len() == 1 {
        "DRAW"
    } else {
        "DRAWS"
    };
    for (index, draw) in content.draws.iter().enumerate() {
        let label = if index == 0 { draw_label } else { "" };
        document = document.line(row(label, draw, columns));
    }
    let plays = content.plays.len();
    let draws = content.draws.len();
    document = document
        .line(fit(
            &format!(
                "{plays} PLAY(S) x {draws} DRAW(S) x {}",
                content.price_per_play
            ),
            columns,
        ))
        .styled_line(
            row("TOTAL", &content.total.to_string(), columns),
            TextStyle::default().bold(),
        )
        .line(row("ISSUED", &content.issued_at, columns))
        .line(row("TERMINAL", &content.terminal, columns))
        .line(row("RETAILER", &content.retailer, columns))
        .feed(1)
        .styled_line(content.validation_grouped.clone(), centered.bold())
        .code128(
            content.validation_digits.clone(),
            BARCODE_HEIGHT_DOTS,
            Align::Center,
        )
        .feed(1);
    document = centered_lines(document, &content.footer_lines, columns, false);
    document.feed(4).cut()
}

/// The cancellation slip or prize receipt for `content` on `profile`.
pub fn slip_document(content: &SlipContent, profile: &PrinterProfile) -> Document {
    let columns = profile.chars_per_line();
    let centered = TextStyle::default().aligned(Align::Center);
    let mut document = centered_lines(Document::new(), &content.header_lines, columns, true);
    document = document
        .styled_line(fit(&content.title, columns), centered.bold())
        .line("-".repeat(columns))
        .line(row(&content.game_name, &content.validation_shown, columns));
    for (label, amount) in &content.lines {
        document = document.line(row(label, &amount.to_string(), columns));
    }
    document
        .line("-".repeat(columns))
        .styled_line(
            row(&content.amount_label, &content.amount.to_string(), columns),
            TextStyle::default().bold(),
        )
        .line(row("AT", &content.at, columns))
        .line(row("TERMINAL", &content.terminal, columns))
        .feed(4)
        .cut()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> TicketContent {
        TicketContent {
            header_lines: vec!["MAIN ST POST".into()],
            game_name: "Pick 3".into(),
            reprint: 0,
            plays: vec![("7 0 7".into(), true), ("1 2 3".into(), false)],
            draws: vec!["2026-12-08 19:30 EST".into()],
            price_per_play: Money::from_mills(1000),
            total: Money::from_mills(2000),
            issued_at: "2026-12-08 14:02 EST".into(),
            terminal: "c-1".into(),
            retailer: "local".into(),
            validation_grouped: "1234-5678-9012-345".into(),
            validation_digits: "123456789012345".into(),
            footer_lines: vec![],
        }
    }

    fn texts(document: &Document) -> Vec<String> {
        document
            .blocks()
            .iter()
            .filter_map(|block| match block {
                super::super::Block::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_ticket_carries_what_the_rules_ask_and_a_reprint_says_so() {
        let profile = PrinterProfile::embedded("receipt-80mm").unwrap();
        let first = ticket_document(&content(), &profile);
        let lines = texts(&first);
        for wanted in [
            "PICK 3",
            "A 7 0 7",
            "QP",
            "TOTAL",
            "$2.00",
            "2026-12-08 19:30 EST",
            "TERMINAL",
            "RETAILER",
            "1234-5678-9012-345",
        ] {
            assert!(
                lines.iter().any(|l| l.contains(wanted)),
                "{wanted} missing from {lines:#?}"
            );
        }
        assert!(!lines.iter().any(|l| l.contains("REPRINT")));
        assert!(first.blocks().iter().any(
            |b| matches!(b, super::super::Block::Code128 { data, .. } if data == "123456789012345")
        ));
        let again = ticket_document(
            &TicketContent {
                reprint: 2,
                ..content()
            },
            &profile,
        );
        assert!(texts(&again).iter().any(|l| l.contains("REPRINT 2")));
    }
}
