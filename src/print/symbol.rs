//! The indicium's Data Matrix (ECC200) symbol: the payload and its module grid.
//!
//! Encoding the symbol is a separate step from encoding ESC/POS so that each can be timed on
//! its own, and because a native printer needs the payload while a raster printer needs the
//! grid: the symbol keeps both. Only Base256 encodation is allowed: the indicium is binary,
//! Base256 packs it one codeword per byte (a 112-byte payload fills a 40x40 symbol), and a
//! single mode spares the encodation optimizer's search (measured: 74 µs instead of 179 µs
//! with ASCII also allowed, 964 µs with every mode), with the same symbol size. Modules are
//! placed from a table learned once per size (see `symbol_placement`). Only square sizes
//! are used, as IBI indicia are square.

use datamatrix::{DataMatrixBuilder, EncodationType, SymbolList};

use super::symbol_placement::placement;
use super::{PrintError, Raster};

/// The largest module size in dots that the encoder accepts (also the largest module size an
/// ESC/POS printer accepts in `GS ( k` for Data Matrix).
pub const MAX_DOTS_PER_MODULE: u32 = 16;

/// An encoded Data Matrix: the payload it carries and its dark modules, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataMatrixSymbol {
    payload: Vec<u8>,
    width_modules: u32,
    height_modules: u32,
    dark_modules: Vec<bool>,
}

impl DataMatrixSymbol {
    /// Encodes binary data as the smallest square symbol that holds it.
    pub fn encode(payload: &[u8]) -> Result<DataMatrixSymbol, PrintError> {
        let symbol = DataMatrixBuilder::new()
            .with_encodation_types(EncodationType::Base256)
            .with_symbol_list(SymbolList::default().enforce_square())
            .encode(payload)
            .map_err(|_| PrintError::SymbolTooLarge { len: payload.len() })?;
        let placement = placement(symbol.size, symbol.codewords().len());
        let dark_modules = placement.draw(symbol.codewords());
        let side = placement.width_modules as u32;
        Ok(DataMatrixSymbol {
            payload: payload.to_vec(),
            width_modules: side,
            height_modules: u32::try_from(dark_modules.len()).unwrap_or(0) / side.max(1),
            dark_modules,
        })
    }

    /// The bytes the symbol carries, for a printer that draws Data Matrix itself.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Modules per row, without the quiet zone.
    pub fn width_modules(&self) -> u32 {
        self.width_modules
    }

    /// Modules per column, without the quiet zone.
    pub fn height_modules(&self) -> u32 {
        self.height_modules
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol is light.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        if x >= self.width_modules || y >= self.height_modules {
            return false;
        }
        self.dark_modules[(y * self.width_modules + x) as usize]
    }

    /// The symbol drawn with square modules of a whole number of dots (a fractional module
    /// would print uneven bars that scanners misread), inside a light quiet zone.
    pub fn to_raster(
        &self,
        dots_per_module: u32,
        quiet_zone_modules: u32,
    ) -> Result<Raster, PrintError> {
        let width_dots = self.side_dots(self.width_modules, dots_per_module, quiet_zone_modules)?;
        self.to_raster_in_band(dots_per_module, quiet_zone_modules, width_dots, 0)
    }

    /// Width (or height) in dots of the symbol with its quiet zone.
    pub fn side_dots(
        &self,
        modules: u32,
        dots_per_module: u32,
        quiet_zone_modules: u32,
    ) -> Result<u32, PrintError> {
        side_dots(modules, dots_per_module, quiet_zone_modules)
    }

    /// The symbol drawn `left_dots` from the left of a white band `band_width_dots` wide, in
    /// one pass: the encoder prints a line-wide band, and drawing straight into it spares
    /// a copy of every row on each label.
    pub fn to_raster_in_band(
        &self,
        dots_per_module: u32,
        quiet_zone_modules: u32,
        band_width_dots: u32,
        left_dots: u32,
    ) -> Result<Raster, PrintError> {
        draw_modules(
            (self.width_modules, self.height_modules),
            |x, y| self.is_dark(x, y),
            (dots_per_module, quiet_zone_modules),
            (band_width_dots, left_dots),
        )
    }
}

