//! The colour and modifier words a theme file may use, and nothing else.
//!
//! The accepted spellings are deliberately few (one name per ANSI colour, `#rrggbb`, and
//! `reset`/`default`) so a typo is refused with a message instead of being read as something
//! the author did not mean. Names print back in the same spelling, so a theme can be written out.

use ratatui::style::{Color, Modifier};

/// The sixteen ANSI names, in the order terminals number them.
const NAMED_COLOURS: [(&str, Color); 16] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark-gray", Color::DarkGray),
    ("light-red", Color::LightRed),
    ("light-green", Color::LightGreen),
    ("light-yellow", Color::LightYellow),
    ("light-blue", Color::LightBlue),
    ("light-magenta", Color::LightMagenta),
    ("light-cyan", Color::LightCyan),
    ("white", Color::White),
];

/// Modifiers a theme may ask for. Blinking is left out: it is unkind at a counter.
pub const MODIFIER_NAMES: [&str; 6] = [
    "bold",
    "dim",
    "italic",
    "underlined",
    "reversed",
    "crossed-out",
];

const MODIFIERS: [Modifier; 6] = [
    Modifier::BOLD,
    Modifier::DIM,
    Modifier::ITALIC,
    Modifier::UNDERLINED,
    Modifier::REVERSED,
    Modifier::CROSSED_OUT,
];

/// Reads a colour: an ANSI name, `#rrggbb`, or `reset`/`default` (the terminal's own colour).
/// The error is the reason only; the caller adds the file and key.
pub fn parse_colour(text: &str) -> Result<Color, String> {
    if text == "reset" || text == "default" {
        return Ok(Color::Reset);
    }
    if let Some((_, colour)) = NAMED_COLOURS.iter().find(|(name, _)| *name == text) {
        return Ok(*colour);
    }
    parse_hex(text).ok_or_else(|| {
        format!("\"{text}\" is not a colour: expected a name like \"green\" or \"#12ab34\"")
    })
}

fn parse_hex(text: &str) -> Option<Color> {
    let digits = text.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |at: usize| u8::from_str_radix(&digits[at..at + 2], 16).ok();
    Some(Color::Rgb(channel(0)?, channel(2)?, channel(4)?))
}

/// The spelling [`parse_colour`] reads back to `colour`; `None` for indexed colours, which
/// theme files cannot name.
pub fn colour_name(colour: Color) -> Option<String> {
    match colour {
        Color::Reset => Some("reset".to_owned()),
        Color::Rgb(red, green, blue) => Some(format!("#{red:02x}{green:02x}{blue:02x}")),
        Color::Indexed(_) => None,
        named => NAMED_COLOURS
            .iter()
            .find(|(_, candidate)| *candidate == named)
            .map(|(name, _)| (*name).to_owned()),
    }
}

/// Reads one modifier word.
pub fn parse_modifier(text: &str) -> Result<Modifier, String> {
    MODIFIER_NAMES
        .iter()
        .position(|name| *name == text)
        .map(|index| MODIFIERS[index])
        .ok_or_else(|| {
            format!(
                "\"{text}\" is not a modifier: expected one of {}",
                MODIFIER_NAMES.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_colour_prints_back_as_its_own_name() {
        for (name, colour) in NAMED_COLOURS {
            assert_eq!(colour_name(colour).as_deref(), Some(name));
            assert_eq!(parse_colour(name), Ok(colour));
        }
    }

    #[test]
    fn a_hex_colour_needs_exactly_six_hex_digits() {
        assert_eq!(parse_colour("#12ab34"), Ok(Color::Rgb(0x12, 0xab, 0x34)));
        assert_eq!(parse_colour("#12AB34"), Ok(Color::Rgb(0x12, 0xab, 0x34)));
        assert!(parse_colour("#12ab3").is_err());
        assert!(parse_colour("#12ab345").is_err());
        assert!(parse_colour("#12ag34").is_err());
        assert!(parse_colour("#+1+1+1").is_err());
    }

    proptest::proptest! {
        #[test]
        fn a_printed_colour_parses_back_to_the_same_colour(red: u8, green: u8, blue: u8) {
            let colour = Color::Rgb(red, green, blue);
            let name = colour_name(colour).unwrap_or_default();
            proptest::prop_assert_eq!(parse_colour(&name), Ok(colour));
        }
    }
}
