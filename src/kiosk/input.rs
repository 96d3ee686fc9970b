//! Keys to actions: printable characters go to the focused field, everything else through
//! the keymap (so a shortcut can never swallow a letter the clerk is typing: shortcuts are
//! function and control keys).

use crossterm::event::{KeyCode as TermKey, KeyEvent, KeyEventKind, KeyModifiers as TermModifiers};

use super::action::Action;
use super::state::PaymentMethod;
use super::style::{KeyCode, KeyModifiers, KeyPress, ModeKeymap, UserAction};

/// The counter's action for a terminal key event, if the key means anything.
pub fn action_for_key(event: KeyEvent, keys: &ModeKeymap) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let press = key_press(event)?;
    // A character bound to help (a kiosk's `?`) opens it even while a field has the focus:
    // no field takes it, and a customer must be able to ask anywhere.
    if keys.action_for(press) == Some(UserAction::Help) {
        return Some(Action::Help);
    }
    if let Some(c) = press.as_text() {
        return Some(Action::Type(c));
    }
    if let Some(action) = keys.action_for(press).and_then(action_for_user_action) {
        return Some(action);
    }
    (press.code() == KeyCode::Backspace).then_some(Action::Erase)
}

fn key_press(event: KeyEvent) -> Option<KeyPress> {
    let modifiers = KeyModifiers {
        ctrl: event.modifiers.contains(TermModifiers::CONTROL),
        alt: event.modifiers.contains(TermModifiers::ALT),
        shift: event.modifiers.contains(TermModifiers::SHIFT),
    };
    let code = match event.code {
        TermKey::Char(c) => KeyCode::Char(c),
        TermKey::F(n) => KeyCode::F(n),
        TermKey::Enter => KeyCode::Enter,
        TermKey::Esc => KeyCode::Esc,
        TermKey::Tab => KeyCode::Tab,
        TermKey::BackTab => {
            return Some(KeyPress::new(
                KeyCode::Tab,
                KeyModifiers {
                    shift: true,
                    ..modifiers
                },
            ));
        }
        TermKey::Backspace => KeyCode::Backspace,
        TermKey::Delete => KeyCode::Delete,
        TermKey::Insert => KeyCode::Insert,
        TermKey::Home => KeyCode::Home,
        TermKey::End => KeyCode::End,
        TermKey::PageUp => KeyCode::PageUp,
        TermKey::PageDown => KeyCode::PageDown,
        TermKey::Up => KeyCode::Up,
        TermKey::Down => KeyCode::Down,
        TermKey::Left => KeyCode::Left,
        TermKey::Right => KeyCode::Right,
        _ => return None,
    };
    Some(KeyPress::new(code, modifiers))
}

/// The flow's action for a bound user action; `None` for actions this screen set lacks.
pub fn action_for_user_action(action: UserAction) -> Option<Action> {
    Some(match action {
        UserAction::Confirm => Action::Confirm,
        UserAction::Pay => Action::Pay,
        UserAction::PayCash => Action::PayBy(PaymentMethod::Cash),
        UserAction::PayCard => Action::PayBy(PaymentMethod::Card),
        UserAction::PayAccount => Action::PayBy(PaymentMethod::Account),
        UserAction::NextField => Action::NextField,
        UserAction::PreviousField => Action::PreviousField,
        UserAction::Supervisor => Action::Supervisor,
        UserAction::NextTheme => Action::NextTheme,
        UserAction::Back => Action::Back,
        UserAction::Up => Action::Up,
        UserAction::Down => Action::Down,
        UserAction::Left => Action::Left,
        UserAction::Right => Action::Right,
        UserAction::Select => Action::Toggle,
        UserAction::AddToBasket => Action::AddAnother,
        UserAction::RemoveItem => Action::Remove,
        UserAction::Reprint => Action::Reprint,
        UserAction::Void => Action::VoidIssued,
        UserAction::PostponeUpdate => Action::PostponeRelease,
        UserAction::Quit => Action::Quit,
        UserAction::Help => Action::Help,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::style::{Keymap, KeymapMode};

    #[test]
    fn a_character_bound_to_help_opens_it_and_others_are_typed() {
        let keymap = Keymap::embedded_default().unwrap();
        let kiosk = keymap.mode(KeymapMode::Kiosk);
        let key = |c| KeyEvent::new(TermKey::Char(c), TermModifiers::NONE);
        assert_eq!(action_for_key(key('?'), kiosk), Some(Action::Help));
        assert_eq!(action_for_key(key('a'), kiosk), Some(Action::Type('a')));
        let counter = keymap.mode(KeymapMode::Counter);
        assert_eq!(action_for_key(key('?'), counter), Some(Action::Type('?')));
    }
}
