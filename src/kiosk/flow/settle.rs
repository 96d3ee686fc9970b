//! A paid sale that cannot be completed: the data centre refused a piece for good (a price
//! that changed, a used label, a locked PSD), or the clerk or customer stopped waiting for
//! one that could not be issued now. What was issued stays sold and printed; what was not
//! leaves the basket and its price goes back the way it was paid, and the sale ends on the
//! done screen, which a customer can leave. Nothing is ever issued to make up for it.

use super::Context;
use super::checkout::finish_if_done;
use crate::kiosk::action::{Effect, IssueFailure, IssueFailureKind};
use crate::kiosk::state::{Mode, Notice, State};
use crate::money::Money;

/// A piece was not issued: a refusal ends the sale once nothing is in flight; anything
/// else may work on a second try.
pub(super) fn issue_failed(
    state: &mut State,
    context: &Context,
    failure: IssueFailure,
) -> Vec<Effect> {
    match failure.kind {
        IssueFailureKind::Refused => {
            state.sale_refusal = Some(failure.message);
            settle_when_quiet(state, context)
        }
        IssueFailureKind::NotNow => {
            state.notice = Some(Notice::Error(match state.mode {
                Mode::Counter => format!(
                    "not issued: {}. Press {{confirm}} to try again (no piece is issued twice), or {{back}} to stop and refund what was not issued",
                    failure.message
                ),
                Mode::Kiosk => "Your postage could not be printed just now. Press {confirm} to try again, or {back} to stop: you get back what was not printed.".into(),
            }));
            Vec::new()
        }
        IssueFailureKind::PrinterNotReady(problem) => {
            state.notice = Some(Notice::Error(match state.mode {
                Mode::Counter => format!(
                    "nothing issued: the label printer {problem}. Then press {{confirm}} to issue (no piece is issued twice), or {{back}} to stop and refund what was not issued"
                ),
                Mode::Kiosk => "The printer needs attention, so your postage was not printed yet. Please ask a member of staff, then press {confirm} to try again, or {back} to stop: you get back what was not printed.".into(),
            }));
            Vec::new()
        }
    }
}

/// Esc while issuing: stop asking for the pieces not issued yet and refund them.
pub(super) fn stop(state: &mut State, context: &Context) -> Vec<Effect> {
    if state.in_flight > 0 || state.print_problem.is_some() || unissued_total(state).is_none() {
        return Vec::new();
    }
    state.sale_refusal = Some("stopped before every piece was issued".into());
    settle_when_quiet(state, context)
}

/// Settles a refused sale once no piece is in flight: drops what was not issued and
/// refunds its price, then finishes the sale.
pub(super) fn settle_when_quiet(state: &mut State, context: &Context) -> Vec<Effect> {
    if state.in_flight > 0 {
        return Vec::new();
    }
    let Some(reason) = state.sale_refusal.take() else {
        return Vec::new();
    };
    let amount = unissued_total(state).unwrap_or(Money::ZERO);
    for item in &mut state.basket {
        item.quantity = u32::try_from(item.issued.len()).unwrap_or(u32::MAX);
    }
    state.basket.retain(|item| item.quantity > 0);
    let mut effects = Vec::new();
    let refunded = match &state.payment.paid_by {
        Some(paid_by) if amount.mills() > 0 => {
            state.in_flight += 1;
            effects.push(Effect::Refund {
                paid_by: Box::new(paid_by.clone()),
                refund_id: format!("{}-refund-unissued", paid_by.charge_id),
                amount,
            });
            format!("{amount} is being refunded to the card or account that paid")
        }
        Some(_) => "nothing was charged for it".to_string(),
        None => format!("give {amount} back in cash (the change due includes it)"),
    };
    state.notice = Some(Notice::Error(match state.mode {
        Mode::Counter => format!("the sale could not be completed: {reason}; {refunded}"),
        // A customer is not given the data centre's reasons: staff have them in the log.
        Mode::Kiosk => format!("Sorry: some postage could not be printed. {refunded}."),
    }));
    effects.extend(finish_if_done(state, context));
    effects
}

/// The price of every piece paid for and not issued; `None` when every piece was issued.
fn unissued_total(state: &State) -> Option<Money> {
    let mut total = Money::ZERO;
    let mut any = false;
    for item in &state.basket {
        let missing = item
            .quantity
            .saturating_sub(u32::try_from(item.issued.len()).ok()?);
        for _ in 0..missing {
            total = total.checked_add(item.priced.total)?;
            any = true;
        }
    }
    any.then_some(total)
}
