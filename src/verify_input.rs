//! Getting the indicium bytes out of whatever a verifier has: a photo or scan (PNG), a
//! printer capture (ESC/POS bytes, rendered by the virtual printer's interpreter exactly as
//! a printer would print them, then scanned), or the raw 112 bytes, binary or hex; and a
//! ticket's code out of the same (its QR code or Code 128), or out of text.

use std::fmt;

use crate::indicium::INDICIUM_LEN;
use crate::print::virtual_printer::{PAPER_WIDTH_DOTS_MAX, render};
use crate::scan::{LumaImage, ScanError, decode_png, find_code128, find_data_matrix, find_qr};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The most `verify` reads of a file: a label capture is about 30 KB, a photo a few MB.
pub const INPUT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// What the input turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Png,
    EscPosCapture,
    RawBinary,
    RawHex,
    Text,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Png => "PNG image",
            InputKind::EscPosCapture => "ESC/POS capture",
            InputKind::RawBinary => "raw indicium bytes",
            InputKind::RawHex => "hex indicium bytes",
            InputKind::Text => "text",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error("the ESC/POS capture does not print: {0}")]
    Capture(String),
    #[error(
        "not a PNG, an ESC/POS capture, or a {INDICIUM_LEN}-byte indicium (binary or hex); {0} bytes"
    )]
    Unrecognized(usize),
    #[error(
        "no ticket code in these {0} bytes: accepted are a PNG or ESC/POS capture of a ticket, or text holding PCE1:... or a 15-digit validation number"
    )]
    NoTicket(usize),
}

/// Extracts the indicium bytes from `input`.
pub fn indicium_bytes(input: &[u8]) -> Result<(InputKind, Vec<u8>), InputError> {
    if input.starts_with(PNG_SIGNATURE) {
        let image = decode_png(input)?;
        return Ok((InputKind::Png, find_data_matrix(&image)?));
    }
    if input.starts_with(b"\x1b@") {
        return Ok((InputKind::EscPosCapture, from_capture(input)?));
    }
    if input.len() == INDICIUM_LEN {
        return Ok((InputKind::RawBinary, input.to_vec()));
    }
    if let Some(bytes) = from_hex(input)
        && bytes.len() == INDICIUM_LEN
    {
        return Ok((InputKind::RawHex, bytes));
    }
    Err(InputError::Unrecognized(input.len()))
}

/// Renders the capture as a printer would and scans it for a Data Matrix.
fn from_capture(capture: &[u8]) -> Result<Vec<u8>, InputError> {
    Ok(find_data_matrix(&rendered_capture(capture)?)?)
}

/// The capture as printed. The paper width is not in the bytes, so the common widths are
/// tried narrowest first (a job wider than the paper is refused by the interpreter), then
/// the widest paper the interpreter knows.
fn rendered_capture(capture: &[u8]) -> Result<LumaImage, InputError> {
    let mut last_error = String::new();
    for width in [384, 576, 832, PAPER_WIDTH_DOTS_MAX] {
        match render(capture, width) {
            Ok(rendered) => {
                return Ok(LumaImage {
                    width: rendered.bitmap.width,
                    height: rendered.bitmap.height,
                    pixels: rendered.bitmap.pixels,
                });
            }
            Err(error) => last_error = error.to_string(),
        }
    }
    Err(InputError::Capture(last_error))
}

/// What a ticket carries: an event ticket's signed code, or a lottery ticket's validation
/// number (its barcode's fifteen digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketCode {
    Event(String),
    Lottery(String),
}

/// The ticket code in `input`: a PNG or ESC/POS capture of a ticket (its QR code, else its
/// Code 128), or text holding `PCE1:...` or a validation number.
pub fn ticket_code(input: &[u8]) -> Result<(InputKind, TicketCode), InputError> {
    let (kind, image) = if input.starts_with(PNG_SIGNATURE) {
        (InputKind::Png, decode_png(input)?)
    } else if input.starts_with(b"\x1b@") {
        (InputKind::EscPosCapture, rendered_capture(input)?)
    } else {
        let text = String::from_utf8_lossy(input);
        return text_ticket_code(&text)
            .map(|code| (InputKind::Text, code))
            .ok_or(InputError::NoTicket(input.len()));
    };
    match find_qr(&image) {
        Ok(text) => Ok((kind, TicketCode::Event(text))),
        Err(qr_error) => match find_code128(&image) {
            Ok(digits) => Ok((kind, TicketCode::Lottery(digits))),
            Err(_) => Err(qr_error.into()),
        },
    }
}

/// A ticket code in text: the first `PCE1:` word, else fifteen digits (dashes allowed).
fn text_ticket_code(text: &str) -> Option<TicketCode> {
    if let Some(at) = text.find("PCE1:") {
        let code: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
            .collect();
        return Some(TicketCode::Event(code));
    }
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .collect();
    (digits.len() == 15 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(TicketCode::Lottery(digits))
}

/// Hex digits, with any whitespace between them (a pasted, wrapped dump).
fn from_hex(input: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    crate::hex::decode(std::str::from_utf8(&digits).ok()?).filter(|bytes| !bytes.is_empty())
}
