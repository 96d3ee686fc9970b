//! The counter's quiet moment, as the flow decides it: a release that waits never cuts a
//! sale short; the counter leaves for it only from the start screen left alone, with nothing
//! typed, in the basket, paid or in flight; a supervisor's postponement holds it; a release
//! on trial that missed its health check leaves the same way.

use crate::common;

use common::kiosk::{add_letter, context, new_state, pay_cash_and_print, send, typed};
use postcounter::kiosk::action::Action;
use postcounter::kiosk::state::{Leave, State, Step};

/// Ticks the app's clock forward by `ms`, a second at a time, as the event loop does.
fn wait(state: &mut State, context: &postcounter::kiosk::flow::Context, ms: u64) {
    let until = state.now_ms + ms;
    while state.now_ms < until && !state.quit {
        let next = (state.now_ms + 1_000).min(until);
        send(state, context, [Action::Tick(next)]);
    }
}

#[test]
fn a_waiting_release_never_cuts_a_sale_short_and_goes_in_at_the_next_quiet_moment() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(
        &mut state,
        &context,
        [Action::ReleaseDue(Some("0.2.0".into()))],
    );
    assert_eq!(state.leave, Some(Leave::Switch));
    // A basket left alone for ten minutes is not a quiet moment.
    wait(&mut state, &context, 600_000);
    assert!(!state.quit);
    assert_eq!(state.step, Step::Basket);

    pay_cash_and_print(&mut state, &context, "5");
    assert_eq!(state.step, Step::Done);
    wait(&mut state, &context, 15_000);
    assert!(!state.quit, "the done screen is not the start screen");
    // The done screen gives way to the start screen (20 s), which is then left alone for
    // the quiet time (30 s) from the last key.
    wait(&mut state, &context, 120_000);
    assert!(state.quit);
    assert_eq!(state.left_for, Some(Leave::Switch));
    assert_eq!(state.step, Step::Weigh);
    assert!(state.basket.is_empty());
}

#[test]
fn a_start_screen_with_something_typed_is_not_quiet() {
    let context = context();
    let mut state = new_state();
    send(&mut state, &context, typed("1oz"));
    send(
        &mut state,
        &context,
        [Action::ReleaseDue(Some("0.2.0".into()))],
    );
    wait(&mut state, &context, 600_000);
    assert!(!state.quit);
    // The clerk clears the field: from that key on, the quiet time counts.
    send(
        &mut state,
        &context,
        [Action::Erase, Action::Erase, Action::Erase],
    );
    wait(&mut state, &context, 29_000);
    assert!(!state.quit);
    wait(&mut state, &context, 2_000);
    assert_eq!(state.left_for, Some(Leave::Switch));
}

#[test]
fn a_postponed_release_holds_and_a_missed_health_check_leaves_at_a_quiet_moment() {
    let context = context();
    let mut state = new_state();
    send(
        &mut state,
        &context,
        [Action::ReleaseDue(Some("0.2.0".into()))],
    );
    // A supervisor postponed it: the edge says no release is due any more.
    send(&mut state, &context, [Action::ReleaseDue(None)]);
    assert_eq!(state.leave, None);
    wait(&mut state, &context, 120_000);
    assert!(!state.quit);

    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::HealthCheckMissed]);
    // A release waiting meanwhile does not turn a rollback into a switch.
    send(
        &mut state,
        &context,
        [Action::ReleaseDue(Some("0.3.0".into()))],
    );
    wait(&mut state, &context, 120_000);
    assert!(!state.quit, "never in the middle of a sale");
    pay_cash_and_print(&mut state, &context, "5");
    wait(&mut state, &context, 120_000);
    assert!(state.quit);
    assert_eq!(state.left_for, Some(Leave::Unhealthy));
}

#[test]
fn a_clerk_who_quits_leaves_for_nothing() {
    let context = context();
    let mut state = new_state();
    // A release waits: quitting is still quitting, not leaving for it.
    send(
        &mut state,
        &context,
        [Action::ReleaseDue(Some("0.2.0".into()))],
    );
    assert_eq!(state.leave, Some(Leave::Switch));
    send(&mut state, &context, [Action::Quit]);
    assert!(state.quit);
    assert_eq!(state.left_for, None);
}

#[test]
fn a_piece_on_the_scale_is_someone_at_the_counter() {
    use postcounter::scale::{Reading, ReadingSource, ReadingStatus};
    use postcounter::weight::Weight;
    let reading = |ounces| {
        Action::ScaleRead(Ok(Reading {
            weight: Some(Weight::from_ounces(ounces)),
            status: ReadingStatus::Moving,
            source: ReadingSource::Scale,
            unit: None,
        }))
    };
    let context = context();
    let mut state = new_state();
    send(
        &mut state,
        &context,
        [Action::ReleaseDue(Some("0.2.0".into()))],
    );
    // Readings are not keys: the idle time runs on, but the pan is not empty.
    send(&mut state, &context, [reading(3)]);
    wait(&mut state, &context, 120_000);
    assert!(!state.quit);
    send(&mut state, &context, [reading(0)]);
    wait(&mut state, &context, 1_000);
    assert_eq!(state.left_for, Some(Leave::Switch));
}

#[test]
fn a_health_check_passed_late_keeps_the_release() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::HealthCheckMissed]);
    // The data centre answered before the sale ended: nothing to leave for.
    send(&mut state, &context, [Action::HealthCheckPassed]);
    assert_eq!(state.leave, None);
    pay_cash_and_print(&mut state, &context, "5");
    wait(&mut state, &context, 120_000);
    assert!(!state.quit);
}

#[test]
fn a_counter_whose_launcher_is_gone_stops_at_its_next_quiet_moment() {
    let context = context();
    let mut state = new_state();
    add_letter(&mut state, &context, "1oz", "90210");
    send(&mut state, &context, [Action::LauncherGone]);
    // Neither a release announced meanwhile nor a health check missed and passed changes
    // why it leaves: nothing would run a switch or a rollback.
    send(
        &mut state,
        &context,
        [
            Action::ReleaseDue(Some("0.2.0".into())),
            Action::HealthCheckMissed,
            Action::HealthCheckPassed,
        ],
    );
    assert_eq!(state.leave, Some(Leave::LauncherGone));
    wait(&mut state, &context, 120_000);
    assert!(!state.quit, "never in the middle of a sale");
    pay_cash_and_print(&mut state, &context, "5");
    wait(&mut state, &context, 120_000);
    assert_eq!(state.left_for, Some(Leave::LauncherGone));
}
