//! A Mettler Toledo MT-SICS scale, simulated on a pseudo-terminal: the real driver reads the
//! live weight with `SI` (moving is shown, never usable), a stable one with `S`, zeroes with
//! `Z` within the zeroing range, and reports over capacity, under zero and a silent scale.

use postcounter::scale::sics::{SicsSerialScale, SicsSimulator};
use postcounter::scale::{DisplayUnit, ReadingStatus, Scale, ScaleErrorKind};
use postcounter::weight::Weight;

fn open(simulator: &SicsSimulator) -> SicsSerialScale {
    SicsSerialScale::open(simulator.path(), 9600)
        .unwrap()
        .with_timeout_ms(300)
}

#[test]
fn immediate_and_stable_weights_follow_the_platter() {
    let simulator = SicsSimulator::start().unwrap();
    let platter = simulator.handle();
    let mut scale = open(&simulator);

    platter.set_load(Weight::from_ounces(24));
    platter.set_motion(true);
    let moving = scale.read().unwrap();
    assert_eq!(moving.status, ReadingStatus::Moving);
    assert_eq!(moving.weight, Some(Weight::from_ounces(24)));
    assert_eq!(moving.usable_weight(), None);
    let not_yet = scale.read_stable().unwrap();
    assert_eq!(not_yet.status, ReadingStatus::Moving);
    assert_eq!(not_yet.weight, None);

    platter.set_motion(false);
    let stable = scale.read_stable().unwrap();
    assert_eq!(stable.usable_weight(), Some(Weight::from_ounces(24)));
    assert_eq!(stable.unit, Some(DisplayUnit::Pounds));
    platter.set_unit(DisplayUnit::Grams);
    platter.set_load(Weight::from_grams(250));
    assert_eq!(
        scale.read().unwrap().usable_weight(),
        Some(Weight::from_grams(250))
    );
    assert_eq!(
        platter.received_commands(),
        ["SI", "S", "S", "SI"].map(String::from)
    );
}

#[test]
fn zero_capacity_and_silence_are_reported() {
    let simulator = SicsSimulator::start().unwrap();
    let platter = simulator.handle();
    let mut scale = open(&simulator);

    // A box left on the platter is beyond the zeroing range: refused, with the scale's reason.
    platter.set_load(Weight::from_pounds(5));
    let refused = scale.zero().unwrap_err();
    assert_eq!(refused.kind(), ScaleErrorKind::Refused);
    assert!(refused.to_string().contains("zeroing range"), "{refused}");
    // An empty tray zeroes; taking it off then reads below zero.
    platter.set_load(Weight::from_ounces(3));
    scale.zero().unwrap();
    platter.set_load(Weight::ZERO);
    assert_eq!(scale.read().unwrap().status, ReadingStatus::UnderZero);
    platter.set_load(Weight::from_pounds(80));
    assert_eq!(scale.read().unwrap().status, ReadingStatus::OverCapacity);

    platter.set_silent(true);
    let silent = scale.read().unwrap_err();
    assert_eq!(silent.kind(), ScaleErrorKind::Timeout, "{silent}");
    assert!(silent.to_string().contains("\"SI\""), "{silent}");
}
