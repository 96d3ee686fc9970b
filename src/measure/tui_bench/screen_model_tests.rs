//! The screen model against the real encoder: frames of the counter's own screens drawn by
//! ratatui's crossterm backend into a byte buffer, exactly the bytes the counter writes to
//! its terminal, must decode to the cells ratatui drew.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use proptest::prelude::*;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use super::ScreenModel;
use crate::kiosk::action::Action;
use crate::kiosk::state::State;
use crate::kiosk::style::{Keymap, KeymapMode, Theme};
use crate::kiosk::view::render;
use crate::measure::tui_bench::keypress::weight_field;
use crate::measure::tui_bench::scenes::{Driver, all_scenes};

/// What the backend wrote, kept where the test can take it (the backend's own writer
/// accessor is unstable).
#[derive(Clone, Default)]
struct Written(Rc<RefCell<Vec<u8>>>);

impl Write for Written {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct ByteTerminal {
    terminal: Terminal<CrosstermBackend<Written>>,
    written: Written,
}

fn byte_terminal(width: u16, height: u16) -> ByteTerminal {
    let viewport = Viewport::Fixed(Rect::new(0, 0, width, height));
    let written = Written::default();
    let terminal = Terminal::with_options(
        CrosstermBackend::new(written.clone()),
        TerminalOptions { viewport },
    )
    .unwrap();
    ByteTerminal { terminal, written }
}

/// Draws `state` and returns the bytes this frame wrote and the text ratatui drew.
fn draw(terminal: &mut ByteTerminal, state: &State) -> (Vec<u8>, String) {
    let theme = Theme::embedded_default().unwrap();
    let keymap = Keymap::embedded_default().unwrap();
    let keys = keymap.mode(KeymapMode::Counter);
    let frame = terminal
        .terminal
        .draw(|frame| render(frame, state, &theme, keys))
        .unwrap();
    let buffer = frame.buffer;
    let drawn = (0..buffer.area.height)
        .map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = std::mem::take(&mut *terminal.written.0.borrow_mut());
    (bytes, drawn)
}

#[test]
fn every_screen_as_crossterm_encodes_it_decodes_to_the_cells_ratatui_drew() {
    for scene in all_scenes().unwrap() {
        for &(width, height) in scene.sizes {
            let mut terminal = byte_terminal(width, height);
            let (bytes, drawn) = draw(&mut terminal, &scene.state);
            let mut model = ScreenModel::new(width, height);
            model.feed(&bytes);
            assert_eq!(model.text(), drawn, "{} at {width}x{height}", scene.name);
            assert!(model.at_frame_end(), "{}", scene.name);
            assert_eq!(model.frames_completed(), 1);
        }
    }
}

#[test]
fn a_second_frame_sends_only_changed_cells_and_the_model_applies_them() {
    let mut driver = Driver::new().unwrap();
    let mut terminal = byte_terminal(80, 24);
    let mut model = ScreenModel::new(80, 24);
    let (first, _) = draw(&mut terminal, &driver.state);
    model.feed(&first);
    assert_eq!(weight_field(&model).as_deref(), Some(""));
    driver.send([Action::Type('7')]).unwrap();
    let (second, drawn) = draw(&mut terminal, &driver.state);
    assert!(
        second.len() < first.len() / 10,
        "a diff, not a whole screen"
    );
    model.feed(&second);
    assert_eq!(model.text(), drawn);
    assert_eq!(weight_field(&model).as_deref(), Some("7"));
    assert_eq!(model.frames_completed(), 2);
}

#[test]
fn a_frame_cut_short_is_not_complete_until_its_end_arrives() {
    let mut terminal = byte_terminal(80, 24);
    let (bytes, _) = draw(&mut terminal, &Driver::new().unwrap().state);
    let mut model = ScreenModel::new(80, 24);
    model.feed(&bytes[..bytes.len() / 2]);
    assert!(!model.at_frame_end());
    model.feed(&bytes[bytes.len() / 2..]);
    assert!(model.at_frame_end());
}

#[test]
fn a_cursor_position_query_is_answered_with_the_cursor_position() {
    let mut model = ScreenModel::new(80, 24);
    model.feed(b"\x1b[5;10Hab\x1b[6n");
    assert_eq!(model.take_replies(), b"\x1b[5;12R");
    assert!(model.take_replies().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bytes_split_into_any_chunks_decode_to_the_same_screen(chunk in 1usize..200) {
        let mut driver = Driver::new().unwrap();
        driver.type_text("2oz").unwrap();
        driver.send([Action::Confirm]).unwrap();
        let mut terminal = byte_terminal(80, 24);
        let (bytes, drawn) = draw(&mut terminal, &driver.state);
        let mut model = ScreenModel::new(80, 24);
        for piece in bytes.chunks(chunk) {
            model.feed(piece);
        }
        prop_assert_eq!(model.text(), drawn);
    }
}
