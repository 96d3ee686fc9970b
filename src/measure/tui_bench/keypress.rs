//! Keypress to frame: from writing a key to the counter's terminal to the moment the frame
//! that shows its effect has arrived completely.
//!
//! The key alternates between a digit typed into the weigh screen's Weight field and
//! Backspace, so every key changes the screen and the field ends as it started. The clock
//! covers the whole path a clerk waits on: the terminal's input queue, crossterm's parser,
//! the event loop, `update`, the render, ratatui's diff and the bytes back through the
//! pseudo-terminal.

use std::time::Duration;

use super::pty_session::PtySession;
use super::screen_model::ScreenModel;
use super::startup::WEIGH_TITLE;

const DIGIT: u8 = b'7';
const BACKSPACE: u8 = 0x7f;

/// Times `samples` keypresses on the weigh screen, which must be showing an empty field.
pub fn time_keypresses(session: &mut PtySession, samples: u32) -> anyhow::Result<Vec<Duration>> {
    session.wait_until("the weigh screen with an empty Weight field", |screen| {
        screen.contains(WEIGH_TITLE) && weight_field(screen).as_deref() == Some("")
    })?;
    let mut times = Vec::new();
    for n in 0..samples {
        let typing = n % 2 == 0;
        let times_pressed = press(session, typing)?;
        times.push(times_pressed);
    }
    if samples % 2 == 1 {
        press(session, false)?; // leave the field empty for the sales
    }
    Ok(times)
}

fn press(session: &mut PtySession, typing: bool) -> anyhow::Result<Duration> {
    let (key, expected) = if typing {
        (DIGIT, char::from(DIGIT).to_string())
    } else {
        (BACKSPACE, String::new())
    };
    let frames_before = session.screen().frames_completed();
    let pressed = session.send(&[key])?;
    let description = format!("the Weight field to show {expected:?}");
    let drawn = session.wait_until(&description, |screen| {
        screen.frames_completed() > frames_before
            && weight_field(screen).as_deref() == Some(expected.as_str())
    })?;
    Ok(drawn.saturating_duration_since(pressed))
}

/// What the weigh screen's Weight field holds as drawn: `│ Weight         2oz_ `.
pub fn weight_field(screen: &ScreenModel) -> Option<String> {
    let row = screen.row_containing(" Weight ")?;
    let (_, after) = row.split_once(" Weight ")?;
    let (value, _) = after.trim_start().split_once('_')?;
    Some(value.to_string())
}
