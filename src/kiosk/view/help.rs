//! The help overlay: every key that does something on the screen under it, from the keymap
//! in force (a site's own keymap shows its own keys), with what it does there.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{hint_actions, hint_words};
use crate::kiosk::state::{Mode, State, Step};
use crate::kiosk::style::{ModeKeymap, Theme, UserAction};

pub(super) fn render(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    keys: &ModeKeymap,
) {
    let mut actions = hint_actions(state);
    if state.step == Step::Basket && state.confirming.is_none() {
        actions.splice(2..2, [UserAction::Left, UserAction::Right]);
        actions.extend([UserAction::AddToBasket, UserAction::Pay]);
    }
    for always in [UserAction::Help, UserAction::Quit] {
        if !actions.contains(&always) && (state.mode == Mode::Counter || always == UserAction::Help)
        {
            actions.push(always);
        }
    }
    let mut lines = vec![Line::default()];
    for action in actions {
        let bound: Vec<String> = keys.keys_for(action).map(|key| key.label()).collect();
        if bound.is_empty() {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!(" {:>14} ", bound.join(" or ")), theme.hint_bar.key),
            Span::styled(format!(" {}", what_it_does(state, action)), theme.base.text),
        ]));
    }
    lines.push(Line::default());
    let typing = match state.mode {
        Mode::Counter => " Letters and digits go to the highlighted field; Backspace erases.",
        Mode::Kiosk => " Type in the highlighted box; Backspace erases.",
    };
    lines.push(Line::styled(typing, theme.base.muted));
    lines.push(Line::styled(" Any key closes this help.", theme.base.muted));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    // As wide as the screen: a screen showing at the sides would show half words.
    let [_, overlay, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Clear, overlay);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(theme.base.background)
            .block(super::panel(theme).title(" Keys on this screen ")),
        overlay,
    );
}

/// What a key does on this screen, in the help's longer words.
fn what_it_does(state: &State, action: UserAction) -> &'static str {
    if state.confirming.is_some() {
        return hint_words(state, action);
    }
    match (state.step, action) {
        (Step::Basket, UserAction::Left) => "one fewer of the highlighted item",
        (Step::Basket, UserAction::Right) => "one more of the highlighted item",
        (Step::Basket, UserAction::Confirm | UserAction::Pay) => "pay for the basket",
        (Step::Basket, UserAction::Back | UserAction::AddToBasket) => "weigh another piece",
        (Step::Weigh, UserAction::Left | UserAction::Right) => "change the shape",
        (Step::Customs, UserAction::Left | UserAction::Right) => "change what the items are",
        (Step::Customs, UserAction::RemoveItem) => "remove the last item declared",
        _ => hint_words(state, action),
    }
}
