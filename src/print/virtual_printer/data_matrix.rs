//! The native 2-D code command for Data Matrix: `GS ( k pL pH cn fn ...` with cn = 54, the
//! values the `escpos` crate (0.20.1) emits: fn 66 symbol type, fn 67 module size, fn 80 store
//! data (m = 48), fn 81 print the stored data (m = 48).
//!
//! The stored bytes are encoded as a real ECC200 symbol with the `datamatrix` crate, using only
//! ASCII and Base256 encodation, so binary payloads survive exactly.

use datamatrix::data::EncodationType;
use datamatrix::{DataMatrixBuilder, SymbolList, SymbolSize};

use super::dots::Dots;

/// The Data Matrix settings and stored data of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataMatrixState {
    module_dots: usize,
    symbol_list: Vec<SymbolSize>,
    stored: Option<Vec<u8>>,
}

impl Default for DataMatrixState {
    fn default() -> Self {
        Self {
            module_dots: 3,
            symbol_list: SymbolList::default().enforce_square().into_iter().collect(),
            stored: None,
        }
    }
}

/// The `cn` byte that selects Data Matrix in `GS ( k`.
pub(crate) const DATA_MATRIX_CN: u8 = 54;

impl DataMatrixState {
    /// Applies one `GS ( k` function (`fn` and the bytes after it). `Ok(Some(dots))` when the
    /// function prints; the error text says what is wrong.
    pub(crate) fn apply(&mut self, function: u8, params: &[u8]) -> Result<Option<Dots>, String> {
        match (function, params) {
            (66, [shape, rows, columns]) => {
                self.symbol_list = symbol_list(*shape, *rows, *columns)?;
                Ok(None)
            }
            (67, [module_dots]) if (1..=16).contains(module_dots) => {
                self.module_dots = usize::from(*module_dots);
                Ok(None)
            }
            (67, [module_dots]) => Err(format!("module size {module_dots} (accepted: 1-16)")),
            (80, [48, data @ ..]) => {
                self.stored = Some(data.to_vec());
                Ok(None)
            }
            (81, [48]) => self.print().map(Some),
            _ => Err(format!(
                "Data Matrix function {function} with {} parameter bytes (accepted: 66 with 3, 67 with 1, 80 with 48 and data, 81 with 48)",
                params.len()
            )),
        }
    }

    fn print(&self) -> Result<Dots, String> {
        let Some(data) = &self.stored else {
            return Err("print requested but no data was stored (fn 80)".to_owned());
        };
        let symbol = DataMatrixBuilder::new()
            .with_encodation_types(EncodationType::Ascii | EncodationType::Base256)
            .with_symbol_list(SymbolList::with_whitelist(self.symbol_list.iter().copied()))
            .encode(data)
            .map_err(|error| format!("{} bytes do not fit the symbol: {error:?}", data.len()))?;
        let bitmap = symbol.bitmap();
        let mut modules = Dots::blank(bitmap.width(), bitmap.height());
        for (x, y) in bitmap.pixels() {
            modules.set(x, y);
        }
        Ok(modules.scaled(self.module_dots, self.module_dots))
    }
}

/// The sizes `fn 66` allows: shape 0 = square (rows = columns, 0 = automatic), 1 = rectangle
/// (rows 8, 12 or 16; columns 0 = automatic).
fn symbol_list(shape: u8, rows: u8, columns: u8) -> Result<Vec<SymbolSize>, String> {
    use SymbolSize::*;
    let squares = [
        (10, Square10),
        (12, Square12),
        (14, Square14),
        (16, Square16),
        (18, Square18),
        (20, Square20),
        (22, Square22),
        (24, Square24),
        (26, Square26),
        (32, Square32),
        (36, Square36),
        (40, Square40),
        (44, Square44),
        (48, Square48),
        (52, Square52),
        (64, Square64),
        (72, Square72),
        (80, Square80),
        (88, Square88),
        (96, Square96),
        (104, Square104),
        (120, Square120),
        (132, Square132),
        (144, Square144),
    ];
    let rectangles = [
        (8, 18, Rect8x18),
        (8, 32, Rect8x32),
        (12, 26, Rect12x26),
        (12, 36, Rect12x36),
        (16, 36, Rect16x36),
        (16, 48, Rect16x48),
    ];
    let list: Vec<SymbolSize> = match shape {
        0 => squares
            .iter()
            .filter(|(size, _)| rows == 0 || *size == rows)
            .map(|(_, symbol)| *symbol)
            .collect(),
        1 => rectangles
            .iter()
            .filter(|(height, width, _)| *height == rows && (columns == 0 || *width == columns))
            .map(|(_, _, symbol)| *symbol)
            .collect(),
        _ => Vec::new(),
    };
    if list.is_empty() {
        return Err(format!(
            "symbol type {shape} with {rows} rows and {columns} columns (accepted: 0 with 0 or a square size 10-144; 1 with 8, 12 or 16 rows)"
        ));
    }
    Ok(list)
}
