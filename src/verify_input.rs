//! Getting the indicium bytes out of whatever a verifier has: a photo or scan (PNG), a
//! printer capture (ESC/POS bytes, rendered by the virtual printer's interpreter exactly as
//! a printer would print them, then scanned), or the raw 112 bytes, binary or hex.

use std::fmt;

use crate::indicium::INDICIUM_LEN;
use crate::print::virtual_printer::render;
use crate::scan::{LumaImage, ScanError, decode_png, find_data_matrix};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The narrowest paper we render a capture on when it has no raster to size it by.
const DEFAULT_PAPER_WIDTH_DOTS: u32 = 576;

/// What the input turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Png,
    EscPosCapture,
    RawBinary,
    RawHex,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Png => "PNG image",
            InputKind::EscPosCapture => "ESC/POS capture",
            InputKind::RawBinary => "raw indicium bytes",
            InputKind::RawHex => "hex indicium bytes",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Scan(#[from] ScanError),
    #[error("the ESC/POS capture does not print: {0}")]
    Capture(String),
    #[error(
        "not a PNG, an ESC/POS capture, or a {INDICIUM_LEN}-byte indicium (binary or hex); {0} bytes"
    )]
    Unrecognized(usize),
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

fn from_capture(capture: &[u8]) -> Result<Vec<u8>, InputError> {
    let width = widest_raster_dots(capture)
        .unwrap_or(DEFAULT_PAPER_WIDTH_DOTS)
        .max(DEFAULT_PAPER_WIDTH_DOTS);
    let rendered = render(capture, width).map_err(|e| InputError::Capture(e.to_string()))?;
    let image = LumaImage {
        width: rendered.bitmap.width,
        height: rendered.bitmap.height,
        pixels: rendered.bitmap.pixels,
    };
    Ok(find_data_matrix(&image)?)
}

/// The widest `GS v 0` raster in a capture, in dots: the paper is at least that wide.
fn widest_raster_dots(capture: &[u8]) -> Option<u32> {
    capture
        .windows(6)
        .filter(|w| w[0] == 0x1d && w[1] == 0x76 && w[2] == 0x30)
        .map(|w| (u32::from(w[4]) + 256 * u32::from(w[5])) * 8)
        .max()
}

fn from_hex(input: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}
