//! Holes found by using the counter as a clerk, a self-service customer and an attacker
//! would, each closed and shown here: errors that outlived their screen, failures worded in
//! internal text, an address abroad without its town, a second card refused after a
//! decline, a double press of pay, a unit number cut from a street, a customer who could
//! not go back, extra services refused only after customs.

use crate::common;

use common::kiosk::{add_letter, context, kiosk_state, new_state, send};
use postcounter::kiosk::action::{Action, Effect};
use postcounter::kiosk::state::{Notice, PaymentMethod, State, Step};

/// An error belongs to its screen: typing again clears it (it comes back if still true),
/// and so does leaving the screen; a screen's own new word is kept.
#[test]
fn an_error_clears_when_acted_on_or_when_its_screen_is_left() {
    let context = context();
    let mut state = new_state();
    send(&mut state, &context, common::kiosk::typed("1/0 oz"));
    send(&mut state, &context, [Action::Confirm]);
    assert!(
        matches!(state.notice, Some(Notice::Error(_))),
        "{:?}",
        state.notice
    );
    send(&mut state, &context, [Action::Erase]);
    assert_eq!(state.notice, None, "acted on");

    send(&mut state, &context, std::iter::repeat_n(Action::Erase, 8));
    send(&mut state, &context, common::kiosk::typed("2oz"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Destination);
    send(&mut state, &context, common::kiosk::typed("00000"));
    send(
        &mut state,
        &context,
        [Action::Confirm, common::kiosk::zip_found("00000")],
    );
    let refused = state.notice.clone();
    assert!(matches!(refused, Some(Notice::Error(_))), "{refused:?}");
    send(&mut state, &context, [Action::Back]);
    assert_eq!(state.step, Step::Weigh);
    assert_eq!(state.notice, None, "left with the screen: {refused:?}");
}

/// An address abroad takes a town line: without it a named recipient is refused, with it
/// the basket item's label lines end with it (the country's name follows on the label).
#[test]
fn an_address_abroad_needs_its_town_and_keeps_it() {
    use common::kiosk::typed;
    let context = context();
    let mut state = new_state();
    send(&mut state, &context, typed("1oz"));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("Canada"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("Jean Tremblay"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Destination);
    let refused = format!("{:?}", state.notice);
    assert!(
        refused.contains("needs its town and postal code"),
        "{refused}"
    );
    send(&mut state, &context, [Action::NextField, Action::NextField]);
    send(&mut state, &context, typed("Montreal QC H2X 1Y4"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Service, "{:?}", state.notice);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Basket, "{:?}", state.notice);
    assert_eq!(
        state.basket[0].recipient_lines,
        ["JEAN TREMBLAY", "MONTREAL QC H2X 1Y4"]
    );
}

/// Failures from the data centre and the processors reach the flow as kinds, and the flow
/// words them for who is reading: a clerk is told what happened and what to do, a customer
/// is sent to staff; the refuser's own words are the only text that comes from outside.
#[test]
fn remote_failures_are_worded_by_kind_and_reader() {
    use postcounter::kiosk::action::RemoteFailure;
    let context = context();
    let notice_after = |state: &mut State, action: Action| {
        send(state, &context, [action]);
        match state.notice.clone() {
            Some(Notice::Error(text)) => text,
            other => panic!("{other:?}"),
        }
    };
    let mut clerk = new_state();
    clerk.step = Step::Done;
    let said = notice_after(
        &mut clerk,
        Action::Refunded(Err(RemoteFailure::Unreachable)),
    );
    assert_eq!(
        said,
        "the refund did not go through: the data centre did not answer: try again in a moment; refund the customer by hand"
    );
    let mut customer = kiosk_state();
    customer.step = Step::Done;
    let said = notice_after(&mut customer, Action::Refunded(Err(RemoteFailure::Fault)));
    assert_eq!(
        said,
        "Your refund did not go through: please ask a member of staff."
    );

    let mut supervisor = new_state();
    send(&mut supervisor, &context, [Action::Supervisor]);
    send(
        &mut supervisor,
        &context,
        common::kiosk::typed(common::kiosk::SUPERVISOR_PIN),
    );
    send(&mut supervisor, &context, [Action::Confirm]);
    let said = notice_after(
        &mut supervisor,
        Action::RecentVoided(Err(RemoteFailure::Refused(
            "the void window of 30 days has closed".into(),
        ))),
    );
    assert_eq!(said, "not voided: the void window of 30 days has closed");
}

/// A declined card is a final answer: going back to the basket and paying again sends the
/// next card under a new charge id (the same id would be refused as a reused request, and a
/// kiosk that takes only cards could sell nothing until its timeout).
#[test]
fn after_a_decline_and_back_the_next_card_gets_a_new_charge_id() {
    use postcounter::kiosk::state::ChargeRefusal;
    let context = context();
    let mut state = kiosk_state();
    send(&mut state, &context, [Action::Confirm]);
    add_letter(&mut state, &context, "1oz", "90210");
    let card = |state: &mut State| -> Vec<Effect> {
        send(state, &context, [Action::PayBy(PaymentMethod::Card)]);
        send(state, &context, common::kiosk::typed("4242424242424242"));
        send(state, &context, [Action::NextField]);
        send(state, &context, common::kiosk::typed("12/30"));
        send(state, &context, [Action::Confirm])
    };
    let first = card(&mut state);
    assert!(
        matches!(first.as_slice(), [Effect::ChargeCard { charge_id, .. }] if charge_id == "k1-sale1-charge1"),
        "{first:?}"
    );
    send(
        &mut state,
        &context,
        [Action::Charged(Err(ChargeRefusal {
            reason: "the card ending 0002 was declined by the issuer (do not honor); ask for another card".into(),
            retryable: false,
        }))],
    );
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "Your payment was not accepted. Please try another card or a postage account.".into()
        ))
    );
    send(&mut state, &context, [Action::Back]);
    assert_eq!(state.step, Step::Basket);
    let second = card(&mut state);
    assert!(
        matches!(second.as_slice(), [Effect::ChargeCard { charge_id, .. }] if charge_id == "k1-sale1-charge2"),
        "{second:?}"
    );
}

