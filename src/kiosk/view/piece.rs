//! The screens that build a piece: weigh, destination, service.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Look;
use super::sanitized;
use crate::kiosk::flow::COUNTER_EXTRAS;
use crate::kiosk::state::{DraftDestination, DraftField, Mode, State, Step, WeightSource};
use crate::kiosk::style::Theme;
use crate::kiosk::wording::scale_failure;
use crate::rates::{ExclusionKind, ExtraService, Shape};
use crate::scale::ReadingStatus;

pub(super) fn render(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    match state.step {
        Step::Weigh => weigh(frame, area, state, look),
        Step::Destination => destination(frame, area, state, look),
        Step::Customs => super::customs::render(frame, area, state, look),
        _ => service(frame, area, state, look),
    }
}

/// A text field; the focused one is highlighted and shows the cursor.
fn input(label: &str, value: &str, focused: bool, theme: &Theme) -> Line<'static> {
    super::text_field(label, 14, value, focused, theme)
}

fn weigh(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    let theme = look.theme;
    let draft = &state.draft;
    let shape = draft.shape.unwrap_or(Shape::Letter);
    let shapes: Vec<Span> = [
        Shape::Letter,
        Shape::Postcard,
        Shape::LargeEnvelope,
        Shape::Parcel,
    ]
    .iter()
    .map(|s| {
        let style = if *s == shape {
            theme.list.selected
        } else {
            theme.list.normal
        };
        Span::styled(format!(" {} ", s.name()), style)
    })
    .collect();
    let mut shape_line = vec![Span::styled(format!(" {:<14} ", "Shape"), theme.base.text)];
    shape_line.extend(shapes);
    let mut lines = vec![
        scale_line(state, look),
        input(
            "Weight",
            &draft.weight_text,
            draft.focus != DraftField::Dimensions,
            theme,
        ),
        Line::styled(
            "                 type it, e.g. 2oz, 1.5 oz, 3lb 4oz, 250g",
            theme.base.muted,
        ),
        Line::default(),
        Line::from(shape_line),
        Line::styled(
            look.keyed("                 {left} {right} to change"),
            theme.base.muted,
        ),
    ];
    if shape == Shape::Parcel {
        lines.push(Line::default());
        lines.push(input(
            "Dimensions",
            &draft.dimensions_text,
            draft.focus == DraftField::Dimensions,
            theme,
        ));
        lines.push(Line::styled(
            look.keyed("                 optional, {next_field} to type them, e.g. 12x10x4in"),
            theme.base.muted,
        ));
    }
    let lines = super::fit::lines(lines, super::fit::inner_width(area));
    frame.render_widget(Paragraph::new(lines).block(super::panel(theme)), area);
}

/// The live scale reading with its status; Enter with no typed weight takes a stable one.
fn scale_line(state: &State, look: Look) -> Line<'static> {
    let theme = look.theme;
    let (reading, status, style) = match &state.scale {
        None => (
            String::new(),
            "no scale: type the weight".to_string(),
            theme.base.muted,
        ),
        Some(Err(reason)) => (
            String::new(),
            scale_failure(*reason, state.mode).to_string(),
            theme.status.error,
        ),
        Some(Ok(reading)) => {
            let weight = reading
                .weight
                .map(|w| w.to_string())
                .unwrap_or_else(|| "-".into());
            let (status, style) = match &reading.status {
                ReadingStatus::Stable => (
                    look.keyed("STABLE ({confirm} takes it)"),
                    theme.status.stable,
                ),
                ReadingStatus::Moving => ("MOVING".to_string(), theme.status.moving),
                ReadingStatus::OverCapacity => {
                    ("OVER CAPACITY".to_string(), theme.status.over_capacity)
                }
                ReadingStatus::UnderZero => ("BELOW ZERO".to_string(), theme.status.error),
                ReadingStatus::NoWeight => ("NO WEIGHT".to_string(), theme.base.muted),
                ReadingStatus::Error(reason) => {
                    (format!("FAULT: {}", sanitized(reason)), theme.status.error)
                }
            };
            (weight, status, style)
        }
    };
    Line::from(vec![
        Span::styled(format!(" {:<14}  ", "Scale"), theme.base.text),
        Span::styled(format!("{reading} "), theme.base.text),
        Span::styled(status, style),
    ])
}

