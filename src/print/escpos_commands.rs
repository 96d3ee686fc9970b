//! The ESC/POS commands that the `escpos` crate does not build the way we need them, built
//! by hand and sent through its `custom()`.
//!
//! - `GS v 0` rasters: the crate's `bit_image*` silently rescales images over 512x512, which
//!   would break a barcode, and needs the heavy `graphics` feature.
//! - `GS k` Code 128: the crate only offers the function A symbologies.
//! - `GS ( k` Data Matrix: the crate takes only `&str`, but the indicium is binary.
//! - `ESC p`: the crate sends `ESC p m` without the two pulse-time bytes, so the printer would
//!   take the next two bytes of the job as pulse times.

use super::qr::QrSymbol;
use super::{DataMatrixSymbol, PrintError, Raster};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;

/// The tallest raster sent in one `GS v 0` command; taller images go in several bands (the
/// TM-T88 accepts at most 2303 rows per command, cheaper printers have small buffers).
pub const MAX_RASTER_BAND_ROWS: u32 = 1024;

/// Width of the narrowest Code 128 bar in dots (`GS w 2`: 0.25 mm at 203 dpi).
pub const CODE128_MODULE_DOTS: u32 = 2;
/// Module width of a GS1-128 tracking barcode: 3 dots (0.375 mm at 203 dpi), inside USPS's
/// X-dimension range for IMpb (0.013 to 0.021 in is 2.6 to 4.3 dots).
pub const GS1_128_MODULE_DOTS: u32 = 3;

/// The longest Code 128 data accepted, in characters.
pub const MAX_CODE128_CHARS: usize = 80;

/// `GS v 0 m xL xH yL yH d1...dk` with m = 0 (normal density), one per band of at most
/// [`MAX_RASTER_BAND_ROWS`] rows.
pub fn raster_gs_v0(raster: &Raster) -> Vec<u8> {
    let bytes_per_row = raster.bytes_per_row();
    let mut out = Vec::with_capacity(raster.rows().len() + 8);
    let band_len = bytes_per_row * MAX_RASTER_BAND_ROWS as usize;
    for band in raster.rows().chunks(band_len.max(1)) {
        let rows = band.len() / bytes_per_row.max(1);
        let [x_low, x_high] = (bytes_per_row as u16).to_le_bytes();
        let [y_low, y_high] = (rows as u16).to_le_bytes();
        out.extend_from_slice(&[GS, b'v', b'0', 0, x_low, x_high, y_low, y_high]);
        out.extend_from_slice(band);
    }
    out
}

/// `GS H n` (HRI text below: 2, none: 0), `GS h n` (height), `GS w 2` (module width), then
/// `GS k 73 n {B data` (function B, code set B; a `{` in the data is sent as `{{`).
pub fn code128(
    data: &str,
    height_dots: u32,
    human_readable: bool,
    dots_per_line: u32,
) -> Result<Vec<u8>, PrintError> {
    let printable = data.bytes().all(|b| (0x20..=0x7E).contains(&b));
    if data.is_empty() || data.len() > MAX_CODE128_CHARS || !printable {
        return Err(PrintError::Code128Data {
            data: data.to_string(),
        });
    }
    let height = u8::try_from(height_dots)
        .ok()
        .filter(|height| *height > 0)
        .ok_or(PrintError::BarcodeHeight { height_dots })?;
    // Start, data, check character (11 modules each) and the 13-module stop.
    let width_dots = (11 * (data.len() as u32 + 2) + 13) * CODE128_MODULE_DOTS;
    if width_dots > dots_per_line {
        return Err(PrintError::TooWide {
            width_dots,
            dots_per_line,
            profile: format!("Code 128 {data:?}"),
        });
    }
    let mut payload = b"{B".to_vec();
    for byte in data.bytes() {
        payload.push(byte);
        if byte == b'{' {
            payload.push(b'{');
        }
    }
    let hri_position = if human_readable { 2 } else { 0 };
    let mut out = vec![GS, b'H', hri_position, GS, b'h', height];
    out.extend_from_slice(&[GS, b'w', CODE128_MODULE_DOTS as u8, GS, b'k', 73]);
    out.push(payload.len() as u8);
    out.extend_from_slice(&payload);
    Ok(out)
}

