//! Large letters for the self-service screens: ASCII drawn from the public-domain 8x8
//! `font8x8` glyphs in half blocks, so one letter is 8 columns by 4 rows. A customer reads
//! the welcome and the amount due from a step away; a terminal cannot change its font.

use font8x8::legacy::BASIC_LEGACY;

/// The four rows of `text` in large letters; characters outside printable ASCII are drawn
/// as blanks.
pub fn big_text(text: &str) -> Vec<String> {
    let glyphs: Vec<[u8; 8]> = text
        .chars()
        .map(|c| {
            let code = c as usize;
            if (0x20..0x7f).contains(&code) {
                BASIC_LEGACY[code]
            } else {
                [0; 8]
            }
        })
        .collect();
    (0..4)
        .map(|row| {
            glyphs
                .iter()
                .flat_map(|glyph| {
                    let (top, bottom) = (glyph[row * 2], glyph[row * 2 + 1]);
                    // Bit 0 is the leftmost dot in font8x8.
                    (0..8).map(move |x| match (top >> x & 1, bottom >> x & 1) {
                        (1, 1) => '█',
                        (1, 0) => '▀',
                        (0, 1) => '▄',
                        _ => ' ',
                    })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_letter_is_eight_columns_by_four_rows_and_a_space_is_blank() {
        let rows = big_text("A ");
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|r| r.chars().count() == 16));
        assert!(rows.iter().all(|r| r.chars().skip(8).all(|c| c == ' ')));
        assert!(rows.iter().any(|r| r.chars().take(8).any(|c| c != ' ')));
    }
}
