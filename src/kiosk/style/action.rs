//! The actions a person can ask for with a key, and so the only ones a keymap may bind.
//!
//! The kiosk's own `Action` type also carries results coming back from effects (indicium
//! issued, printer out of paper); those must never be reachable from a keyboard, so they are
//! not here at all rather than being filtered out when a keymap is read. The app maps each
//! `UserAction` to its own `Action` depending on the screen.

/// Something the person at the keyboard asks for. Names in keymap files are the snake_case
/// form given by [`UserAction::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserAction {
    /// Accept what is shown and go on (next step, OK, yes).
    Confirm,
    /// Leave this step without accepting (cancel, no, previous step).
    Back,
    Up,
    Down,
    Left,
    Right,
    /// Select or toggle the highlighted choice.
    Select,
    AddToBasket,
    RemoveItem,
    /// Go to payment with the basket as it is.
    Pay,
    PayCash,
    PayCard,
    /// Charge the customer's postage account.
    PayAccount,
    /// Print the last label or receipt again (not a new indicium).
    Reprint,
    /// Void the last sale's indicium (refund of postage).
    Void,
    /// Ask for the supervisor screen (PIN follows).
    Supervisor,
    Help,
    Quit,
    NextField,
    PreviousField,
    /// Zero the scale with nothing on it.
    ZeroScale,
    /// Switch to the next built-in theme.
    NextTheme,
    /// Put off the counter's waiting update (supervisor).
    PostponeUpdate,
}

impl UserAction {
    /// Every bindable action, in the order help screens list them.
    pub const ALL: [Self; 23] = [
        Self::Confirm,
        Self::Back,
        Self::Up,
        Self::Down,
        Self::Left,
        Self::Right,
        Self::Select,
        Self::AddToBasket,
        Self::RemoveItem,
        Self::Pay,
        Self::PayCash,
        Self::PayCard,
        Self::PayAccount,
        Self::Reprint,
        Self::Void,
        Self::Supervisor,
        Self::Help,
        Self::Quit,
        Self::NextField,
        Self::PreviousField,
        Self::ZeroScale,
        Self::NextTheme,
        Self::PostponeUpdate,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        self.name_and_description().0
    }

    /// The words shown next to the key in the hint bar.
    pub fn description(self) -> &'static str {
        self.name_and_description().1
    }

    /// The action a keymap file names, if it is one that may be bound.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.name() == name)
    }

    fn name_and_description(self) -> (&'static str, &'static str) {
        match self {
            Self::Confirm => ("confirm", "confirm"),
            Self::Back => ("back", "back"),
            Self::Up => ("up", "up"),
            Self::Down => ("down", "down"),
            Self::Left => ("left", "left"),
            Self::Right => ("right", "right"),
            Self::Select => ("select", "select"),
            Self::AddToBasket => ("add_to_basket", "add to basket"),
            Self::RemoveItem => ("remove_item", "remove item"),
            Self::Pay => ("pay", "pay"),
            Self::PayCash => ("pay_cash", "cash"),
            Self::PayCard => ("pay_card", "card"),
            Self::PayAccount => ("pay_account", "account"),
            Self::Reprint => ("reprint", "reprint"),
            Self::Void => ("void", "void"),
            Self::Supervisor => ("supervisor", "supervisor"),
            Self::Help => ("help", "help"),
            Self::Quit => ("quit", "quit"),
            Self::NextField => ("next_field", "next field"),
            Self::PreviousField => ("previous_field", "previous field"),
            Self::ZeroScale => ("zero_scale", "zero scale"),
            Self::NextTheme => ("next_theme", "theme"),
            Self::PostponeUpdate => ("postpone_update", "postpone update"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_found_again_by_its_name_and_names_are_distinct() {
        for action in UserAction::ALL {
            assert_eq!(UserAction::from_name(action.name()), Some(action));
        }
        let mut names: Vec<_> = UserAction::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), UserAction::ALL.len());
    }
}
