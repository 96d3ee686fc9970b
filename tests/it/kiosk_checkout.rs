//! Flow tests of the counter beyond cash: card and account payments (declines, retries,
//! nothing issued before approval), the supervisor's PIN gate and tools, the self-service
//! timeouts, insurance with a declared value, parcel dimensions and the recipient's address.

use crate::common;

use common::kiosk::{
    SUPERVISOR_PIN, add_letter, context, fixed_indicium, new_state, pay_cash_and_print, send,
    typed, zip_found,
};
use postcounter::kiosk::action::{Action, Effect};
use postcounter::kiosk::state::{
    ChargeRefusal, Mode, Notice, PaidBy, PaymentMethod, State, Step, SupervisorData,
};
use postcounter::money::Money;
use postcounter::print::card::CardLast4;
use postcounter::print::printer::PrinterErrorKind;
use postcounter::print::receipt::TenderKind;
use postcounter::psd::Registers;
use postcounter::rates::ExtraService;

fn error_text(state: &State) -> String {
    match &state.notice {
        Some(Notice::Error(text)) => text.clone(),
        other => panic!("expected an error notice, got {other:?}"),
    }
}

fn issue_count(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Issue { .. }))
        .count()
}

/// A one-letter basket on the card screen with `number` and `expiry` typed.
fn card_typed(number: &str, expiry: &str) -> State {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::PayBy(PaymentMethod::Card)]);
    assert_eq!(state.step, Step::Payment);
    send(&mut state, &context, typed(number));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed(expiry));
    state
}

fn approved_by_card(charge_id: &str, amount: Money) -> Action {
    Action::Charged(Ok(PaidBy {
        method: PaymentMethod::Card,
        charge_id: charge_id.into(),
        reference: "VISA •••• 4242".into(),
        card_last4: Some(CardLast4::parse("4242").unwrap()),
        approval_code: "123456".into(),
        amount,
        card_brand: Some("VISA".into()),
        balance_after: None,
    }))
}

/// Issues and prints the one piece of item 1, and returns the receipt that follows.
fn issue_print_and_receipt(
    state: &mut State,
    context: &postcounter::kiosk::flow::Context,
) -> postcounter::print::receipt::ReceiptContent {
    let (serial, bytes) = fixed_indicium(1, 780);
    let effects = send(
        state,
        context,
        [
            Action::Issued {
                item_id: 1,
                piece: 0,
                result: Ok((serial, bytes)),
            },
            Action::Printed {
                item_id: 1,
                piece: 0,
                result: Ok(()),
            },
        ],
    );
    effects
        .iter()
        .find_map(|e| match e {
            Effect::PrintReceipt(content) => Some(*content.clone()),
            _ => None,
        })
        .expect("a receipt")
}

