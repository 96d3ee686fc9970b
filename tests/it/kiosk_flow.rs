//! The counter's flow, fed actions as the keyboard and the edge would send them: a fixed
//! date and sale id, the real rate tables, no IO.

use crate::common;

use common::kiosk::{add_letter, context, new_state, send, typed, zip_found};

use postcounter::kiosk::action::{Action, Effect, IssueFailure};
use postcounter::kiosk::state::{Notice, Step};
use postcounter::money::Money;
use postcounter::print::printer::PrinterErrorKind;

fn issue_effects(effects: &[Effect]) -> Vec<(u64, u32)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Issue { item_id, piece, .. } => Some((*item_id, *piece)),
            _ => None,
        })
        .collect()
}

/// Each `(item_id, piece)` label printed; the effects of the last.
fn all_printed(
    state: &mut postcounter::kiosk::state::State,
    context: &postcounter::kiosk::flow::Context,
    pieces: &[(u64, u32)],
) -> Vec<Effect> {
    let mut last = Vec::new();
    for &(item_id, piece) in pieces {
        last = send(
            state,
            context,
            [Action::Printed {
                item_id,
                piece,
                result: Ok(()),
            }],
        );
    }
    last
}

#[test]
fn a_two_item_cash_sale_issues_prints_and_gives_change() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "2oz", "90210");
    send(&mut state, &context, [Action::AddAnother]);
    add_letter(&mut state, &context, "1oz", "10001");
    assert_eq!(state.basket_total(), Money::from_mills(1070 + 780));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Payment);
    send(&mut state, &context, typed("20"));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert_eq!(effects[0], Effect::OpenDrawer);
    assert_eq!(issue_effects(&effects), vec![(1, 0), (2, 0)]);
    assert_eq!(state.change_due(), Some(Money::from_mills(20_000 - 1850)));

    let mut prints = Vec::new();
    for (item_id, serial) in [(1, "S-1"), (2, "S-2")] {
        prints.extend(send(
            &mut state,
            &context,
            [Action::Issued {
                item_id,
                piece: 0,
                result: Ok((serial.into(), vec![item_id as u8; 112])),
            }],
        ));
    }
    assert!(
        prints
            .iter()
            .all(|e| matches!(e, Effect::PrintLabel { .. }))
    );
    let last = all_printed(&mut state, &context, &[(1, 0), (2, 0)]);
    let [Effect::PrintReceipt(receipt)] = &last[..] else {
        panic!("no receipt in {last:?}")
    };
    assert_eq!(
        receipt.indicium_serials,
        vec!["S-1".to_string(), "S-2".to_string()]
    );
    assert_eq!(receipt.change, Some(Money::from_mills(20_000 - 1850)));
    assert_eq!(state.step, Step::Done);
}

/// The pieces of a basket are asked for at once, and their answers may come back in any
/// order: the second piece's indicium arriving first is kept and printed, not dropped (it
/// was issued and paid for; dropping it left the sale "issuing" until Esc refunded it).
#[test]
fn answers_in_any_order_are_each_kept_printed_and_on_the_receipt() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Type('+'), Action::Confirm]);
    assert_eq!(state.basket[0].quantity, 2);
    send(&mut state, &context, typed("20"));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert_eq!(issue_effects(&effects), vec![(1, 0), (1, 1)]);
    let mut prints = Vec::new();
    for (piece, serial) in [(1, "S-2"), (0, "S-1"), (1, "S-2")] {
        prints.extend(send(
            &mut state,
            &context,
            [Action::Issued {
                item_id: 1,
                piece,
                result: Ok((serial.into(), vec![piece as u8; 112])),
            }],
        ));
    }
    let printed: Vec<u32> = prints
        .iter()
        .filter_map(|e| match e {
            Effect::PrintLabel { piece, .. } => Some(*piece),
            _ => None,
        })
        .collect();
    assert_eq!(printed, vec![1, 0], "each piece printed once");
    assert!(issue_effects(&send(&mut state, &context, [Action::Confirm])).is_empty());
    let last = all_printed(&mut state, &context, &[(1, 0), (1, 1)]);
    let [Effect::PrintReceipt(receipt)] = &last[..] else {
        panic!("no receipt in {last:?}")
    };
    assert_eq!(
        receipt.indicium_serials,
        vec!["S-1".to_string(), "S-2".to_string()]
    );
    assert_eq!(state.step, Step::Done);
}

