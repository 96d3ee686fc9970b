//! The counter's one state machine: `update(&mut State, &Context, Action) -> Vec<Effect>`.
//!
//! Each step has its own handler (`weigh`, `piece` for destination and service, `customs`,
//! `checkout`
//! for basket, issuing and done, `payment`, `supervisor`). Handlers only change the state and
//! return effects; pricing is pure and happens here, while everything that waits (ZIP
//! lookups, payments, issuing, printing, voids, ledger reads) goes out as an effect and comes
//! back as an action. Time arrives the same way, as `Action::Tick`, so the timeouts are as
//! testable as the rest.

mod checkout;
mod customs;
mod done;
mod payment;
mod piece;
mod settle;
mod supervisor;
mod weigh;

pub use piece::COUNTER_EXTRAS;

use std::sync::Arc;

use super::action::{Action, Effect};
use super::pin::SupervisorPin;
use super::state::{Leave, Mode, Notice, State, Step};
use crate::rates::RateBook;

/// How long screens wait before moving on by themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// The done screen returns to the start after this long.
    pub done_ms: u64,
    /// Self-service: an unpaid sale left alone this long is dropped for the welcome screen.
    pub inactivity_ms: u64,
    /// The start screen left alone this long is a quiet moment to switch releases.
    pub quiet_ms: u64,
}

/// Read-only data the flow needs: the rate tables in force, the receipt's fixed lines, the
/// supervisor's PIN and the timeouts.
#[derive(Clone)]
pub struct Context {
    pub rates: Arc<RateBook>,
    pub receipt_header: Vec<String>,
    pub receipt_footer: Vec<String>,
    /// The return address and the mailer id of tracking numbers, for previews and receipts.
    pub label: crate::config::LabelSettings,
    /// `None` until a PIN is set with `postcounter pin set`: the supervisor screen stays shut.
    pub supervisor_pin: Option<SupervisorPin>,
    pub timeouts: Timeouts,
}

/// Applies `action` to `state` and returns the work the edge must do.
pub fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    if action.is_input() {
        state.last_input_ms = state.now_ms;
        // Help opens over any screen; the next key closes it and does nothing else.
        if action == Action::Help || state.help_open {
            state.help_open = action == Action::Help && !state.help_open;
            return Vec::new();
        }
        if let Some(pending) = state.confirming.take() {
            // Enter does what was asked; any other key keeps things as they are.
            if action == Action::Confirm {
                state.notice = None;
                return dispatch(state, context, pending);
            }
            state.notice = Some(Notice::Info("nothing changed".into()));
            return Vec::new();
        }
        if let Some(prompt) = confirmation_prompt(state, &action) {
            state.notice = Some(Notice::Info(prompt));
            state.confirming = Some(action);
            return Vec::new();
        }
    }
    dispatch(state, context, action)
}

/// The question asked before an action that cannot be taken back with one key, or `None`
/// for an action done at once.
fn confirmation_prompt(state: &State, action: &Action) -> Option<String> {
    let customer = state.mode == Mode::Kiosk;
    match (action, state.step) {
        (Action::Remove, Step::Basket) => {
            let item = state.basket.get(state.selected_item)?;
            Some(if customer {
                "Remove this item from your basket? Press {confirm} to remove it, any other key to keep it".to_string()
            } else {
                format!(
                    "remove {} from the basket? {{confirm}} removes it, any other key keeps it",
                    item.priced.description()
                )
            })
        }
        (Action::Quit, _) if may_quit(state) && !state.basket.is_empty() => Some(format!(
            "quit with {} unpaid piece(s) in the basket? They are dropped. {{confirm}} quits, any other key stays",
            state.basket.iter().map(|item| item.quantity).sum::<u32>()
        )),
        (Action::Confirm, Step::Supervisor) => {
            let supervisor = state.supervisor.as_ref().filter(|s| {
                s.unlocked && !s.busy && s.focus == crate::kiosk::state::SupervisorFocus::Refill
            })?;
            let amount = crate::money::Money::parse(&supervisor.refill_text)
                .ok()
                .filter(|amount| *amount > crate::money::Money::ZERO)?;
            Some(format!(
                "refill the PSD with {amount} from the account? {{confirm}} refills it, any other key keeps it"
            ))
        }
        (Action::VoidIssued, Step::Supervisor) => {
            let supervisor = state
                .supervisor
                .as_ref()
                .filter(|s| s.unlocked && !s.busy)?;
            let piece = supervisor
                .data
                .as_ref()?
                .recent
                .get(supervisor.selected_recent)
                .filter(|piece| !piece.voided)?;
            Some(format!(
                "void indicium {} ({}) for a refund of {}? {{confirm}} voids it, any other key keeps it",
                piece.serial, piece.product, piece.postage
            ))
        }
        _ => None,
    }
}

