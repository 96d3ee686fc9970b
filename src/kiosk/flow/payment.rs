//! Payment: cash with change, a card, or a postage account. Nothing is issued before the
//! payment is accepted.
//!
//! A card or account payment goes to the processor as an effect under an idempotency key
//! (the sale id and the attempt number). Its answer comes back as `Action::Charged`; an
//! "unavailable" answer keeps the attempt number, so sending the same payment again cannot
//! charge twice, while a decline moves on to a fresh attempt. The card number and the PIN
//! leave the state the moment they are sent.

use super::checkout::issue_missing;
use super::type_into;
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::state::{Mode, Notice, Payment, PaymentMethod, State, Step};
use crate::money::Money;
use crate::payment::{AccountNumber, CardNumber, Expiry};

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    if state.payment.pending {
        return match action {
            Action::Charged(answer) => charged(state, answer),
            _ => Vec::new(),
        };
    }
    let offered = state.payment_methods();
    let payment = &mut state.payment;
    match action {
        Action::PayBy(method) if offered.contains(&method) => choose(payment, method),
        Action::PayBy(method) => {
            state.notice = Some(Notice::Error(format!(
                "{} is not taken here",
                method.name()
            )));
        }
        Action::Left | Action::Right => {
            let at = offered
                .iter()
                .position(|m| *m == payment.method)
                .unwrap_or(0);
            let by = if action == Action::Right {
                1
            } else {
                offered.len() - 1
            };
            choose(payment, offered[(at + by) % offered.len()]);
        }
        Action::NextField | Action::PreviousField if payment.method != PaymentMethod::Cash => {
            payment.field = 1 - payment.field.min(1);
        }
        Action::Type(c) => type_field(payment, c),
        Action::Erase => {
            focused_field(payment).pop();
            payment.tendered = Money::parse(&payment.tendered_text).ok();
        }
        Action::Back => {
            // Answered attempts stay counted: a declined charge id is never sent again, so
            // the next card is not refused as a reused request.
            let attempts = state.payment.attempts;
            state.payment = Payment {
                attempts,
                ..state.new_payment()
            };
            state.step = Step::Basket;
        }
        Action::Confirm => return confirm(state),
        _ => {}
    }
    Vec::new()
}

fn choose(payment: &mut Payment, method: PaymentMethod) {
    if payment.method != method {
        payment.method = method;
        payment.field = 0;
    }
}

fn focused_field(payment: &mut Payment) -> &mut String {
    match (payment.method, payment.field) {
        (PaymentMethod::Cash, _) => &mut payment.tendered_text,
        (PaymentMethod::Card, 0) => &mut payment.card_text,
        (PaymentMethod::Card, _) => &mut payment.expiry_text,
        (PaymentMethod::Account, 0) => &mut payment.account_text,
        (PaymentMethod::Account, _) => &mut payment.pin_text,
    }
}

fn type_field(payment: &mut Payment, c: char) {
    let (allowed, max_chars): (fn(char) -> bool, usize) = match (payment.method, payment.field) {
        // Every printable key goes in: "-5" is refused as typed, never taken as 5.
        (PaymentMethod::Cash, _) => (|c| !c.is_control(), 16),
        (PaymentMethod::Card, 0) => (|c| c.is_ascii_digit(), 19),
        (PaymentMethod::Card, _) => (|c| c.is_ascii_digit() || c == '/', 7),
        (PaymentMethod::Account, 0) => (|c| c.is_ascii_digit(), 12),
        (PaymentMethod::Account, _) => (|c| c.is_ascii_digit(), 8),
    };
    type_into(focused_field(payment), c, allowed, max_chars);
    payment.tendered = Money::parse(&payment.tendered_text).ok();
}

fn confirm(state: &mut State) -> Vec<Effect> {
    let total = state.basket_total();
    if !state.payment_methods().contains(&state.payment.method) {
        // Not reachable from the keys; the flow refuses it all the same.
        state.notice = Some(Notice::Error(format!(
            "{} is not taken here",
            state.payment.method.name()
        )));
        return Vec::new();
    }
    match state.payment.method {
        PaymentMethod::Cash => cash(state, total),
        PaymentMethod::Card => card(state, total),
        PaymentMethod::Account => account(state, total),
    }
}

