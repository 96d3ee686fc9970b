//! The screens that sell: basket, payment, issuing, done.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Look;
use super::preview;
use crate::kiosk::state::{Mode, State, Step};
use crate::kiosk::style::Theme;
use crate::kiosk::wording::printer_failure;

pub(super) fn render(frame: &mut Frame, area: Rect, state: &State, look: Look) {
    let theme = look.theme;
    let lines = match state.step {
        Step::Basket => basket(state, theme, super::fit::inner_width(area)),
        Step::Payment => super::payment::lines(state, look, super::fit::inner_width(area)),
        Step::Issuing => issuing(state, theme),
        _ => done(state, theme),
    };
    let showing_label = matches!(state.step, Step::Issuing | Step::Done);
    // The list keeps every line it has; the label preview takes what is left, if that is
    // enough to draw the symbol.
    let list_height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let room = area.height.saturating_sub(list_height);
    let (list_area, preview) = match (&state.preview, showing_label) {
        (Some(preview), true) if room >= preview::MIN_HEIGHT => {
            let height = preview::preferred_height(preview, area.width, room);
            let [list_area, preview_area] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
            (list_area, Some((preview, preview_area)))
        }
        _ => (area, None),
    };
    let lines = super::fit::lines(lines, super::fit::inner_width(list_area));
    frame.render_widget(Paragraph::new(lines).block(super::panel(theme)), list_area);
    if let Some((label, preview_area)) = preview {
        preview::render(frame, preview_area, label, theme);
    }
}

/// One line per basket item: quantity, what it is (its extra services too), its total; the
/// description takes what the `width` columns leave and ends in an ellipsis when longer.
pub(super) fn item_lines(
    state: &State,
    theme: &Theme,
    selectable: bool,
    width: u16,
) -> Vec<Line<'static>> {
    // " 99 x " before, " $1,234.56 " after.
    let description_width = usize::from(width).saturating_sub(6 + 12).max(20);
    state
        .basket
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let style = if selectable && index == state.selected_item {
                theme.list.selected
            } else {
                theme.list.normal
            };
            let extras: Vec<&str> = item.priced.extras.iter().map(|(s, _)| s.name()).collect();
            let extras = if extras.is_empty() {
                String::new()
            } else {
                format!(" + {}", extras.join(", "))
            };
            let description = format!("{}{extras}", item.priced.description());
            let description = super::fit::ellipsized(&description, description_width);
            Line::styled(
                format!(
                    " {:>2} x {description:<description_width$} {:>10} ",
                    item.quantity,
                    item.total().to_string()
                ),
                style,
            )
        })
        .collect()
}

fn basket(state: &State, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let mut lines = item_lines(state, theme, true, width);
    if lines.is_empty() {
        lines.push(Line::styled(" The basket is empty.", theme.base.muted));
    }
    lines
}

fn issuing(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for item in &state.basket {
        for piece in item.pieces() {
            let (text, style) = match item.issued_piece(piece) {
                Some(issued) if issued.printed => {
                    (format!("printed   {}", issued.serial), theme.status.stable)
                }
                Some(issued) => (format!("printing  {}", issued.serial), theme.status.moving),
                None => ("issuing …".to_string(), theme.status.moving),
            };
            lines.push(Line::styled(
                format!(" {} · {text}", item.priced.offer.product.name()),
                style,
            ));
        }
    }
    if let Some(problem) = &state.print_problem {
        lines.push(Line::default());
        lines.push(Line::styled(
            " The label did not print:",
            theme.banner.error,
        ));
        lines.push(Line::styled(
            format!(" {}.", printer_failure(problem.reason, state.mode)),
            theme.banner.error,
        ));
        let next = match state.mode {
            Mode::Counter => {
                " Fix the printer, then reprint the same indicium, or void it for a refund."
            }
            Mode::Kiosk => " A member of staff will reprint it: nothing is lost.",
        };
        lines.push(Line::styled(next, theme.banner.warning));
    }
    lines
}

/// The sale's outcome: the money first (change due, how it was paid), so that it is on
/// screen however many pieces follow; then the pieces, the ones that do not fit counted.
fn done(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    /// The pieces listed by serial before the rest are only counted.
    const LISTED_PIECES_MAX: usize = 8;
    let printed: Vec<(&str, &str)> = state
        .basket
        .iter()
        .flat_map(|item| {
            let product = item.priced.offer.product.name();
            item.issued
                .iter()
                .map(move |issued| (issued.serial.as_str(), product))
        })
        .collect();
    let mut lines = Vec::new();
    if let Some(change) = state.change_due() {
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<20}", "Change due"), theme.base.text),
            Span::styled(change.to_string(), theme.money.change),
        ]));
    }
    // With nothing printed the payment went back (the notice says how): no "Paid" line.
    if let Some(paid_by) = state
        .payment
        .paid_by
        .as_ref()
        .filter(|_| !printed.is_empty())
    {
        lines.push(Line::styled(
            format!(
                " Paid {} by {}, approval {}",
                paid_by.amount,
                super::sanitized(&paid_by.reference),
                super::sanitized(&paid_by.approval_code)
            ),
            theme.base.text,
        ));
    }
    lines.push(Line::styled(
        match state.mode {
            Mode::Counter => " The counter starts over by itself for the next customer.",
            Mode::Kiosk if printed.is_empty() => " The screen starts over by itself.",
            Mode::Kiosk => {
                " Please take your receipt and labels. The screen starts over by itself."
            }
        },
        theme.base.muted,
    ));
    lines.push(Line::styled(
        if printed.is_empty() {
            " No postage was printed.".to_string()
        } else {
            format!(" Postage printed ({} piece(s)):", printed.len())
        },
        theme.base.text,
    ));
    for (serial, product) in printed.iter().take(LISTED_PIECES_MAX) {
        lines.push(Line::styled(
            format!("   {serial}  {product}"),
            theme.base.text,
        ));
    }
    if printed.len() > LISTED_PIECES_MAX {
        lines.push(Line::styled(
            format!("   and {} more", printed.len() - LISTED_PIECES_MAX),
            theme.base.text,
        ));
    }
    lines
}
