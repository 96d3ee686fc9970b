//! Every screen at 80x24 in both modes, in the situations that make lines long: the longest
//! country names, a basket of pieces with every extra service, exclusion reasons, long
//! error notices, a scale fault and the issuing screens. No word may be cut at a panel's
//! edge or the hint bar's end (the snapshots in `kiosk_screens` are checked the same way).

use crate::common;

use common::kiosk::{add_letter, context, new_state, pay_cash_and_print, send, typed, zip_found};
use common::screen::assert_no_word_cut;
use postcounter::kiosk::action::{Action, IssueFailure, IssueFailureKind};
use postcounter::kiosk::flow::Context;
use postcounter::kiosk::state::{Mode, Notice, State, Step};
use postcounter::link::LinkStatus;
use postcounter::print::status::PrinterProblem;
use postcounter::scale::{Reading, ReadingSource, ReadingStatus, ScaleErrorKind};

/// Checks `state` as it is, as a counter linked to its data centre (online, and offline on
/// its embedded PSD) would show it, and as a self-service kiosk would.
fn check_both_modes(name: &str, state: &State) {
    assert_no_word_cut(name, state);
    for online in [true, false] {
        let mut linked = state.clone();
        linked.link = Some(LinkStatus {
            online,
            interface: postcounter::link::client::Interface::Modem,
            detail: "https://vendor.example.net:8470".into(),
        });
        assert_no_word_cut(&format!("{name} (online: {online})"), &linked);
    }
    let mut kiosk = state.clone();
    kiosk.mode = Mode::Kiosk;
    assert_no_word_cut(&format!("{name} (self-service)"), &kiosk);
}

/// A parcel of `weight` whose destination field holds `typed_destination`.
fn parcel_to(context: &Context, weight: &str, typed_destination: &str) -> State {
    let mut state = new_state();
    send(&mut state, context, typed(weight));
    send(
        &mut state,
        context,
        [Action::Right, Action::Right, Action::Right, Action::Confirm],
    );
    send(&mut state, context, typed(typed_destination));
    state
}

#[test]
fn country_searches_and_international_services_fit() {
    let context = context();
    for search in ["saint", "republic", "island", "south", "united", "guinea"] {
        let state = parcel_to(&context, "2lb", search);
        check_both_modes(&format!("country matches for {search:?}"), &state);
    }
    for country in [
        "South Georgia",
        "Saint Vincent",
        "Bosnia",
        "Central African",
    ] {
        let mut state = parcel_to(&context, "4lb", country);
        send(&mut state, &context, [Action::Confirm]);
        check_both_modes(&format!("services to {country}"), &state);
        send(&mut state, &context, [Action::Down, Action::Down]);
        check_both_modes(&format!("services to {country}, third"), &state);
    }
    let mut letter = new_state();
    send(&mut letter, &context, typed("3oz"));
    send(&mut letter, &context, [Action::Confirm]);
    send(&mut letter, &context, typed("Saint Pierre"));
    send(&mut letter, &context, [Action::Confirm]);
    check_both_modes("a letter abroad", &letter);
}

/// A 1 lb 15 oz parcel to Anchorage on the Priority Mail line, with `extras` ticked.
fn priority_parcel_with(context: &Context, extras: &[char]) -> State {
    let mut state = new_state();
    send(&mut state, context, typed("1lb 15oz"));
    send(
        &mut state,
        context,
        [Action::Right, Action::Right, Action::Right, Action::Confirm],
    );
    send(&mut state, context, typed("99501"));
    send(&mut state, context, [Action::Confirm, zip_found("99501")]);
    send(&mut state, context, [Action::Down]);
    for extra in extras {
        send(&mut state, context, [Action::Type(*extra)]);
    }
    state
}

#[test]
fn a_basket_with_extra_services_and_long_names_fits() {
    let context = context();
    let mut every = priority_parcel_with(&context, &['1', '2', '3', '5']);
    send(&mut every, &context, typed("4999.99"));
    check_both_modes("every extra with a declared value", &every);

    // Certified Mail with Return Receipt: a combination whose tracking code is known.
    let mut state = priority_parcel_with(&context, &['1', '2']);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Basket, "{:?}", state.notice);
    check_both_modes("basket with extras", &state);
    send(&mut state, &context, [Action::AddAnother]);
    add_letter(&mut state, &context, "3.5oz", "96960");
    check_both_modes("basket with two items", &state);
    pay_cash_and_print(&mut state, &context, "500");
    check_both_modes("done after cash", &state);
}

#[test]
fn long_notices_and_faults_fit() {
    let context = context();
    let mut state = new_state();
    let fault = Reading {
        weight: None,
        status: ReadingStatus::Error(
            "calibration fault: the scale's calibration memory failed its checksum".into(),
        ),
        source: ReadingSource::Scale,
        unit: None,
    };
    send(&mut state, &context, [Action::ScaleRead(Ok(fault))]);
    check_both_modes("a scale fault", &state);
    for kind in [
        ScaleErrorKind::Offline,
        ScaleErrorKind::Timeout,
        ScaleErrorKind::Protocol,
    ] {
        send(&mut state, &context, [Action::ScaleRead(Err(kind))]);
        check_both_modes(&format!("a scale failure ({kind:?})"), &state);
    }
    send(&mut state, &context, typed("12,5 oz"));
    send(&mut state, &context, [Action::Confirm]);
    check_both_modes("a refused weight", &state);

    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("20"));
    send(&mut state, &context, [Action::Confirm]);
    for (name, failure) in [
        (
            "not issued now",
            IssueFailure::not_now(
                "the data centre did not answer at https://vendor-east.example.net:8470 or https://vendor-west.example.net:8470 within 2000 ms, and the embedded PSD's lease has expired",
            ),
        ),
        (
            "printer not ready",
            IssueFailure {
                kind: IssueFailureKind::PrinterNotReady(PrinterProblem::CoverOpen),
                message: "the label printer (serial printer /dev/ttyUSB0 at 38400 baud) has its cover open: close it".into(),
            },
        ),
    ] {
        let mut issuing = state.clone();
        send(
            &mut issuing,
            &context,
            [Action::Issued {
                item_id: 1,
                piece: 0,
                result: Err(failure),
            }],
        );
        check_both_modes(name, &issuing);
    }
    let mut state = new_state();
    state.notice = Some(Notice::Error(
        "the sale could not be completed: the data centre refused the piece because the rate table it prices with changed since the quote; $12.76 is being refunded to the card or account that paid, and the receipt shows it".into(),
    ));
    check_both_modes("a three-line notice", &state);
}

/// Twenty letters for $20 cash: the change due is on the done screen at 80x24, above the
/// pieces, of which the first are listed and the rest counted.
#[test]
fn the_change_due_shows_however_many_pieces_were_sold() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, std::iter::repeat_n(Action::Right, 19));
    assert_eq!(state.basket[0].quantity, 20);
    pay_cash_and_print(&mut state, &context, "20");
    assert_eq!(state.step, Step::Done, "{:?}", state.notice);
    let screen = common::screen::draw(&state, 80, 24).backend().to_string();
    assert!(screen.contains("Change due          $4.40"), "{screen}");
    assert!(
        screen.contains("Postage printed (20 piece(s)):"),
        "{screen}"
    );
    assert!(screen.contains("and 12 more"), "{screen}");
    check_both_modes("done after twenty letters", &state);
}
