//! The native 2-D code command for QR codes: `GS ( k pL pH cn fn ...` with cn = 49: fn 65
//! model (50 = model 2), fn 67 module size, fn 69 error correction (48-51 = L, M, Q, H), fn 80
//! store data (m = 48), fn 81 print the stored data (m = 48). The stored text is encoded as a
//! real QR code (see [`crate::print::qr`]), so what a printer would draw is what the picture
//! shows and a reader decodes.

use super::dots::Dots;
use crate::print::qr::printer_modules;

/// The `cn` byte that selects QR codes in `GS ( k`.
pub(crate) const QR_CN: u8 = 49;

/// The QR settings and stored data of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrState {
    module_dots: usize,
    level: u8,
    stored: Option<Vec<u8>>,
}

impl Default for QrState {
    fn default() -> Self {
        Self {
            module_dots: 3,
            level: 48,
            stored: None,
        }
    }
}

impl QrState {
    /// Applies one `GS ( k` function (`fn` and the bytes after it). `Ok(Some(dots))` when the
    /// function prints; the error text says what is wrong.
    pub(crate) fn apply(&mut self, function: u8, params: &[u8]) -> Result<Option<Dots>, String> {
        match (function, params) {
            (65, [50, 0]) => Ok(None),
            (65, [model, _]) => Err(format!("QR model {model} (accepted: 50 = model 2)")),
            (67, [module_dots]) if (1..=16).contains(module_dots) => {
                self.module_dots = usize::from(*module_dots);
                Ok(None)
            }
            (67, [module_dots]) => Err(format!("module size {module_dots} (accepted: 1-16)")),
            (69, [level]) if (48..=51).contains(level) => {
                self.level = *level;
                Ok(None)
            }
            (69, [level]) => Err(format!("error correction {level} (accepted: 48-51)")),
            (80, [48, data @ ..]) => {
                self.stored = Some(data.to_vec());
                Ok(None)
            }
            (81, [48]) => self.print().map(Some),
            _ => Err(format!(
                "QR function {function} with {} parameter bytes (accepted: 65 with 2, 67 with 1, 69 with 1, 80 with 48 and data, 81 with 48)",
                params.len()
            )),
        }
    }

    fn print(&self) -> Result<Dots, String> {
        let Some(data) = &self.stored else {
            return Err("print requested but no data was stored (fn 80)".to_owned());
        };
        let text =
            std::str::from_utf8(data).map_err(|_| "the stored data is not text".to_owned())?;
        let (side, dark) = printer_modules(text, self.level)
            .ok_or_else(|| format!("{} bytes do not fit a QR code", data.len()))?;
        // The printer draws the quiet zone the standard asks for: four modules on each side.
        let quiet = 4;
        let side = side as usize;
        let mut modules = Dots::blank(side + 2 * quiet, side + 2 * quiet);
        for y in 0..side {
            for x in (0..side).filter(|x| dark[y * side + x]) {
                modules.set(x + quiet, y + quiet);
            }
        }
        Ok(modules.scaled(self.module_dots, self.module_dots))
    }
}