#[test]
fn nothing_is_issued_before_the_payment_is_accepted() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    let effects = send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    assert_eq!(state.step, Step::Issuing, "the second Confirm paid exactly");
    send(&mut state, &context, [Action::Back, Action::Confirm]);
    assert_eq!(issue_effects(&effects).len(), 1);
}

#[test]
fn confirm_pressed_twice_asks_for_one_indicium() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm]);
    let first = send(&mut state, &context, [Action::Confirm]);
    let second = send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    assert_eq!(issue_effects(&first).len(), 1);
    assert!(issue_effects(&second).is_empty(), "{second:?}");
}

#[test]
fn a_failed_issue_is_retried_with_the_same_request_id() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm]);
    let first = send(&mut state, &context, [Action::Confirm]);
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 0,
            result: Err(IssueFailure::not_now("vendor timed out")),
        }],
    );
    assert!(
        matches!(&state.notice, Some(Notice::Error(text)) if text.contains("vendor timed out"))
    );
    let retry = send(&mut state, &context, [Action::Confirm]);
    let request_id =
        |effects: &[Effect]| match &effects.iter().find(|e| matches!(e, Effect::Issue { .. })) {
            Some(Effect::Issue { request_id, .. }) => request_id.clone(),
            _ => panic!("no issue effect in {effects:?}"),
        };
    assert_eq!(request_id(&first), request_id(&retry));
}

#[test]
fn paper_out_after_the_indicium_was_issued_reprints_the_same_indicium() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    let indicium = vec![7u8; 112];
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 0,
            result: Ok(("S-1".into(), indicium.clone())),
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
    assert!(state.print_problem.is_some());
    assert!(
        issue_effects(&send(&mut state, &context, [Action::Confirm])).is_empty(),
        "never a second indicium"
    );
    let reprint = send(&mut state, &context, [Action::Reprint]);
    assert!(
        matches!(&reprint[..], [Effect::PrintLabel { indicium: bytes, .. }] if *bytes == indicium)
    );
    let done = send(
        &mut state,
        &context,
        [Action::Printed {
            item_id: 1,
            piece: 0,
            result: Ok(()),
        }],
    );
    assert!(matches!(&done[..], [Effect::PrintReceipt(_)]));
}

#[test]
fn paper_out_can_be_settled_by_voiding_the_indicium_for_a_refund() {
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm, Action::Confirm]);
    send(
        &mut state,
        &context,
        [Action::Issued {
            item_id: 1,
            piece: 0,
            result: Ok(("S-1".into(), vec![1; 112])),
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
    let void = send(&mut state, &context, [Action::VoidIssued]);
    assert_eq!(
        void,
        vec![Effect::Void {
            item_id: 1,
            piece: 0,
            serial: "S-1".into()
        }]
    );
    send(
        &mut state,
        &context,
        [Action::Voided {
            item_id: 1,
            piece: 0,
            result: Ok(()),
        }],
    );
    assert_eq!(state.step, Step::Done);
    assert!(matches!(&state.notice, Some(Notice::Info(text)) if text.contains("refund $0.78")));
}

#[test]
fn an_over_limit_piece_is_refused_on_the_weigh_screen() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("80lb"));
    send(
        &mut state,
        &context,
        [Action::Right, Action::Right, Action::Right],
    );
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Weigh);
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "80 lb is over 70 lb, the most any mail piece may weigh".into()
        ))
    );
    assert!(state.draft.weight.is_none());
    assert!(state.basket.is_empty());
}