fn cash(state: &mut State, total: Money) -> Vec<Effect> {
    // An empty tender means exact cash.
    let tendered = if state.payment.tendered_text.is_empty() {
        Some(total)
    } else {
        state.payment.tendered
    };
    match tendered {
        Some(cash) if cash >= total => {
            state.payment.tendered = Some(cash);
            let mut effects = vec![Effect::OpenDrawer];
            effects.extend(accept(state));
            effects
        }
        Some(cash) => {
            state.notice = Some(Notice::Error(format!(
                "cash {cash} does not cover the total {total}"
            )));
            Vec::new()
        }
        None => {
            state.notice = Some(Notice::Error(format!(
                "{:?} is not an amount of money: type dollars and cents, like 20 or 12.50",
                state.payment.tendered_text
            )));
            Vec::new()
        }
    }
}

fn card(state: &mut State, amount: Money) -> Vec<Effect> {
    let payment = &mut state.payment;
    let nothing_typed = payment.card_text.is_empty() && payment.expiry_text.is_empty();
    if let Some((card, expiry)) = payment.retry_card.clone().filter(|_| nothing_typed) {
        payment.pending = true;
        state.notice = Some(Notice::Info(format!(
            "asking the card processor again for {amount} …"
        )));
        return vec![Effect::ChargeCard {
            sale_id: state.sale_id.clone(),
            charge_id: payment.charge_id(&state.sale_id),
            card,
            expiry,
            amount,
        }];
    }
    let checked = CardNumber::parse(&payment.card_text).and_then(|card| {
        let expiry = Expiry::parse(&payment.expiry_text)?;
        expiry.check(state.today)?;
        Ok((card, expiry))
    });
    match checked {
        Ok((card, expiry)) => {
            payment.card_text.clear();
            payment.expiry_text.clear();
            payment.field = 0;
            payment.pending = true;
            payment.retry_card = Some((card.clone(), expiry));
            state.notice = Some(Notice::Info(format!(
                "asking the card processor for {amount} …"
            )));
            vec![Effect::ChargeCard {
                sale_id: state.sale_id.clone(),
                charge_id: payment.charge_id(&state.sale_id),
                card,
                expiry,
                amount,
            }]
        }
        Err(error) => {
            state.notice = Some(Notice::Error(error.to_string()));
            Vec::new()
        }
    }
}

fn account(state: &mut State, amount: Money) -> Vec<Effect> {
    let payment = &mut state.payment;
    let account = match AccountNumber::parse(&payment.account_text) {
        Ok(account) => account,
        Err(error) => {
            state.notice = Some(Notice::Error(error.to_string()));
            return Vec::new();
        }
    };
    if payment.pin_text.is_empty() {
        payment.field = 1;
        state.notice = Some(Notice::Error("type the account's PIN".into()));
        return Vec::new();
    }
    let pin = std::mem::take(&mut payment.pin_text);
    payment.field = 1;
    payment.pending = true;
    state.notice = Some(Notice::Info(format!(
        "charging {amount} to the postage account …"
    )));
    vec![Effect::ChargeAccount {
        sale_id: state.sale_id.clone(),
        charge_id: payment.charge_id(&state.sale_id),
        account,
        pin,
        amount,
    }]
}

fn charged(
    state: &mut State,
    answer: Result<crate::kiosk::state::PaidBy, crate::kiosk::state::ChargeRefusal>,
) -> Vec<Effect> {
    state.payment.pending = false;
    if !answer.as_ref().is_err_and(|refusal| refusal.retryable) {
        // A final answer: the card is not needed again.
        state.payment.retry_card = None;
    }
    match answer {
        Ok(paid_by) => {
            state.payment.paid_by = Some(paid_by);
            state.payment.attempts += 1;
            accept(state)
        }
        Err(refusal) => {
            if !refusal.retryable {
                state.payment.attempts += 1;
            }
            // The processor's words already say what to do; a customer is told plainly.
            state.notice = Some(Notice::Error(match (state.mode, refusal.retryable) {
                (Mode::Counter, true) => format!(
                    "payment not taken: {}. Press {{confirm}} to try again: the customer is not charged twice",
                    refusal.reason
                ),
                (Mode::Counter, false) => format!("payment not taken: {}", refusal.reason),
                (Mode::Kiosk, true) => "Your payment did not go through just now. Press {confirm} to try again: you are not charged twice.".into(),
                (Mode::Kiosk, false) => "Your payment was not accepted. Please try another card or a postage account.".into(),
            }));
            Vec::new()
        }
    }
}

/// The payment is taken: the basket is sold, and its indicia are requested.
fn accept(state: &mut State) -> Vec<Effect> {
    state.payment.accepted = true;
    state.notice = None;
    state.step = Step::Issuing;
    issue_missing(state)
}