/// The state machine proper, once any confirmation is settled.
fn dispatch(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now_ms) => {
            state.now_ms = state.now_ms.max(now_ms);
            let effects = timeouts(state, context);
            if state.leave.is_some() && quiet(state, context) {
                state.left_for = state.leave;
                state.quit = true;
            }
            return effects;
        }
        Action::ReleaseDue(version) => {
            state.release_due = version;
            if matches!(state.leave, None | Some(Leave::Switch)) {
                state.leave = state.release_due.as_ref().map(|_| Leave::Switch);
            }
            return Vec::new();
        }
        Action::HealthCheckMissed => {
            // Leaving because the launcher is gone stays: nothing would roll back.
            if state.leave != Some(Leave::LauncherGone) {
                state.leave = Some(Leave::Unhealthy);
            }
            return Vec::new();
        }
        Action::LauncherGone => {
            state.leave = Some(Leave::LauncherGone);
            return Vec::new();
        }
        Action::HealthCheckPassed if state.leave == Some(Leave::Unhealthy) => {
            state.leave = state.release_due.as_ref().map(|_| Leave::Switch);
            return Vec::new();
        }
        Action::ScaleRead(reading) => {
            // A scale that has settled answers the error about it ("not stable yet"): the
            // weigh screen's error goes when no weight is typed, the scale's being the one.
            let settled = reading.as_ref().is_ok_and(|r| r.usable_weight().is_some());
            if settled
                && state.step == Step::Weigh
                && state.draft.weight_text.trim().is_empty()
                && matches!(state.notice, Some(Notice::Error(_)))
            {
                state.notice = None;
            }
            state.scale = Some(reading);
            return Vec::new();
        }
        Action::DateChanged(today) => {
            date_changed(state, context, today);
            return Vec::new();
        }
        Action::LinkChanged(status) => {
            state.link = Some(status);
            return Vec::new();
        }
        Action::RatesChanged => {
            rates_changed(state, context);
            return Vec::new();
        }
        Action::UnfinishedSaleRefunded(amount) => {
            state.notice = Some(Notice::Info(match state.mode {
                Mode::Counter => format!(
                    "{amount} of a sale cut short (the counter stopped before its postage was issued) went back to the card or account that paid"
                ),
                Mode::Kiosk => format!("{amount} of an earlier unfinished payment was refunded."),
            }));
            return Vec::new();
        }
        Action::Quit if may_quit(state) => {
            state.quit = true;
            return Vec::new();
        }
        Action::Supervisor if state.step != Step::Supervisor => {
            return supervisor::open(state);
        }
        _ => {}
    }
    // An error is acted on by typing again: it goes, and comes back if still true.
    if matches!(action, Action::Type(_) | Action::Erase)
        && matches!(state.notice, Some(Notice::Error(_)))
    {
        state.notice = None;
    }
    let (step_before, notice_before) = (state.step, state.notice.clone());
    let effects = match state.step {
        Step::Welcome => {
            if action.is_input() {
                state.step = Step::Weigh;
            }
            Vec::new()
        }
        Step::Weigh => weigh::update(state, action),
        Step::Destination | Step::Service => piece::update(state, context, action),
        Step::Customs => customs::update(state, context, action),
        Step::Payment => payment::update(state, action),
        Step::Basket | Step::Issuing | Step::Done => checkout::update(state, context, action),
        Step::Supervisor => supervisor::update(state, context, action),
    };
    // A notice belongs to the screen it was given on: leaving the screen clears it, unless
    // this very step left a new one (the next screen's own word).
    if state.step != step_before && state.notice == notice_before {
        state.notice = None;
    }
    effects
}

/// Quitting is refused while a paid sale is unfinished (its indicia must print first), and
/// at a self-service kiosk it is only for staff, from the supervisor screen.
fn may_quit(state: &State) -> bool {
    let sale_settled = !state.payment.accepted || state.step == Step::Done;
    let staff = match state.mode {
        Mode::Counter => true,
        Mode::Kiosk => state.supervisor.as_ref().is_some_and(|s| s.unlocked),
    };
    state.in_flight == 0 && !state.payment.pending && sale_settled && staff
}

