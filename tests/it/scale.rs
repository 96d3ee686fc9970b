//! Scales: the NCI codec against the protocol's documented bytes, the real serial driver
//! against a simulated scale on a pseudo-terminal, and the manual scale.

use std::time::{Duration, Instant};

use postcounter::scale::nci::{
    Decoded, MAX_REPLY_BYTES, NciCommand, NciFrameError, NciReply, NciSerialScale, NciSimulator,
    NciSimulatorHandle, NciStatus, SimulatedFault, SimulatorBehaviour, decode_reply, encode_reply,
    format_weight_text, parse_weight_text, reading_from_weight_reply,
};
use postcounter::scale::{
    DisplayUnit, ManualScale, Reading, ReadingSource, ReadingStatus, Scale, ScaleErrorKind,
};
use postcounter::weight::Weight;
use proptest::prelude::*;

fn weight(text: &str) -> Weight {
    Weight::parse(text).expect("test weight")
}

fn decode_whole(bytes: &[u8]) -> NciReply {
    match decode_reply(bytes) {
        Ok(Decoded::Reply { reply, consumed }) => {
            assert_eq!(consumed, bytes.len());
            reply
        }
        other => panic!("{bytes:?} did not decode to one reply: {other:?}"),
    }
}

fn reading_of(bytes: &[u8]) -> Reading {
    match decode_whole(bytes) {
        NciReply::Weight { text, status } => {
            reading_from_weight_reply(&text, &status).expect("a reading")
        }
        other => panic!("not a weight reply: {other:?}"),
    }
}

// --- codec -------------------------------------------------------------------------------

#[test]
fn commands_are_a_letter_and_a_carriage_return() {
    assert_eq!(NciCommand::Weight.encode(), *b"W\r");
    assert_eq!(NciCommand::Status.encode(), *b"S\r");
    assert_eq!(NciCommand::Zero.encode(), *b"Z\r");
}

#[test]
fn a_weight_reply_as_the_manual_prints_it_is_a_stable_weight() {
    let reading = reading_of(b"\n   1.25lb\r\n00\r\x03");
    assert_eq!(reading.status, ReadingStatus::Stable);
    assert_eq!(
        reading.usable_weight(),
        Some(Weight::from_milli_ounces(20_000))
    );
    assert_eq!(reading.unit, Some(DisplayUnit::Pounds));
    assert_eq!(reading.source, ReadingSource::Scale);
}

#[test]
fn a_kilogram_reply_is_parsed_exactly() {
    let reading = reading_of(b"\n  0.567kg\r\n00\r\x03");
    assert_eq!(reading.usable_weight(), Some(Weight::from_grams(567)));
}

#[test]
fn a_pounds_and_ounces_display_is_added_up_exactly() {
    let shown = parse_weight_text("2lb  3.5oz").expect("a weight");
    assert_eq!(shown.magnitude, Weight::from_milli_ounces(35_500));
    assert_eq!(shown.unit, DisplayUnit::PoundsOunces);
}

#[test]
fn dashes_and_unknown_units_are_not_weights() {
    assert_eq!(parse_weight_text("  ------"), None);
    assert_eq!(parse_weight_text("1.25st"), None);
    assert_eq!(parse_weight_text("1.2.5lb"), None);
    assert_eq!(parse_weight_text("lb"), None);
}

#[test]
fn the_motion_bit_makes_a_reading_unusable_but_keeps_the_weight_on_show() {
    let reading = reading_of(b"\n   0.50lb\r\n10\r\x03");
    assert_eq!(reading.status, ReadingStatus::Moving);
    assert_eq!(reading.weight, Some(Weight::from_ounces(8)));
    assert_eq!(reading.usable_weight(), None);
}

#[test]
fn over_capacity_gives_no_weight_even_when_the_display_shows_digits() {
    let reading = reading_of(b"\n  75.00lb\r\n02\r\x03");
    assert_eq!(reading.status, ReadingStatus::OverCapacity);
    assert_eq!(reading.weight, None);
}

