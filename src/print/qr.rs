//! An event ticket's QR code (ISO/IEC 18004, model 2, error correction level M): its text
//! and its module grid. The grid comes from `rxing`'s encoder, which picks the densest mode
//! for the text (a ticket's code, upper-case base32 after `PCE1:`, is all alphanumeric), so
//! a printer without QR prints the same symbol as a raster that a printer with it draws.

use rxing::qrcode::common::ErrorCorrectionLevel;
use rxing::qrcode::encoder::qrcode_encoder;

use super::symbol::{draw_modules, side_dots};
use super::{PrintError, Raster};

/// An encoded QR code: the text it carries and its dark modules, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrSymbol {
    text: String,
    side_modules: u32,
    dark_modules: Vec<bool>,
}

/// The grid of `text` at error correction level `level`, with mask pattern `mask` (0 to 7;
/// `None`: the encoder's choice).
fn grid(text: &str, level: ErrorCorrectionLevel, mask: Option<u8>) -> Option<(u32, Vec<bool>)> {
    let mut hints = rxing::EncodeHints::default();
    if let Some(mask) = mask {
        hints = hints.with(rxing::EncodeHintValue::QrMaskPattern(mask.to_string()));
    }
    let code = qrcode_encoder::encode_with_hints(text, level, &hints).ok()?;
    let matrix = code.getMatrix().as_ref()?;
    let side = matrix.getWidth();
    let dark = (0..side)
        .flat_map(|y| (0..side).map(move |x| (x, y)))
        .map(|(x, y)| matrix.get(x, y) == 1)
        .collect();
    Some((side, dark))
}

/// Dots per module of the check below: what tickets print with.
const CHECK_DOTS_PER_MODULE: u32 = 5;

/// Whether the project's reader reads `text` back from the grid drawn as a ticket prints it.
fn reads_back(text: &str, (side, dark): (u32, &[bool])) -> bool {
    let is_dark = |x: u32, y: u32| dark[(y * side + x) as usize];
    let quiet = 4;
    let width = (side + 2 * quiet) * CHECK_DOTS_PER_MODULE;
    let band = width.div_ceil(8) * 8;
    let Ok(raster) = draw_modules(
        (side, side),
        is_dark,
        (CHECK_DOTS_PER_MODULE, quiet),
        (band, 0),
    ) else {
        return false;
    };
    let pixels = (0..raster.height_dots())
        .flat_map(|y| (0..band).map(move |x| (x, y)))
        .map(|(x, y)| if raster.is_black(x, y) { 0 } else { 255 })
        .collect();
    let image = crate::scan::LumaImage {
        width: band,
        height: raster.height_dots(),
        pixels,
    };
    crate::scan::find_qr(&image).is_ok_and(|read| read == text)
}

/// The grid of `text` at `level` that the project's reader reads back: the encoder's choice
/// of mask, else the first of the eight that reads. The reader misses about one symbol in a
/// hundred at receipt sizes that other readers take; a ticket whose code no gate of ours
/// could read would be a ticket sold for nothing.
fn modules_of(text: &str, level: ErrorCorrectionLevel) -> Option<(u32, Vec<bool>)> {
    let first = grid(text, level, None)?;
    if reads_back(text, (first.0, &first.1)) {
        return Some(first);
    }
    (0..8)
        .filter_map(|mask| grid(text, level, Some(mask)))
        .find(|(side, dark)| reads_back(text, (*side, dark)))
}

impl QrSymbol {
    /// Encodes `text` (printable ASCII) as the smallest QR code that holds it.
    pub fn encode(text: &str) -> Result<QrSymbol, PrintError> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(PrintError::SymbolTooLarge { len: text.len() });
        }
        let (side_modules, dark_modules) = modules_of(text, ErrorCorrectionLevel::M)
            .ok_or(PrintError::SymbolTooLarge { len: text.len() })?;
        Ok(QrSymbol {
            text: text.to_string(),
            side_modules,
            dark_modules,
        })
    }

    /// The text the symbol carries, for a printer that draws QR codes itself.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn side_modules(&self) -> u32 {
        self.side_modules
    }

    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        x < self.side_modules
            && y < self.side_modules
            && self.dark_modules[(y * self.side_modules + x) as usize]
    }

    /// Width of the symbol with its quiet zone, in dots.
    pub fn side_dots(
        &self,
        dots_per_module: u32,
        quiet_zone_modules: u32,
    ) -> Result<u32, PrintError> {
        side_dots(self.side_modules, dots_per_module, quiet_zone_modules)
    }

    /// The symbol drawn `left_dots` from the left of a white band `band_width_dots` wide.
    pub fn to_raster_in_band(
        &self,
        dots_per_module: u32,
        quiet_zone_modules: u32,
        band_width_dots: u32,
        left_dots: u32,
    ) -> Result<Raster, PrintError> {
        draw_modules(
            (self.side_modules, self.side_modules),
            |x, y| self.is_dark(x, y),
            (dots_per_module, quiet_zone_modules),
            (band_width_dots, left_dots),
        )
    }
}

/// The grid a printer draws for `text` at `GS ( k` error correction `level` (48 = L, 49 = M,
/// 50 = Q, 51 = H), as [`QrSymbol`] makes it: for the virtual printer.
pub(crate) fn printer_modules(text: &str, level: u8) -> Option<(u32, Vec<bool>)> {
    let level = match level {
        48 => ErrorCorrectionLevel::L,
        49 => ErrorCorrectionLevel::M,
        50 => ErrorCorrectionLevel::Q,
        51 => ErrorCorrectionLevel::H,
        _ => return None,
    };
    modules_of(text, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_code_makes_a_square_symbol_with_finder_patterns() {
        let code = format!("PCE1:{}", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".repeat(5));
        let symbol = QrSymbol::encode(&code).unwrap();
        let side = symbol.side_modules();
        assert!(
            (21..=177).contains(&side) && (side - 17).is_multiple_of(4),
            "side {side}"
        );
        // The three finder patterns: dark 7x7 corners with a light ring inside.
        for (x, y) in [(0, 0), (side - 7, 0), (0, side - 7)] {
            assert!(
                symbol.is_dark(x, y)
                    && symbol.is_dark(x + 6, y + 6)
                    && !symbol.is_dark(x + 1, y + 1)
            );
        }
        let raster = symbol.to_raster_in_band(4, 4, 576, 10).unwrap();
        assert_eq!(raster.height_dots(), (side + 8) * 4);
        assert!(QrSymbol::encode("").is_err());
        assert!(QrSymbol::encode("\u{1b}[2J").is_err());
    }
}
