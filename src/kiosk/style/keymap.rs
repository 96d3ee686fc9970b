//! Which key does what, per mode, read from a TOML file with a built-in default.
//!
//! The counter (a clerk at a station) and the kiosk (a customer, unattended) want different
//! keys: the clerk has F-key shortcuts, the customer arrows, Enter and Esc, and no way to
//! quit. A file binds each action to one or more keys; a key bound twice in one mode, an
//! action that is not a [`UserAction`], or a key that cannot be read refuses the whole file
//! (a kiosk that guessed would do the wrong thing with a customer's money).

use std::path::Path;

use super::action::UserAction;
use super::error::{OneOf, StyleFileError};
use super::fields::{Fields, article};
use super::key_press::KeyPress;

const DEFAULT_KEYMAP: &str = include_str!("default_keymap.toml");
const DEFAULT_KEYMAP_FILE: &str = "src/kiosk/style/default_keymap.toml (built in)";

/// Actions every mode must bind: without them no screen can be finished or left.
const REQUIRED: [UserAction; 2] = [UserAction::Confirm, UserAction::Back];

/// Who is at the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeymapMode {
    /// A clerk at a post office counter.
    Counter,
    /// A customer at an unattended kiosk.
    Kiosk,
}

impl KeymapMode {
    pub const ALL: [Self; 2] = [Self::Counter, Self::Kiosk];

    /// The table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Kiosk => "kiosk",
        }
    }
}

/// The key bindings of every mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    counter: ModeKeymap,
    kiosk: ModeKeymap,
}

/// The key bindings of one mode.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeKeymap {
    /// In file order within each action, so the first key of an action is its hint.
    bindings: Vec<(KeyPress, UserAction)>,
}

impl Keymap {
    /// The keymap compiled into the binary.
    pub fn embedded_default() -> Result<Self, StyleFileError> {
        Self::parse(DEFAULT_KEYMAP_FILE, DEFAULT_KEYMAP)
    }

    /// Reads a keymap file; errors name `path`.
    pub fn load_file(path: &Path) -> Result<Self, StyleFileError> {
        let text = StyleFileError::read(path)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Reads keymap TOML; `file` names the text in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, StyleFileError> {
        const MODES: &[&str] = &["counter", "kiosk"];
        let mut root = Fields::root(file, StyleFileError::parse_table(file, text)?, MODES);
        root.refuse_unknown()?;
        let counter = read_mode(&mut root, KeymapMode::Counter)?;
        let kiosk = read_mode(&mut root, KeymapMode::Kiosk)?;
        Ok(Self { counter, kiosk })
    }

    pub fn mode(&self, mode: KeymapMode) -> &ModeKeymap {
        match mode {
            KeymapMode::Counter => &self.counter,
            KeymapMode::Kiosk => &self.kiosk,
        }
    }
}

impl ModeKeymap {
    /// The action `key` is bound to in this mode.
    pub fn action_for(&self, key: KeyPress) -> Option<UserAction> {
        self.bindings
            .iter()
            .find(|(bound, _)| *bound == key)
            .map(|(_, action)| *action)
    }

    /// The keys bound to `action`, first (the one shown in hints) first.
    pub fn keys_for(&self, action: UserAction) -> impl Iterator<Item = KeyPress> + '_ {
        self.bindings
            .iter()
            .filter(move |(_, bound)| *bound == action)
            .map(|(key, _)| *key)
    }

    /// The hint bar for a screen where `actions` work: each action's first key and its
    /// description, in the order given. Actions with no key in this mode are left out, so
    /// the bar never shows a key that does nothing.
    pub fn hints(&self, actions: &[UserAction]) -> Vec<(String, &'static str)> {
        actions
            .iter()
            .filter_map(|action| {
                let key = self.keys_for(*action).next()?;
                Some((key.label(), action.description()))
            })
            .collect()
    }
}

fn read_mode(root: &mut Fields<'_>, mode: KeymapMode) -> Result<ModeKeymap, StyleFileError> {
    // Its keys are action names, checked one by one below with a message of their own.
    let mut table = root.table(mode.name(), &[])?;
    let mut bindings: Vec<(KeyPress, UserAction)> = Vec::new();
    for name in table.remaining_keys() {
        let Some(action) = UserAction::from_name(&name) else {
            let names = UserAction::ALL.map(UserAction::name);
            return Err(table.invalid(
                &name,
                format!(
                    "\"{name}\" is not an action a keymap can bind: expected one of {}",
                    OneOf(&names)
                ),
            ));
        };
        let value = table.required(&name)?;
        for (text, key) in read_keys(&table, &name, &value)? {
            if let Some((_, other)) = bindings.iter().find(|(bound, _)| *bound == key) {
                return Err(table.invalid(
                    &name,
                    format!("\"{text}\" is already bound to {}", other.name()),
                ));
            }
            bindings.push((key, action));
        }
    }
    for action in REQUIRED {
        if !bindings.iter().any(|(_, bound)| *bound == action) {
            return Err(missing_required(root, mode, action));
        }
    }
    Ok(ModeKeymap { bindings })
}

fn missing_required(root: &Fields<'_>, mode: KeymapMode, action: UserAction) -> StyleFileError {
    root.invalid(
        &format!("{}.{}", mode.name(), action.name()),
        "missing: every mode must bind confirm and back to at least one key",
    )
}

/// A key string or a list of them, each with its text as written (for messages).
fn read_keys<'v>(
    table: &Fields<'_>,
    name: &str,
    value: &'v toml::Value,
) -> Result<Vec<(&'v str, KeyPress)>, StyleFileError> {
    let texts: Vec<&toml::Value> = match value {
        toml::Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    texts
        .into_iter()
        .map(|text| {
            let Some(text) = text.as_str() else {
                return Err(table.invalid(
                    name,
                    format!(
                        "expected a key like \"f2\" or a list like [\"enter\", \"f12\"], found {}",
                        article(text)
                    ),
                ));
            };
            let key = text
                .parse::<KeyPress>()
                .map_err(|reason| table.invalid(name, reason.to_string()))?;
            Ok((text, key))
        })
        .collect()
}
