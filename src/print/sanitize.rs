//! Text to printer bytes: only the printable characters of the profile's code page go out.
//!
//! Any byte below 0x20 or equal to 0x7F starts a command on an ESC/POS printer (`ESC p` kicks
//! the cash drawer, `ESC @` clears the buffer), so text from a customer, an address database
//! or the vendor must never reach the printer as such bytes. Control characters (C0, DEL, C1)
//! are dropped rather than replaced, so that a hostile string cannot even leave a visible
//! trace of its structure; any other character the page lacks becomes `?` so that the reader
//! sees that something was there.

use super::CodePage;

/// What a printable character missing from the code page prints as.
pub const REPLACEMENT: u8 = b'?';

/// The bytes that print `text` on a printer set to `code_page`: never a control byte.
pub fn sanitize(text: &str, code_page: CodePage) -> Vec<u8> {
    text.chars()
        .filter(|character| !character.is_control())
        .map(|character| code_page.byte_for(character).unwrap_or(REPLACEMENT))
        .collect()
}

/// How many character cells `text` takes once sanitized: one per character kept.
pub fn printed_len(text: &str) -> usize {
    text.chars()
        .filter(|character| !character.is_control())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_characters_are_dropped_and_foreign_ones_replaced() {
        let bytes = sanitize("A\x1bp\x00\x19Z\u{9b}€ é", CodePage::Pc437);
        // The "p" of the drawer kick stays as a harmless letter; its ESC is gone.
        assert_eq!(bytes, b"ApZ? \x82".to_vec());
    }

    #[test]
    fn the_same_text_maps_to_each_pages_bytes() {
        assert_eq!(
            sanitize("café €5", CodePage::Wpc1252),
            b"caf\xe9 \x805".to_vec()
        );
        assert_eq!(sanitize("café €5", CodePage::Pc437), b"caf\x82 ?5".to_vec());
    }

    proptest! {
        #[test]
        fn sanitized_text_never_holds_a_control_byte_or_a_byte_the_page_lacks(
            text in any::<String>(),
            page_index in 0usize..CodePage::ALL.len(),
        ) {
            let page = CodePage::ALL[page_index];
            let bytes = sanitize(&text, page);
            prop_assert_eq!(bytes.len(), printed_len(&text));
            for byte in bytes {
                prop_assert!(byte >= 0x20 && byte != 0x7F, "byte {:#04x}", byte);
                prop_assert!(page.char_for(byte).is_some(), "byte {:#04x} not on {}", byte, page);
            }
        }

        #[test]
        fn printable_ascii_passes_unchanged(text in "[ -~]{0,64}") {
            prop_assert_eq!(sanitize(&text, CodePage::Pc437), text.as_bytes().to_vec());
        }
    }
}
