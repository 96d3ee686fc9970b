//! What every screen is drawn with: the theme, and the keymap whose keys its texts name.

use crate::kiosk::style::{ModeKeymap, Theme, UserAction};

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
