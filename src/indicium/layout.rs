//! The indicium's fixed binary layout: 48 signed bytes, then the 64-byte signature, 112
//! bytes in all so that it fits one Data Matrix ECC200 symbol of 40×40 modules (Base256).
//!
//! All integers are unsigned big-endian. Money is in mills (1/1000 USD), dates are days
//! since 2000-01-01. The first byte is the layout's version, so a verifier reads both:
//! version 2 (what is issued now) carries the version of the rate table that priced the
//! piece; version 1 (issued before) did not, and had 4-byte certificate serial and license
//! number fields where version 2 has 3.
//!
//! Version 2:
//!
//! | offset | bytes | field | notes |
//! |---:|---:|---|---|
//! | 0 | 1 | indicium version | 2 |
//! | 1 | 1 | algorithm id | 1 = ECDSA P-256 with SHA-256, signature r‖s |
//! | 2 | 3 | certificate serial | of the PSD certificate that verifies the signature (at most 16,777,215) |
//! | 5 | 4 | device id | the PSD serial number |
//! | 9 | 3 | license number | the vendor's single postal license (at most 16,777,215) |
//! | 12 | 5 | ascending register | mills, after this piece |
//! | 17 | 5 | descending register | mills, after this piece |
//! | 22 | 3 | postage | mills (at most $16,777.215) |
//! | 25 | 2 | date of mailing | days since 2000-01-01 |
//! | 27 | 3 | origin ZIP | the 5-digit ZIP as a number |
//! | 30 | 4 | destination ZIP | 0 = not known; else ZIP5 × 10000 + ZIP+4 add-on, with bit 31 set when the add-on is present |
//! | 34 | 1 | rate category | product code (see `rates::Product::code`) |
//! | 35 | 1 | extra services | one bit per service (see `rates::ExtraService::bit`) |
//! | 36 | 2 | rate table | the effective date of the rate table that priced the piece, days since 2000-01-01 |
//! | 38 | 2 | software id | the issuing software's id and version |
//! | 40 | 4 | piece serial | unique per PSD, from 1 |
//! | 44 | 4 | label-stock binding | first 4 bytes of SHA-256 of the label-stock serial; 0 when none |
//! | 48 | 64 | signature | r‖s, ECDSA P-256 over SHA-256 of bytes 0..48 |
//!
//! Version 1 differs in bytes 2..14 and 36..38: certificate serial at 2 (4 bytes), device id
//! at 6 (4), license number at 10 (4), ascending register at 14, descending register at 19,
//! postage at 24, date at 27, origin ZIP at 29, destination ZIP at 32, rate category at 36,
//! extra services at 37, and no rate table.

use sha2::{Digest, Sha256};

use super::destination::{DestinationZip, decode_destination, encode_destination};
use crate::date::Date;
use crate::money::Money;

/// The layout issued now; [`IndiciumData::from_signed_bytes`] reads this and version 1.
pub const INDICIUM_VERSION: u8 = 2;
pub const ALGORITHM_ECDSA_P256_SHA256: u8 = 1;
pub const SIGNED_LEN: usize = 48;
pub const SIGNATURE_LEN: usize = 64;
pub const INDICIUM_LEN: usize = SIGNED_LEN + SIGNATURE_LEN;
/// postcounter's software id in the indicium: major in the high byte, minor in the low.
pub const SOFTWARE_ID: u16 = 0x0001;

/// The largest register value the indicium can carry (40 bits of mills, about $1.1 billion).
pub const REGISTER_MAX_MILLS: i64 = (1 << 40) - 1;
const POSTAGE_MAX_MILLS: i64 = (1 << 24) - 1;
/// The signed data elements of an indicium.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndiciumData {
    pub certificate_serial: u32,
    pub device_id: u32,
    pub license_number: u32,
    pub ascending_register: Money,
    pub descending_register: Money,
    pub postage: Money,
    pub mailing_date: Date,
    pub origin_zip5: u32,
    pub destination_zip: Option<DestinationZip>,
    pub rate_category: u8,
    pub extra_services: u8,
    /// The effective date of the rate table that priced the piece; `None` only in a
    /// version 1 indicium, which did not carry it.
    pub rate_table: Option<Date>,
    pub software_id: u16,
    pub piece_serial: u32,
    pub label_binding: [u8; 4],
}

/// Where each field sits in one version of the layout: (offset, bytes).
struct Offsets {
    version: u8,
    certificate_serial: (usize, usize),
    device_id: (usize, usize),
    license_number: (usize, usize),
    ascending_register: (usize, usize),
    descending_register: (usize, usize),
    postage: (usize, usize),
    mailing_date: (usize, usize),
    origin_zip: (usize, usize),
    destination_zip: (usize, usize),
    rate_category: usize,
    extra_services: usize,
    rate_table: Option<(usize, usize)>,
}

