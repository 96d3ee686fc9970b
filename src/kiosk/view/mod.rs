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
mod payment;
mod piece;
mod preview;
mod product_name;
mod supervisor;

pub use big_text::big_text;
pub use product_name::PRODUCT_ABBREVIATIONS;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::state::{Mode, Notice, State, Step};
use super::style::{ModeKeymap, Theme, UserAction};

/// What a screen is drawn with: the theme, and the keymap in force, whose keys every hint
/// on the screen names (`{confirm}` in a text becomes the key bound to confirm).
#[derive(Clone, Copy)]
pub(crate) struct Look<'a> {
    pub theme: &'a Theme,
    pub keys: &'a ModeKeymap,
}

impl Look<'_> {
    /// `text` with each `{action}` replaced by [`keyed`].
    pub fn keyed(&self, text: &str) -> String {
        keyed(text, self.keys)
    }
}

/// `text` with each `{action}` (a keymap action name, such as `{confirm}` or
/// `{next_field}`) replaced by the first key the keymap binds to it, or by the action's own
/// words when this mode binds none; anything else in braces is left as it is.
pub fn keyed(text: &str, keys: &ModeKeymap) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let action = after
            .find('}')
            .and_then(|close| Some((UserAction::from_name(&after[..close])?, close)));
        match action {
            Some((action, close)) => {
                let key = keys.keys_for(action).next();
                out.push_str(&key.map_or_else(|| action.description().to_string(), |k| k.label()));
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

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
/// the date and the step stay; the mode's name, then the product's, give way on a narrow
/// screen, and whatever still does not fit ends in an ellipsis.
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
        Some(link) if link.online => vec![Span::styled(" · vendor online", theme.header.bar)],
        Some(_) => vec![
            Span::styled(" · ", theme.header.bar),
            Span::styled(" OFFLINE: embedded PSD ", theme.banner.error),
        ],
        None => Vec::new(),
    };
    let width = usize::from(area.width);
    let fits = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>() <= width;
    let mut spans = vec![title.clone(), step.clone(), mode, date.clone()];
    spans.extend(link.clone());
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

/// A key's words in the hint bar, where this screen gives the action a meaning of its own.
pub(super) fn hint_words(state: &State, action: UserAction) -> &'static str {
    if state.confirming.is_some() {
        // Confirm and back answer the question asked, whatever the screen under it.
        return action.description();
    }
    match (state.step, action) {
        (Step::Basket, UserAction::Confirm | UserAction::Pay) => "pay",
        (Step::Basket, UserAction::Back | UserAction::AddToBasket) => "add another",
        (Step::Weigh, UserAction::Back) if state.basket.is_empty() => "start again",
        (Step::Weigh, UserAction::Back) => "basket",
        _ => action.description(),
    }
}

/// The keys that do something on each screen, for the hint bar.
pub fn hint_actions(state: &State) -> Vec<UserAction> {
    use UserAction::*;
    let parcel = state.draft.shape == Some(crate::rates::Shape::Parcel);
    let insured = state
        .draft
        .extras
        .contains(&crate::rates::ExtraService::Insurance);
    let unlocked = state.supervisor.as_ref().is_some_and(|s| s.unlocked);
    if state.confirming.is_some() {
        return vec![Confirm, Back];
    }
    match state.step {
        Step::Welcome => vec![Confirm],
        Step::Weigh => {
            let mut keys = vec![Confirm, Left, Right];
            if parcel {
                keys.push(NextField);
            }
            // Back goes to the basket, or a customer to the start; a clerk's empty counter
            // has nowhere to go back to.
            if !state.basket.is_empty() || state.mode == Mode::Kiosk {
                keys.push(Back);
            }
            if state.mode == Mode::Counter {
                // At a kiosk the supervisor's chord is not advertised, and quitting is staff's.
                keys.extend([Supervisor, Quit]);
            }
            keys
        }
        Step::Destination => vec![Confirm, NextField, Back],
        Step::Service if insured => vec![Up, Down, NextField, Confirm, Back],
        Step::Service => vec![Up, Down, Confirm, Back],
        Step::Customs => vec![Confirm, NextField, Left, Right, RemoveItem, Back],
        // ← and → (one fewer, one more) and the F-key shortcuts are in the help: the bar
        // keeps room for paying and adding another piece.
        Step::Basket if state.basket.is_empty() => vec![Back],
        Step::Basket => vec![Up, Down, RemoveItem, Confirm, Back],
        Step::Payment if state.cash_offered => {
            vec![Confirm, PayCash, PayCard, PayAccount, NextField, Back]
        }
        Step::Payment => vec![Confirm, PayCard, PayAccount, NextField, Back],
        Step::Issuing if state.print_problem.is_some() => vec![Reprint, Void],
        // Esc stops a sale that cannot be completed, and refunds what was not issued.
        Step::Issuing if state.in_flight == 0 => vec![Confirm, Back],
        Step::Issuing => vec![Confirm],
        Step::Done => vec![Confirm],
        Step::Supervisor if unlocked => vec![Up, Down, Void, NextField, NextTheme, Back, Quit],
        Step::Supervisor => vec![Confirm, Back],
    }
}