#[test]
fn a_card_is_sent_once_with_only_its_last_four_digits_left_in_the_sale() {
    let context = context();
    let mut state = card_typed("4242 4242 4242 4242", "12/30");
    assert_eq!(state.payment.card_masked(), "••••••••••••4242");
    let effects = send(&mut state, &context, [Action::Confirm]);
    let [
        Effect::ChargeCard {
            charge_id,
            card,
            amount,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("one card charge expected, got {effects:?}");
    };
    assert_eq!(charge_id, "c1-sale1-charge1");
    assert_eq!(*amount, Money::from_mills(780));
    assert_eq!(card.last4(), "4242");
    for shown in [format!("{effects:?}"), format!("{state:?}")] {
        assert!(!shown.contains("4242424242424242"), "{shown}");
    }
    assert!(state.payment.card_text.is_empty());
    // Keys wait while the processor answers: a second Confirm sends nothing.
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    let effects = send(
        &mut state,
        &context,
        [approved_by_card("c1-sale1-charge1", Money::from_mills(780))],
    );
    assert_eq!(issue_count(&effects), 1);
    assert!(!effects.contains(&Effect::OpenDrawer), "no cash, no drawer");
    assert_eq!(state.step, Step::Issuing);
}

#[test]
fn a_declined_card_issues_nothing_and_the_next_attempt_has_a_new_charge_id() {
    let context = context();
    let mut state = card_typed("4000000000000002", "12/30");
    send(&mut state, &context, [Action::Confirm]);
    let effects = send(
        &mut state,
        &context,
        [Action::Charged(Err(ChargeRefusal {
            reason: "the card was declined by the issuer".into(),
            retryable: false,
        }))],
    );
    assert!(effects.is_empty());
    assert_eq!(state.step, Step::Payment);
    assert!(!state.payment.accepted);
    assert!(
        error_text(&state).contains("declined"),
        "{:?}",
        state.notice
    );
    send(&mut state, &context, typed("4242424242424242"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("1230"));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert!(
        matches!(effects.as_slice(), [Effect::ChargeCard { charge_id, .. }] if charge_id == "c1-sale1-charge2"),
        "{effects:?}"
    );
}

#[test]
fn an_unreachable_processor_is_retried_under_the_same_charge_id() {
    let context = context();
    let mut state = card_typed("4000000000000119", "12/30");
    send(&mut state, &context, [Action::Confirm]);
    send(
        &mut state,
        &context,
        [Action::Charged(Err(ChargeRefusal {
            reason: "the processor cannot be reached".into(),
            retryable: true,
        }))],
    );
    assert!(error_text(&state).contains("not charged twice"));
    // Enter alone sends the same card again: the screen asked for no retyping.
    let again = send(&mut state, &context, [Action::Confirm]);
    assert!(
        matches!(again.as_slice(), [Effect::ChargeCard { charge_id, card, .. }] if charge_id == "c1-sale1-charge1" && card.masked().ends_with("0119")),
        "{again:?}"
    );
    send(
        &mut state,
        &context,
        [Action::Charged(Err(ChargeRefusal {
            reason: "the processor cannot be reached".into(),
            retryable: true,
        }))],
    );
    send(&mut state, &context, typed("4000000000000119"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("12/30"));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert!(
        matches!(effects.as_slice(), [Effect::ChargeCard { charge_id, .. }] if charge_id == "c1-sale1-charge1"),
        "{effects:?}"
    );
}

#[test]
fn a_bad_or_expired_card_is_refused_before_it_is_sent() {
    let context = context();
    let mut state = card_typed("4242424242424241", "12/30");
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    let luhn = error_text(&state);
    assert!(!luhn.contains("4242424242424241"), "{luhn}");
    let mut state = card_typed("4242424242424242", "10/26"); // today is 2026-11-21
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    assert!(error_text(&state).to_lowercase().contains("expired"));
    assert!(!state.payment.pending);
}

#[test]
fn a_card_sale_receipt_shows_the_card_tender_and_no_change() {
    let context = context();
    let mut state = card_typed("4242424242424242", "12/30");
    send(&mut state, &context, [Action::Confirm]);
    send(
        &mut state,
        &context,
        [approved_by_card("c1-sale1-charge1", Money::from_mills(780))],
    );
    let (serial, bytes) = fixed_indicium(1, 780);
    let effects = send(
        &mut state,
        &context,
        [
            Action::Issued {
                item_id: 1,
                piece: 0,
                result: Ok((serial, bytes)),
            },
            Action::Printed {
                item_id: 1,
                piece: 0,
                result: Ok(()),
            },
        ],
    );
    let receipt = effects
        .iter()
        .find_map(|e| match e {
            Effect::PrintReceipt(content) => Some(content.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(receipt.tenders[0].kind, TenderKind::Card);
    assert_eq!(receipt.tenders[0].card_last4.unwrap().masked(), "****4242");
    // A card receipt has no CHANGE line, and carries the approval code.
    assert_eq!(receipt.change, None);
    assert_eq!(receipt.tenders[0].approval_code.as_deref(), Some("123456"));
    assert_eq!(receipt.transaction, state.sale_id);
    assert_eq!(state.step, Step::Done);
}

#[test]
fn a_voided_piece_paid_by_card_is_refunded_to_the_card_under_a_stable_refund_id() {
    let context = context();
    let mut state = card_typed("4242424242424242", "12/30");
    send(&mut state, &context, [Action::Confirm]);
    send(
        &mut state,
        &context,
        [approved_by_card("c1-sale1-charge1", Money::from_mills(780))],
    );
    let (serial, bytes) = fixed_indicium(1, 780);
    send(
        &mut state,
        &context,
        [
            Action::Issued {
                item_id: 1,
                piece: 0,
                result: Ok((serial.clone(), bytes)),
            },
            Action::Printed {
                item_id: 1,
                piece: 0,
                result: Err(PrinterErrorKind::Timeout),
            },
            Action::VoidIssued,
        ],
    );
    let effects = send(
        &mut state,
        &context,
        [Action::Voided {
            item_id: 1,
            piece: 0,
            result: Ok(()),
        }],
    );
    let [
        Effect::Refund {
            refund_id, amount, ..
        },
    ] = effects.as_slice()
    else {
        panic!("a refund expected, got {effects:?}");
    };
    assert_eq!(refund_id, &format!("c1-sale1-charge1-refund-{serial}"));
    assert_eq!(*amount, Money::from_mills(780));
    assert_eq!(state.step, Step::Issuing, "the sale waits for the refund");
    send(&mut state, &context, [Action::Refunded(Ok(*amount))]);
    assert_eq!(state.step, Step::Done);
}

#[test]
fn an_account_payment_needs_a_valid_number_and_a_pin_and_the_pin_leaves_the_state() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(
        &mut state,
        &context,
        [Action::PayBy(PaymentMethod::Account)],
    );
    send(&mut state, &context, typed("123"));
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    assert!(error_text(&state).contains("\"123\""), "{:?}", state.notice);
    let account = postcounter::payment::AccountNumber::generate(7).unwrap();
    state.payment.account_text = account.digits().to_string();
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    assert!(error_text(&state).contains("PIN"));
    send(&mut state, &context, typed("4321"));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert!(
        matches!(effects.as_slice(), [Effect::ChargeAccount { pin, .. }] if pin == "4321"),
        "{effects:?}"
    );
    assert!(state.payment.pin_text.is_empty());
    // The receipt names the account and what is left on it, and gives no change.
    let paid = PaidBy {
        method: PaymentMethod::Account,
        charge_id: "c1-sale1-charge1".into(),
        reference: format!("account {account}"),
        card_last4: None,
        approval_code: "c1-sale1-charge1".into(),
        amount: Money::from_mills(780),
        card_brand: None,
        balance_after: Some(Money::from_mills(41_220)),
    };
    send(&mut state, &context, [Action::Charged(Ok(paid))]);
    let receipt = issue_print_and_receipt(&mut state, &context);
    let tender = &receipt.tenders[0];
    assert_eq!(tender.kind, TenderKind::Account);
    assert_eq!(tender.account, Some(format!("account {account}")));
    assert_eq!(tender.balance_after, Some(Money::from_mills(41_220)));
    assert_eq!(receipt.change, None);
}

fn open_supervisor(state: &mut State, pin: &str) -> Vec<Effect> {
    let context = context();
    send(state, &context, [Action::Supervisor]);
    assert_eq!(state.step, Step::Supervisor);
    send(state, &context, typed(pin));
    send(state, &context, [Action::Confirm])
}

#[test]
fn a_wrong_supervisor_pin_is_refused_and_three_close_the_gate_for_a_minute() {
    let context = context();
    let mut state = new_state();
    // Each wrong PIN is kept on disk by the edge, so a restart gives no new attempts.
    assert_eq!(
        open_supervisor(&mut state, "1111"),
        vec![Effect::KeepPinGate {
            wrong_pins: 1,
            locked_for_ms: 0
        }]
    );
    assert!(error_text(&state).contains("wrong PIN: 2 more"));
    assert!(!state.supervisor.as_ref().unwrap().unlocked);
    // Leaving the screen and a new sale keep the count.
    send(&mut state, &context, [Action::Back]);
    state = state.next_sale("sale-2".into());
    send(&mut state, &context, [Action::Supervisor]);
    let mut last = Vec::new();
    for _ in 0..2 {
        send(&mut state, &context, typed("1111"));
        last = send(&mut state, &context, [Action::Confirm]);
    }
    assert!(error_text(&state).contains("locked for 60 s"));
    assert_eq!(
        last,
        vec![Effect::KeepPinGate {
            wrong_pins: 0,
            locked_for_ms: 60_000
        }]
    );
    // Even the right PIN waits out the lockout, also after leaving and coming back.
    send(&mut state, &context, [Action::Back]);
    assert_eq!(state.step, Step::Weigh);
    assert!(open_supervisor(&mut state, SUPERVISOR_PIN).is_empty());
    assert!(error_text(&state).contains("try again in"));
    send(&mut state, &context, [Action::Tick(60_001)]);
    send(&mut state, &context, typed(SUPERVISOR_PIN));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert_eq!(
        effects,
        vec![
            Effect::LoadSupervisor,
            Effect::KeepPinGate {
                wrong_pins: 0,
                locked_for_ms: 0
            }
        ]
    );
    assert!(state.supervisor.as_ref().unwrap().unlocked);
}

fn loaded(state: &mut State) {
    let data = SupervisorData {
        device_id: 10_000_001,
        registers: Registers {
            ascending: Money::from_mills(1_560),
            descending: Money::from_mills(498_440),
            control_total: Money::from_mills(500_000),
            piece_count: 2,
        },
        locked_reason: None,
        last_contact: "embedded PSD".into(),
        account_balance: None,
        fallback: None,
        day: vec![],
        recent: vec![],
        label_printer: "label-4x6 on virtual".into(),
        receipt_printer: "receipt-80mm on virtual".into(),
    };
    send(
        state,
        &context(),
        [Action::SupervisorLoaded(Ok(Box::new(data)))],
    );
}

#[test]
fn the_supervisor_refills_under_one_id_per_refill_and_the_screen_reloads() {
    let context = context();
    let mut state = new_state();
    open_supervisor(&mut state, SUPERVISOR_PIN);
    loaded(&mut state);
    // A typo is refused as typed, never read as another amount.
    for typo in ["-100", "1e9"] {
        send(&mut state, &context, typed(typo));
        assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
        assert!(error_text(&state).contains(&format!("{typo:?} is not a refill amount")));
        send(
            &mut state,
            &context,
            std::iter::repeat_n(Action::Erase, typo.len()),
        );
    }
    send(&mut state, &context, typed("200"));
    // A refill moves the account's money: it is asked first.
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    let asked = format!("{:?}", state.notice);
    assert!(
        asked.contains("refill the PSD with $200.00 from the account?"),
        "{asked}"
    );
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert_eq!(
        effects,
        vec![Effect::Refill {
            refill_id: "c1-sale1-refill1".into(),
            amount: Money::from_mills(200_000)
        }]
    );
    // While the refill is on its way, Enter sends nothing more.
    assert!(send(&mut state, &context, [Action::Confirm]).is_empty());
    let effects = send(
        &mut state,
        &context,
        [Action::Refilled(Ok(Money::from_mills(700_000)))],
    );
    assert_eq!(effects, vec![Effect::LoadSupervisor]);
    loaded(&mut state);
    send(&mut state, &context, typed("5"));
    let effects = send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    assert!(
        matches!(effects.as_slice(), [Effect::Refill { refill_id, .. }] if refill_id == "c1-sale1-refill2")
    );
}

#[test]
fn at_a_self_service_kiosk_only_an_unlocked_supervisor_can_quit() {
    let context = context();
    let mut state = new_state();
    state.mode = Mode::Kiosk;
    send(&mut state, &context, [Action::Quit]);
    assert!(!state.quit, "a customer cannot leave the counter");
    open_supervisor(&mut state, SUPERVISOR_PIN);
    send(&mut state, &context, [Action::Quit]);
    assert!(state.quit);
}

#[test]
fn removing_an_item_and_quitting_with_an_unpaid_basket_ask_first() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::AddAnother]);
    add_letter(&mut state, &context, "2oz", "10001");
    send(&mut state, &context, [Action::Remove]);
    assert_eq!(state.basket.len(), 2, "one key removes nothing");
    assert!(
        matches!(&state.notice, Some(Notice::Info(t)) if t.starts_with("remove First-Class Mail Letter 1 oz from the basket? {confirm} removes it")),
        "{:?}",
        state.notice
    );
    // Any other key keeps it.
    send(&mut state, &context, [Action::Back]);
    assert_eq!(state.basket.len(), 2);
    assert_eq!(state.step, Step::Basket);
    send(&mut state, &context, [Action::Remove, Action::Confirm]);
    assert_eq!(state.basket.len(), 1);

    send(&mut state, &context, [Action::Quit]);
    assert!(!state.quit, "a basket is not dropped on one key");
    assert!(
        matches!(&state.notice, Some(Notice::Info(t)) if t.starts_with("quit with 1 unpaid piece(s)"))
    );
    send(&mut state, &context, [Action::Down]);
    assert!(!state.quit);
    send(&mut state, &context, [Action::Quit, Action::Confirm]);
    assert!(state.quit);
}

#[test]
fn the_supervisor_screen_does_not_open_while_a_paid_sale_prints() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    assert_eq!(state.step, Step::Issuing);
    send(&mut state, &context, [Action::Supervisor]);
    assert_eq!(state.step, Step::Issuing);
    assert!(error_text(&state).contains("once this sale has printed"));
}

#[test]
fn an_idle_self_service_sale_goes_back_to_the_welcome_screen_but_a_paid_one_does_not() {
    let context = context();
    let mut state = postcounter::kiosk::state::State::new(
        Mode::Kiosk,
        common::day("2026-11-21"),
        postcounter::address::ZipCode::parse("02134").unwrap(),
        "k1-sale1".into(),
    );
    assert_eq!(state.step, Step::Welcome);
    send(&mut state, &context, [Action::Confirm]);
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Tick(89_000)]);
    assert_eq!(state.step, Step::Basket);
    send(&mut state, &context, [Action::Tick(90_000)]);
    assert_eq!(state.step, Step::Welcome);
    assert!(state.basket.is_empty());
    assert_eq!(state.sale_id, "k1-sale2");

    send(&mut state, &context, [Action::Confirm]);
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm]);
    common::kiosk::pay_by_card(&mut state, &context);
    assert!(state.payment.accepted);
    send(&mut state, &context, [Action::Tick(500_000)]);
    assert_eq!(state.step, Step::Issuing, "a paid sale is never dropped");
}

