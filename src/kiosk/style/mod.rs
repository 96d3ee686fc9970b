//! The kiosk's looks and keys as data: colour themes and keymaps read from TOML files.
//!
//! Screens never name a colour or a key; they ask the [`Theme`] for a slot and the
//! [`ModeKeymap`] for the action a key means and the hints to show. Built-in defaults are
//! compiled in so the binary runs with no files beside it, and a file that is given but
//! broken stops start-up with a [`StyleFileError`] naming the file and the field: a kiosk
//! never quietly runs with looks or keys other than the ones it was configured with.
//!
//! Nothing here depends on a terminal library beyond ratatui's `Style`; the app converts
//! terminal events into [`KeyPress`].

mod action;
mod colour;
mod error;
mod fields;
mod key_press;
mod key_syntax;
mod keymap;
mod theme;
mod theme_file;

pub use action::UserAction;
pub use colour::{MODIFIER_NAMES, colour_name, parse_colour, parse_modifier};
pub use error::{StyleFileError, StyleFileErrorKind};
pub use key_press::{KeyCode, KeyModifiers, KeyPress};
pub use key_syntax::{F_KEY_MAX, KeySyntaxError};
pub use keymap::{Keymap, KeymapMode, ModeKeymap};
pub use theme::{Banner, Base, Header, HintBar, Input, LabelPreview, List, Money, Status, Theme};
