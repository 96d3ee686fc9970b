//! Rendering: a pure function of the state, the theme and the key hints.
//!
//! Every frame is a header (step and mode), a notice line, the step's screen, and a footer
//! with the basket total and the keys that work here. A terminal smaller than the counter
//! needs gets a message saying the size it needs, never a crash or a clipped screen.

mod big_text;
mod checkout;
mod customs;
mod fit;
mod help;
mod hints;
mod look;
mod payment;
mod piece;
mod preview;
mod product_name;
mod supervisor;

pub use big_text::big_text;
pub use hints::hint_actions;
pub use look::keyed;
pub use product_name::PRODUCT_ABBREVIATIONS;

use crate::link::client::Interface;
use hints::{hint_words, render_footer};
use look::Look;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::state::{Mode, Notice, State, Step};
use super::style::{ModeKeymap, Theme, UserAction};

/// The smallest terminal the counter draws into.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole screen for `state`.
pub fn render(frame: &mut Frame, state: &State, theme: &Theme, keys: &ModeKeymap) {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base.background), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, theme);
        return;
    }
    let look = Look { theme, keys };
    let (notice_text, notice_style) = notice(state, look);
    // Two rows at least so screens do not jump; more when a message needs them.
    let notice_rows = fit::wrapped_rows(&notice_text, usize::from(area.width)).clamp(2, 5);
    let [header, notice, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::try_from(notice_rows).unwrap_or(2)),
        Constraint::Fill(1),
        Constraint::Length(2),
    ])
    .areas(area);
    let hint = help_hint(keys).unwrap_or_default();
    let hint_width = u16::try_from(hint.chars().count())
        .unwrap_or(0)
        .min(header.width);
    let [title_area, hint_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(hint_width)]).areas(header);
    frame.render_widget(Paragraph::new("").style(theme.header.bar), header);
    render_header(frame, title_area, state, theme);
    frame.render_widget(Paragraph::new(hint).style(theme.hint_bar.key), hint_area);
    frame.render_widget(
        Paragraph::new(notice_text)
            .style(notice_style)
            .wrap(Wrap { trim: true }),
        notice,
    );
    match state.step {
        Step::Welcome => welcome(frame, body, look),
        Step::Weigh | Step::Destination | Step::Service | Step::Customs => {
            piece::render(frame, body, state, look)
        }
        Step::Supervisor => supervisor::render(frame, body, state, look),
        _ => checkout::render(frame, body, state, look),
    }
    render_footer(frame, footer, state, theme, keys);
    if state.help_open {
        help::render(frame, body, state, theme, keys);
    }
}

/// The self-service start: large letters and what to do.
fn welcome(frame: &mut Frame, area: Rect, look: Look) {
    let theme = look.theme;
    let mut lines = vec![Line::default()];
    lines.extend(
        big_text("POSTAGE")
            .into_iter()
            .map(|row| Line::styled(format!("  {row}"), theme.header.title)),
    );
    lines.push(Line::default());
    lines.push(Line::styled(
        "  Weigh and send letters and parcels, and print their postage.",
        theme.base.text,
    ));
    lines.push(Line::styled(
        look.keyed("  Press {confirm} to start. Pay by card or postage account."),
        theme.base.text,
    ));
    frame.render_widget(Paragraph::new(lines).block(panel(theme)), area);
}

/// A labelled text field; the focused one is highlighted and shows the cursor.
fn text_field(
    label: &str,
    label_width: usize,
    value: &str,
    focused: bool,
    theme: &Theme,
) -> Line<'static> {
    let (style, cursor) = if focused {
        (theme.input.focused, "_")
    } else {
        (theme.input.normal, " ")
    };
    Line::from(vec![
        Span::styled(format!(" {label:<label_width$}"), theme.base.text),
        Span::styled(format!(" {}{cursor} ", sanitized(value)), style),
    ])
}

