//! Drawing the counter's screens into a test terminal, and the check that no word is cut
//! at 80x24.

use std::collections::HashSet;

use postcounter::kiosk::state::{Mode, State};
use postcounter::kiosk::style::{Keymap, KeymapMode, Theme};
use postcounter::kiosk::view::{PRODUCT_ABBREVIATIONS, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Draws `state` with the embedded theme and keymap of its mode.
pub fn draw(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let theme = Theme::embedded_default().unwrap();
    let keymap = Keymap::embedded_default().unwrap();
    let mode = match state.mode {
        Mode::Counter => KeymapMode::Counter,
        Mode::Kiosk => KeymapMode::Kiosk,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(frame, state, &theme, keymap.mode(mode)))
        .unwrap();
    terminal
}

/// The words of a rendered screen: runs of letters and digits (an apostrophe inside a
/// word belongs to it). A word touching an ellipsis was shortened on purpose and is left out.
fn words(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let mut words = Vec::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        let mut rest = line.as_str();
        while let Some(start) = rest.find(|c: char| c.is_alphanumeric()) {
            let tail = &rest[start..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '\''))
                .unwrap_or(tail.len());
            let word = tail[..end].trim_end_matches('\'');
            let shortened = tail[end..].starts_with('…') || rest[..start].ends_with('…');
            if !shortened {
                words.push(word.to_string());
            }
            rest = &tail[end..];
        }
    }
    words
}

/// Every word drawn at 80x24 is a whole word of the same screen drawn with room to spare:
/// a word cut at a panel's edge (or a hint bar's end) is a prefix that the roomy screen
/// does not have.
pub fn assert_no_word_cut(name: &str, state: &State) {
    let small = draw(state, 80, 24);
    let mut whole: HashSet<String> = words(&draw(state, 120, 40)).into_iter().collect();
    whole.extend(words(&draw(state, 400, 80)));
    // As short as the small screen, so what height alone leaves out ("3 more above") is
    // said there too.
    whole.extend(words(&draw(state, 400, 24)));
    // Product names are abbreviated on purpose where a column is narrow ("FCM Flat").
    let abbreviations = PRODUCT_ABBREVIATIONS.map(|(_, short)| short);
    whole.extend(
        abbreviations
            .iter()
            .flat_map(|s| s.split(' '))
            .map(String::from),
    );
    let cut: Vec<String> = words(&small)
        .into_iter()
        .filter(|word| !whole.contains(word))
        .collect();
    assert!(
        cut.is_empty(),
        "{name}: words cut at 80x24: {cut:?}\n{}",
        small.backend()
    );
}
