//! The counter's one state machine: `update(&mut State, &Context, Action) -> Vec<Effect>`.
//!
//! Each step has its own handler (`piece` for weighing, destination and service; `checkout`
//! for basket, payment, issuing and done). Handlers only change the state and return effects;
//! pricing is pure and happens here, while everything that waits (ZIP lookups, issuing,
//! printing, voids) goes out as an effect and comes back as an action.

mod checkout;
mod piece;

pub use piece::COUNTER_EXTRAS;

use std::sync::Arc;

use super::action::{Action, Effect};
use super::state::{State, Step};
use crate::rates::RateBook;

/// Read-only data the flow needs: the rate tables in force and the receipt's fixed lines.
#[derive(Clone)]
pub struct Context {
    pub rates: Arc<RateBook>,
    pub receipt_header: Vec<String>,
    pub receipt_footer: Vec<String>,
}

/// Applies `action` to `state` and returns the work the edge must do.
pub fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    // Quitting is refused while a paid sale is unfinished: its indicia must print first.
    let sale_settled = !state.payment.accepted || state.step == Step::Done;
    if action == Action::Quit && state.in_flight == 0 && sale_settled {
        state.quit = true;
        return Vec::new();
    }
    if let Action::ScaleRead(reading) = action {
        state.scale = Some(reading);
        return Vec::new();
    }
    match state.step {
        Step::Weigh | Step::Destination | Step::Service => piece::update(state, context, action),
        Step::Basket | Step::Payment | Step::Issuing | Step::Done => {
            checkout::update(state, context, action)
        }
    }
}

/// Appends a typed character to a field if it is one of `allowed`, up to `max_chars`.
fn type_into(field: &mut String, c: char, allowed: impl Fn(char) -> bool, max_chars: usize) {
    if allowed(c) && field.chars().count() < max_chars {
        field.push(c);
    }
}