#[test]
fn a_minus_sign_reads_as_under_zero_even_without_the_status_bit() {
    let reading = reading_of(b"\n  -0.10lb\r\n00\r\x03");
    assert_eq!(reading.status, ReadingStatus::UnderZero);
    assert_eq!(reading.usable_weight(), None);
}

#[test]
fn a_scale_fault_outranks_every_other_status() {
    // Byte 1 bit 3 (EEPROM error) and byte 2 bit 1 (over capacity).
    let reading = reading_of(b"\n   1.00lb\r\n82\r\x03");
    assert_eq!(reading.status, ReadingStatus::Error("EEPROM error".into()));
    assert_eq!(reading.usable_weight(), None);
}

#[test]
fn a_weight_text_that_is_not_a_weight_with_a_stable_status_gives_no_reading() {
    let status = NciStatus::default();
    assert_eq!(reading_from_weight_reply(" HELLO  ", &status), None);
}

#[test]
fn status_replies_with_and_without_the_s_prefix_mean_the_same() {
    let plain = decode_whole(b"\n21\r\x03");
    let prefixed = decode_whole(b"\nS21\r\x03");
    let expected = NciStatus {
        at_zero: true,
        under_capacity: true,
        ..NciStatus::default()
    };
    assert_eq!(plain, NciReply::Status(expected));
    assert_eq!(prefixed, NciReply::Status(expected));
}

#[test]
fn the_parity_bit_of_a_status_byte_is_ignored() {
    let reply = decode_whole(b"\n\xb1\x30\r\x03");
    let expected = NciStatus {
        in_motion: true,
        ..NciStatus::default()
    };
    assert_eq!(reply, NciReply::Status(expected));
}

#[test]
fn a_question_mark_reply_means_the_command_was_not_understood() {
    assert_eq!(decode_whole(b"\n?\r\x03"), NciReply::Unrecognized);
}

#[test]
fn every_prefix_of_a_reply_is_incomplete_and_the_rest_is_left_for_later() {
    let reply = encode_reply(&NciReply::Weight {
        text: "  12.3oz".into(),
        status: NciStatus::default(),
    });
    for end in 0..reply.len() {
        assert_eq!(
            decode_reply(&reply[..end]),
            Ok(Decoded::Incomplete),
            "prefix {end}"
        );
    }
    let mut two = reply.clone();
    two.extend_from_slice(&reply);
    let Ok(Decoded::Reply { consumed, .. }) = decode_reply(&two) else {
        panic!("the first reply should decode");
    };
    assert_eq!(consumed, reply.len());
}

#[test]
fn garbage_is_rejected_at_its_first_byte() {
    let error = decode_reply(b"x\n00\r\x03").expect_err("garbage");
    assert!(matches!(
        error,
        NciFrameError::UnexpectedByte {
            offset: 0,
            byte: b'x',
            ..
        }
    ));
    assert!(error.to_string().contains("offset 0"), "{error}");
}

#[test]
fn a_reply_without_its_etx_is_rejected() {
    let error = decode_reply(b"\n00\r\r").expect_err("no ETX");
    assert!(matches!(
        error,
        NciFrameError::UnexpectedByte {
            offset: 4,
            byte: b'\r',
            ..
        }
    ));
}

#[test]
fn a_line_broken_by_a_line_feed_is_rejected() {
    let error = decode_reply(b"\n1.2\nlb\r\n00\r\x03").expect_err("LF inside a line");
    assert!(matches!(
        error,
        NciFrameError::UnexpectedByte { offset: 4, .. }
    ));
}

#[test]
fn status_bytes_outside_the_protocol_are_rejected_with_the_line_quoted() {
    let error = decode_reply(b"\nAB\r\x03").expect_err("bad status");
    assert!(matches!(error, NciFrameError::BadStatus { .. }));
    assert!(error.to_string().contains("AB"), "{error}");
    let one_byte = decode_reply(b"\n0\r\x03").expect_err("one status byte");
    assert!(
        one_byte.to_string().contains("fewer than two"),
        "{one_byte}"
    );
}

