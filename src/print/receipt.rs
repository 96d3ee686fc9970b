//! The customer's receipt: the office, the date and time, the transaction number, each
//! item with where it goes and its extra services, the total, the tenders (a card's brand,
//! last 4 digits and approval code; an account's remaining balance), change for cash only,
//! and the serials of the indicia sold.
//!
//! Amounts are right-aligned in a column computed from the profile's characters per line, so
//! the same receipt reads well on 58 mm and 80 mm paper. Nothing is cut: a description that
//! does not fit wraps onto indented lines below it, the amount staying on its first line.
//! Cards appear only as `VISA ****1234`: the tender type can hold nothing more
//! ([`CardLast4`]).

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
    /// Lines printed under the item without an amount: where it goes, a declared value, a
    /// tracking number.
    pub notes: Vec<String>,
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
    /// The card's brand (`VISA`).
    pub card_brand: Option<String>,
    /// The processor's approval code of a card or account charge.
    pub approval_code: Option<String>,
    /// The postage account charged, as it may be shown (`account 1234 5678 9`).
    pub account: Option<String>,
    /// What is left on that account after the charge.
    pub balance_after: Option<Money>,
}

impl Tender {
    /// Cash handed over.
    pub fn cash(amount: Money) -> Tender {
        Tender {
            kind: TenderKind::Cash,
            amount,
            card_last4: None,
            card_brand: None,
            approval_code: None,
            account: None,
            balance_after: None,
        }
    }
}

/// Everything printed on a receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptContent {
    /// The office: the counter's name and address.
    pub header_lines: Vec<String>,
    /// The local date and time of the sale (`2026-12-06 09:14 EST`); the edge that prints
    /// the receipt fills it in from its clock.
    pub issued_at: Option<String>,
    /// The transaction number: the sale's id, which its idempotency keys are made from.
    pub transaction: String,
    pub items: Vec<ReceiptItem>,
    pub total: Money,
    pub tenders: Vec<Tender>,
    /// Change given; `None` when nothing was paid in cash (no CHANGE line).
    pub change: Option<Money>,
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
    for line in content.header_lines.iter().flat_map(|l| wrap(l, columns)) {
        document = document.styled_line(line, centered.bold());
    }
    if let Some(issued_at) = &content.issued_at {
        document = document.styled_line(fit(issued_at, columns), centered);
    }
    let mut lines: Vec<String> = wrap(&format!("TRANSACTION {}", content.transaction), columns);
    lines.push("-".repeat(columns));
    for item in &content.items {
        let description = if item.quantity == 1 {
            item.description.clone()
        } else {
            format!("{} x {}", item.quantity, item.description)
        };
        lines.extend(rows(&description, &item.amount.to_string(), columns));
        let indent = description.len() - description.trim_start().len();
        for note in &item.notes {
            let pad = " ".repeat(indent);
            lines.extend(
                indented(note, columns.saturating_sub(indent))
                    .into_iter()
                    .map(|line| format!("{pad}{line}")),
            );
        }
    }
    lines.push("-".repeat(columns));
    for line in lines {
        document = document.line(line);
    }
    document = document.styled_line(
        row("TOTAL", &content.total.to_string(), columns),
        TextStyle::default().bold(),
    );
    for tender in &content.tenders {
        for line in tender_lines(tender, columns) {
            document = document.line(line);
        }
    }
    if let Some(change) = content.change {
        document = document.line(row("CHANGE", &change.to_string(), columns));
    }
    if !content.indicium_serials.is_empty() {
        document = document.feed(1);
    }
    for serial in &content.indicium_serials {
        document = document.line(row("INDICIUM", serial, columns));
    }
    document = document.feed(1);
    for line in content.footer_lines.iter().flat_map(|l| wrap(l, columns)) {
        document = document.styled_line(line, centered);
    }
    document = document.feed(4).cut();
    if content.open_drawer {
        document = document.open_drawer();
    }
    document
}

/// The tender's row, then its approval code or the account and its balance.
fn tender_lines(tender: &Tender, columns: usize) -> Vec<String> {
    let mut lines = rows(&tender_label(tender), &tender.amount.to_string(), columns);
    if let Some(code) = &tender.approval_code {
        lines.extend(indented(&format!("APPROVAL {code}"), columns));
    }
    if let Some(account) = &tender.account {
        lines.extend(indented(account, columns));
    }
    if let Some(balance) = tender.balance_after {
        lines.extend(rows("  BALANCE", &balance.to_string(), columns));
    }
    lines
}