fn destination(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    let theme = look.theme;
    let draft = &state.draft;
    let weight = match draft.weight {
        Some((weight, WeightSource::Manual)) if state.mode == Mode::Kiosk => format!("{weight}"),
        Some((weight, WeightSource::Manual)) => format!("{weight} (typed by the clerk)"),
        Some((weight, WeightSource::Scale)) => format!("{weight} (scale, stable)"),
        None => String::new(),
    };
    let mut lines = vec![
        Line::default(),
        Line::styled(
            format!(
                " {:<14}  {weight}, {}",
                "Piece",
                draft.shape.unwrap_or(Shape::Letter).name()
            ),
            theme.base.text,
        ),
        Line::styled(
            format!(" {:<14}  {}", "From", state.origin),
            theme.base.text,
        ),
        Line::default(),
        input("To", &draft.zip_text, draft.focus == DraftField::Zip, theme),
        Line::styled(
            if draft.country_matches.is_empty() {
                "                 a ZIP code (90210, 90210-1234) or a country (Germany, DE)"
                    .to_string()
            } else {
                format!(
                    "                 {}",
                    sanitized(&draft.country_matches.join(" · "))
                )
            },
            theme.base.muted,
        ),
        Line::default(),
        input(
            "Name",
            &draft.recipient_name,
            draft.focus == DraftField::RecipientName,
            theme,
        ),
        input(
            "Street",
            &draft.recipient_street,
            draft.focus == DraftField::RecipientStreet,
            theme,
        ),
    ];
    if draft.abroad() {
        lines.push(input(
            "Town",
            &draft.recipient_town,
            draft.focus == DraftField::RecipientTown,
            theme,
        ));
    }
    lines.push(Line::styled(
        look.keyed(
            "                 optional, for the label: {next_field} moves between the fields",
        ),
        theme.base.muted,
    ));
    let lines = super::fit::lines(lines, super::fit::inner_width(area));
    frame.render_widget(Paragraph::new(lines).block(super::panel(theme)), area);
}

fn service(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    let theme = look.theme;
    let draft = &state.draft;
    let [offers_area, extras_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(7)]).areas(area);
    let place = match &draft.destination {
        Some(DraftDestination::Zip {
            zip,
            place: Some(place),
        }) => format!("{zip} {}, {}", place.city, place.state),
        Some(DraftDestination::Zip { zip, place: None }) => zip.to_string(),
        Some(DraftDestination::Country { name, .. }) => name.clone(),
        None => String::new(),
    };
    // Zones are a clerk's word; a customer sees where the piece goes and the prices.
    let zone = draft
        .quote
        .as_ref()
        .filter(|_| state.mode == Mode::Counter)
        .and_then(|q| q.zone)
        .map(|z| format!(" · {z}"))
        .unwrap_or_default();
    let mut lines = vec![Line::styled(
        format!(" To {}{zone}", sanitized(&place)),
        theme.base.text,
    )];
    // The price column stays put: a product name longer than its column is shortened.
    let name_width = usize::from(offers_area.width)
        .saturating_sub(2 + 13)
        .max(20);
    if let Some(quote) = &draft.quote {
        for (index, offer) in quote.offers.iter().enumerate() {
            let style = if index == draft.selected_offer {
                theme.list.selected
            } else {
                theme.list.normal
            };
            lines.push(Line::styled(
                format!(
                    " {:<name_width$} {:>10} ",
                    super::fit::ellipsized(offer.product.name(), name_width),
                    offer.postage.to_string()
                ),
                style,
            ));
        }
        for excluded in quote
            .excluded
            .iter()
            .filter(|e| !matches!(e.kind, ExclusionKind::Destination | ExclusionKind::Shape))
        {
            let reason = format!("   not {}: {}", excluded.product.name(), excluded.reason);
            let width = usize::from(offers_area.width.saturating_sub(2));
            lines.push(Line::styled(
                super::fit::ellipsized(&sanitized(&reason), width),
                theme.list.disabled,
            ));
        }
    }
    let title = look.keyed(" Services ({up} {down}, {confirm} to add) ");
    // Scroll so the highlighted offer (line 1 + its index) stays inside the box.
    let visible = usize::from(offers_area.height.saturating_sub(2)).max(1);
    let scroll = (draft.selected_offer + 2).saturating_sub(visible);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(0), 0))
            .block(super::panel(theme).title(title)),
        offers_area,
    );
    let extras: Vec<Line> = COUNTER_EXTRAS
        .iter()
        .enumerate()
        .map(|(index, service)| {
            let on = draft.extras.contains(service);
            let mark = if on { "[x]" } else { "[ ]" };
            let style = if on {
                theme.list.selected
            } else {
                theme.list.normal
            };
            let mut spans = vec![Span::styled(
                format!(" {} {mark} {:<24}", index + 1, service.name()),
                style,
            )];
            if *service == ExtraService::Insurance && on {
                let focused = draft.focus == DraftField::DeclaredValue;
                let (value_style, cursor) = if focused {
                    (theme.input.focused, "_")
                } else {
                    (theme.input.normal, " ")
                };
                spans.push(Span::styled(" declared value $", theme.base.text));
                spans.push(Span::styled(
                    format!("{}{cursor}", draft.declared_value_text),
                    value_style,
                ));
            }
            Line::from(spans)
        })
        .collect();
    let extras = super::fit::lines(extras, super::fit::inner_width(extras_area));
    frame.render_widget(
        Paragraph::new(extras).block(super::panel(theme).title(" Extra services (1-5) ")),
        extras_area,
    );
}
