//! The customer's receipt: items, total, tenders, change and the serials of the indicia sold.
//!
//! Amounts are right-aligned in a column computed from the profile's characters per line, so
//! the same receipt reads well on 58 mm and 80 mm paper; a description that does not fit is
//! cut rather than wrapped, so that an amount never moves to a line of its own. Cards appear
//! only as `CARD ****1234`: the tender type can hold nothing more ([`CardLast4`]).

use crate::money::Money;

use super::card::CardLast4;
use super::document::TextStyle;
use super::{Align, Document, PrinterProfile};

/// One line of the sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptItem {
    pub description: String,
    pub quantity: u32,
    /// The amount for the whole line (quantity included).
    pub amount: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenderKind {
    Cash,
    Card,
    Account,
}

/// One way the customer paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tender {
    pub kind: TenderKind,
    pub amount: Money,
    pub card_last4: Option<CardLast4>,
}

/// Everything printed on a receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptContent {
    pub header_lines: Vec<String>,
    pub items: Vec<ReceiptItem>,
    pub total: Money,
    pub tenders: Vec<Tender>,
    pub change: Money,
    pub indicium_serials: Vec<String>,
    pub footer_lines: Vec<String>,
    /// Kick the cash drawer after printing (the flow decides: cash was taken or given).
    pub open_drawer: bool,
}

/// The receipt document for `content` on the printer `profile`.
pub fn receipt_document(content: &ReceiptContent, profile: &PrinterProfile) -> Document {
    let columns = profile.chars_per_line();
    let centered = TextStyle::default().aligned(Align::Center);
    let mut document = Document::new();
    for line in &content.header_lines {
        document = document.styled_line(fit(line, columns), centered.bold());
    }
    let rule = "-".repeat(columns);
    document = document.line(rule.clone());
    for item in &content.items {
        let description = if item.quantity == 1 {
            item.description.clone()
        } else {
            format!("{} x {}", item.quantity, item.description)
        };
        document = document.line(row(&description, &item.amount.to_string(), columns));
    }
    document = document.line(rule).styled_line(
        row("TOTAL", &content.total.to_string(), columns),
        TextStyle::default().bold(),
    );
    for tender in &content.tenders {
        document = document.line(row(
            &tender_label(tender),
            &tender.amount.to_string(),
            columns,
        ));
    }
    document = document.line(row("CHANGE", &content.change.to_string(), columns));
    if !content.indicium_serials.is_empty() {
        document = document.feed(1);
    }
    for serial in &content.indicium_serials {
        document = document.line(row("INDICIUM", serial, columns));
    }
    document = document.feed(1);
    for line in &content.footer_lines {
        document = document.styled_line(fit(line, columns), centered);
    }
    document = document.feed(4).cut();
    if content.open_drawer {
        document = document.open_drawer();
    }
    document
}

fn tender_label(tender: &Tender) -> String {
    match (tender.kind, tender.card_last4) {
        (TenderKind::Cash, _) => "CASH".to_string(),
        (TenderKind::Card, Some(last4)) => format!("CARD {}", last4.masked()),
        (TenderKind::Card, None) => "CARD".to_string(),
        (TenderKind::Account, _) => "ACCOUNT".to_string(),
    }
}

/// `left` and `right` on one line of `columns` characters, `right` flush right; `left` is
/// cut to leave at least one space between them.
fn row(left: &str, right: &str, columns: usize) -> String {
    let right = fit(right, columns);
    let right_len = right.chars().count();
    let left = fit(left, columns.saturating_sub(right_len + 1));
    let gap = columns.saturating_sub(left.chars().count() + right_len);
    format!("{left}{}{right}", " ".repeat(gap))
}

/// `text` without control characters (the encoder would drop them anyway, and they take no
/// cell), cut to `columns` characters.
fn fit(text: &str, columns: usize) -> String {
    text.chars()
        .filter(|character| !character.is_control())
        .take(columns)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_stays_flush_right_when_the_description_is_too_long() {
        let line = row(&"PRIORITY MAIL ".repeat(5), "$10.40", 32);
        assert_eq!(line.chars().count(), 32);
        assert!(line.ends_with(" $10.40"));
    }

    #[test]
    fn a_card_tender_shows_only_the_masked_last_four_digits() {
        let tender = Tender {
            kind: TenderKind::Card,
            amount: Money::from_cents(500),
            card_last4: Some(CardLast4::parse("1234").expect("last 4")),
        };
        assert_eq!(tender_label(&tender), "CARD ****1234");
    }

    #[test]
    fn a_short_row_is_padded_to_the_full_width() {
        assert_eq!(row("CASH", "$5.00", 16), "CASH       $5.00");
    }
}
