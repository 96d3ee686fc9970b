//! Font A: a 12 x 24 dot cell drawn from the public-domain 8 x 8 glyphs of the `font8x8` crate.
//!
//! A real printer's ROM font is not available, so each 8 x 8 glyph is stretched into the cell
//! (columns 1.5 times, rows 3 times), which keeps it legible at 203 dpi and keeps the cell size
//! (48 characters per 80 mm line) exact. Characters without a glyph print as a hollow box, as
//! printers do for missing glyphs. Bold smears every dot one dot to the right.

use font8x8::legacy::{
    BASIC_LEGACY, BLOCK_LEGACY, BOX_LEGACY, GREEK_LEGACY, LATIN_LEGACY, MISC_LEGACY,
};

use super::dots::Dots;

/// Font A cell width in dots, at size 1.
pub(crate) const CELL_WIDTH_DOTS: usize = 12;
/// Font A cell height in dots, at size 1.
pub(crate) const CELL_HEIGHT_DOTS: usize = 24;

/// How a character is drawn: `GS !` multipliers and `ESC E`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GlyphStyle {
    pub(crate) width_factor: usize,
    pub(crate) height_factor: usize,
    pub(crate) bold: bool,
}

/// The dots of one character cell in `style`.
pub(crate) fn render_glyph(character: char, style: GlyphStyle) -> Dots {
    let rows = glyph_rows(character).unwrap_or(MISSING_GLYPH);
    let mut cell = Dots::blank(CELL_WIDTH_DOTS, CELL_HEIGHT_DOTS);
    for y in 0..CELL_HEIGHT_DOTS {
        let row_bits = rows[y * 8 / CELL_HEIGHT_DOTS];
        for x in 0..CELL_WIDTH_DOTS {
            // font8x8 stores the leftmost dot in the lowest bit.
            if row_bits & (1 << (x * 8 / CELL_WIDTH_DOTS)) != 0 {
                cell.set(x, y);
                if style.bold {
                    cell.set(x + 1, y);
                }
            }
        }
    }
    cell.scaled(style.width_factor, style.height_factor)
}

/// A hollow box for characters the font lacks.
const MISSING_GLYPH: [u8; 8] = [0x00, 0x7E, 0x42, 0x42, 0x42, 0x42, 0x7E, 0x00];

/// The 8 x 8 rows of a character, from the `font8x8` block that covers it.
fn glyph_rows(character: char) -> Option<[u8; 8]> {
    let code = u32::from(character);
    let from_block = |table: &[[u8; 8]], first: u32| {
        code.checked_sub(first)
            .and_then(|index| table.get(index as usize))
            .copied()
    };
    match code {
        0x00..=0x7F => from_block(&BASIC_LEGACY, 0),
        0xA0..=0xFF => from_block(&LATIN_LEGACY, 0xA0),
        0x390..=0x3C9 => from_block(&GREEK_LEGACY, 0x390),
        0x2500..=0x257F => from_block(&BOX_LEGACY, 0x2500),
        0x2580..=0x259F => from_block(&BLOCK_LEGACY, 0x2580),
        _ => misc_glyph(character),
    }
}

/// Characters of PC437 and WPC1252 outside the contiguous blocks above: font8x8's MISC block,
/// a few drawn here, and typographic punctuation drawn as its ASCII look-alike.
fn misc_glyph(character: char) -> Option<[u8; 8]> {
    // The order of font8x8's MISC block.
    const MISC_CHARACTERS: [char; 10] = ['₧', 'ƒ', 'ª', 'º', '⌐', '≤', '≥', '`', 'Ỳ', 'ỳ'];
    const EURO: [u8; 8] = [0x38, 0x4C, 0x3F, 0x06, 0x3F, 0x4C, 0x38, 0x00];
    const SQUARE: [u8; 8] = [0x00, 0x00, 0x3C, 0x3C, 0x3C, 0x3C, 0x00, 0x00];
    const BULLET: [u8; 8] = [0x00, 0x00, 0x18, 0x3C, 0x3C, 0x18, 0x00, 0x00];
    const ELLIPSIS: [u8; 8] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49, 0x00];
    const EM_DASH: [u8; 8] = [0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00];
    if let Some(index) = MISC_CHARACTERS.iter().position(|c| *c == character) {
        return MISC_LEGACY.get(index).copied();
    }
    let look_alike = match character {
        '€' => return Some(EURO),
        '■' => return Some(SQUARE),
        '•' | '∙' => return Some(BULLET),
        '…' => return Some(ELLIPSIS),
        '—' => return Some(EM_DASH),
        '‘' | '’' => '\'',
        '‹' => '<',
        '›' => '>',
        '“' | '”' | '„' => '"',
        '‚' => ',',
        '–' => '-',
        'ˆ' => '^',
        '˜' => '~',
        _ => return None,
    };
    BASIC_LEGACY.get(look_alike as usize).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: GlyphStyle = GlyphStyle {
        width_factor: 1,
        height_factor: 1,
        bold: false,
    };

    #[test]
    fn a_letter_has_black_dots_and_a_space_has_none() {
        assert!(render_glyph('A', PLAIN).black_dots().count() > 20);
        assert_eq!(render_glyph(' ', PLAIN).black_dots().count(), 0);
    }

    #[test]
    fn bold_adds_dots_and_size_scales_the_cell() {
        let bold = GlyphStyle {
            bold: true,
            ..PLAIN
        };
        let plain_count = render_glyph('H', PLAIN).black_dots().count();
        assert!(render_glyph('H', bold).black_dots().count() > plain_count);
        let big = render_glyph(
            'H',
            GlyphStyle {
                width_factor: 2,
                height_factor: 3,
                ..PLAIN
            },
        );
        assert_eq!((big.width(), big.height()), (24, 72));
        assert_eq!(big.black_dots().count(), plain_count * 6);
    }

    #[test]
    fn box_drawing_and_accented_letters_have_their_own_glyphs() {
        assert_ne!(glyph_rows('é'), glyph_rows('e'));
        assert!(glyph_rows('░').is_some());
        assert!(glyph_rows('é').is_some());
    }
}
