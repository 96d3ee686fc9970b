//! The two character code pages the encoder selects with `ESC t n`: PC437 (n = 0, the printer
//! default) and WPC1252 (n = 16).
//!
//! Bytes 0x20-0x7E are ASCII in both; the upper half is looked up here. WPC1252 has five
//! undefined positions: a byte there is an error rather than a guess, because sanitized text
//! never contains one.
//!
//! These tables deliberately repeat the encoder's (`crate::print::code_page`): the interpreter
//! stands for the printer's firmware, and an independent table is what lets a test catch a
//! wrong byte in the encoder's.

/// A code page selectable with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodePage {
    Pc437,
    Wpc1252,
}

impl CodePage {
    /// The page `ESC t n` selects, if this printer has it.
    pub(crate) fn from_escpos(n: u8) -> Option<Self> {
        match n {
            0 => Some(Self::Pc437),
            16 => Some(Self::Wpc1252),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Pc437 => "PC437",
            Self::Wpc1252 => "WPC1252",
        }
    }

    /// The character a printable byte (0x20-0x7E, 0x80-0xFF) stands for on this page.
    pub(crate) fn decode(self, byte: u8) -> Option<char> {
        match byte {
            0x20..=0x7E => Some(char::from(byte)),
            0x80..=0xFF => {
                let upper = match self {
                    Self::Pc437 => &PC437_UPPER,
                    Self::Wpc1252 => &WPC1252_UPPER,
                };
                upper.get(usize::from(byte - 0x80)).copied().flatten()
            }
            _ => None,
        }
    }
}

/// PC437 0x80-0xFF.
const PC437_UPPER: [Option<char>; 128] = some_all([
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{A0}',
]);

/// WPC1252 0x80-0xFF; `None` where Windows-1252 defines no character.
const WPC1252_UPPER: [Option<char>; 128] = {
    let mut table = some_all([
        '€', '?', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '?', 'Ž', '?', //
        '?', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '?', 'ž', 'Ÿ', //
        '\u{A0}', '¡', '¢', '£', '¤', '¥', '¦', '§', '¨', '©', 'ª', '«', '¬', '\u{AD}', '®',
        '¯', //
        '°', '±', '²', '³', '´', 'µ', '¶', '·', '¸', '¹', 'º', '»', '¼', '½', '¾', '¿', //
        'À', 'Á', 'Â', 'Ã', 'Ä', 'Å', 'Æ', 'Ç', 'È', 'É', 'Ê', 'Ë', 'Ì', 'Í', 'Î', 'Ï', //
        'Ð', 'Ñ', 'Ò', 'Ó', 'Ô', 'Õ', 'Ö', '×', 'Ø', 'Ù', 'Ú', 'Û', 'Ü', 'Ý', 'Þ', 'ß', //
        'à', 'á', 'â', 'ã', 'ä', 'å', 'æ', 'ç', 'è', 'é', 'ê', 'ë', 'ì', 'í', 'î', 'ï', //
        'ð', 'ñ', 'ò', 'ó', 'ô', 'õ', 'ö', '÷', 'ø', 'ù', 'ú', 'û', 'ü', 'ý', 'þ', 'ÿ',
    ]);
    table[0x81 - 0x80] = None;
    table[0x8D - 0x80] = None;
    table[0x8F - 0x80] = None;
    table[0x90 - 0x80] = None;
    table[0x9D - 0x80] = None;
    table
};

const fn some_all(chars: [char; 128]) -> [Option<char>; 128] {
    let mut table = [None; 128];
    let mut index = 0;
    while index < 128 {
        table[index] = Some(chars[index]);
        index += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_half_bytes_decode_to_the_expected_characters() {
        assert_eq!(CodePage::Pc437.decode(0x82), Some('é'));
        assert_eq!(CodePage::Pc437.decode(0xB0), Some('░'));
        assert_eq!(CodePage::Wpc1252.decode(0x80), Some('€'));
        assert_eq!(CodePage::Wpc1252.decode(0xE9), Some('é'));
        assert_eq!(CodePage::Wpc1252.decode(0x81), None);
        assert_eq!(CodePage::Pc437.decode(0x0A), None);
    }
}
