//! Helpers for the counter's flow and screen tests: a fixed date and sale id, real rates.

use std::sync::Arc;

use postcounter::address::ZipCode;
use postcounter::date::Date;
use postcounter::kiosk::action::{Action, Effect};
use postcounter::kiosk::flow::{Context, Timeouts, update};
use postcounter::kiosk::pin::SupervisorPin;
use postcounter::kiosk::state::{Mode, State, Step};
use postcounter::rates::RateBook;

pub fn context() -> Context {
    Context {
        rates: Arc::new(RateBook::embedded().unwrap()),
        receipt_header: vec!["TEST COUNTER".into()],
        receipt_footer: vec![],
        supervisor_pin: Some(SupervisorPin::new(SUPERVISOR_PIN).unwrap()),
        timeouts: Timeouts {
            done_ms: 20_000,
            inactivity_ms: 90_000,
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

/// An indicium with fixed content and a fixed (not a real) signature r = s = 1, so that
/// screens drawing its Data Matrix are the same on every run. `from_bytes` takes it; a
/// verifier would refuse its signature, which the screens never check.
pub fn fixed_indicium(piece_serial: u32, postage_mills: i64) -> (String, Vec<u8>) {
    use postcounter::indicium::{DestinationZip, IndiciumData, SOFTWARE_ID};
    use postcounter::money::Money;
    let data = IndiciumData {
        certificate_serial: 1,
        device_id: 10_000_001,
        license_number: 700_001,
        ascending_register: Money::from_mills(postage_mills * i64::from(piece_serial)),
        descending_register: Money::from_mills(500_000),
        postage: Money::from_mills(postage_mills),
        mailing_date: Date::parse("2026-11-21").unwrap(),
        origin_zip5: 2134,
        destination_zip: Some(DestinationZip {
            zip5: 90210,
            plus4: None,
        }),
        rate_category: 1,
        extra_services: 0,
        software_id: SOFTWARE_ID,
        piece_serial,
        label_binding: [0; 4],
    };
    let mut bytes = data.to_signed_bytes().unwrap().to_vec();
    let mut signature = [0u8; 64];
    signature[31] = 1;
    signature[63] = 1;
    bytes.extend_from_slice(&signature);
    (data.serial_text(), bytes)
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