#[test]
fn a_reply_that_never_ends_is_refused_at_the_length_limit() {
    let mut endless = b"\n".to_vec();
    endless.resize(MAX_REPLY_BYTES + 10, b'1');
    assert_eq!(
        decode_reply(&endless),
        Err(NciFrameError::TooLong {
            max_bytes: MAX_REPLY_BYTES
        })
    );
}

#[test]
fn weights_are_rounded_half_up_to_the_display_division_as_a_scale_shows_them() {
    assert_eq!(
        format_weight_text(weight("1.234lb"), false, DisplayUnit::Pounds),
        "   1.23lb"
    );
    assert_eq!(
        format_weight_text(weight("1.235lb"), false, DisplayUnit::Pounds),
        "   1.24lb"
    );
    assert_eq!(
        format_weight_text(weight("250.4g"), false, DisplayUnit::Grams),
        "    250g"
    );
    assert_eq!(
        format_weight_text(weight("35.5oz"), false, DisplayUnit::PoundsOunces),
        "2lb  3.5oz"
    );
    assert_eq!(
        format_weight_text(weight("0.1lb"), true, DisplayUnit::Pounds),
        "  -0.10lb"
    );
}

fn unit_strategy() -> impl Strategy<Value = DisplayUnit> {
    prop_oneof![
        Just(DisplayUnit::Pounds),
        Just(DisplayUnit::Ounces),
        Just(DisplayUnit::PoundsOunces),
        Just(DisplayUnit::Kilograms),
        Just(DisplayUnit::Grams),
    ]
}

/// One display division, built from the constructors rather than from the codec's table.
fn division(unit: DisplayUnit) -> Weight {
    match unit {
        DisplayUnit::Pounds => Weight::from_milli_ounces(160),
        DisplayUnit::Ounces | DisplayUnit::PoundsOunces => Weight::from_milli_ounces(100),
        DisplayUnit::Kilograms | DisplayUnit::Grams => Weight::from_grams(1),
    }
}

fn times(weight: Weight, count: u64) -> Weight {
    Weight::from_picograms(weight.picograms() * count)
}

proptest! {
    #[test]
    fn any_weight_on_the_display_division_survives_the_reply_exactly(
        unit in unit_strategy(),
        divisions in 0u64..1_000_000,
        in_motion: bool,
    ) {
        let sent = times(division(unit), divisions);
        let status = NciStatus { in_motion, ..NciStatus::default() };
        let text = format_weight_text(sent, false, unit);
        let bytes = encode_reply(&NciReply::Weight { text, status });
        let reading = reading_of(&bytes);
        prop_assert_eq!(reading.weight, Some(sent));
        prop_assert_eq!(reading.unit, Some(unit));
        prop_assert_eq!(reading.usable_weight().is_some(), !in_motion);
    }

    #[test]
    fn any_weight_comes_back_within_half_a_display_division(
        unit in unit_strategy(),
        picograms in 0u64..100_000_000_000_000_000,
    ) {
        let sent = Weight::from_picograms(picograms);
        let shown = parse_weight_text(&format_weight_text(sent, false, unit)).expect("a weight");
        let difference = shown.magnitude.picograms().abs_diff(picograms);
        prop_assert!(difference * 2 <= division(unit).picograms(), "{sent:?} -> {shown:?}");
    }

    #[test]
    fn status_bits_survive_the_round_trip(bits in any::<[bool; 8]>()) {
        let status = NciStatus {
            in_motion: bits[0], at_zero: bits[1], ram_error: bits[2], eeprom_error: bits[3],
            under_capacity: bits[4], over_capacity: bits[5], rom_error: bits[6],
            faulty_calibration: bits[7],
        };
        prop_assert_eq!(decode_whole(&encode_reply(&NciReply::Status(status))), NciReply::Status(status));
    }

    #[test]
    fn random_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(Decoded::Reply { consumed, .. }) = decode_reply(&bytes) {
            prop_assert!(consumed <= bytes.len().min(MAX_REPLY_BYTES));
        }
    }

    #[test]
    fn random_text_never_panics_the_weight_parser(text in "[ -~]{0,20}") {
        let _ = parse_weight_text(&text);
    }
}

