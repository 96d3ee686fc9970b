//! The text syntax of keys in keymap files: `"ctrl-c"`, `"f2"`, `"shift-tab"`, `"page-up"`,
//! `"a"`. Printing a [`KeyPress`] gives the one canonical spelling, which reads back to the
//! same key, so messages and written-out keymaps use the syntax a person would type.

use std::fmt;
use std::str::FromStr;

use super::key_press::{KeyCode, KeyModifiers, KeyPress};

/// Why a key could not be read from a keymap file; the message quotes the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeySyntaxError(String);

/// Names of the keys that are not single characters, as written in files; F-keys aside.
const NAMED_KEYS: [(&str, KeyCode); 15] = [
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("page-up", KeyCode::PageUp),
    ("page-down", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("space", KeyCode::Char(' ')),
];

/// The highest function key a file may name.
pub const F_KEY_MAX: u8 = 24;

/// Prints the file syntax, modifiers in the order ctrl, alt, shift; parses back to `self`.
impl fmt::Display for KeyPress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (held, name) in [
            (self.modifiers().ctrl, "ctrl-"),
            (self.modifiers().alt, "alt-"),
            (self.modifiers().shift, "shift-"),
        ] {
            if held {
                f.write_str(name)?;
            }
        }
        match self.code() {
            KeyCode::F(number) => write!(f, "f{number}"),
            code => match NAMED_KEYS.iter().find(|(_, named)| *named == code) {
                Some((name, _)) => f.write_str(name),
                None => match code {
                    KeyCode::Char(character) => write!(f, "{character}"),
                    _ => Ok(()),
                },
            },
        }
    }
}

impl FromStr for KeyPress {
    type Err = KeySyntaxError;

    /// Modifiers (`ctrl-`, `alt-`, `shift-`, any order, case-insensitive) then one key: a
    /// single character (case matters) or a name (case does not).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (modifiers, key) = split_modifiers(text)?;
        let code = parse_code(key).ok_or_else(|| not_a_key(text))?;
        if modifiers.shift && matches!(code, KeyCode::Char(_)) {
            return Err(KeySyntaxError(format!(
                "\"{text}\" is not a key: write a shifted character as itself, like \"A\" or \"?\""
            )));
        }
        Ok(Self::new(code, modifiers))
    }
}

fn split_modifiers(text: &str) -> Result<(KeyModifiers, &str), KeySyntaxError> {
    let mut modifiers = KeyModifiers::default();
    let mut rest = text;
    while let Some((prefix, tail)) = rest.split_once('-') {
        // `-` alone, or `ctrl--`, is the minus key, not a separator.
        if prefix.is_empty() || tail.is_empty() {
            break;
        }
        let held = match prefix.to_ascii_lowercase().as_str() {
            "ctrl" => &mut modifiers.ctrl,
            "alt" => &mut modifiers.alt,
            "shift" => &mut modifiers.shift,
            _ => break,
        };
        if *held {
            return Err(KeySyntaxError(format!(
                "\"{text}\" is not a key: \"{prefix}\" is given twice"
            )));
        }
        *held = true;
        rest = tail;
    }
    Ok((modifiers, rest))
}

fn parse_code(key: &str) -> Option<KeyCode> {
    let mut characters = key.chars();
    if let (Some(character), None) = (characters.next(), characters.next()) {
        return (!character.is_control()).then_some(KeyCode::Char(character));
    }
    let lower = key.to_ascii_lowercase();
    if let Some((_, code)) = NAMED_KEYS.iter().find(|(name, _)| *name == lower) {
        return Some(*code);
    }
    let number: u8 = lower.strip_prefix('f')?.parse().ok()?;
    // `f01` would print back as `f1`; one spelling per key.
    let canonical = lower.len() == format!("f{number}").len();
    ((1..=F_KEY_MAX).contains(&number) && canonical).then_some(KeyCode::F(number))
}

fn not_a_key(text: &str) -> KeySyntaxError {
    KeySyntaxError(format!(
        "\"{text}\" is not a key: expected a character like \"a\" or a name like \"enter\", \
         \"esc\", \"tab\", \"up\", \"page-up\", \"space\" or \"f2\", \
         after any of \"ctrl-\", \"alt-\", \"shift-\""
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(text: &str) -> KeyPress {
        text.parse().unwrap()
    }

    #[test]
    fn key_names_and_modifiers_ignore_case_but_characters_do_not() {
        assert_eq!(key("Ctrl-Enter"), key("ctrl-enter"));
        assert_eq!(key("PAGE-UP"), KeyPress::plain(KeyCode::PageUp));
        assert_ne!(key("a"), key("A"));
        assert_eq!(key("alt-ctrl-x").to_string(), "ctrl-alt-x");
        assert_eq!(key("ctrl--").code(), KeyCode::Char('-'));
        assert_eq!(key("-").to_string(), "-");
        assert_eq!(key(" ").to_string(), "space");
    }

    #[test]
    fn doubtful_key_spellings_are_refused_with_the_text_quoted() {
        let refused = |text: &str| text.parse::<KeyPress>().unwrap_err().to_string();
        assert_eq!(
            refused("shift-a"),
            "\"shift-a\" is not a key: write a shifted character as itself, like \"A\" or \"?\""
        );
        assert_eq!(
            refused("ctrl-ctrl-c"),
            "\"ctrl-ctrl-c\" is not a key: \"ctrl\" is given twice"
        );
        for text in [
            "f0", "f25", "f01", "f+1", "ctrl-", "", "hyper-a", "\u{7}", "return",
        ] {
            let quoted = format!("\"{text}\" is not a key");
            assert!(refused(text).starts_with(&quoted), "{text:?}");
        }
    }

    fn any_key_press() -> impl Strategy<Value = KeyPress> {
        let code = prop_oneof![
            any::<char>()
                .prop_filter("printable", |c| !c.is_control())
                .prop_map(KeyCode::Char),
            (1u8..=24).prop_map(KeyCode::F),
            prop::sample::select(vec![
                KeyCode::Enter,
                KeyCode::Esc,
                KeyCode::Tab,
                KeyCode::Backspace,
                KeyCode::Delete,
                KeyCode::Insert,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Left,
                KeyCode::Right,
            ]),
        ];
        (code, any::<(bool, bool, bool)>()).prop_map(|(code, (ctrl, alt, shift))| {
            KeyPress::new(code, KeyModifiers { ctrl, alt, shift })
        })
    }

    proptest! {
        #[test]
        fn a_printed_key_press_parses_back_to_the_same_key(press in any_key_press()) {
            prop_assert_eq!(press.to_string().parse::<KeyPress>(), Ok(press));
        }

        #[test]
        fn any_text_that_parses_as_a_key_prints_as_a_spelling_of_the_same_key(text in "\\PC{0,12}") {
            if let Ok(press) = text.parse::<KeyPress>() {
                prop_assert_eq!(press.to_string().parse::<KeyPress>(), Ok(press));
            }
        }
    }
}
