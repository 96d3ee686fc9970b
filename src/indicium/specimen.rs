//! A specimen indicium for screens and benchmarks: real data elements, a placeholder
//! signature (r = s = 1). It parses like any indicium, so a preview can draw its Data
//! Matrix, and it never verifies: no key signs r = s = 1 for these bytes.

use super::DestinationZip;
use super::layout::{IndiciumData, LayoutError, SOFTWARE_ID};
use crate::date::Date;
use crate::money::Money;

/// The rate table the specimen says priced it: USPS retail 2026-07-12.
pub const SPECIMEN_RATE_TABLE: Date = Date::from_days_since_2000(9689);

/// The specimen's bytes: piece `piece_serial` of PSD 10000001, `postage_mills` from 02134
/// to 90210 on `mailing_date`.
pub fn specimen_bytes(
    piece_serial: u32,
    postage_mills: i64,
    mailing_date: Date,
) -> Result<(String, Vec<u8>), LayoutError> {
    let data = IndiciumData {
        certificate_serial: 1,
        device_id: 10_000_001,
        license_number: 700_001,
        ascending_register: Money::from_mills(postage_mills * i64::from(piece_serial)),
        descending_register: Money::from_mills(500_000),
        postage: Money::from_mills(postage_mills),
        mailing_date,
        origin_zip5: 2134,
        destination_zip: Some(DestinationZip {
            zip5: 90210,
            plus4: None,
        }),
        rate_category: 1,
        extra_services: 0,
        rate_table: Some(SPECIMEN_RATE_TABLE),
        software_id: SOFTWARE_ID,
        piece_serial,
        label_binding: [0; 4],
    };
    let mut bytes = data.to_signed_bytes()?.to_vec();
    let mut signature = [0u8; 64];
    signature[31] = 1;
    signature[63] = 1;
    bytes.extend_from_slice(&signature);
    Ok((data.serial_text(), bytes))
}