// --- manual scale ------------------------------------------------------------------------

#[test]
fn a_manual_scale_has_no_weight_until_the_clerk_types_one() {
    let mut scale = ManualScale::new();
    let before = scale.read().expect("manual reading");
    assert_eq!(before.status, ReadingStatus::NoWeight);
    assert_eq!(before.usable_weight(), None);
    scale.set_weight(weight("3.5oz"));
    let typed = scale.read().expect("manual reading");
    assert_eq!(typed.usable_weight(), Some(weight("3.5oz")));
    assert!(typed.is_manual());
    scale.zero().expect("zero");
    assert_eq!(scale.read().expect("manual reading").weight, None);
}

// --- driver against the simulated scale on a pseudo-terminal -----------------------------

fn simulated_scale() -> (NciSimulator, NciSimulatorHandle, NciSerialScale) {
    let simulator = NciSimulator::start().expect("pseudo-terminal");
    let handle = simulator.handle();
    let scale = NciSerialScale::open(simulator.path(), 9600)
        .expect("open the simulator's terminal")
        .with_timeout_ms(300);
    (simulator, handle, scale)
}

#[test]
fn the_simulator_is_a_real_terminal_device() {
    let (simulator, _, _) = simulated_scale();
    assert!(
        simulator.path().starts_with("/dev/"),
        "{}",
        simulator.path()
    );
}

#[test]
fn the_driver_reads_a_stable_weight_and_sends_w_cr() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_load(weight("1.25lb"));
    let reading = scale.read().expect("reading");
    assert_eq!(reading.usable_weight(), Some(weight("20oz")));
    assert_eq!(reading.source, ReadingSource::Scale);
    assert_eq!(handle.received_commands(), vec!["W".to_string()]);
}

#[test]
fn a_moving_scale_shows_a_weight_that_cannot_be_used() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_load(weight("12oz"));
    handle.set_motion(true);
    let reading = scale.read().expect("reading");
    assert_eq!(reading.status, ReadingStatus::Moving);
    assert_eq!(reading.weight, Some(weight("12oz")));
    assert_eq!(reading.usable_weight(), None);
    handle.set_motion(false);
    assert_eq!(
        scale.read().expect("reading").usable_weight(),
        Some(weight("12oz"))
    );
}

#[test]
fn a_load_over_capacity_reads_as_over_capacity() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_load(weight("71lb"));
    let reading = scale.read().expect("reading");
    assert_eq!(reading.status, ReadingStatus::OverCapacity);
    assert_eq!(reading.usable_weight(), None);
}

#[test]
fn zeroing_with_a_tray_on_then_lifting_it_reads_under_zero() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_load(weight("8oz"));
    scale.zero().expect("zero");
    assert_eq!(
        scale.read().expect("reading").usable_weight(),
        Some(Weight::ZERO)
    );
    handle.set_load(weight("1lb 8oz"));
    assert_eq!(
        scale.read().expect("reading").usable_weight(),
        Some(weight("1lb"))
    );
    handle.set_load(Weight::ZERO);
    let reading = scale.read().expect("reading");
    assert_eq!(reading.status, ReadingStatus::UnderZero);
    assert_eq!(reading.usable_weight(), None);
}

#[test]
fn zeroing_a_moving_scale_is_refused() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_load(weight("2oz"));
    handle.set_motion(true);
    let error = scale.zero().expect_err("refused");
    assert_eq!(error.kind(), ScaleErrorKind::Refused);
    assert!(error.to_string().contains("moving"), "{error}");
}

#[test]
fn a_load_between_display_divisions_reads_as_the_scale_rounds_it() {
    let (_simulator, handle, mut scale) = simulated_scale();
    // 3 oz is 0.1875 lb: a scale with a 0.01 lb division shows 0.19 lb.
    handle.set_load(weight("3oz"));
    assert_eq!(
        scale.read().expect("reading").usable_weight(),
        Some(weight("0.19lb"))
    );
}

