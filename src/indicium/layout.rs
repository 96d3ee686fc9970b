//! The indicium's fixed binary layout: 48 signed bytes, then the 64-byte signature.
//!
//! All integers are unsigned big-endian. Money is in mills (1/1000 USD), dates are days
//! since 2000-01-01.
//!
//! | offset | bytes | field | notes |
//! |---:|---:|---|---|
//! | 0 | 1 | indicium version | 1 |
//! | 1 | 1 | algorithm id | 1 = ECDSA P-256 with SHA-256, signature r‖s |
//! | 2 | 4 | certificate serial | of the PSD certificate that verifies the signature |
//! | 6 | 4 | device id | the PSD serial number |
//! | 10 | 4 | license number | the vendor's single postal license |
//! | 14 | 5 | ascending register | mills, after this piece |
//! | 19 | 5 | descending register | mills, after this piece |
//! | 24 | 3 | postage | mills (at most $16,777.215) |
//! | 27 | 2 | date of mailing | days since 2000-01-01 |
//! | 29 | 3 | origin ZIP | the 5-digit ZIP as a number |
//! | 32 | 4 | destination ZIP | 0 = not known; else ZIP5 × 10000 + ZIP+4 add-on, with bit 31 set when the add-on is present |
//! | 36 | 1 | rate category | product code (see `rates::Product::code`) |
//! | 37 | 1 | extra services | one bit per service (see `rates::ExtraService::bit`) |
//! | 38 | 2 | software id | the issuing software's id and version |
//! | 40 | 4 | piece serial | unique per PSD, from 1 |
//! | 44 | 4 | label-stock binding | first 4 bytes of SHA-256 of the label-stock serial; 0 when none |
//! | 48 | 64 | signature | r‖s, ECDSA P-256 over SHA-256 of bytes 0..48 |
//!
//! 112 bytes in all: one Data Matrix ECC200 symbol of 40×40 modules (Base256 encodation).

use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::money::Money;

pub const INDICIUM_VERSION: u8 = 1;
pub const ALGORITHM_ECDSA_P256_SHA256: u8 = 1;
pub const SIGNED_LEN: usize = 48;
pub const SIGNATURE_LEN: usize = 64;
pub const INDICIUM_LEN: usize = SIGNED_LEN + SIGNATURE_LEN;
/// postcounter's software id in the indicium: major in the high byte, minor in the low.
pub const SOFTWARE_ID: u16 = 0x0001;

/// The largest register value the indicium can carry (40 bits of mills, about $1.1 billion).
pub const REGISTER_MAX_MILLS: i64 = (1 << 40) - 1;
const POSTAGE_MAX_MILLS: i64 = (1 << 24) - 1;
const ZIP_PLUS4_FLAG: u32 = 1 << 31;

/// A destination ZIP as the indicium carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DestinationZip {
    pub zip5: u32,
    pub plus4: Option<u16>,
}

