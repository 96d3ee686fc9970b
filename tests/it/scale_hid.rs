//! A USB HID point-of-sale scale, replayed: reports as a DYMO-style postal scale sends them
//! (report id 3, ounces in tenths) are written into a pseudo-terminal that the hidraw driver
//! opens and reads as it reads /dev/hidrawN. The stale first report is dropped, the newest
//! is read, a partial report waits for the rest, and a quiet scale times out.

use std::io::Write;

use postcounter::scale::hid::HidPosScale;
use postcounter::scale::{PseudoTerminal, ReadingStatus, Scale, ScaleErrorKind};
use postcounter::weight::Weight;

/// 30.0 oz, stable: left in the device from the previous piece.
const STALE_30_OZ: [u8; 6] = [3, 4, 11, 0xFF, 0x2C, 0x01];
/// 16.5 oz, still moving.
const MOVING_16_5_OZ: [u8; 6] = [3, 3, 11, 0xFF, 0xA5, 0x00];
/// 16.8 oz, stable.
const STABLE_16_8_OZ: [u8; 6] = [3, 4, 11, 0xFF, 0xA8, 0x00];
/// Over the scale's capacity.
const OVER: [u8; 6] = [3, 6, 11, 0xFF, 0x00, 0x00];

#[test]
fn the_stale_first_report_is_dropped_and_the_newest_is_read() {
    let pty = PseudoTerminal::open().unwrap();
    let mut scale_side = &pty.master;
    scale_side.write_all(&STALE_30_OZ).unwrap();
    let mut scale = HidPosScale::open(&pty.slave_path)
        .unwrap()
        .with_timeout_ms(300);
    // The stale report alone is no reading.
    let quiet = scale.read().unwrap_err();
    assert_eq!(quiet.kind(), ScaleErrorKind::Timeout, "{quiet}");

    scale_side.write_all(&MOVING_16_5_OZ).unwrap();
    let moving = scale.read().unwrap();
    assert_eq!(moving.status, ReadingStatus::Moving);
    assert_eq!(moving.usable_weight(), None);

    scale_side.write_all(&MOVING_16_5_OZ).unwrap();
    scale_side.write_all(&STABLE_16_8_OZ).unwrap();
    let stable = scale.read().unwrap();
    assert_eq!(stable.status, ReadingStatus::Stable);
    assert_eq!(
        stable.usable_weight(),
        Some(Weight::from_milli_ounces(16_800))
    );

    // Half a report waits for its other half.
    scale_side.write_all(&OVER[..3]).unwrap();
    assert_eq!(scale.read().unwrap_err().kind(), ScaleErrorKind::Timeout);
    scale_side.write_all(&OVER[3..]).unwrap();
    assert_eq!(scale.read().unwrap().status, ReadingStatus::OverCapacity);

    // A report that is not scale data is a protocol error, quoted.
    scale_side.write_all(&[9, 4, 11, 0xFF, 1, 0]).unwrap();
    let error = scale.read().unwrap_err();
    assert_eq!(error.kind(), ScaleErrorKind::Protocol);
    assert!(error.to_string().contains("report id 9"), "{error}");
    // Zeroing is the scale's own button.
    assert_eq!(scale.zero().unwrap_err().kind(), ScaleErrorKind::Refused);
}

#[test]
fn a_missing_hidraw_device_is_offline() {
    let error = HidPosScale::open("/dev/hidraw-none-here").err().unwrap();
    assert_eq!(error.kind(), ScaleErrorKind::Offline);
}
