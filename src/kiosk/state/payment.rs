//! The payment step's data: cash tendered, a card being typed, or a postage account.
//!
//! A card number lives here only while it is typed: the moment it is sent for approval the
//! field is cleared, and from then on the sale knows the card by its last four digits. The
//! screen never shows more than those four either (the rest is drawn as dots).

use crate::money::Money;
use crate::print::card::CardLast4;

/// How the customer pays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaymentMethod {
    #[default]
    Cash,
    Card,
    Account,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] = [
        PaymentMethod::Cash,
        PaymentMethod::Card,
        PaymentMethod::Account,
    ];
    /// What a station takes without someone (or a device) to take the cash.
    pub const WITHOUT_CASH: [PaymentMethod; 2] = [PaymentMethod::Card, PaymentMethod::Account];

    pub fn name(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::Card => "Card",
            PaymentMethod::Account => "Postage account",
        }
    }
}

/// An approved card or account payment: what the receipt and a refund need, nothing more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidBy {
    pub method: PaymentMethod,
    /// The idempotency key the payment was taken under (refunds name it).
    pub charge_id: String,
    /// "VISA •••• 4242" or "account 1234 5678 9": safe to show and print.
    pub reference: String,
    pub card_last4: Option<CardLast4>,
    pub approval_code: String,
    pub amount: Money,
    /// A card's brand as the receipt prints it (`VISA`).
    pub card_brand: Option<String>,
    /// A postage account's balance after the charge.
    pub balance_after: Option<Money>,
}

/// Why a card or account payment was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeRefusal {
    pub reason: String,
    /// The processor could not be reached: the same charge may be sent again unchanged.
    pub retryable: bool,
}

/// The payment being taken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payment {
    pub method: PaymentMethod,
    /// Which field of the method takes typed characters (card: number, expiry; account:
    /// number, PIN).
    pub field: usize,
    pub tendered_text: String,
    pub tendered: Option<Money>,
    /// Digits of a card number being typed; cleared when it is sent.
    pub card_text: String,
    pub expiry_text: String,
    pub account_text: String,
    /// A postage account's PIN being typed; cleared when it is sent.
    pub pin_text: String,
    /// A card or account payment is with the processor: keys wait for its answer.
    pub pending: bool,
    /// Attempts that got a final answer; the next attempt's charge id counts from it, while
    /// a retry after "unavailable" keeps the same id, so the processor charges once.
    pub attempts: u32,
    /// The card of an attempt that got no final answer, kept in memory (never on disk or
    /// screen) so that Confirm sends the same charge again without retyping it.
    pub retry_card: Option<(crate::payment::CardNumber, crate::payment::Expiry)>,
    pub paid_by: Option<PaidBy>,
    /// Set once the payment is accepted: from then on the basket is sold and cannot change.
    pub accepted: bool,
}

impl Payment {
    /// The idempotency key of the current card or account attempt of sale `sale_id`.
    pub fn charge_id(&self, sale_id: &str) -> String {
        format!("{sale_id}-charge{}", self.attempts + 1)
    }

    /// The typed card number as the screen may show it: dots, then the last four digits.
    pub fn card_masked(&self) -> String {
        let digits: Vec<char> = self
            .card_text
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let shown = digits.len().saturating_sub(4);
        digits
            .iter()
            .enumerate()
            .map(|(index, digit)| if index < shown { '•' } else { *digit })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_card_number_shows_only_its_last_four_digits() {
        let payment = Payment {
            card_text: "4242424242421234".into(),
            ..Payment::default()
        };
        assert_eq!(payment.card_masked(), "••••••••••••1234");
        let short = Payment {
            card_text: "42".into(),
            ..Payment::default()
        };
        assert_eq!(short.card_masked(), "42");
    }
}
