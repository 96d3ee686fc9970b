//! The end of a sale: once every piece is issued and printed, the receipt, the done screen,
//! and the start of the next customer's sale (a new sale id, an empty basket).

use super::Context;
use crate::kiosk::action::{Action, Effect, RemoteFailure};
use crate::kiosk::state::{Mode, Notice, PaymentMethod, State, Step};
use crate::kiosk::wording::{printer_failure, remote_failure};
use crate::money::Money;
use crate::print::receipt::{ReceiptContent, Tender, TenderKind};
use crate::sale::documents::{ReceiptSale, receipt_content};

pub(super) fn finish_if_done(state: &mut State, context: &Context) -> Vec<Effect> {
    if state.step == Step::Done
        || state.in_flight > 0
        || state.print_problem.is_some()
        || !state.all_printed()
    {
        return Vec::new();
    }
    state.step = Step::Done;
    state.done_at_ms = Some(state.now_ms);
    if state.basket.is_empty() {
        // Every piece was voided: nothing to print, the refund notice stays on screen.
        return Vec::new();
    }
    vec![Effect::PrintReceipt(Box::new(receipt(state, context)))]
}

/// The receipt of the sale: every issued piece with its serial, the cash and the change.
fn receipt(state: &State, context: &Context) -> ReceiptContent {
    let pieces: Vec<_> = state
        .basket
        .iter()
        .flat_map(|item| {
            item.issued
                .iter()
                .map(|p| (item.priced.clone(), p.serial.clone()))
        })
        .collect();
    let tender = match &state.payment.paid_by {
        Some(paid_by) => {
            let account = paid_by.method == PaymentMethod::Account;
            Tender {
                kind: if account {
                    TenderKind::Account
                } else {
                    TenderKind::Card
                },
                amount: paid_by.amount,
                card_last4: paid_by.card_last4,
                card_brand: paid_by.card_brand.clone(),
                approval_code: Some(paid_by.approval_code.clone()),
                account: account.then(|| paid_by.reference.clone()),
                balance_after: paid_by.balance_after,
            }
        }
        None => Tender::cash(
            state
                .payment
                .tendered
                .unwrap_or_else(|| state.basket_total()),
        ),
    };
    let cash = state.payment.paid_by.is_none();
    receipt_content(
        &pieces,
        ReceiptSale {
            transaction: state.sale_id.clone(),
            tenders: vec![tender],
            change: cash.then(|| state.change_due().unwrap_or(Money::ZERO)),
            header_lines: context.receipt_header.clone(),
            footer_lines: context.receipt_footer.clone(),
            mailer_id: context.label.mailer_id,
        },
    )
}

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::ReceiptPrinted(result) => {
            state.printers.receipt = Some(result);
            if let Err(reason) = result {
                state.notice = Some(Notice::Error(format!(
                    "the receipt did not print: {}",
                    printer_failure(reason, state.mode)
                )));
            }
        }
        Action::Refunded(result) => {
            state.in_flight = state.in_flight.saturating_sub(1);
            if let Err(failure) = result {
                state.notice = Some(refund_failed(state.mode, &failure));
            }
        }
        Action::Confirm if state.in_flight == 0 => next_customer(state),
        _ => {}
    }
    Vec::new()
}

/// Starts the next sale (the welcome screen at a self-service kiosk).
pub(super) fn next_customer(state: &mut State) {
    *state = state.next_sale(next_sale_id(&state.sale_id));
}

/// `counter7-sale41` becomes `counter7-sale42`; any other id gets `-2`.
fn next_sale_id(sale_id: &str) -> String {
    match sale_id
        .rsplit_once("sale")
        .and_then(|(head, n)| n.parse::<u64>().ok().map(|n| (head, n)))
    {
        Some((head, n)) => format!("{head}sale{}", n + 1),
        None => format!("{sale_id}-2"),
    }
}

/// A refund that did not go through: staff refund by hand.
pub(super) fn refund_failed(mode: Mode, failure: &RemoteFailure) -> Notice {
    Notice::Error(match mode {
        Mode::Counter => format!(
            "the refund did not go through: {}; refund the customer by hand",
            remote_failure(failure, mode)
        ),
        Mode::Kiosk => "Your refund did not go through: please ask a member of staff.".into(),
    })
}
