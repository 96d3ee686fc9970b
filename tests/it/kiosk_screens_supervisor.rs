//! Snapshots of the supervisor's screens at 80x24 and 120x40 (the PIN prompt, a wrong PIN,
//! the unlocked screen with its chart), each checked for words cut at 80x24.

use crate::common;

use common::kiosk::{SUPERVISOR_PIN, context, new_state, send, typed};
use common::screen::{assert_no_word_cut, draw};
use postcounter::kiosk::action::Action;
use postcounter::kiosk::state::State;

fn snapshot_both_sizes(name: &str, state: &State) {
    insta::assert_snapshot!(format!("{name}__80x24"), draw(state, 80, 24).backend());
    insta::assert_snapshot!(format!("{name}__120x40"), draw(state, 120, 40).backend());
    assert_no_word_cut(name, state);
}

#[test]
fn supervisor_screens() {
    use postcounter::kiosk::state::{DayTotal, RecentPiece, SupervisorData};
    use postcounter::money::Money;
    let (context, mut state) = (context(), new_state());
    send(&mut state, &context, [Action::Supervisor]);
    send(&mut state, &context, typed("1111"));
    send(&mut state, &context, [Action::Confirm]);
    snapshot_both_sizes("supervisor__wrong_pin", &state);
    // Typing the next attempt is acting on the error: it goes.
    send(&mut state, &context, typed("24"));
    assert_eq!(state.notice, None);
    send(&mut state, &context, [Action::Back, Action::Supervisor]);
    send(&mut state, &context, typed(SUPERVISOR_PIN));
    send(&mut state, &context, [Action::Confirm]);
    let recent = |serial: u32, product: &str, mills: i64, voided: bool| RecentPiece {
        device_id: 20_000_001,
        piece_serial: serial,
        serial: format!("20000001-{serial:07}"),
        product: product.into(),
        postage: Money::from_mills(mills),
        issued_at: format!("14:{:02}", serial * 3),
        voided,
    };
    let data = SupervisorData {
        device_id: 20_000_001,
        registers: postcounter::psd::Registers {
            ascending: Money::from_mills(13_990),
            descending: Money::from_mills(486_010),
            control_total: Money::from_mills(500_000),
            piece_count: 4,
        },
        locked_reason: None,
        last_contact: "vendor http://127.0.0.1:41877".into(),
        account_balance: Some(Money::from_mills(400_000)),
        fallback: Some("PSD 10000001, $500.00 available".into()),
        day: vec![
            DayTotal {
                product: "Priority Mail".into(),
                pieces: 1,
                postage: Money::from_mills(11_650),
            },
            DayTotal {
                product: "First-Class Mail Letter".into(),
                pieces: 3,
                postage: Money::from_mills(2_340),
            },
            DayTotal {
                product: "First-Class Mail Large Envelope".into(),
                pieces: 1,
                postage: Money::from_mills(1_630),
            },
            DayTotal {
                product: "First-Class Mail Postcard".into(),
                pieces: 2,
                postage: Money::from_mills(1_220),
            },
        ],
        recent: vec![
            recent(6, "First-Class Mail Postcard", 610, false),
            recent(5, "First-Class Mail Large Envelope", 1_630, false),
            recent(4, "Priority Mail", 11_650, false),
            recent(3, "First-Class Mail Letter", 780, false),
            recent(2, "First-Class Mail Letter", 780, true),
            recent(1, "First-Class Mail Letter", 780, false),
        ],
        label_printer: "label-4x6 on virtual".into(),
        receipt_printer: "receipt-80mm on virtual".into(),
    };
    send(
        &mut state,
        &context,
        [Action::SupervisorLoaded(Ok(Box::new(data))), Action::Down],
    );
    snapshot_both_sizes("supervisor__unlocked", &state);
}
