//! Snapshots of every counter screen at the smallest size (80x24) and a kiosk size (120x40),
//! with a fixed date and sale id; plus style checks where colour carries meaning.

use crate::common;

use common::kiosk::{add_letter, context, new_state, pay_cash_and_print, send, typed, zip_found};
use common::screen::{assert_no_word_cut, draw};
use postcounter::kiosk::action::Action;
use postcounter::kiosk::state::{Mode, PaymentMethod, State};
use postcounter::kiosk::style::Theme;
use postcounter::print::printer::PrinterErrorKind;

fn snapshot_both_sizes(name: &str, state: &State) {
    insta::assert_snapshot!(format!("{name}__80x24"), draw(state, 80, 24).backend());
    insta::assert_snapshot!(format!("{name}__120x40"), draw(state, 120, 40).backend());
    assert_no_word_cut(name, state);
}

/// A state on the service screen for a 2 oz letter to 90210.
fn at_service() -> State {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("2oz"));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("90210"));
    send(&mut state, &context, [Action::Confirm, zip_found("90210")]);
    state
}

fn with_two_items() -> State {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "2oz", "90210");
    send(&mut state, &context, [Action::AddAnother]);
    add_letter(&mut state, &context, "1oz", "10001");
    send(&mut state, &context, [Action::Right]);
    state
}

#[test]
fn weigh_screens() {
    let (context, mut state) = (context(), new_state());
    snapshot_both_sizes("weigh__empty", &state);
    send(&mut state, &context, typed("12"));
    send(&mut state, &context, [Action::Confirm]);
    snapshot_both_sizes("weigh__weight_without_unit", &state);
    let mut state = new_state();
    let moving = postcounter::scale::Reading {
        weight: Some(postcounter::weight::Weight::parse("1.25lb").unwrap()),
        status: postcounter::scale::ReadingStatus::Moving,
        source: postcounter::scale::ReadingSource::Scale,
        unit: None,
    };
    send(
        &mut state,
        &context,
        [Action::ScaleRead(Ok(moving)), Action::Confirm],
    );
    snapshot_both_sizes("weigh__scale_moving", &state);
}

#[test]
fn destination_screens() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("3lb 4oz"));
    send(
        &mut state,
        &context,
        [Action::Right, Action::Right, Action::Right, Action::Confirm],
    );
    send(&mut state, &context, typed("00000"));
    send(&mut state, &context, [Action::Confirm, zip_found("00000")]);
    snapshot_both_sizes("destination__unknown_zip", &state);
}

#[test]
fn service_screens() {
    let (context, mut state) = (context(), at_service());
    snapshot_both_sizes("service__letter_to_90210", &state);
    send(&mut state, &context, [Action::Type('1'), Action::Down]);
    snapshot_both_sizes("service__certified_and_second_offer", &state);
}

#[test]
fn basket_payment_issuing_and_done_screens() {
    let (context, mut state) = (context(), with_two_items());
    snapshot_both_sizes("basket__two_items", &state);
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("20"));
    snapshot_both_sizes("payment__cash_tendered", &state);
    send(&mut state, &context, [Action::Confirm]);
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 0,
            result: Ok(("10000001-0000001".into(), vec![0; 112])),
        }],
    );
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 1,
            result: Ok(("10000001-0000002".into(), vec![0; 112])),
        }],
    );
    send(
        &mut state,
        &context,
        [Action::Printed {
            item_id: 1,
            piece: 0,
            result: Err(PrinterErrorKind::Timeout),
        }],
    );
    snapshot_both_sizes("issuing__paper_out", &state);
    send(&mut state, &context, [Action::Reprint]);
    send(
        &mut state,
        &context,
        [Action::Printed {
            item_id: 1,
            piece: 0,
            result: Ok(()),
        }],
    );
    send(
        &mut state,
        &context,
        [Action::Printed {
            item_id: 1,
            piece: 1,
            result: Ok(()),
        }],
    );
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 2,
            piece: 0,
            result: Ok(("10000001-0000003".into(), vec![0; 112])),
        }],
    );
    send(
        &mut state,
        &context,
        [Action::Printed {
            item_id: 2,
            piece: 0,
            result: Ok(()),
        }],
    );
    snapshot_both_sizes("done__change_due", &state);
}

#[test]
fn a_terminal_too_small_says_the_size_it_needs() {
    let terminal = draw(&new_state(), 60, 20);
    insta::assert_snapshot!("too_small__60x20", terminal.backend());
}

#[test]
fn the_amount_due_and_errors_are_drawn_in_their_theme_styles() {
    let theme = Theme::embedded_default().unwrap();
    let (context, mut state) = (context(), with_two_items());
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("1"));
    send(&mut state, &context, [Action::Confirm]);
    let terminal = draw(&state, 80, 24);
    let buffer = terminal.backend().buffer();
    // The first cell of `text` on the row that also shows `marker`.
    let find = |marker: &str, text: &str| {
        (0..buffer.area.height)
            .find_map(|y| {
                let row: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect();
                let at = row
                    .find(marker)
                    .and_then(|m| row[m..].find(text).map(|t| m + t))?;
                Some((u16::try_from(row[..at].chars().count()).unwrap(), y))
            })
            .unwrap_or_else(|| panic!("{text:?} is not on the screen after {marker:?}"))
    };
    let (x, y) = find("Amount due", "$2.92"); // 2 x $1.07 + $0.78
    let amount_due = theme.money.amount_due;
    assert_eq!(Some(buffer[(x, y)].fg), amount_due.fg);
    assert!(buffer[(x, y)].modifier.contains(amount_due.add_modifier));
    assert_ne!(
        amount_due.fg, theme.base.text.fg,
        "the amount due stands out from plain text"
    );
    let (x, y) = find("! ", "cash $1.00 does not cover");
    assert_eq!(buffer[(x, y)].fg, theme.banner.error.fg.unwrap());
}

