//! The label as the terminal can show it: its Data Matrix drawn with block characters and
//! the human-readable lines beside it, before the label prints and on the done screen.
//!
//! The preview is built once, when the indicium arrives, from the same `label_content` the
//! printer gets, so what the clerk sees is what prints. Drawing is pure: half blocks (one
//! module a character wide and half a character high, so modules stay about square) where
//! the screen is tall enough (a 40x40 symbol with its quiet zone takes 42x21 characters),
//! Braille patterns (two modules across and four down a character) where it is not: 21x11
//! characters, which fit under the sale on an 80x24 screen.

use crate::config::LabelSettings;
use crate::indicium::Indicium;
use crate::print::symbol::DataMatrixSymbol;
use crate::rates::PricedPiece;
use crate::sale::documents::label_content;

/// Light modules around the symbol, as a scanner needs (one is enough on a screen).
const QUIET_ZONE_MODULES: u32 = 1;

/// An issued label, ready to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelPreview {
    pub serial: String,
    pub symbol: DataMatrixSymbol,
    /// The label's human-readable block and address, as printed.
    pub text_lines: Vec<String>,
}

impl LabelPreview {
    /// The preview of the label for `indicium_bytes`; `None` if the bytes are not an
    /// indicium (the label would not print either, and the flow reports that).
    pub fn of(
        priced: &PricedPiece,
        recipient_lines: &[String],
        indicium_bytes: &[u8],
        settings: &LabelSettings,
    ) -> Option<LabelPreview> {
        let indicium = Indicium::from_bytes(indicium_bytes).ok()?;
        let content = label_content(
            priced,
            recipient_lines,
            (&indicium, indicium_bytes),
            settings,
        )
        .ok()?;
        let mut text_lines = vec![
            "US POSTAGE".to_string(),
            content.postage.to_string(),
            content.mailing_date.to_string(),
            format!("FROM {}", content.origin_zip),
            format!("PSD {}", content.psd_serial),
            content.class_marking.clone(),
            format!("SERIAL {}", content.piece_serial),
            String::new(),
            "SHIP TO:".to_string(),
        ];
        text_lines.extend(content.to_lines.iter().cloned());
        text_lines.extend(content.service_markings.iter().cloned());
        if let Some(tracking) = &content.tracking {
            text_lines.push(format!("{} {}", tracking.banner, tracking.human_readable));
        }
        Some(LabelPreview {
            serial: content.piece_serial,
            symbol: content.symbol,
            text_lines,
        })
    }

    /// Character rows of the symbol in half blocks: `(side + 2) / 2` rows of `side + 2`.
    pub fn half_block_rows(&self) -> Vec<String> {
        let (width, height) = self.size_with_quiet_zone();
        (0..height.div_ceil(2))
            .map(|row| {
                (0..width)
                    .map(|x| {
                        let top = self.dark(x, row * 2);
                        let bottom = self.dark(x, row * 2 + 1);
                        match (top, bottom) {
                            (true, true) => '█',
                            (true, false) => '▀',
                            (false, true) => '▄',
                            (false, false) => ' ',
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Character rows of the symbol in Braille patterns, 2 modules across and 4 down each:
    /// half the columns and a quarter of the modules' rows, for short screens.
    pub fn braille_rows(&self) -> Vec<String> {
        let (width, height) = self.size_with_quiet_zone();
        (0..height.div_ceil(4))
            .map(|row| {
                (0..width.div_ceil(2))
                    .map(|column| {
                        let (x, y) = (column * 2, row * 4);
                        let mut bits = 0u32;
                        for (bit, (dx, dy)) in BRAILLE_DOTS.iter().enumerate() {
                            if self.dark(x + dx, y + dy) {
                                bits |= 1 << bit;
                            }
                        }
                        char::from_u32(0x2800 + bits).unwrap_or(' ')
                    })
                    .collect()
            })
            .collect()
    }

    /// The symbol's side in modules with its quiet zone (it is square).
    pub fn side_with_quiet_zone_modules(&self) -> u32 {
        self.symbol.width_modules() + 2 * QUIET_ZONE_MODULES
    }

    fn size_with_quiet_zone(&self) -> (u32, u32) {
        (
            self.symbol.width_modules() + 2 * QUIET_ZONE_MODULES,
            self.symbol.height_modules() + 2 * QUIET_ZONE_MODULES,
        )
    }

    /// Whether the module at (x, y) of the symbol with its quiet zone is dark.
    fn dark(&self, x: u32, y: u32) -> bool {
        let (Some(x), Some(y)) = (
            x.checked_sub(QUIET_ZONE_MODULES),
            y.checked_sub(QUIET_ZONE_MODULES),
        ) else {
            return false;
        };
        self.symbol.is_dark(x, y)
    }
}

/// The module (dx, dy) of each Braille dot, in the order of the pattern's bits (dots 1-8).
const BRAILLE_DOTS: [(u32, u32); 8] = [
    (0, 0),
    (0, 1),
    (0, 2),
    (1, 0),
    (1, 1),
    (1, 2),
    (0, 3),
    (1, 3),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn preview_of(payload: &[u8]) -> LabelPreview {
        LabelPreview {
            serial: "1".into(),
            symbol: DataMatrixSymbol::encode(payload).expect("symbol"),
            text_lines: Vec::new(),
        }
    }

    /// Reads the modules back out of the drawn characters.
    fn modules_from_half_blocks(rows: &[String]) -> Vec<Vec<bool>> {
        let mut modules = Vec::new();
        for row in rows {
            let chars: Vec<char> = row.chars().collect();
            modules.push(chars.iter().map(|c| matches!(c, '█' | '▀')).collect());
            modules.push(chars.iter().map(|c| matches!(c, '█' | '▄')).collect());
        }
        modules
    }

    #[test]
    fn half_blocks_draw_every_module_of_the_symbol_inside_a_light_border() {
        let preview = preview_of(&[0x5a; 112]);
        let rows = preview.half_block_rows();
        let side = preview.symbol.width_modules() as usize;
        assert_eq!(rows.len(), (side + 2).div_ceil(2));
        let modules = modules_from_half_blocks(&rows);
        for (y, row) in modules.iter().enumerate().take(side + 2) {
            for (x, dark) in row.iter().enumerate() {
                let inside = (1..=side).contains(&x) && (1..=side).contains(&y);
                let expected = inside && preview.symbol.is_dark(x as u32 - 1, y as u32 - 1);
                assert_eq!(*dark, expected, "module ({x}, {y})");
            }
        }
    }

    #[test]
    fn braille_holds_eight_modules_a_character_and_draws_the_same_modules() {
        let preview = preview_of(&[0x11; 112]);
        let braille = preview.braille_rows();
        let side = preview.symbol.width_modules() as usize + 2;
        assert_eq!(braille.len(), side.div_ceil(4));
        assert!(
            braille
                .iter()
                .all(|r| r.chars().count() == side.div_ceil(2))
        );
        for (row, line) in braille.iter().enumerate() {
            for (column, c) in line.chars().enumerate() {
                let bits = c as u32 - 0x2800;
                for (bit, (dx, dy)) in BRAILLE_DOTS.iter().enumerate() {
                    let (x, y) = (column as u32 * 2 + dx, row as u32 * 4 + dy);
                    assert_eq!(
                        bits >> bit & 1 == 1,
                        preview.dark(x, y),
                        "module ({x}, {y})"
                    );
                }
            }
        }
    }
}
