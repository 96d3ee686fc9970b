//! The hint bar: the keys that do something on the screen shown, in that screen's words,
//! from the keymap in force, as many as fit without losing the way forward or out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::kiosk::state::{Mode, State, Step};
use crate::kiosk::style::{ModeKeymap, Theme, UserAction};

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
        Step::Supervisor if unlocked && state.release_due.is_some() => {
            vec![Up, Down, Void, PostponeUpdate, NextField, Back, Quit]
        }
        Step::Supervisor if unlocked => vec![Up, Down, Void, NextField, NextTheme, Back, Quit],
        Step::Supervisor => vec![Confirm, Back],
    }
}

pub(super) fn render_footer(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    keys: &ModeKeymap,
) {
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
