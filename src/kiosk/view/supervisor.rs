//! The supervisor screen: the PIN prompt, then the PSD's registers, the day's totals as a
//! bar chart by product, the recent indicia to void, a refill field, and the status of the
//! printers and the scale.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::product_name::short_product_name;
use super::{Look, sanitized};
use crate::kiosk::state::Mode;
use crate::kiosk::state::{State, Supervisor, SupervisorData, SupervisorFocus};
use crate::kiosk::style::Theme;
use crate::kiosk::wording::{printer_failure, scale_failure};
use crate::money::Money;
use crate::print::printer::PrinterErrorKind;

/// A titled panel over `area` whose lines are cut to fit it (see [`super::fit::lines`]).
fn boxed<'a>(title: &str, lines: Vec<Line<'a>>, area: Rect, theme: &Theme) -> Paragraph<'a> {
    Paragraph::new(super::fit::lines(lines, super::fit::inner_width(area)))
        .block(super::panel(theme).title(format!(" {title} ")))
}

pub(super) fn render(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    let theme = look.theme;
    let Some(supervisor) = &state.supervisor else {
        return;
    };
    match (&supervisor.data, supervisor.unlocked) {
        (Some(data), true) => unlocked(frame, area, state, supervisor, data, look),
        (None, true) => frame.render_widget(
            boxed(
                "Supervisor",
                vec![Line::styled(" Reading the PSD …", theme.base.muted)],
                area,
                theme,
            ),
            area,
        ),
        _ => frame.render_widget(pin_prompt(supervisor, area, look), area),
    }
}

fn pin_prompt<'a>(supervisor: &Supervisor, area: Rect, look: Look) -> Paragraph<'a> {
    let theme = look.theme;
    let dots = "•".repeat(supervisor.pin_text.chars().count());
    boxed(
        "Supervisor",
        vec![
            Line::default(),
            Line::from(vec![
                Span::styled(format!(" {:<14}", "PIN"), theme.base.text),
                Span::styled(format!(" {dots}_ "), theme.input.focused),
            ]),
            Line::styled(
                look.keyed(
                    "                type the supervisor PIN and press {confirm}; {back} goes back",
                ),
                theme.base.muted,
            ),
        ],
        area,
        theme,
    )
}

fn unlocked(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    supervisor: &Supervisor,
    data: &SupervisorData,
    look: Look,
) {
    let theme = look.theme;
    let register_lines = registers(data, theme);
    // The registers' box grows for a linked counter's extra rows while the status below keeps
    // ten rows; on a small screen the rows last in `registers` are the ones clipped.
    let wanted = u16::try_from(register_lines.len() + 2).unwrap_or(u16::MAX);
    let top_height = wanted.min(area.height.saturating_sub(10)).max(9);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_height), Constraint::Fill(1)]).areas(area);
    let [registers_area, day_area] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).areas(top);
    let [recent_area, side_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(bottom);
    frame.render_widget(
        boxed("PSD registers", register_lines, registers_area, theme),
        registers_area,
    );
    frame.render_widget(
        boxed(
            "Today by product",
            day_chart(data, day_area.width, theme),
            day_area,
            theme,
        ),
        day_area,
    );
    frame.render_widget(
        boxed(
            "Issued today",
            recent(supervisor, data, recent_area, theme),
            recent_area,
            theme,
        ),
        recent_area,
    );
    frame.render_widget(
        boxed(
            "Refill and status",
            side(state, supervisor, data, look),
            side_area,
            theme,
        ),
        side_area,
    );
}

fn row(label: &str, value: String, style: Style, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {label:<15}"), theme.base.text),
        Span::styled(value, style),
    ])
}

fn registers(data: &SupervisorData, theme: &Theme) -> Vec<Line<'static>> {
    let r = &data.registers;
    let lock = match &data.locked_reason {
        Some(reason) => (format!("LOCKED: {}", sanitized(reason)), theme.status.error),
        None => ("in service".to_string(), theme.status.stable),
    };
    let mut lines = vec![
        row(
            "PSD",
            format!("{:08}", data.device_id),
            theme.base.text,
            theme,
        ),
        row("Ascending", r.ascending.to_string(), theme.base.text, theme),
        row(
            "Descending",
            r.descending.to_string(),
            theme.money.total,
            theme,
        ),
        row(
            "Control total",
            r.control_total.to_string(),
            theme.base.text,
            theme,
        ),
        row("Pieces", r.piece_count.to_string(), theme.base.text, theme),
        row("State", lock.0, lock.1, theme),
    ];
    if let Some(balance) = data.account_balance {
        lines.push(row("Account", balance.to_string(), theme.base.text, theme));
    }
    lines.push(row(
        "Last contact",
        sanitized(&data.last_contact),
        theme.base.muted,
        theme,
    ));
    if let Some(fallback) = &data.fallback {
        lines.push(row(
            "Fallback",
            sanitized(fallback),
            theme.base.muted,
            theme,
        ));
    }
    lines
}