#[test]
fn self_service_welcome_screen() {
    let mut state = new_state();
    state.mode = Mode::Kiosk;
    state.step = postcounter::kiosk::state::Step::Welcome;
    snapshot_both_sizes("welcome__kiosk", &state);
}

#[test]
fn piece_screens_with_dimensions_recipient_and_insurance() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("2lb"));
    send(&mut state, &context, [Action::Left, Action::NextField]);
    send(&mut state, &context, typed("12x10x4in"));
    snapshot_both_sizes("weigh__parcel_with_dimensions", &state);
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("90210"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("Jane Doe"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("9 Rodeo Drive"));
    snapshot_both_sizes("destination__with_recipient", &state);
    send(&mut state, &context, [Action::Confirm, zip_found("90210")]);
    send(&mut state, &context, [Action::Type('5')]);
    send(&mut state, &context, typed("150"));
    snapshot_both_sizes("service__insured_parcel", &state);
}

#[test]
fn card_and_account_payment_screens() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::PayBy(PaymentMethod::Card)]);
    send(&mut state, &context, typed("4242424242424242"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("12/3"));
    let screen = format!("{:?}", draw(&state, 80, 24).backend());
    assert!(
        !screen.contains("424242424242"),
        "only the last four digits show"
    );
    snapshot_both_sizes("payment__card_typed", &state);
    send(
        &mut state,
        &context,
        [Action::PayBy(PaymentMethod::Account)],
    );
    send(&mut state, &context, typed("123456782"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("4321"));
    snapshot_both_sizes("payment__account_with_pin", &state);
    // A self-service kiosk without a cash acceptor: card and postage account only.
    state.mode = Mode::Kiosk;
    state.cash_offered = false;
    state.payment = state.new_payment();
    snapshot_both_sizes("payment__self_service_large_amount", &state);
}

#[test]
fn issuing_and_done_screens_preview_the_label() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    let (serial, bytes) = common::kiosk::fixed_indicium(1, 780);
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 0,
            result: Ok((serial, bytes)),
        }],
    );
    snapshot_both_sizes("issuing__label_preview", &state);
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    pay_cash_and_print(&mut state, &context, "1");
    snapshot_both_sizes("done__label_preview", &state);
}

#[test]
fn international_and_customs_screens() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("3lb"));
    send(
        &mut state,
        &context,
        [Action::Right, Action::Right, Action::Right],
    );
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("new"));
    snapshot_both_sizes("international__country_matches", &state);
    for _ in 0..3 {
        send(&mut state, &context, [Action::Erase]);
    }
    send(&mut state, &context, typed("Germany"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("Erika Mustermann"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("Heidestrasse 17"));
    send(&mut state, &context, [Action::NextField]);
    send(&mut state, &context, typed("51147 Koeln"));
    snapshot_both_sizes("international__address_abroad", &state);
    send(&mut state, &context, [Action::Confirm]);
    snapshot_both_sizes("international__service_to_germany", &state);
    send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    snapshot_both_sizes("customs__parcel_without_items", &state);
    send(&mut state, &context, typed("Wool sweater"));
    for field in ["1", "45", "1lb 2oz", "GB"] {
        send(&mut state, &context, [Action::NextField]);
        send(&mut state, &context, typed(field));
    }
    send(&mut state, &context, [Action::Confirm, Action::Right]);
    send(&mut state, &context, typed("Paperback books"));
    snapshot_both_sizes("customs__one_item_and_the_next_typed", &state);
    let mut kiosk = state.clone();
    kiosk.mode = postcounter::kiosk::state::Mode::Kiosk;
    snapshot_both_sizes("customs__self_service", &kiosk);
    for n in 1..=7 {
        send(&mut state, &context, typed(&format!(" vol {n}")));
        for field in ["1", "5", "2oz", ""] {
            send(&mut state, &context, [Action::NextField]);
            send(&mut state, &context, typed(field));
        }
        send(&mut state, &context, [Action::Confirm]);
        send(&mut state, &context, typed("Paperback books"));
    }
    assert_eq!(state.draft.customs.items.len(), 8, "{:?}", state.notice);
    snapshot_both_sizes("customs__more_items_than_the_screen_holds", &state);
}

#[test]
fn confirmation_screens() {
    let context = context();
    let mut state = with_two_items();
    send(&mut state, &context, [Action::Remove]);
    snapshot_both_sizes("confirm__remove_item", &state);
    send(&mut state, &context, [Action::Back, Action::Quit]);
    snapshot_both_sizes("confirm__quit_with_unpaid_basket", &state);
    let mut kiosk = with_two_items();
    kiosk.mode = postcounter::kiosk::state::Mode::Kiosk;
    send(&mut kiosk, &context, [Action::Remove]);
    snapshot_both_sizes("confirm__remove_item_self_service", &kiosk);
}

#[test]
fn help_screens() {
    let context = context();
    let mut state = with_two_items();
    send(&mut state, &context, [Action::Help]);
    assert!(state.help_open);
    snapshot_both_sizes("help__basket", &state);
    // Any key closes it and does nothing else.
    send(&mut state, &context, [Action::Remove]);
    assert!(!state.help_open);
    assert_eq!(state.basket.len(), 2);
    assert!(state.confirming.is_none());
    let mut kiosk = new_state();
    kiosk.mode = postcounter::kiosk::state::Mode::Kiosk;
    send(&mut kiosk, &context, [Action::Help]);
    snapshot_both_sizes("help__self_service_welcome", &kiosk);
}