fn render_footer(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, keys: &ModeKeymap) {
    let [totals, hints_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let pieces: u32 = state.basket.iter().map(|item| item.quantity).sum();
    let totals_line = Line::from(vec![
        Span::styled(
            format!(" Basket: {pieces} piece(s)   Total "),
            theme.base.text,
        ),
        Span::styled(state.basket_total().to_string(), theme.money.total),
    ]);
    frame.render_widget(Paragraph::new(totals_line), totals);
    let hints = fitting_hints(
        state,
        keys,
        &hint_actions(state),
        usize::from(hints_area.width),
    );
    let mut spans = Vec::new();
    for (key, description) in hints {
        spans.push(Span::styled(format!(" {key} "), theme.hint_bar.key));
        spans.push(Span::styled(
            format!("{description} "),
            theme.hint_bar.description,
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.hint_bar.bar),
        hints_area,
    );
}

/// The hints of `actions` that fit in `width` columns. When they do not all fit, the ones
/// the help overlay lists anyway go first, from the end; confirming, paying, going back and
/// quitting stay, so the bar never loses the way forward or out.
fn fitting_hints(
    state: &State,
    keys: &ModeKeymap,
    actions: &[UserAction],
    width: usize,
) -> Vec<(String, &'static str)> {
    const KEPT: [UserAction; 4] = [
        UserAction::Confirm,
        UserAction::Pay,
        UserAction::Back,
        UserAction::Quit,
    ];
    let mut actions = actions.to_vec();
    loop {
        let hints: Vec<(String, &'static str)> = actions
            .iter()
            .filter_map(|action| {
                let key = keys.keys_for(*action).next()?;
                Some((key.label(), hint_words(state, *action)))
            })
            .collect();
        let used: usize = hints
            .iter()
            .map(|(key, description)| key.chars().count() + description.chars().count() + 3)
            .sum();
        let droppable = actions.iter().rposition(|action| !KEPT.contains(action));
        match droppable {
            Some(index) if used > width => {
                actions.remove(index);
            }
            _ => return hints,
        }
    }
}

/// Text for the screen with control characters replaced (ZIP place names, messages).
fn sanitized(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::style::{Keymap, KeymapMode};

    #[test]
    fn hints_name_the_keys_of_the_keymap_in_force() {
        let site = Keymap::parse(
            "site.toml",
            "[counter]\nconfirm = \"f12\"\nback = [\"f10\", \"esc\"]\n\n[kiosk]\nconfirm = \"enter\"\nback = \"esc\"\n",
        )
        .unwrap();
        let keys = site.mode(KeymapMode::Counter);
        assert_eq!(
            keyed("press {confirm} to try again, or {back} to stop", keys),
            "press F12 to try again, or F10 to stop"
        );
        // An action this mode does not bind is named in words; other braces stay as typed.
        assert_eq!(
            keyed("{pay_cash} or {nonsense} {", keys),
            "cash or {nonsense} {"
        );
        let embedded = Keymap::embedded_default().unwrap();
        let counter = embedded.mode(KeymapMode::Counter);
        assert_eq!(keyed("{left} {right} to change", counter), "← → to change");
    }
}
