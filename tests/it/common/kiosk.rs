//! Helpers for the counter's flow and screen tests: a fixed date and sale id, real rates.

use std::sync::Arc;

use postcounter::address::ZipCode;
use postcounter::date::Date;
use postcounter::kiosk::action::{Action, Effect};
use postcounter::kiosk::flow::{Context, Timeouts, update};
use postcounter::kiosk::pin::SupervisorPin;
use postcounter::kiosk::state::{Mode, PaidBy, PaymentMethod, State, Step};
use postcounter::print::card::CardLast4;
use postcounter::rates::RateBook;

pub fn context() -> Context {
    Context {
        rates: Arc::new(RateBook::embedded().unwrap()),
        receipt_header: vec!["TEST COUNTER".into()],
        receipt_footer: vec![],
        label: postcounter::config::LabelSettings {
            return_address: vec!["TEST COUNTER".into(), "1 MAIN ST".into()],
            mailer_id: "123456".parse().unwrap(),
        },
        supervisor_pin: Some(SupervisorPin::new(SUPERVISOR_PIN).unwrap()),
        timeouts: Timeouts {
            done_ms: 20_000,
            inactivity_ms: 90_000,
            quiet_ms: 30_000,
        },
    }
}

/// The supervisor PIN of the test context.
pub const SUPERVISOR_PIN: &str = "2468";

pub fn new_state() -> State {
    State::new(
        Mode::Counter,
        Date::parse("2026-11-21").unwrap(),
        ZipCode::parse("02134").unwrap(),
        "c1-sale1".into(),
    )
}

/// A self-service kiosk's fresh state, with its own sale id.
#[allow(dead_code)] // not every test binary that shares this module runs a kiosk
pub fn kiosk_state() -> State {
    State::new(
        Mode::Kiosk,
        Date::parse("2026-11-21").unwrap(),
        ZipCode::parse("02134").unwrap(),
        "k1-sale1".into(),
    )
}

pub fn send(
    state: &mut State,
    context: &Context,
    actions: impl IntoIterator<Item = Action>,
) -> Vec<Effect> {
    actions
        .into_iter()
        .flat_map(|a| update(state, context, a))
        .collect()
}

pub fn typed(text: &str) -> Vec<Action> {
    text.chars().map(Action::Type).collect()
}

pub fn zip_found(text: &str) -> Action {
    let zip = ZipCode::parse(text).unwrap();
    Action::ZipLooked {
        place: zip.place(),
        zip,
    }
}

/// Weighs a letter, sends it to `zip`, takes the first offer: the state ends in the basket.
pub fn add_letter(state: &mut State, context: &Context, weight: &str, zip: &str) {
    send(state, context, typed(weight));
    send(state, context, [Action::Confirm]);
    assert_eq!(state.step, Step::Destination, "{:?}", state.notice);
    send(state, context, typed(zip));
    assert_eq!(
        send(state, context, [Action::Confirm]),
        vec![Effect::LookupZip(zip.into())]
    );
    send(state, context, [zip_found(zip)]);
    assert_eq!(state.step, Step::Service);
    send(state, context, [Action::Confirm]);
    assert_eq!(state.step, Step::Basket);
}

/// An indicium with fixed content and a placeholder signature, so that screens drawing its
/// Data Matrix are the same on every run.
pub fn fixed_indicium(piece_serial: u32, postage_mills: i64) -> (String, Vec<u8>) {
    postcounter::indicium::specimen::specimen_bytes(
        piece_serial,
        postage_mills,
        Date::parse("2026-11-21").unwrap(),
    )
    .unwrap()
}

/// Takes a basket through cash payment and issues and prints every piece with fixed
/// indicia: the state ends on the done screen.
pub fn pay_cash_and_print(state: &mut State, context: &Context, tendered: &str) {
    send(state, context, [Action::Confirm]);
    send(state, context, typed(tendered));
    let effects = send(state, context, [Action::Confirm]);
    let mut serial = 0;
    for effect in effects {
        if let Effect::Issue { item_id, piece, .. } = effect {
            serial += 1;
            let (text, bytes) = fixed_indicium(serial, 780);
            send(
                state,
                context,
                [
                    Action::Issued {
                        item_id,
                        piece,
                        result: Ok((text, bytes)),
                    },
                    Action::Printed {
                        item_id,
                        piece,
                        result: Ok(()),
                    },
                ],
            );
        }
    }
}

/// From the payment screen: types the test card 4242 4242 4242 4242, sends it, and answers
/// the processor's approval; the effects that follow (the pieces' issues).
pub fn pay_by_card(state: &mut State, context: &Context) -> Vec<Effect> {
    send(state, context, [Action::PayBy(PaymentMethod::Card)]);
    send(state, context, typed("4242424242424242"));
    send(state, context, [Action::NextField]);
    send(state, context, typed("12/30"));
    let sent = send(state, context, [Action::Confirm]);
    let Some(Effect::ChargeCard {
        charge_id, amount, ..
    }) = sent.into_iter().next()
    else {
        panic!("the card is sent to the processor: {:?}", state.notice);
    };
    send(
        state,
        context,
        [Action::Charged(Ok(PaidBy {
            method: PaymentMethod::Card,
            charge_id,
            reference: "VISA •••• 4242".into(),
            card_last4: Some(CardLast4::parse("4242").unwrap()),
            approval_code: "123456".into(),
            amount,
            card_brand: None,
            balance_after: None,
        }))],
    )
}
