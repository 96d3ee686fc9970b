//! The character code pages a printer profile may name, and what each byte prints.
//!
//! Only pages whose whole table we ship are accepted: the sanitizer must know every printable
//! character of the page to guarantee that nothing else goes out. Bytes below 0x20 and 0x7F
//! are printer commands on every ESC/POS printer whatever the page, so no page maps to them.

use std::fmt;

/// A code page selected with `ESC t n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodePage {
    /// IBM PC 437 (US), `ESC t 0`: the default of most ESC/POS printers.
    Pc437,
    /// Windows-1252 (Western Europe), `ESC t 16`.
    Wpc1252,
}

/// Characters of the upper half of PC437, bytes 0x80 to 0xFF.
const PC437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{A0}',
];

/// Characters of bytes 0x80 to 0x9F of Windows-1252; `None` where the page has no character.
/// Bytes 0xA0 to 0xFF are Latin-1, the same number as the Unicode code point.
const WPC1252_80_TO_9F: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

impl CodePage {
    pub const ALL: [CodePage; 2] = [CodePage::Pc437, CodePage::Wpc1252];

    /// The name used in printer profiles: `PC437`, `WPC1252`.
    pub fn name(self) -> &'static str {
        match self {
            CodePage::Pc437 => "PC437",
            CodePage::Wpc1252 => "WPC1252",
        }
    }

    /// Parses a profile's `code_page` value (exact name, upper case).
    pub fn from_name(name: &str) -> Option<CodePage> {
        CodePage::ALL.into_iter().find(|page| page.name() == name)
    }

    /// The `n` of `ESC t n` on Epson-compatible printers.
    pub fn escpos_table_number(self) -> u8 {
        match self {
            CodePage::Pc437 => 0,
            CodePage::Wpc1252 => 16,
        }
    }

    /// The byte that prints `character` on this page, if the page has it. Printable ASCII
    /// is the same on every page; control characters have no byte.
    pub fn byte_for(self, character: char) -> Option<u8> {
        if (' '..='~').contains(&character) {
            return Some(character as u8);
        }
        match self {
            CodePage::Pc437 => PC437_HIGH
                .iter()
                .position(|&c| c == character)
                .map(|index| 0x80 + index as u8),
            CodePage::Wpc1252 => match u32::from(character) {
                0xA0..=0xFF => Some(u32::from(character) as u8),
                _ => WPC1252_80_TO_9F
                    .iter()
                    .position(|&c| c == Some(character))
                    .map(|index| 0x80 + index as u8),
            },
        }
    }

    /// The character that `byte` prints on this page, if it is a printable character.
    pub fn char_for(self, byte: u8) -> Option<char> {
        match byte {
            0x20..=0x7E => Some(byte as char),
            0x00..=0x1F | 0x7F => None,
            0x80..=0xFF => match self {
                CodePage::Pc437 => Some(PC437_HIGH[usize::from(byte - 0x80)]),
                CodePage::Wpc1252 if byte >= 0xA0 => Some(char::from(byte)),
                CodePage::Wpc1252 => WPC1252_80_TO_9F[usize::from(byte - 0x80)],
            },
        }
    }
}

impl fmt::Display for CodePage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_byte_round_trips_through_its_character() {
        for page in CodePage::ALL {
            for byte in 0..=255u8 {
                if let Some(character) = page.char_for(byte) {
                    assert_eq!(page.byte_for(character), Some(byte), "{page} {byte:#04x}");
                }
            }
        }
    }

    #[test]
    fn well_known_characters_have_their_published_bytes() {
        assert_eq!(CodePage::Pc437.byte_for('é'), Some(0x82));
        assert_eq!(CodePage::Pc437.byte_for('°'), Some(0xF8));
        assert_eq!(CodePage::Wpc1252.byte_for('€'), Some(0x80));
        assert_eq!(CodePage::Wpc1252.byte_for('é'), Some(0xE9));
        assert_eq!(CodePage::Pc437.byte_for('€'), None);
        assert_eq!(CodePage::Wpc1252.byte_for('\u{81}'), None);
    }
}