const VERSION_1: Offsets = Offsets {
    version: 1,
    certificate_serial: (2, 4),
    device_id: (6, 4),
    license_number: (10, 4),
    ascending_register: (14, 5),
    descending_register: (19, 5),
    postage: (24, 3),
    mailing_date: (27, 2),
    origin_zip: (29, 3),
    destination_zip: (32, 4),
    rate_category: 36,
    extra_services: 37,
    rate_table: None,
};

const VERSION_2: Offsets = Offsets {
    version: 2,
    certificate_serial: (2, 3),
    device_id: (5, 4),
    license_number: (9, 3),
    ascending_register: (12, 5),
    descending_register: (17, 5),
    postage: (22, 3),
    mailing_date: (25, 2),
    origin_zip: (27, 3),
    destination_zip: (30, 4),
    rate_category: 34,
    extra_services: 35,
    rate_table: Some((36, 2)),
};

/// Bytes 38..48 sit in the same place in every version.
const SOFTWARE_ID_AT: (usize, usize) = (38, 2);
const PIECE_SERIAL_AT: (usize, usize) = (40, 4);
const LABEL_BINDING_AT: usize = 44;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("an indicium is {INDICIUM_LEN} bytes, this one is {0}")]
    WrongLength(usize),
    #[error("indicium version {0} is not supported (only 1 and {INDICIUM_VERSION})")]
    UnsupportedVersion(u8),
    #[error("algorithm id {0} is not supported (only 1, ECDSA P-256 with SHA-256)")]
    UnsupportedAlgorithm(u8),
    #[error("{field} {value} does not fit the indicium (at most {max})")]
    OutOfRange {
        field: &'static str,
        value: String,
        max: String,
    },
    #[error("the destination ZIP field {0:#010x} is not a ZIP code")]
    BadDestinationZip(u32),
}

/// The 4 bytes that bind a label-stock serial into the signed data.
pub fn label_binding(label_serial: Option<&str>) -> [u8; 4] {
    let mut binding = [0u8; 4];
    if let Some(serial) = label_serial {
        binding.copy_from_slice(&Sha256::digest(serial.as_bytes())[..4]);
    }
    binding
}

fn money_field(field: &'static str, amount: Money, max_mills: i64) -> Result<u64, LayoutError> {
    if (0..=max_mills).contains(&amount.mills()) {
        Ok(amount.mills().unsigned_abs())
    } else {
        Err(LayoutError::OutOfRange {
            field,
            value: amount.to_string(),
            max: Money::from_mills(max_mills).to_string(),
        })
    }
}

/// A date as days since 2000-01-01, in two bytes (up to 2179-06-06).
fn day_field(field: &'static str, date: Date) -> Result<u64, LayoutError> {
    u16::try_from(date.days_since_2000())
        .map(u64::from)
        .map_err(|_| LayoutError::OutOfRange {
            field,
            value: date.to_string(),
            max: "2179-06-06".into(),
        })
}

fn put_be(bytes: &mut [u8], value: u64) {
    let width = bytes.len();
    bytes.copy_from_slice(&value.to_be_bytes()[8 - width..]);
}

fn get_be(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |value, &b| (value << 8) | u64::from(b))
}

impl IndiciumData {
    /// The layout these data elements are written in: 2, or 1 for data without a rate
    /// table (pieces issued before version 2, and tests of them).
    pub fn version(&self) -> u8 {
        self.offsets().version
    }

