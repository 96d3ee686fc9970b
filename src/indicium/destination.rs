//! The destination ZIP field of an indicium: a ZIP5, or a ZIP+4 flagged by bit 31, in four
//! bytes; 0 when the destination is not known (an international piece, say).

use super::layout::LayoutError;

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

pub(super) fn encode_destination(destination: Option<DestinationZip>) -> Result<u32, LayoutError> {
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

pub(super) fn decode_destination(field: u32) -> Result<Option<DestinationZip>, LayoutError> {
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
