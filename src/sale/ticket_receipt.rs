//! The sale receipt of tickets paid in cash: the same receipt as postage's, its items the
//! tickets (a lottery ticket by the last four digits of its number only).

use crate::money::Money;
use crate::print::receipt::{ReceiptContent, ReceiptItem, Tender};

/// A ticket sale as its receipt prints it.
pub struct TicketSale {
    pub header_lines: Vec<String>,
    pub footer_lines: Vec<String>,
    pub issued_at: String,
    pub transaction: String,
    /// Each ticket: its description and price.
    pub items: Vec<(String, Money)>,
    pub tendered: Money,
}

/// The receipt of `sale`, or `None` when the total overflows or the cash does not cover it.
pub fn ticket_receipt(sale: TicketSale) -> Option<ReceiptContent> {
    let total = Money::checked_sum(sale.items.iter().map(|(_, amount)| *amount))?;
    let change = sale
        .tendered
        .checked_sub(total)
        .filter(|c| !c.is_negative())?;
    Some(ReceiptContent {
        header_lines: sale.header_lines,
        issued_at: Some(sale.issued_at),
        transaction: sale.transaction,
        items: sale
            .items
            .into_iter()
            .map(|(description, amount)| ReceiptItem {
                description,
                quantity: 1,
                amount,
                notes: Vec::new(),
            })
            .collect(),
        total,
        tenders: vec![Tender::cash(sale.tendered)],
        change: Some(change),
        indicium_serials: Vec::new(),
        footer_lines: sale.footer_lines,
        open_drawer: true,
    })
}
