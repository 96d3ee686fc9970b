//! Reads a theme TOML file into a [`Theme`], slot by slot.
//!
//! Every group and every slot must be present and nothing else may be: a missing slot would
//! otherwise leave a screen in some accidental colour, and an unknown one is almost always a
//! typo of a real one. A slot is either a colour (the text colour) or a table
//! `{ fg = "...", bg = "...", modifiers = ["bold"] }`.

use ratatui::style::Style;

use super::colour::{parse_colour, parse_modifier};
use super::error::StyleFileError;
use super::fields::{Fields, article};
use super::theme::{
    Banner, Base, Header, HintBar, Input, LabelPreview, List, Money, Status, Theme,
};

const GROUPS: &[&str] = &[
    "base",
    "header",
    "hint_bar",
    "list",
    "status",
    "money",
    "banner",
    "input",
    "label_preview",
];
const SLOT_KEYS: &[&str] = &["fg", "bg", "modifiers"];

pub(crate) fn read_theme(file: &str, text: &str) -> Result<Theme, StyleFileError> {
    let mut root = Fields::root(file, StyleFileError::parse_table(file, text)?, GROUPS);
    root.refuse_unknown()?;
    let theme = Theme {
        base: read_base(&mut root)?,
        header: read_header(&mut root)?,
        hint_bar: read_hint_bar(&mut root)?,
        list: read_list(&mut root)?,
        status: read_status(&mut root)?,
        money: read_money(&mut root)?,
        banner: read_banner(&mut root)?,
        input: read_input(&mut root)?,
        label_preview: read_label_preview(&mut root)?,
    };
    Ok(theme)
}

/// Reads the group `name` with exactly the slots `keys`, in that order, into an array.
fn read_group<const N: usize>(
    root: &mut Fields<'_>,
    name: &str,
    keys: &'static [&'static str; N],
) -> Result<[Style; N], StyleFileError> {
    let mut group = root.table(name, keys)?;
    group.refuse_unknown()?;
    let mut styles = [Style::new(); N];
    for (style, key) in styles.iter_mut().zip(keys) {
        let value = group.required(key)?;
        *style = read_slot(&group, key, value)?;
    }
    Ok(styles)
}

fn read_base(root: &mut Fields<'_>) -> Result<Base, StyleFileError> {
    let [background, text, muted, border] =
        read_group(root, "base", &["background", "text", "muted", "border"])?;
    Ok(Base {
        background,
        text,
        muted,
        border,
    })
}

fn read_header(root: &mut Fields<'_>) -> Result<Header, StyleFileError> {
    let [bar, title] = read_group(root, "header", &["bar", "title"])?;
    Ok(Header { bar, title })
}

fn read_hint_bar(root: &mut Fields<'_>) -> Result<HintBar, StyleFileError> {
    let [bar, key, description] = read_group(root, "hint_bar", &["bar", "key", "description"])?;
    Ok(HintBar {
        bar,
        key,
        description,
    })
}

fn read_list(root: &mut Fields<'_>) -> Result<List, StyleFileError> {
    let [normal, selected, disabled] =
        read_group(root, "list", &["normal", "selected", "disabled"])?;
    Ok(List {
        normal,
        selected,
        disabled,
    })
}

fn read_status(root: &mut Fields<'_>) -> Result<Status, StyleFileError> {
    let keys = &["stable", "moving", "over_capacity", "error"];
    let [stable, moving, over_capacity, error] = read_group(root, "status", keys)?;
    Ok(Status {
        stable,
        moving,
        over_capacity,
        error,
    })
}

fn read_money(root: &mut Fields<'_>) -> Result<Money, StyleFileError> {
    let [amount_due, total, change] =
        read_group(root, "money", &["amount_due", "total", "change"])?;
    Ok(Money {
        amount_due,
        total,
        change,
    })
}

fn read_banner(root: &mut Fields<'_>) -> Result<Banner, StyleFileError> {
    let [offline, warning, error] = read_group(root, "banner", &["offline", "warning", "error"])?;
    Ok(Banner {
        offline,
        warning,
        error,
    })
}

fn read_input(root: &mut Fields<'_>) -> Result<Input, StyleFileError> {
    let [normal, focused, invalid] = read_group(root, "input", &["normal", "focused", "invalid"])?;
    Ok(Input {
        normal,
        focused,
        invalid,
    })
}

fn read_label_preview(root: &mut Fields<'_>) -> Result<LabelPreview, StyleFileError> {
    let [paper, ink] = read_group(root, "label_preview", &["paper", "ink"])?;
    Ok(LabelPreview { paper, ink })
}

/// One slot: a bare colour string, or a `{ fg, bg, modifiers }` table.
fn read_slot(group: &Fields<'_>, key: &str, value: toml::Value) -> Result<Style, StyleFileError> {
    if let toml::Value::String(colour) = &value {
        let fg = parse_colour(colour).map_err(|reason| group.invalid(key, reason))?;
        return Ok(Style::new().fg(fg));
    }
    if !value.is_table() {
        return Err(group.invalid(
            key,
            format!(
                "expected a colour or a table like {{ fg = \"white\", bg = \"blue\" }}, found {}",
                article(&value)
            ),
        ));
    }
    let mut slot = group.as_table(key, value, SLOT_KEYS)?;
    slot.refuse_unknown()?;
    let mut style = Style::new();
    if let Some(fg) = slot.optional("fg") {
        style =
            style.fg(parse_colour(string(&slot, "fg", &fg)?).map_err(|r| slot.invalid("fg", r))?);
    }
    if let Some(bg) = slot.optional("bg") {
        style =
            style.bg(parse_colour(string(&slot, "bg", &bg)?).map_err(|r| slot.invalid("bg", r))?);
    }
    if let Some(modifiers) = slot.optional("modifiers") {
        style = read_modifiers(&slot, style, &modifiers)?;
    }
    Ok(style)
}

fn read_modifiers(
    slot: &Fields<'_>,
    mut style: Style,
    modifiers: &toml::Value,
) -> Result<Style, StyleFileError> {
    let Some(words) = modifiers.as_array() else {
        return Err(slot.invalid(
            "modifiers",
            format!(
                "expected a list like [\"bold\"], found {}",
                article(modifiers)
            ),
        ));
    };
    for word in words {
        let modifier = parse_modifier(string(slot, "modifiers", word)?)
            .map_err(|reason| slot.invalid("modifiers", reason))?;
        style = style.add_modifier(modifier);
    }
    Ok(style)
}

fn string<'v>(
    fields: &Fields<'_>,
    key: &str,
    value: &'v toml::Value,
) -> Result<&'v str, StyleFileError> {
    value
        .as_str()
        .ok_or_else(|| fields.invalid(key, format!("expected a string, found {}", article(value))))
}