#[test]
fn the_done_screen_starts_the_next_sale_after_its_timeout() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Tick(1_000)]);
    pay_cash_and_print(&mut state, &context, "5");
    assert_eq!(state.step, Step::Done);
    assert!(state.preview.is_some(), "the done screen shows the label");
    send(&mut state, &context, [Action::Tick(20_999)]);
    assert_eq!(state.step, Step::Done);
    send(&mut state, &context, [Action::Tick(21_000)]);
    assert_eq!(state.step, Step::Weigh);
    assert_eq!(state.sale_id, "c1-sale2");
}

/// The service screen for a 2 lb parcel to 90210, optionally with dimensions.
fn parcel_at_service(dimensions: &str) -> State {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("2lb"));
    send(&mut state, &context, [Action::Left, Action::NextField]);
    send(&mut state, &context, typed(dimensions));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("90210"));
    send(&mut state, &context, [Action::Confirm, zip_found("90210")]);
    state
}

#[test]
fn insurance_needs_a_declared_value_and_its_fee_follows_the_value() {
    let context = context();
    let mut state = parcel_at_service("");
    assert_eq!(state.step, Step::Service, "{:?}", state.notice);
    send(&mut state, &context, [Action::Type('5')]);
    send(&mut state, &context, [Action::Confirm]);
    assert!(error_text(&state).contains("declared value"));
    assert_eq!(state.step, Step::Service);
    send(&mut state, &context, typed("150"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Basket, "{:?}", state.notice);
    let item = &state.basket[0];
    let insurance = item
        .priced
        .extras
        .iter()
        .find(|(s, _)| *s == ExtraService::Insurance)
        .unwrap();
    assert!(insurance.1 > Money::ZERO);
    assert_eq!(
        item.priced.request.declared_value,
        Some(Money::from_mills(150_000))
    );
    assert_eq!(
        item.priced.total,
        item.priced.offer.postage.checked_add(insurance.1).unwrap()
    );
}

#[test]
fn a_parcel_takes_its_dimensions_and_bad_ones_are_refused_quoted() {
    let context = context();
    let mut state = new_state();
    send(&mut state, &context, typed("2lb"));
    send(&mut state, &context, [Action::Left, Action::NextField]);
    send(&mut state, &context, typed("12x10"));
    send(&mut state, &context, [Action::Confirm]);
    assert!(error_text(&state).contains("\"12x10\""));
    assert_eq!(state.step, Step::Weigh);
    let state = parcel_at_service("12x10x4in");
    assert_eq!(state.step, Step::Service);
    assert!(state.draft.dimensions.is_some());
}

#[test]
fn the_recipient_is_standardized_and_goes_to_the_label() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("1oz"));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("90210"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("Jane Doe"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("9 Rodeo Drive"));
    send(&mut state, &context, [Action::Confirm, zip_found("90210")]);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.basket[0].recipient_lines, ["JANE DOE", "9 RODEO DR"]);
    send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    let (serial, bytes) = fixed_indicium(1, 780);
    let effects = send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 0,
            result: Ok((serial, bytes)),
        }],
    );
    assert!(
        matches!(effects.as_slice(), [Effect::PrintLabel { recipient_lines, .. }] if recipient_lines == &["JANE DOE", "9 RODEO DR"]),
        "{effects:?}"
    );
    let preview = state.preview.as_ref().unwrap();
    assert!(preview.text_lines.iter().any(|l| l == "9 RODEO DR"));
    assert!(
        preview
            .text_lines
            .iter()
            .any(|l| l.contains("BEVERLY HILLS"))
    );
}