#[test]
fn the_weigh_screen_reads_a_weight_exactly_as_the_command_line_does() {
    use postcounter::weight::Weight;
    for text in [
        "1/2 oz", "1 1/2 lb", "2,5 oz", "-2oz", "12", "3lb 4oz", "1/0 oz",
    ] {
        let (context, mut state) = (context(), new_state());
        send(&mut state, &context, typed(text));
        send(&mut state, &context, [Action::Confirm]);
        match Weight::parse(text) {
            Ok(weight) => {
                assert_eq!(state.draft.weight.map(|w| w.0), Some(weight), "{text}");
                assert_eq!(state.step, Step::Destination, "{text}");
            }
            Err(error) => {
                assert_eq!(
                    state.notice,
                    Some(Notice::Error(error.to_string())),
                    "{text}"
                );
                assert_eq!(state.step, Step::Weigh, "{text}");
            }
        }
    }
    // Half an ounce is a First-Class letter, never 12 oz of Priority Mail.
    let (context, mut state) = (context(), new_state());
    add_letter(&mut state, &context, "1/2 oz", "90210");
    let line = state.basket.last().unwrap();
    assert_eq!(line.priced.offer.postage, "$0.78".parse().unwrap());
}

#[test]
fn a_letter_over_three_and_a_half_ounces_loses_first_class_with_the_reason() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("4oz"));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("90210"));
    send(&mut state, &context, [Action::Confirm, zip_found("90210")]);
    let quote = state.draft.quote.as_ref().unwrap();
    let first_class = quote
        .excluded
        .iter()
        .find(|e| e.product == postcounter::rates::Product::FcmLetter)
        .unwrap();
    assert!(first_class.reason.contains("3.5"), "{}", first_class.reason);
    assert!(!quote.offers.is_empty());
}

#[test]
fn an_unknown_zip_is_refused_and_the_clerk_stays_on_the_destination() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("1oz"));
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("00000"));
    send(&mut state, &context, [Action::Confirm, zip_found("00000")]);
    assert_eq!(state.step, Step::Destination);
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "ZIP code 00000 is not a known ZIP code: check it and type it again".into()
        ))
    );
}

#[test]
fn a_bad_weight_or_short_cash_is_refused_with_the_input_quoted() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("12"));
    send(&mut state, &context, [Action::Confirm]);
    assert!(
        matches!(&state.notice, Some(Notice::Error(text)) if text.starts_with("\"12\" is not a weight"))
    );
    send(&mut state, &context, [Action::Erase, Action::Erase]);
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed("0.50"));
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert!(effects.is_empty());
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "cash $0.50 does not cover the total $0.78".into()
        ))
    );
}

fn reading(weight: &str, status: postcounter::scale::ReadingStatus) -> Action {
    Action::ScaleRead(Ok(postcounter::scale::Reading {
        weight: Some(postcounter::weight::Weight::parse(weight).unwrap()),
        status,
        source: postcounter::scale::ReadingSource::Scale,
        unit: None,
    }))
}

#[test]
fn only_a_stable_scale_reading_is_taken_and_it_is_recorded_as_the_scales() {
    use postcounter::kiosk::state::WeightSource;
    use postcounter::scale::ReadingStatus;
    let (context, mut state) = (context(), new_state());
    send(
        &mut state,
        &context,
        [reading("3oz", ReadingStatus::Moving), Action::Confirm],
    );
    assert_eq!(state.step, Step::Weigh);
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "the scale is not stable yet: wait until it settles, or type the weight".into()
        ))
    );
    send(
        &mut state,
        &context,
        [
            reading("80lb", ReadingStatus::OverCapacity),
            Action::Confirm,
        ],
    );
    assert!(
        matches!(&state.notice, Some(Notice::Error(text)) if text.contains("over the scale's capacity"))
    );
    // Settled, the scale answers its own error: it goes before Enter is pressed.
    send(
        &mut state,
        &context,
        [reading("3oz", ReadingStatus::Stable)],
    );
    assert_eq!(state.notice, None);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Destination);
    let (weight, source) = state.draft.weight.unwrap();
    assert_eq!(
        (weight.to_string(), source),
        ("3 oz".to_string(), WeightSource::Scale)
    );
}