    fn offsets(&self) -> &'static Offsets {
        if self.rate_table.is_some() {
            &VERSION_2
        } else {
            &VERSION_1
        }
    }

    /// The 48 bytes the signature covers, in the layout of [`Self::version`].
    pub fn to_signed_bytes(&self) -> Result<[u8; SIGNED_LEN], LayoutError> {
        let offsets = self.offsets();
        let mut b = [0u8; SIGNED_LEN];
        b[0] = offsets.version;
        b[1] = ALGORITHM_ECDSA_P256_SHA256;
        let mut put = |(at, len): (usize, usize), field: &'static str, value: u64| {
            let max = (1u64 << (8 * len)) - 1;
            if value > max {
                return Err(LayoutError::OutOfRange {
                    field,
                    value: value.to_string(),
                    max: max.to_string(),
                });
            }
            put_be(&mut b[at..at + len], value);
            Ok(())
        };
        put(
            offsets.certificate_serial,
            "certificate serial",
            u64::from(self.certificate_serial),
        )?;
        put(offsets.device_id, "device id", u64::from(self.device_id))?;
        put(
            offsets.license_number,
            "license number",
            u64::from(self.license_number),
        )?;
        let registers = [
            (
                "ascending register",
                self.ascending_register,
                offsets.ascending_register,
            ),
            (
                "descending register",
                self.descending_register,
                offsets.descending_register,
            ),
        ];
        for (field, amount, place) in registers {
            put(
                place,
                field,
                money_field(field, amount, REGISTER_MAX_MILLS)?,
            )?;
        }
        put(
            offsets.postage,
            "postage",
            money_field("postage", self.postage, POSTAGE_MAX_MILLS)?,
        )?;
        put(
            offsets.mailing_date,
            "date of mailing",
            day_field("date of mailing", self.mailing_date)?,
        )?;
        if self.origin_zip5 > 99_999 {
            return Err(LayoutError::OutOfRange {
                field: "origin ZIP",
                value: self.origin_zip5.to_string(),
                max: "99999".into(),
            });
        }
        put(
            offsets.origin_zip,
            "origin ZIP",
            u64::from(self.origin_zip5),
        )?;
        let destination = encode_destination(self.destination_zip)?;
        put(
            offsets.destination_zip,
            "destination ZIP",
            u64::from(destination),
        )?;
        if let (Some(place), Some(table)) = (offsets.rate_table, self.rate_table) {
            put(place, "rate table", day_field("rate table", table)?)?;
        }
        put(SOFTWARE_ID_AT, "software id", u64::from(self.software_id))?;
        put(
            PIECE_SERIAL_AT,
            "piece serial",
            u64::from(self.piece_serial),
        )?;
        b[offsets.rate_category] = self.rate_category;
        b[offsets.extra_services] = self.extra_services;
        b[LABEL_BINDING_AT..SIGNED_LEN].copy_from_slice(&self.label_binding);
        Ok(b)
    }

    /// Reads the 48 signed bytes of either version (the algorithm must be one we know).
    pub fn from_signed_bytes(b: &[u8]) -> Result<IndiciumData, LayoutError> {
        if b.len() != SIGNED_LEN {
            return Err(LayoutError::WrongLength(b.len()));
        }
        let offsets = match b[0] {
            1 => &VERSION_1,
            2 => &VERSION_2,
            other => return Err(LayoutError::UnsupportedVersion(other)),
        };
        if b[1] != ALGORITHM_ECDSA_P256_SHA256 {
            return Err(LayoutError::UnsupportedAlgorithm(b[1]));
        }
        // Every field is at most 5 bytes, so it fits the type it is read into.
        let get = |(at, len): (usize, usize)| get_be(&b[at..at + len]);
        let as_u32 = |place| u32::try_from(get(place)).unwrap_or(u32::MAX);
        let as_money = |place| Money::from_mills(i64::try_from(get(place)).unwrap_or(i64::MAX));
        let as_date = |place| Date::from_days_since_2000(i32::try_from(get(place)).unwrap_or(0));
        let mut label_binding = [0u8; 4];
        label_binding.copy_from_slice(&b[LABEL_BINDING_AT..SIGNED_LEN]);
        Ok(IndiciumData {
            certificate_serial: as_u32(offsets.certificate_serial),
            device_id: as_u32(offsets.device_id),
            license_number: as_u32(offsets.license_number),
            ascending_register: as_money(offsets.ascending_register),
            descending_register: as_money(offsets.descending_register),
            postage: as_money(offsets.postage),
            mailing_date: as_date(offsets.mailing_date),
            origin_zip5: as_u32(offsets.origin_zip),
            destination_zip: decode_destination(as_u32(offsets.destination_zip))?,
            rate_category: b[offsets.rate_category],
            extra_services: b[offsets.extra_services],
            rate_table: offsets.rate_table.map(as_date),
            software_id: u16::try_from(get(SOFTWARE_ID_AT)).unwrap_or(u16::MAX),
            piece_serial: as_u32(PIECE_SERIAL_AT),
            label_binding,
        })
    }

    /// The serial printed on labels and receipts: PSD serial and piece serial.
    pub fn serial_text(&self) -> String {
        indicium_serial_text(self.device_id, self.piece_serial)
    }
}

pub fn indicium_serial_text(device_id: u32, piece_serial: u32) -> String {
    format!("{device_id:08}-{piece_serial:07}")
}

/// The PSD and piece of a serial written by [`indicium_serial_text`].
pub fn parse_indicium_serial_text(text: &str) -> Option<(u32, u32)> {
    let (device, piece) = text.rsplit_once('-')?;
    Some((device.parse().ok()?, piece.parse().ok()?))
}
