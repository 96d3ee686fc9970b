//! Basket, issuing and done: turning priced pieces into printed indicia.
//!
//! Nothing is issued before the payment is accepted, and each piece is asked for once per
//! press of Confirm at most: while requests are in flight Confirm does nothing, and a retry
//! after a failure reuses the piece's request id, so the PSD answers with the same indicium
//! rather than a second one. A label that fails to print is reprinted from the same
//! indicium or voided; it is never issued again.

use super::{Context, done, settle};
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::preview::LabelPreview;
use crate::kiosk::state::{
    BasketItem, IssuedPiece, Mode, Notice, PaymentMethod, PrintProblem, State, Step,
};
use crate::kiosk::wording::{printer_failure, remote_failure};

pub(super) use done::{finish_if_done, refund_failed};

/// The most identical pieces one basket line takes.
pub const QUANTITY_MAX: u32 = 99;

pub(super) fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    match state.step {
        Step::Basket => basket(state, action),
        Step::Issuing => issuing(state, context, action),
        _ => done::update(state, action),
    }
}

fn basket(state: &mut State, action: Action) -> Vec<Effect> {
    let count = state.basket.len();
    match action {
        Action::Up => state.selected_item = state.selected_item.saturating_sub(1),
        Action::Down if state.selected_item + 1 < count => state.selected_item += 1,
        Action::Type('+') | Action::Right => change_quantity(state, 1),
        Action::Type('-') | Action::Left => change_quantity(state, -1),
        Action::Remove if count > 0 => {
            state.basket.remove(state.selected_item.min(count - 1));
            state.selected_item = state
                .selected_item
                .min(state.basket.len().saturating_sub(1));
        }
        Action::AddAnother | Action::Back => state.step = Step::Weigh,
        // The pay key works here only: on the payment screen a second press must not
        // complete the sale as exact cash.
        Action::Confirm | Action::Pay if count == 0 => {
            state.notice = Some(Notice::Error(
                "the basket is empty: weigh a piece first".into(),
            ))
        }
        Action::Confirm | Action::Pay => {
            state.notice = None;
            state.step = Step::Payment;
        }
        Action::PayBy(method) if count > 0 && state.payment_methods().contains(&method) => {
            state.notice = None;
            state.payment.method = method;
            state.step = Step::Payment;
        }
        Action::PayBy(method) if count > 0 => {
            state.notice = Some(Notice::Error(format!(
                "{} is not taken here",
                method.name()
            )));
        }
        _ => {}
    }
    Vec::new()
}

fn change_quantity(state: &mut State, by: i64) {
    if let Some(item) = state.basket.get_mut(state.selected_item) {
        let next = i64::from(item.quantity) + by;
        if (1..=i64::from(QUANTITY_MAX)).contains(&next) {
            item.quantity = u32::try_from(next).unwrap_or(1);
        }
    }
}

/// Issue requests for every piece not yet issued, unless requests are already in flight.
pub(super) fn issue_missing(state: &mut State) -> Vec<Effect> {
    if state.in_flight > 0 || !state.payment.accepted {
        return Vec::new();
    }
    let mut effects = Vec::new();
    for item in &state.basket {
        for piece in item.missing_pieces() {
            effects.push(Effect::Issue {
                item_id: item.id,
                piece,
                request_id: item.request_id(&state.sale_id, piece),
                priced: Box::new(item.priced.clone()),
            });
        }
    }
    state.in_flight += u32::try_from(effects.len()).unwrap_or(u32::MAX);
    effects
}