#[test]
fn a_typed_weight_wins_over_the_scale_and_is_recorded_as_manual() {
    use postcounter::kiosk::state::WeightSource;
    use postcounter::scale::ReadingStatus;
    let (context, mut state) = (context(), new_state());
    send(
        &mut state,
        &context,
        [reading("3oz", ReadingStatus::Moving)],
    );
    send(&mut state, &context, typed("2oz"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.draft.weight.unwrap().1, WeightSource::Manual);
}

#[test]
fn without_a_scale_an_empty_weight_asks_the_clerk_to_type_it() {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "type the weight, e.g. 2oz (no scale is connected)".into()
        ))
    );
}

/// The state on the service screen for a 3 lb parcel to the country typed as `country`.
fn parcel_abroad(
    country: &str,
) -> (
    postcounter::kiosk::flow::Context,
    postcounter::kiosk::state::State,
) {
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, typed("3lb"));
    send(
        &mut state,
        &context,
        [Action::Right, Action::Right, Action::Right],
    );
    send(&mut state, &context, [Action::Confirm]);
    send(&mut state, &context, typed(country));
    (context, state)
}

#[test]
fn a_country_is_found_as_it_is_typed_and_priced_by_its_group() {
    use postcounter::kiosk::state::DraftDestination;
    let (context, mut state) = parcel_abroad("germ");
    assert_eq!(state.draft.country_matches, ["Germany (DE)"]);
    let effects = send(&mut state, &context, [Action::Confirm]);
    assert!(
        effects.is_empty(),
        "a country needs no ZIP lookup: {effects:?}"
    );
    assert_eq!(state.step, Step::Service);
    assert_eq!(
        state.draft.destination,
        Some(DraftDestination::Country {
            code: "DE".into(),
            name: "Germany".into()
        })
    );
    let quote = state.draft.quote.as_ref().unwrap();
    let pmi = quote
        .offers
        .iter()
        .find(|o| o.product == postcounter::rates::Product::PriorityMailInternational)
        .unwrap();
    assert_eq!(pmi.postage, "$89.25".parse().unwrap());
    // An ambiguous name is refused with the candidates; the clerk stays to type more.
    let (context, mut state) = parcel_abroad("korea");
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Destination);
    assert!(
        matches!(&state.notice, Some(Notice::Error(text)) if text.contains("matches several countries") && text.contains("(KR)")),
        "{:?}",
        state.notice
    );
}

#[test]
fn a_parcel_abroad_joins_the_basket_only_with_its_customs_items() {
    use postcounter::customs::ContentCategory;
    let (context, mut state) = parcel_abroad("DE");
    send(&mut state, &context, [Action::Confirm]);
    // The cheapest offer for 3 lb to Germany is First-Class Package International Service.
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Customs);
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Customs);
    assert_eq!(
        state.notice,
        Some(Notice::Error(
            "a parcel to DE needs a customs declaration: list each item's contents, quantity, value, weight and origin".into()
        ))
    );
    // A vague description is refused in place.
    send(&mut state, &context, typed("gift"));
    for field in ["1", "45", "1lb 2oz", "US"] {
        send(&mut state, &context, [Action::NextField]);
        send(&mut state, &context, typed(field));
    }
    send(&mut state, &context, [Action::Confirm]);
    assert!(state.draft.customs.items.is_empty());
    assert!(
        matches!(&state.notice, Some(Notice::Error(t)) if t.contains("does not say what the contents are"))
    );
    for _ in 0..4 {
        send(&mut state, &context, [Action::Erase]);
    }
    send(&mut state, &context, typed("Wool sweater"));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.draft.customs.items.len(), 1, "{:?}", state.notice);
    // Items without a category are not finished.
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Customs);
    send(&mut state, &context, [Action::Right]);
    assert_eq!(state.draft.customs.category, Some(ContentCategory::Gift));
    send(&mut state, &context, [Action::Confirm]);
    assert_eq!(state.step, Step::Basket, "{:?}", state.notice);
    let declaration = state.basket[0].priced.request.customs.as_ref().unwrap();
    assert_eq!(declaration.items[0].description, "Wool sweater");
    assert_eq!(declaration.category, ContentCategory::Gift);
}