/// The bordered box every screen draws its content in.
fn panel(theme: &Theme) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(theme.base.border)
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "The counter needs a terminal of at least {MIN_WIDTH}x{MIN_HEIGHT}; this one is {}x{}. Enlarge the window.",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.banner.warning)
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn step_title(state: &State) -> &'static str {
    let customer = state.mode == Mode::Kiosk;
    match (state.step, customer) {
        (Step::Welcome, _) => "Welcome",
        (Step::Supervisor, _) => "Supervisor",
        (Step::Weigh, false) => "Weigh the piece",
        (Step::Weigh, true) => "Place your item on the scale",
        (Step::Destination, _) => "Where is it going?",
        (Step::Service, _) => "Choose a service",
        (Step::Customs, false) => "Customs declaration",
        (Step::Customs, true) => "What is inside?",
        (Step::Basket, false) => "Basket",
        (Step::Basket, true) => "Your items",
        (Step::Payment, _) => "Payment",
        (Step::Issuing, _) => "Printing postage",
        (Step::Done, false) => "Sale complete",
        (Step::Done, true) => "Thank you",
    }
}

/// The header's parts, most needed last to go: where postage comes from (a clerk's only),
/// the date and the step stay; a coming price change, then a waiting update, the mode's
/// name, then the product's, give way on a narrow screen, and whatever still does not fit
/// ends in an ellipsis.
fn render_header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mode = match state.mode {
        Mode::Counter => "counter",
        Mode::Kiosk => "self-service",
    };
    let title = Span::styled(" postcounter ", theme.header.title);
    let step = Span::styled(format!("· {} ", step_title(state)), theme.header.bar);
    let mode = Span::styled(format!("· {mode} "), theme.header.bar);
    let date = Span::styled(format!("· {}", state.today), theme.header.bar);
    // Where postage comes from is staff's concern: a customer's header leaves it out.
    let link: Vec<Span> = match state.link.as_ref().filter(|_| state.mode == Mode::Counter) {
        Some(link) if link.online && link.interface == Interface::Modem => {
            vec![Span::styled(" · vendor online by modem", theme.header.bar)]
        }
        Some(link) if link.online => vec![Span::styled(" · vendor online", theme.header.bar)],
        Some(_) => vec![
            Span::styled(" · ", theme.header.bar),
            Span::styled(" OFFLINE: embedded PSD ", theme.banner.error),
        ],
        None => Vec::new(),
    };
    // A staged rate table, for clerk and customer alike; the first part to give way.
    let prices = state
        .price_change
        .map(|day| Span::styled(format!(" · New prices from {day}"), theme.header.bar));
    // A release waiting for a quiet moment: the clerk's business, not the customer's.
    let release = state
        .release_due
        .as_ref()
        .filter(|_| state.mode == Mode::Counter)
        .map(|version| Span::styled(format!(" · Update {version} waiting"), theme.header.bar));
    let width = usize::from(area.width);
    let fits = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>() <= width;
    let mut spans = vec![title.clone(), step.clone(), mode.clone(), date.clone()];
    spans.extend(link.clone());
    spans.extend(prices);
    spans.extend(release.clone());
    if !fits(&spans) {
        // The price change gives way first: a waiting update is the clerk's to know.
        spans = vec![title.clone(), step.clone(), mode.clone(), date.clone()];
        spans.extend(link.clone());
        spans.extend(release);
    }
    if !fits(&spans) {
        spans = vec![title.clone(), step.clone(), mode, date.clone()];
        spans.extend(link.clone());
    }
    if !fits(&spans) {
        spans = vec![title, step.clone(), date.clone()];
        spans.extend(link.clone());
    }
    if !fits(&spans) {
        spans = vec![Span::styled(" ", theme.header.bar), step, date];
        spans.extend(link);
    }
    let line = fit::lines(vec![Line::from(spans)], area.width);
    frame.render_widget(Paragraph::new(line).style(theme.header.bar), area);
}

/// The help key of the keymap in force, for the header's right end.
fn help_hint(keys: &ModeKeymap) -> Option<String> {
    keys.hints(&[UserAction::Help])
        .into_iter()
        .next()
        .map(|(key, description)| format!(" {key} {description} "))
}

/// The notice line's text, sanitized, and its style.
fn notice(state: &State, look: Look) -> (String, ratatui::style::Style) {
    let theme = look.theme;
    let (text, style) = match &state.notice {
        Some(Notice::Error(text)) => (format!(" ! {text}"), theme.banner.error),
        Some(Notice::Info(text)) => (format!(" {text}"), theme.base.muted),
        None => (String::new(), theme.base.text),
    };
    (sanitized(&look.keyed(&text)), style)
}

/// Text for the screen with control characters replaced (ZIP place names, messages).
fn sanitized(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