#[test]
fn a_supervisor_void_asks_first_and_names_the_indicium_and_the_refund() {
    use postcounter::kiosk::state::RecentPiece;
    let context = context();
    let mut state = new_state();
    open_supervisor(&mut state, SUPERVISOR_PIN);
    loaded(&mut state);
    let supervisor = state.supervisor.as_mut().unwrap();
    supervisor.data.as_mut().unwrap().recent = vec![RecentPiece {
        device_id: 20_000_001,
        piece_serial: 7,
        serial: "20000001-0000007".into(),
        product: "First-Class Mail Letter".into(),
        postage: Money::from_mills(780),
        issued_at: "14:02".into(),
        voided: false,
    }];
    assert!(send(&mut state, &context, [Action::VoidIssued]).is_empty());
    assert!(
        matches!(&state.notice, Some(Notice::Info(t)) if t == "void indicium 20000001-0000007 (First-Class Mail Letter) for a refund of $0.78? {confirm} voids it, any other key keeps it"),
        "{:?}",
        state.notice
    );
    assert!(send(&mut state, &context, [Action::Up]).is_empty());
    send(&mut state, &context, [Action::VoidIssued]);
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert_eq!(
        effects,
        vec![Effect::VoidRecent {
            device_id: 20_000_001,
            piece_serial: 7
        }]
    );
}
