//! The colours and emphasis of every screen, as plain data grouped by where they are used.
//!
//! Screens take `&Theme` and pick a named slot (`theme.money.amount_due`), never a literal
//! colour, so a theme file decides every look and colour that carries meaning has a name a
//! test can point at. Themes are TOML files in `themes/`; the shipped ones are compiled in so
//! the binary runs without that folder. A file that cannot be used stops start-up
//! ([`StyleFileError`]): a kiosk with half a theme could show an amount due in invisible ink.

use std::path::Path;

use ratatui::style::Style;

use super::error::{OneOf, StyleFileError};

/// The themes compiled into the binary, by name; the first is the default.
const EMBEDDED: [(&str, &str); 3] = [
    (
        "default-dark",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/themes/default-dark.toml"
        )),
    ),
    (
        "light",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/light.toml")),
    ),
    (
        "high-contrast",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/themes/high-contrast.toml"
        )),
    ),
];

/// Every style the kiosk draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub base: Base,
    pub header: Header,
    pub hint_bar: HintBar,
    pub list: List,
    /// The scale reading.
    pub status: Status,
    pub money: Money,
    pub banner: Banner,
    pub input: Input,
    /// The on-screen picture of the label before it is printed.
    pub label_preview: LabelPreview,
}

/// What every screen sits on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Base {
    pub background: Style,
    pub text: Style,
    /// Secondary text: units, explanations, disabled hints.
    pub muted: Style,
    pub border: Style,
}

/// The top line: screen title and station details.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub bar: Style,
    pub title: Style,
}

/// The bottom line listing the keys that work on this screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HintBar {
    pub bar: Style,
    pub key: Style,
    pub description: Style,
}

/// Choices: services, basket lines, menus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct List {
    pub normal: Style,
    pub selected: Style,
    /// A choice that cannot be taken now (e.g. a service the piece is too heavy for).
    pub disabled: Style,
}

/// The state of the scale reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Status {
    /// Settled: the weight may be used.
    pub stable: Style,
    /// Still moving: the weight may not be used yet.
    pub moving: Style,
    /// Beyond what the scale can weigh.
    pub over_capacity: Style,
    /// The scale did not answer or answered nonsense.
    pub error: Style,
}

/// Amounts of money on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money {
    /// What the customer still has to pay: the figure that must never be missed.
    pub amount_due: Style,
    pub total: Style,
    pub change: Style,
}

/// Full-width notices above the screen's content.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Banner {
    /// The vendor cannot be reached; sales run on the embedded PSD.
    pub offline: Style,
    pub warning: Style,
    pub error: Style,
}

/// Text fields: ZIP codes, manual weights, amounts tendered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Input {
    pub normal: Style,
    pub focused: Style,
    /// The text typed so far is refused.
    pub invalid: Style,
}

/// The label drawn as it will print: paper and ink, not screen colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelPreview {
    pub paper: Style,
    pub ink: Style,
}

impl Theme {
    /// The names of the built-in themes; the first is the default.
    pub fn embedded_names() -> [&'static str; 3] {
        EMBEDDED.map(|(name, _)| name)
    }

    /// A built-in theme by name.
    pub fn embedded(name: &str) -> Result<Self, StyleFileError> {
        let (_, text) = EMBEDDED
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .ok_or_else(|| StyleFileError::UnknownTheme {
                name: name.to_owned(),
                known: OneOf(&Self::embedded_names()).to_string(),
            })?;
        Self::parse(&format!("themes/{name}.toml (built in)"), text)
    }

    /// The default built-in theme.
    pub fn embedded_default() -> Result<Self, StyleFileError> {
        Self::embedded(EMBEDDED[0].0)
    }

    /// Reads a theme file; errors name `path`.
    pub fn load_file(path: &Path) -> Result<Self, StyleFileError> {
        let text = StyleFileError::read(path)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Reads theme TOML; `file` names the text in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, StyleFileError> {
        super::theme_file::read_theme(file, text)
    }

    /// Every slot with its dotted name as written in theme files, for checks over all of
    /// them and for a preview screen.
    pub fn slots(&self) -> [(&'static str, Style); 27] {
        [
            ("base.background", self.base.background),
            ("base.text", self.base.text),
            ("base.muted", self.base.muted),
            ("base.border", self.base.border),
            ("header.bar", self.header.bar),
            ("header.title", self.header.title),
            ("hint_bar.bar", self.hint_bar.bar),
            ("hint_bar.key", self.hint_bar.key),
            ("hint_bar.description", self.hint_bar.description),
            ("list.normal", self.list.normal),
            ("list.selected", self.list.selected),
            ("list.disabled", self.list.disabled),
            ("status.stable", self.status.stable),
            ("status.moving", self.status.moving),
            ("status.over_capacity", self.status.over_capacity),
            ("status.error", self.status.error),
            ("money.amount_due", self.money.amount_due),
            ("money.total", self.money.total),
            ("money.change", self.money.change),
            ("banner.offline", self.banner.offline),
            ("banner.warning", self.banner.warning),
            ("banner.error", self.banner.error),
            ("input.normal", self.input.normal),
            ("input.focused", self.input.focused),
            ("input.invalid", self.input.invalid),
            ("label_preview.paper", self.label_preview.paper),
            ("label_preview.ink", self.label_preview.ink),
        ]
    }
}
