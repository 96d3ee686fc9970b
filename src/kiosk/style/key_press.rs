//! A key as the keymap sees it.
//!
//! It is our own small type rather than crossterm's so that keymaps can be read and tested
//! without a terminal library; the app converts crossterm events into it. Shift is folded
//! into characters (`"A"`, not `"shift-a"`), because terminals report a shifted letter as the
//! capital with or without the shift flag: [`KeyPress::new`] drops it so both match.

/// Which key, regardless of modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    /// A printable character; `' '` is written `"space"`.
    Char(char),
    /// A function key, F1 to F24.
    F(u8),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

/// The modifier keys held down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeyModifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

/// A key with its modifiers, normalised so that equal presses compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl KeyPress {
    /// A key press; shift is dropped for characters (the character carries it).
    pub fn new(code: KeyCode, mut modifiers: KeyModifiers) -> Self {
        if matches!(code, KeyCode::Char(_)) {
            modifiers.shift = false;
        }
        Self { code, modifiers }
    }

    /// A key pressed with no modifiers.
    pub fn plain(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::default())
    }

    pub fn code(self) -> KeyCode {
        self.code
    }

    pub fn modifiers(self) -> KeyModifiers {
        self.modifiers
    }

    /// The character this press would type into a text field, if any. The app offers a
    /// press to a focused field before looking it up in the keymap, so typing a ZIP code is
    /// never taken for a shortcut.
    pub fn as_text(self) -> Option<char> {
        match self.code {
            KeyCode::Char(character) if !self.modifiers.ctrl && !self.modifiers.alt => {
                Some(character)
            }
            _ => None,
        }
    }

    /// How the key is shown in the hint bar: `Enter`, `F2`, `Ctrl+Q`, `Shift+Tab`, `↑`.
    pub fn label(self) -> String {
        let mut label = String::new();
        for (held, name) in [
            (self.modifiers.ctrl, "Ctrl+"),
            (self.modifiers.alt, "Alt+"),
            (self.modifiers.shift, "Shift+"),
        ] {
            if held {
                label.push_str(name);
            }
        }
        match self.code {
            KeyCode::Char(' ') => label.push_str("Space"),
            // Ctrl with a letter is written the conventional way, `Ctrl+Q`.
            KeyCode::Char(character) if self.modifiers.ctrl => {
                label.push(character.to_ascii_uppercase());
            }
            KeyCode::Char(character) => label.push(character),
            KeyCode::F(number) => label.push_str(&format!("F{number}")),
            named => label.push_str(named_label(named)),
        }
        label
    }
}

fn named_label(code: KeyCode) -> &'static str {
    match code {
        KeyCode::Enter => "Enter",
        KeyCode::Esc => "Esc",
        KeyCode::Tab => "Tab",
        KeyCode::Backspace => "Backspace",
        KeyCode::Delete => "Del",
        KeyCode::Insert => "Ins",
        KeyCode::Home => "Home",
        KeyCode::End => "End",
        KeyCode::PageUp => "PgUp",
        KeyCode::PageDown => "PgDn",
        KeyCode::Up => "↑",
        KeyCode::Down => "↓",
        KeyCode::Left => "←",
        KeyCode::Right => "→",
        KeyCode::Char(_) | KeyCode::F(_) => "",
    }
}