fn tender_label(tender: &Tender) -> String {
    let brand = tender.card_brand.as_deref().unwrap_or("CARD");
    match (tender.kind, tender.card_last4) {
        (TenderKind::Cash, _) => "CASH".to_string(),
        (TenderKind::Card, Some(last4)) => format!("{brand} {}", last4.masked()),
        (TenderKind::Card, None) => brand.to_string(),
        (TenderKind::Account, _) => "POSTAGE ACCOUNT".to_string(),
    }
}

/// `left` and `right` on one line of `columns` characters, `right` flush right; a `left`
/// too long for one line wraps onto indented lines below.
pub(super) fn rows(left: &str, right: &str, columns: usize) -> Vec<String> {
    let right = fit(right, columns);
    let right_len = right.chars().count();
    // A leading indent (an extra service under its piece) is kept on the first line.
    let indent = left.len() - left.trim_start_matches(' ').len();
    let first_width = columns.saturating_sub(right_len + 1 + indent).max(1);
    let words: Vec<String> = wrap(left, first_width)
        .into_iter()
        .enumerate()
        .map(|(n, line)| {
            if n == 0 {
                format!("{}{line}", " ".repeat(indent))
            } else {
                line
            }
        })
        .collect();
    let (first, rest) = match words.split_first() {
        Some((first, rest)) => (first.clone(), rest.join(" ")),
        None => (String::new(), String::new()),
    };
    let gap = columns.saturating_sub(first.chars().count() + right_len);
    let mut lines = vec![format!("{first}{}{right}", " ".repeat(gap))];
    if !rest.is_empty() {
        lines.extend(indented(&rest, columns));
    }
    lines
}

/// One row that fits (for short labels such as CHANGE).
pub(super) fn row(left: &str, right: &str, columns: usize) -> String {
    rows(left, right, columns).join(" ")
}

/// `text` wrapped two spaces in.
pub(super) fn indented(text: &str, columns: usize) -> Vec<String> {
    wrap(text, columns.saturating_sub(2).max(1))
        .into_iter()
        .map(|line| format!("  {line}"))
        .collect()
}

/// `text` without control characters, broken at spaces into lines of at most `width`
/// characters; a word longer than a line is broken inside.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in clean.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while !word.is_empty() {
            let used = line.chars().count();
            let room = if used == 0 {
                width
            } else {
                width.saturating_sub(used + 1)
            };
            if word.len() <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word.drain(..));
            } else if used > 0 {
                lines.push(std::mem::take(&mut line));
            } else {
                line.extend(word.drain(..width.max(1)));
                lines.push(std::mem::take(&mut line));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` without control characters (the encoder would drop them anyway, and they take no
/// cell), cut to `columns` characters: for a line that is never long (a date and time).
pub(super) fn fit(text: &str, columns: usize) -> String {
    text.chars()
        .filter(|character| !character.is_control())
        .take(columns)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_stays_flush_right_and_a_long_description_wraps_below_it() {
        let lines = rows(&"PRIORITY MAIL ".repeat(5), "$10.40", 32);
        assert!(lines[0].ends_with(" $10.40"), "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 32), "{lines:?}");
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(
            words.iter().filter(|w| **w == "PRIORITY").count(),
            5,
            "{lines:?}"
        );
        assert!(!words.contains(&"$10.40 "), "{lines:?}");
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_not_cut() {
        let lines = wrap("ABCDEFGHIJ", 4);
        assert_eq!(lines, ["ABCD", "EFGH", "IJ"]);
    }

    #[test]
    fn a_card_tender_shows_only_the_brand_and_the_masked_last_four_digits() {
        let tender = Tender {
            kind: TenderKind::Card,
            card_last4: Some(CardLast4::parse("1234").expect("last 4")),
            card_brand: Some("VISA".into()),
            approval_code: Some("A1B2C3".into()),
            ..Tender::cash(Money::from_cents(500))
        };
        assert_eq!(tender_label(&tender), "VISA ****1234");
        let lines = tender_lines(&tender, 32);
        assert_eq!(
            lines,
            ["VISA ****1234              $5.00", "  APPROVAL A1B2C3"]
        );
    }

    #[test]
    fn a_short_row_is_padded_to_the_full_width() {
        assert_eq!(row("CASH", "$5.00", 16), "CASH       $5.00");
    }
}