/// `12345` or `12345-6789`.
impl std::fmt::Display for DestinationZip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.plus4 {
            Some(plus4) => write!(f, "{:05}-{plus4:04}", self.zip5),
            None => write!(f, "{:05}", self.zip5),
        }
    }
}

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
    pub software_id: u16,
    pub piece_serial: u32,
    pub label_binding: [u8; 4],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("an indicium is {INDICIUM_LEN} bytes, this one is {0}")]
    WrongLength(usize),
    #[error("indicium version {0} is not supported (only {INDICIUM_VERSION})")]
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
    /// The 48 bytes the signature covers.
    pub fn to_signed_bytes(&self) -> Result<[u8; SIGNED_LEN], LayoutError> {
        let out_of_range =
            |field: &'static str, value: String, max: &str| LayoutError::OutOfRange {
                field,
                value,
                max: max.to_string(),
            };
        let mut b = [0u8; SIGNED_LEN];
        b[0] = INDICIUM_VERSION;
        b[1] = ALGORITHM_ECDSA_P256_SHA256;
        put_be(&mut b[2..6], u64::from(self.certificate_serial));
        put_be(&mut b[6..10], u64::from(self.device_id));
        put_be(&mut b[10..14], u64::from(self.license_number));
        put_be(
            &mut b[14..19],
            money_field(
                "ascending register",
                self.ascending_register,
                REGISTER_MAX_MILLS,
            )?,
        );
        put_be(
            &mut b[19..24],
            money_field(
                "descending register",
                self.descending_register,
                REGISTER_MAX_MILLS,
            )?,
        );
        put_be(
            &mut b[24..27],
            money_field("postage", self.postage, POSTAGE_MAX_MILLS)?,
        );
        let day = u16::try_from(self.mailing_date.days_since_2000()).map_err(|_| {
            out_of_range(
                "date of mailing",
                self.mailing_date.to_string(),
                "2179-06-06",
            )
        })?;
        put_be(&mut b[27..29], u64::from(day));
        if self.origin_zip5 > 99_999 {
            return Err(out_of_range(
                "origin ZIP",
                self.origin_zip5.to_string(),
                "99999",
            ));
        }
        put_be(&mut b[29..32], u64::from(self.origin_zip5));
        put_be(
            &mut b[32..36],
            u64::from(encode_destination(self.destination_zip)?),
        );
        b[36] = self.rate_category;
        b[37] = self.extra_services;
        put_be(&mut b[38..40], u64::from(self.software_id));
        put_be(&mut b[40..44], u64::from(self.piece_serial));
        b[44..48].copy_from_slice(&self.label_binding);
        Ok(b)
    }

    /// Reads the 48 signed bytes (the version and algorithm must be ones we know).
    pub fn from_signed_bytes(b: &[u8]) -> Result<IndiciumData, LayoutError> {
        if b.len() != SIGNED_LEN {
            return Err(LayoutError::WrongLength(b.len()));
        }
        if b[0] != INDICIUM_VERSION {
            return Err(LayoutError::UnsupportedVersion(b[0]));
        }
        if b[1] != ALGORITHM_ECDSA_P256_SHA256 {
            return Err(LayoutError::UnsupportedAlgorithm(b[1]));
        }
        let as_u32 =
            |range: std::ops::Range<usize>| u32::try_from(get_be(&b[range])).unwrap_or(u32::MAX);
        let as_money = |range: std::ops::Range<usize>| {
            Money::from_mills(i64::try_from(get_be(&b[range])).unwrap_or(i64::MAX))
        };
        let mut label_binding = [0u8; 4];
        label_binding.copy_from_slice(&b[44..48]);
        Ok(IndiciumData {
            certificate_serial: as_u32(2..6),
            device_id: as_u32(6..10),
            license_number: as_u32(10..14),
            ascending_register: as_money(14..19),
            descending_register: as_money(19..24),
            postage: as_money(24..27),
            mailing_date: Date::from_days_since_2000(i32::from(u16::from_be_bytes([b[27], b[28]]))),
            origin_zip5: as_u32(29..32),
            destination_zip: decode_destination(as_u32(32..36))?,
            rate_category: b[36],
            extra_services: b[37],
            software_id: u16::from_be_bytes([b[38], b[39]]),
            piece_serial: as_u32(40..44),
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

fn encode_destination(destination: Option<DestinationZip>) -> Result<u32, LayoutError> {
    let Some(zip) = destination else {
        return Ok(0);
    };
    if zip.zip5 == 0 || zip.zip5 > 99_999 || zip.plus4.is_some_and(|p| p > 9999) {
        let value = format!(
            "{:05}{}",
            zip.zip5,
            zip.plus4.map(|p| format!("-{p:04}")).unwrap_or_default()
        );
        return Err(LayoutError::OutOfRange {
            field: "destination ZIP",
            value,
            max: "99999-9999".into(),
        });
    }
    let number = zip.zip5 * 10_000 + u32::from(zip.plus4.unwrap_or(0));
    Ok(if zip.plus4.is_some() {
        number | ZIP_PLUS4_FLAG
    } else {
        number
    })
}

fn decode_destination(field: u32) -> Result<Option<DestinationZip>, LayoutError> {
    if field == 0 {
        return Ok(None);
    }
    let number = field & !ZIP_PLUS4_FLAG;
    let plus4 = u16::try_from(number % 10_000).unwrap_or(0);
    let zip5 = number / 10_000;
    let has_plus4 = field & ZIP_PLUS4_FLAG != 0;
    if zip5 == 0 || zip5 > 99_999 || (!has_plus4 && plus4 != 0) {
        return Err(LayoutError::BadDestinationZip(field));
    }
    Ok(Some(DestinationZip {
        zip5,
        plus4: has_plus4.then_some(plus4),
    }))
}