#[test]
fn a_scale_in_kilograms_is_read_exactly() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_unit(DisplayUnit::Kilograms);
    handle.set_load(weight("1.234kg"));
    let reading = scale.read().expect("reading");
    assert_eq!(reading.usable_weight(), Some(Weight::from_grams(1234)));
    assert_eq!(reading.unit, Some(DisplayUnit::Kilograms));
}

#[test]
fn a_faulty_scale_reads_as_an_error_and_does_not_zero() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_fault(Some(SimulatedFault::Calibration));
    let reading = scale.read().expect("reading");
    assert_eq!(
        reading.status,
        ReadingStatus::Error("faulty calibration".into())
    );
    assert_eq!(
        scale.zero().expect_err("refused").kind(),
        ScaleErrorKind::Refused
    );
}

#[test]
fn a_silent_scale_times_out_within_the_timeout() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_behaviour(SimulatorBehaviour::Silent);
    let started = Instant::now();
    let error = scale.read().expect_err("timeout");
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ScaleErrorKind::Timeout);
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(error.to_string().contains("300 ms"), "{error}");
}

#[test]
fn a_garbage_reply_is_a_protocol_error_found_before_the_timeout() {
    let (_simulator, handle, scale) = simulated_scale();
    let mut scale = scale.with_timeout_ms(5_000);
    handle.set_behaviour(SimulatorBehaviour::Garbage(b"\xf8\x80~~junk".to_vec()));
    let started = Instant::now();
    let error = scale.read().expect_err("garbage");
    assert_eq!(error.kind(), ScaleErrorKind::Protocol);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_reply_cut_short_is_a_protocol_error() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_behaviour(SimulatorBehaviour::Garbage(b"\n   1.25lb\r".to_vec()));
    let error = scale.read().expect_err("truncated");
    assert_eq!(error.kind(), ScaleErrorKind::Protocol);
    assert!(error.to_string().contains("stopped after"), "{error}");
}

#[test]
fn the_driver_recovers_once_the_scale_answers_properly_again() {
    let (_simulator, handle, mut scale) = simulated_scale();
    handle.set_load(weight("4oz"));
    handle.set_behaviour(SimulatorBehaviour::Garbage(
        b"\n1\r\n\r\x03\n00\r\x03".to_vec(),
    ));
    assert!(scale.read().is_err());
    handle.set_behaviour(SimulatorBehaviour::Answer);
    assert_eq!(
        scale.read().expect("reading").usable_weight(),
        Some(weight("4oz"))
    );
}

#[test]
fn the_device_can_be_closed_and_opened_again() {
    let (simulator, handle, scale) = simulated_scale();
    handle.set_load(weight("12oz"));
    drop(scale);
    let mut again = NciSerialScale::open(simulator.path(), 9600).expect("reopen");
    assert_eq!(
        again.read().expect("reading").usable_weight(),
        Some(weight("12oz"))
    );
}

#[test]
fn a_missing_device_is_offline_and_named_in_the_error() {
    let error = NciSerialScale::open("/dev/no-such-scale", 9600).expect_err("missing");
    assert_eq!(error.kind(), ScaleErrorKind::Offline);
    assert!(error.to_string().contains("/dev/no-such-scale"), "{error}");
}

#[test]
fn an_unsupported_baud_rate_is_refused_with_the_accepted_rates() {
    let simulator = NciSimulator::start().expect("pseudo-terminal");
    let error = NciSerialScale::open(simulator.path(), 9601).expect_err("bad baud");
    assert_eq!(error.kind(), ScaleErrorKind::Offline);
    let message = error.to_string();
    assert!(
        message.contains("9601") && message.contains("9600"),
        "{message}"
    );
}

#[test]
fn the_status_command_reports_zero_on_an_empty_platter() {
    let (_simulator, _handle, mut scale) = simulated_scale();
    let status = scale.status().expect("status");
    assert!(status.at_zero && !status.in_motion, "{status:?}");
}