/// GS1-128 as `GS k 73`: no human-readable text (`GS H 0`), `GS h` height, `GS w` module,
/// then `{C` and, for each element string, `{1` (FNC1) and its digits two by two as values
/// 0-99 (code set C), so the printer adds start C, the check character and the stop.
pub fn gs1_128(
    elements: &[String],
    height_dots: u32,
    dots_per_line: u32,
) -> Result<Vec<u8>, PrintError> {
    let refused = || PrintError::Code128Data {
        data: elements.join(" "),
    };
    let well_formed = |element: &String| {
        !element.is_empty()
            && element.len().is_multiple_of(2)
            && element.bytes().all(|b| b.is_ascii_digit())
    };
    if elements.is_empty() || !elements.iter().all(well_formed) {
        return Err(refused());
    }
    let height = u8::try_from(height_dots)
        .ok()
        .filter(|height| *height > 0)
        .ok_or(PrintError::BarcodeHeight { height_dots })?;
    let mut payload = b"{C".to_vec();
    let mut symbols = 0u32;
    for element in elements {
        payload.extend_from_slice(b"{1");
        symbols += 1;
        for pair in element.as_bytes().chunks(2) {
            payload.push((pair[0] - b'0') * 10 + (pair[1] - b'0'));
            symbols += 1;
        }
    }
    let length = u8::try_from(payload.len()).map_err(|_| refused())?;
    // Start, the symbols, the check character (11 modules each) and the 13-module stop.
    let width_dots = (11 * (symbols + 2) + 13) * GS1_128_MODULE_DOTS;
    if width_dots > dots_per_line {
        return Err(PrintError::TooWide {
            width_dots,
            dots_per_line,
            profile: format!("GS1-128 {}", elements.join(" ")),
        });
    }
    let mut out = vec![GS, b'H', 0, GS, b'h', height];
    out.extend_from_slice(&[GS, b'w', GS1_128_MODULE_DOTS as u8, GS, b'k', 73, length]);
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Data Matrix drawn by the printer:
/// `GS ( k 5 0 54 66 0 d d` (square, `d` rows and columns as in our own symbol),
/// `GS ( k 3 0 54 67 n` (module size `n` dots),
/// `GS ( k pL pH 54 80 48 payload` (store the binary payload, pL + 256 pH = len + 3),
/// `GS ( k 3 0 54 81 48` (print).
pub fn native_data_matrix(
    symbol: &DataMatrixSymbol,
    dots_per_module: u32,
) -> Result<Vec<u8>, PrintError> {
    let module = u8::try_from(dots_per_module)
        .ok()
        .filter(|dots| (1..=16).contains(dots))
        .ok_or(PrintError::DotsPerModule {
            dots: dots_per_module,
        })?;
    let payload = symbol.payload();
    let stored_len = u16::try_from(payload.len() + 3)
        .map_err(|_| PrintError::SymbolTooLarge { len: payload.len() })?;
    let side = symbol.width_modules() as u8;
    let [p_low, p_high] = stored_len.to_le_bytes();
    let mut out = vec![GS, b'(', b'k', 5, 0, 54, 66, 0, side, side];
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 54, 67, module]);
    out.extend_from_slice(&[GS, b'(', b'k', p_low, p_high, 54, 80, 48]);
    out.extend_from_slice(payload);
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 54, 81, 48]);
    Ok(out)
}

/// QR code drawn by the printer (model 2, level M, the printer's own encoding of the text):
/// `GS ( k 4 0 49 65 50 0` (model 2), `GS ( k 3 0 49 67 n` (module size `n` dots),
/// `GS ( k 3 0 49 69 49` (error correction M), `GS ( k pL pH 49 80 48 text` (store,
/// pL + 256 pH = len + 3), `GS ( k 3 0 49 81 48` (print).
pub fn native_qr(symbol: &QrSymbol, dots_per_module: u32) -> Result<Vec<u8>, PrintError> {
    let module = u8::try_from(dots_per_module)
        .ok()
        .filter(|dots| (1..=16).contains(dots))
        .ok_or(PrintError::DotsPerModule {
            dots: dots_per_module,
        })?;
    let text = symbol.text().as_bytes();
    let stored_len = u16::try_from(text.len() + 3)
        .map_err(|_| PrintError::SymbolTooLarge { len: text.len() })?;
    let [p_low, p_high] = stored_len.to_le_bytes();
    let mut out = vec![GS, b'(', b'k', 4, 0, 49, 65, 50, 0];
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 67, module]);
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 69, 49]);
    out.extend_from_slice(&[GS, b'(', b'k', p_low, p_high, 49, 80, 48]);
    out.extend_from_slice(text);
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 81, 48]);
    Ok(out)
}

/// `ESC p 0 25 250`: a pulse on connector pin 2, 50 ms on and 500 ms off (units of 2 ms),
/// the usual values for a cash drawer solenoid.
pub fn drawer_kick() -> [u8; 5] {
    [ESC, b'p', 0, 25, 250]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raster_goes_out_with_its_size_in_little_endian() {
        let raster = Raster::from_rows(16, 3, vec![0xFF, 0x00, 0x01, 0x80, 0x00, 0x00]).expect("r");
        let bytes = raster_gs_v0(&raster);
        assert_eq!(&bytes[..8], &[GS, b'v', b'0', 0, 2, 0, 3, 0]);
        assert_eq!(&bytes[8..], raster.rows());
    }

    #[test]
    fn a_tall_raster_is_sent_in_bands() {
        let raster = Raster::blank(8, MAX_RASTER_BAND_ROWS + 1).expect("raster");
        let bytes = raster_gs_v0(&raster);
        assert_eq!(bytes.len(), 2 * 8 + (MAX_RASTER_BAND_ROWS as usize + 1));
        let second = 8 + MAX_RASTER_BAND_ROWS as usize;
        assert_eq!(&bytes[second..second + 8], &[GS, b'v', b'0', 0, 1, 0, 1, 0]);
    }

    #[test]
    fn code128_escapes_a_brace_and_refuses_control_characters() {
        let bytes = code128("A{1", 80, true, 576).expect("barcode");
        assert_eq!(&bytes[12..], b"\x06{BA{{1");
        assert!(code128("A\x1bB", 80, true, 576).is_err());
        assert!(code128("", 80, true, 576).is_err());
        assert!(code128("A", 0, true, 576).is_err());
    }

    #[test]
    fn a_code128_wider_than_the_paper_is_refused() {
        let long = "1234567890".repeat(3);
        assert!(matches!(
            code128(&long, 80, false, 384),
            Err(PrintError::TooWide { .. })
        ));
    }
}