/// One bar per product, scaled to the largest postage of the day.
fn day_chart(data: &SupervisorData, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    if data.day.is_empty() {
        return vec![Line::styled(" No sales yet today.", theme.base.muted)];
    }
    let most = data
        .day
        .iter()
        .map(|t| t.postage.mills())
        .max()
        .unwrap_or(1)
        .max(1);
    // The name column: as wide as the longest name, up to a third of the box.
    let name_width = data
        .day
        .iter()
        .map(|t| t.product.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(9, usize::from(width / 3).max(9));
    let bar_room = i64::from(width)
        .saturating_sub(i64::try_from(name_width).unwrap_or(0) + 2 + 2 + 16)
        .max(4);
    let total = Money::checked_sum(data.day.iter().map(|t| t.postage)).unwrap_or(Money::ZERO);
    let mut lines: Vec<Line> = data
        .day
        .iter()
        .take(6)
        .map(|t| {
            let scaled = (t.postage.mills().max(0) * bar_room + most - 1) / most;
            let bar = usize::try_from(scaled).unwrap_or(0);
            let name = short_product_name(&t.product, name_width);
            Line::from(vec![
                Span::styled(format!(" {name:<name_width$} "), theme.base.text),
                Span::styled("█".repeat(bar), theme.money.total),
                Span::styled(format!(" {} · {}", t.pieces, t.postage), theme.base.text),
            ])
        })
        .collect();
    lines.push(Line::styled(
        format!(" {:<w$}{total}", "Day total", w = name_width + 1),
        theme.money.total,
    ));
    lines
}

fn recent(
    supervisor: &Supervisor,
    data: &SupervisorData,
    area: Rect,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let height = area.height;
    // The time of issue where the box is wide enough for it.
    let with_time = area.width >= 56;
    // What the time, serial, price and VOID leave of the box for the product.
    let used = if with_time { 6 } else { 0 } + 18 + 8 + 5 + 2;
    let product_width = usize::from(area.width).saturating_sub(used).max(8);
    if data.recent.is_empty() {
        return vec![Line::styled(" No indicia issued today.", theme.base.muted)];
    }
    // Keep the selected piece on screen.
    let rows = usize::from(height.saturating_sub(2)).max(1);
    let first = supervisor.selected_recent.saturating_sub(rows - 1);
    data.recent
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(index, piece)| {
            let focused = supervisor.focus == SupervisorFocus::Recent;
            let style = match (index == supervisor.selected_recent && focused, piece.voided) {
                (true, _) => theme.list.selected,
                (false, true) => theme.list.disabled,
                (false, false) => theme.list.normal,
            };
            let voided = if piece.voided { " VOID" } else { "" };
            let product = short_product_name(&piece.product, product_width);
            let time = if with_time {
                format!(" {}", piece.issued_at)
            } else {
                String::new()
            };
            Line::styled(
                format!(
                    "{time} {} {product:<product_width$} {:>7}{voided}",
                    piece.serial,
                    piece.postage.to_string()
                ),
                style,
            )
        })
        .collect()
}

fn side(
    state: &State,
    supervisor: &Supervisor,
    data: &SupervisorData,
    look: Look,
) -> Vec<Line<'static>> {
    let theme = look.theme;
    let refill_style = if supervisor.focus == SupervisorFocus::Refill {
        theme.input.focused
    } else {
        theme.input.normal
    };
    let status = |result: &Option<Result<(), PrinterErrorKind>>| match result {
        None => ("no job yet".to_string(), theme.base.muted),
        Some(Ok(())) => ("ready".to_string(), theme.status.stable),
        Some(Err(kind)) => (
            printer_failure(*kind, Mode::Counter).to_string(),
            theme.status.error,
        ),
    };
    let (label_status, label_style) = status(&state.printers.label);
    let (receipt_status, receipt_style) = status(&state.printers.receipt);
    let (scale, scale_style) = match &state.scale {
        None => ("none (typed weights)".to_string(), theme.base.muted),
        Some(Ok(reading)) => (format!("{:?}", reading.status), theme.status.stable),
        Some(Err(kind)) => (
            scale_failure(*kind, Mode::Counter).to_string(),
            theme.status.error,
        ),
    };
    vec![
        Line::from(vec![
            Span::styled(" Refill $", theme.base.text),
            Span::styled(format!(" {}_ ", supervisor.refill_text), refill_style),
        ]),
        Line::styled(look.keyed(" type an amount, {confirm}"), theme.base.muted),
        Line::default(),
        Line::styled(
            format!(" Label   {}", sanitized(&data.label_printer)),
            theme.base.text,
        ),
        Line::styled(format!("         {label_status}"), label_style),
        Line::styled(
            format!(" Receipt {}", sanitized(&data.receipt_printer)),
            theme.base.text,
        ),
        Line::styled(format!("         {receipt_status}"), receipt_style),
        Line::styled(format!(" Scale   {scale}"), scale_style),
    ]
}