fn issuing(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    match action {
        Action::Issued {
            item_id,
            piece,
            result,
        } => {
            state.in_flight = state.in_flight.saturating_sub(1);
            let Some(item) = state.basket.iter_mut().find(|i| i.id == item_id) else {
                return Vec::new();
            };
            match result {
                // Answers arrive in any order; each is kept under its own piece, once.
                Ok((serial, indicium)) => {
                    if item.keep_issued(piece, serial, indicium.clone()) {
                        state.preview = LabelPreview::of(
                            &item.priced,
                            &item.recipient_lines,
                            &indicium,
                            &context.label,
                        );
                        state.in_flight += 1;
                        return vec![Effect::PrintLabel {
                            item_id,
                            piece,
                            priced: Box::new(item.priced.clone()),
                            recipient_lines: item.recipient_lines.clone(),
                            indicium,
                        }];
                    }
                }
                Err(failure) => return settle::issue_failed(state, context, failure),
            }
        }
        Action::Printed {
            item_id,
            piece,
            result,
        } => {
            state.in_flight = state.in_flight.saturating_sub(1);
            state.printers.label = Some(result);
            match result {
                Ok(()) => mark_printed(state, item_id, piece),
                Err(reason) => {
                    state.notice = Some(Notice::Error(format!(
                        "the label did not print: {}",
                        printer_failure(reason, state.mode)
                    )));
                    state.print_problem = Some(PrintProblem {
                        item_id,
                        piece,
                        reason,
                    });
                }
            }
        }
        Action::Reprint => return reprint(state),
        Action::VoidIssued => return void_problem(state),
        Action::Voided {
            item_id,
            piece,
            result,
        } => {
            state.in_flight = state.in_flight.saturating_sub(1);
            match result {
                Ok(()) => {
                    let mut effects = drop_voided(state, item_id, piece);
                    effects.extend(finish_if_done(state, context));
                    return effects;
                }
                Err(failure) => {
                    state.notice = Some(Notice::Error(format!(
                        "the void failed: {}",
                        remote_failure(&failure, state.mode)
                    )))
                }
            }
        }
        Action::Refunded(result) => {
            state.in_flight = state.in_flight.saturating_sub(1);
            state.notice = Some(match result {
                Ok(amount) => Notice::Info(match state.mode {
                    Mode::Counter => format!(
                        "{amount} refunded to the customer's {}",
                        refund_target(state)
                    ),
                    Mode::Kiosk => {
                        format!("{amount} was refunded to your {}.", refund_target(state))
                    }
                }),
                Err(failure) => refund_failed(state.mode, &failure),
            });
        }
        Action::Confirm if state.print_problem.is_none() && state.sale_refusal.is_none() => {
            return issue_missing(state);
        }
        Action::Back => return settle::stop(state, context),
        _ => {}
    }
    let mut effects = settle::settle_when_quiet(state, context);
    effects.extend(finish_if_done(state, context));
    effects
}

fn mark_printed(state: &mut State, item_id: u64, piece: u32) {
    if let Some(issued) = state
        .basket
        .iter_mut()
        .find(|i| i.id == item_id)
        .and_then(|item| item.issued_piece_mut(piece))
    {
        issued.printed = true;
    }
}

/// Takes the print problem with its basket item and issued piece, if they still exist.
fn take_problem(state: &mut State) -> Option<(PrintProblem, BasketItem, IssuedPiece)> {
    let problem = state.print_problem.take()?;
    let item = state.basket.iter().find(|i| i.id == problem.item_id)?;
    let issued = item.issued_piece(problem.piece)?.clone();
    Some((problem, item.clone(), issued))
}

fn reprint(state: &mut State) -> Vec<Effect> {
    let Some((problem, item, issued)) = take_problem(state) else {
        return Vec::new();
    };
    state.in_flight += 1;
    // The issuing list shows the piece as printing again; the error notice is settled.
    state.notice = None;
    vec![Effect::PrintLabel {
        item_id: problem.item_id,
        piece: problem.piece,
        priced: Box::new(item.priced),
        recipient_lines: item.recipient_lines,
        indicium: issued.indicium,
    }]
}

fn void_problem(state: &mut State) -> Vec<Effect> {
    let Some((problem, _, issued)) = take_problem(state) else {
        return Vec::new();
    };
    state.in_flight += 1;
    vec![Effect::Void {
        item_id: problem.item_id,
        piece: problem.piece,
        serial: issued.serial,
    }]
}

/// A voided piece leaves the sale: its line loses one piece and the refund is owed, in cash
/// or back to the card or account that paid.
fn drop_voided(state: &mut State, item_id: u64, piece: u32) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(item) = state.basket.iter_mut().find(|i| i.id == item_id) {
        let Some(serial) = item.issued_piece(piece).map(|p| p.serial.clone()) else {
            return effects;
        };
        item.issued.retain(|p| p.piece != piece);
        item.voided.push(piece);
        item.quantity = item.quantity.saturating_sub(1);
        let amount = item.priced.total;
        match &state.payment.paid_by {
            Some(paid_by) => {
                state.notice = Some(Notice::Info(format!(
                    "indicium {serial} voided: refunding {amount} to the {}",
                    refund_target(state)
                )));
                state.in_flight += 1;
                effects.push(Effect::Refund {
                    paid_by: Box::new(paid_by.clone()),
                    refund_id: format!("{}-refund-{serial}", paid_by.charge_id),
                    amount,
                });
            }
            None => {
                state.notice = Some(Notice::Info(format!(
                    "indicium {serial} voided: refund {amount} to the customer in cash"
                )));
            }
        }
    }
    state.basket.retain(|item| item.quantity > 0);
    effects
}

fn refund_target(state: &State) -> &'static str {
    match state.payment.method {
        PaymentMethod::Card => "card",
        PaymentMethod::Account => "postage account",
        PaymentMethod::Cash => "customer",
    }
}