/// Width (or height) in dots of `modules` modules with their quiet zone on both sides.
pub(super) fn side_dots(
    modules: u32,
    dots_per_module: u32,
    quiet_zone_modules: u32,
) -> Result<u32, PrintError> {
    if !(1..=MAX_DOTS_PER_MODULE).contains(&dots_per_module) {
        return Err(PrintError::DotsPerModule {
            dots: dots_per_module,
        });
    }
    Ok((modules + 2 * quiet_zone_modules).saturating_mul(dots_per_module))
}

/// A grid of `width` x `height` modules (dark where `is_dark`) drawn with square modules of
/// `dots_per_module` dots inside a quiet zone, `left_dots` from the left of a white band
/// `band_width_dots` wide: a 2-D symbol (Data Matrix, QR) as a printer without it prints it.
pub(super) fn draw_modules(
    (width_modules, height_modules): (u32, u32),
    is_dark: impl Fn(u32, u32) -> bool,
    (dots_per_module, quiet_zone_modules): (u32, u32),
    (band_width_dots, left_dots): (u32, u32),
) -> Result<Raster, PrintError> {
    let width_dots = side_dots(width_modules, dots_per_module, quiet_zone_modules)?;
    let height_dots = side_dots(height_modules, dots_per_module, quiet_zone_modules)?;
    if left_dots.saturating_add(width_dots) > band_width_dots {
        return Err(PrintError::TooWide {
            width_dots: left_dots.saturating_add(width_dots),
            dots_per_line: band_width_dots,
            profile: "2-D symbol band".into(),
        });
    }
    let mut raster = Raster::blank(band_width_dots, height_dots)?;
    let stride = raster.bytes_per_row();
    // Draw each module row once as a row of dots, then repeat it `dots_per_module` times.
    let mut dot_row = vec![0u8; stride];
    for y in 0..height_modules {
        dot_row.fill(0);
        for x in (0..width_modules).filter(|&x| is_dark(x, y)) {
            let first_dot = left_dots + (x + quiet_zone_modules) * dots_per_module;
            for dot in first_dot..first_dot + dots_per_module {
                dot_row[(dot / 8) as usize] |= 0x80 >> (dot % 8);
            }
        }
        let first_row = ((y + quiet_zone_modules) * dots_per_module) as usize;
        for row in first_row..first_row + dots_per_module as usize {
            raster.row_mut(row).copy_from_slice(&dot_row);
        }
    }
    Ok(raster)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary_payload(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 151 + 7) as u8).collect()
    }

    #[test]
    fn a_112_byte_payload_gives_a_40_by_40_symbol() {
        let symbol = DataMatrixSymbol::encode(&binary_payload(112)).expect("symbol");
        assert_eq!((symbol.width_modules(), symbol.height_modules()), (40, 40));
        assert_eq!(symbol.payload(), binary_payload(112).as_slice());
    }

    #[test]
    fn the_grid_decodes_back_to_the_payload() {
        let symbol = DataMatrixSymbol::encode(&binary_payload(112)).expect("symbol");
        let width = symbol.width_modules();
        let pixels: Vec<bool> = (0..symbol.height_modules())
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| symbol.is_dark(x, y))
            .collect();
        let decoded = datamatrix::DataMatrix::decode(&pixels, width as usize).expect("decode");
        assert_eq!(decoded, binary_payload(112));
    }

    #[test]
    fn the_raster_has_whole_dot_modules_and_a_light_quiet_zone() {
        let symbol = DataMatrixSymbol::encode(b"postcounter").expect("symbol");
        let raster = symbol.to_raster(3, 2).expect("raster");
        let modules = symbol.width_modules();
        assert_eq!(raster.width_dots(), (modules + 4) * 3);
        assert!((0..raster.width_dots()).all(|x| !raster.is_black(x, 0)));
        // The "L" finder pattern: the bottom-left module of the symbol is dark.
        let bottom_left = (modules + 2 - 1) * 3;
        assert!(raster.is_black(6, bottom_left) && raster.is_black(8, bottom_left + 2));
    }

    #[test]
    fn zero_dots_per_module_is_refused() {
        let symbol = DataMatrixSymbol::encode(b"x").expect("symbol");
        assert_eq!(
            symbol.to_raster(0, 1),
            Err(PrintError::DotsPerModule { dots: 0 })
        );
    }

    #[test]
    fn a_payload_too_large_for_any_symbol_is_refused() {
        let error = DataMatrixSymbol::encode(&binary_payload(2000)).expect_err("too large");
        assert_eq!(error, PrintError::SymbolTooLarge { len: 2000 });
    }
}