/// A quiet moment to leave the counter for another release: the start screen, left alone
/// for the quiet time, with nothing typed, in the basket, paid or in flight. A sale is never
/// cut short for an update.
fn quiet(state: &State, context: &Context) -> bool {
    let idle_ms = state.now_ms.saturating_sub(state.last_input_ms);
    matches!(state.step, Step::Weigh | Step::Welcome)
        && idle_ms >= context.timeouts.quiet_ms
        && state.basket.is_empty()
        && state.draft.is_blank()
        && pan_empty(state)
        && state.in_flight == 0
        && !state.payment.accepted
        && !state.payment.pending
        && state.print_problem.is_none()
        && state.confirming.is_none()
        && state.supervisor.as_ref().is_none_or(|s| !s.unlocked)
}

/// No weight on the scale (or no scale): a piece on the pan means someone is at the counter.
fn pan_empty(state: &State) -> bool {
    match &state.scale {
        Some(Ok(reading)) => reading
            .weight
            .is_none_or(|weight| weight == crate::weight::Weight::ZERO),
        None | Some(Err(_)) => true,
    }
}

/// The done screen's return to the start, and the self-service inactivity timeout.
fn timeouts(state: &mut State, context: &Context) -> Vec<Effect> {
    let idle_ms = state.now_ms.saturating_sub(state.last_input_ms);
    match state.step {
        Step::Done => {
            let shown_ms = state
                .done_at_ms
                .map_or(0, |at| state.now_ms.saturating_sub(at));
            if shown_ms >= context.timeouts.done_ms && state.in_flight == 0 {
                done::next_customer(state);
            }
        }
        Step::Weigh
        | Step::Destination
        | Step::Service
        | Step::Customs
        | Step::Basket
        | Step::Payment
            if state.mode == Mode::Kiosk
                && idle_ms >= context.timeouts.inactivity_ms
                && !state.payment.accepted
                && !state.payment.pending =>
        {
            // Nothing was paid, so nothing is lost: the next customer starts afresh.
            done::next_customer(state);
        }
        Step::Supervisor if idle_ms >= context.timeouts.inactivity_ms => {
            // A supervisor who walks away must not leave the screen open.
            supervisor::close(state);
        }
        _ => {}
    }
    Vec::new()
}

/// Midnight: the new date is the date of mailing from now on. An unpaid basket is priced
/// again for it (a rate change takes effect at midnight too); once payment is taken, the
/// pieces keep the date they were paid for.
fn date_changed(state: &mut State, context: &Context, today: crate::date::Date) {
    if today <= state.today {
        return;
    }
    state.today = today;
    let Some(refused) = reprice_unpaid(state, context) else {
        state.price_change = context.rates.next_change_after(today);
        return;
    };
    state.notice = Some(if refused.is_empty() {
        Notice::Info(format!("the date is now {today}: pieces are mailed on it"))
    } else {
        Notice::Error(format!(
            "the date is now {today}; removed from the basket: {}",
            refused.join("; ")
        ))
    });
}

/// New rate tables from the data centre (the context prices with them now): a staged one
/// is announced, and an unpaid basket is priced again, as at midnight.
fn rates_changed(state: &mut State, context: &Context) {
    let Some(refused) = reprice_unpaid(state, context) else {
        state.price_change = context.rates.next_change_after(state.today);
        return;
    };
    if !refused.is_empty() {
        state.notice = Some(Notice::Error(format!(
            "new rate tables from the data centre; removed from the basket: {}",
            refused.join("; ")
        )));
    }
}

/// Prices the unpaid basket again for `state.today` with the context's tables and notes the
/// coming price change; the pieces that no longer price are dropped, with why. `None` once
/// payment is taken: the pieces keep the date and price they were paid for.
fn reprice_unpaid(state: &mut State, context: &Context) -> Option<Vec<String>> {
    if state.payment.accepted || state.payment.pending {
        return None;
    }
    let today = state.today;
    state.price_change = context.rates.next_change_after(today);
    let mut refused = Vec::new();
    state.basket.retain_mut(|item| {
        if !item.issued.is_empty() {
            return true;
        }
        let request = crate::rates::SaleRequest {
            mailing_date: today,
            ..item.priced.request.clone()
        };
        match crate::rates::price_piece(&context.rates, &request) {
            Ok(priced) => {
                item.priced = priced;
                true
            }
            Err(error) => {
                refused.push(error.to_string());
                false
            }
        }
    });
    state.selected_item = state
        .selected_item
        .min(state.basket.len().saturating_sub(1));
    if state.step == Step::Service {
        piece::quote(state, context);
    }
    Some(refused)
}

/// Appends a typed character to a field if it is one of `allowed`, up to `max_chars`.
fn type_into(field: &mut String, c: char, allowed: impl Fn(char) -> bool, max_chars: usize) {
    if allowed(c) && field.chars().count() < max_chars {
        field.push(c);
    }
}
