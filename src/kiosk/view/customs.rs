//! The customs screen: the category, the items declared so far with their totals and the
//! form they make, and the five fields of the item being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Look, sanitized};
use crate::customs::{CN23_FROM_VALUE, ContentCategory, CustomsDeclaration};
use crate::kiosk::state::{DraftDestination, DraftField, Mode, State};
use crate::kiosk::style::Theme;
use crate::weight::Weight;

/// Width of the field labels.
const LABEL_WIDTH: usize = 12;

/// Lines of the panel other than the item list: destination, category, "Items", totals, a
/// blank line, five fields and two hints.
const FIXED_LINES: usize = 12;

pub(super) fn render(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    let theme = look.theme;
    let draft = &state.draft;
    let customs = &draft.customs;
    let country = match &draft.destination {
        Some(DraftDestination::Country { name, .. }) => name.as_str(),
        _ => "",
    };
    let product = draft
        .quote
        .as_ref()
        .and_then(|q| q.offers.get(draft.selected_offer))
        .map(|offer| format!(" · {} {}", offer.product.name(), offer.postage))
        .unwrap_or_default();
    let mut lines = vec![
        Line::styled(
            format!(" To {}{product}", sanitized(country)),
            theme.base.text,
        ),
        category_line(customs.category, look),
    ];
    lines.push(Line::styled(" Items", theme.base.text));
    if customs.items.is_empty() {
        let none = match state.mode {
            Mode::Counter => {
                "   none yet: a parcel needs at least one; documents in a letter need none"
            }
            Mode::Kiosk => "   none yet: list what you are sending, one kind of item at a time",
        };
        lines.push(Line::styled(none, theme.base.muted));
    }
    // The fields must stay on screen: the earliest items give way, counted.
    let room = usize::from(area.height.saturating_sub(2))
        .saturating_sub(FIXED_LINES)
        .max(2);
    let hidden = if customs.items.len() > room {
        // One line of the room says how many are not shown.
        let hidden = customs.items.len() - (room - 1);
        lines.push(Line::styled(
            format!("   ... {hidden} more above"),
            theme.base.muted,
        ));
        hidden
    } else {
        0
    };
    for item in customs.items.iter().skip(hidden) {
        lines.push(Line::styled(
            format!(
                "   {} x {}  {}  {}  origin {}",
                item.quantity,
                sanitized(&item.description),
                item.weight,
                item.value,
                item.origin
            ),
            theme.base.text,
        ));
    }
    lines.push(totals_line(state, theme));
    lines.push(Line::default());
    let field = |label: &str, value: &str, focus: DraftField| {
        super::text_field(label, LABEL_WIDTH, value, draft.focus == focus, theme)
    };
    lines.extend([
        field(
            "Contents",
            &customs.description,
            DraftField::CustomsDescription,
        ),
        field("Quantity", &customs.quantity, DraftField::CustomsQuantity),
        field("Value $", &customs.value, DraftField::CustomsValue),
        field("Weight", &customs.weight, DraftField::CustomsWeight),
        field("Made in", &customs.origin, DraftField::CustomsOrigin),
        Line::styled(
            "   Made in: a country code (US when empty)",
            theme.base.muted,
        ),
        Line::styled(
            look.keyed("   {confirm} adds the item; {confirm} with every field empty finishes"),
            theme.base.muted,
        ),
    ]);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(super::panel(theme)),
        area,
    );
}

/// The category chosen, changed with ← and →.
fn category_line(category: Option<ContentCategory>, look: Look) -> Line<'static> {
    let theme = look.theme;
    let (text, style) = match category {
        Some(category) => (format!(" < {category} > "), theme.list.selected),
        None => (
            look.keyed(" < choose with {left} {right} > "),
            theme.base.muted,
        ),
    };
    Line::from(vec![
        Span::styled(format!(" {:<LABEL_WIDTH$} ", "Category"), theme.base.text),
        Span::styled(text, style),
    ])
}

/// What the items add up to, and the form they make.
fn totals_line(state: &State, theme: &Theme) -> Line<'static> {
    let items = &state.draft.customs.items;
    if items.is_empty() {
        return Line::default();
    }
    let piece = state.draft.weight.map_or(Weight::ZERO, |(w, _)| w);
    let declaration = CustomsDeclaration {
        category: state
            .draft
            .customs
            .category
            .unwrap_or(ContentCategory::Other),
        items: items.clone(),
    };
    let form = declaration.form();
    let weight = declaration
        .total_weight()
        .map_or("too heavy".to_string(), |w| w.to_string());
    let value = declaration
        .total_value()
        .map_or("too much".to_string(), |v| v.to_string());
    Line::styled(
        format!(
            "   total {weight} (piece {piece}), {value}: {form} (CN 23 from {CN23_FROM_VALUE})"
        ),
        theme.base.text,
    )
}