/// The pay key goes from the basket to payment and does nothing on the payment screen: a
/// double press no longer completes the sale as exact cash nobody took.
#[test]
fn a_second_press_of_pay_does_not_take_exact_cash() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Pay]);
    assert_eq!(state.step, Step::Payment);
    assert!(send(&mut state, &context, [Action::Pay]).is_empty());
    assert_eq!(state.step, Step::Payment);
    assert!(!state.payment.accepted);
}

/// A street longer than a label line is taken whole and checked after its abbreviations:
/// the unit number is no longer cut off at 40 typed characters.
#[test]
fn a_long_street_keeps_its_unit_number() {
    use common::kiosk::{typed, zip_found};
    let context = context();
    let mut state = new_state();
    send(&mut state, &context, typed("1oz"));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("20500"));
    send(&mut state, &context, [Action::NextField, Action::NextField]);
    send(
        &mut state,
        &context,
        typed("1600 Pennsylvania Avenue Northwest Apartment 1"),
    );
    send(&mut state, &context, [Action::Confirm, zip_found("20500")]);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Basket, "{:?}", state.notice);
    assert_eq!(
        state.basket[0].recipient_lines,
        ["1600 PENNSYLVANIA AVE NW APT 1"]
    );
}

/// A customer who changes their mind on the weigh screen goes back to the start; the keys
/// the screen names all work there.
#[test]
fn a_customer_can_go_back_to_the_start() {
    let context = context();
    let mut state = kiosk_state();
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Weigh);
    send(&mut state, &context, [Action::Back]);
    assert_eq!(state.step, Step::Welcome);
}

/// Extra services a product abroad does not take are refused on the service screen, before
/// the customs screen asks for every item.
#[test]
fn extra_services_abroad_are_refused_before_customs() {
    use common::kiosk::typed;
    let context = context();
    let mut state = new_state();
    send(&mut state, &context, typed("2lb"));
    send(
        &mut state,
        &context,
        [Action::Right, Action::Right, Action::Right, Action::Confirm],
    );
    send(&mut state, &context, typed("Germany"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Service, "{:?}", state.notice);
    send(&mut state, &context, [Action::Type('1')]);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Service);
    let said = format!("{:?}", state.notice);
    assert!(
        said.contains("Certified Mail is not available with"),
        "{said}"
    );
}

/// A piece abandoned on the weigh screen is dropped: the next one starts from empty fields
/// (the old weight once stayed, and "1lb" then "1oz" read as 1 lb 1 oz).
#[test]
fn an_abandoned_piece_leaves_no_weight_behind() {
    use common::kiosk::typed;
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::AddAnother]);
    send(&mut state, &context, typed("1lb"));
    send(&mut state, &context, [Action::Back]);
    assert_eq!(state.step, Step::Basket);
    send(&mut state, &context, [Action::AddAnother]);
    assert_eq!(state.draft.weight_text, "");
}
