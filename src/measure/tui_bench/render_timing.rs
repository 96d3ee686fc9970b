//! Render time of every screen, in process: the view drawn into ratatui's `TestBackend`.
//!
//! This isolates the work the counter does per frame in its own code (layout, widgets,
//! ratatui's diff) from the terminal and the pseudo-terminal; what it costs to get the bytes
//! to a real terminal is in the keypress-to-frame figure. Each screen is drawn once before
//! timing, so the timed draws see what a redraw of an unchanged screen sees: a full render
//! and a diff that finds nothing to send.

use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::percentiles::Percentiles;
use super::scenes::{Scene, all_scenes};
use crate::kiosk::state::State;
use crate::kiosk::style::{Keymap, KeymapMode, ModeKeymap, Theme};
use crate::kiosk::view::render;

/// The draw times of one screen at one terminal size.
#[derive(Clone, Debug)]
pub struct ScreenRenderTiming {
    pub screen: &'static str,
    pub width: u16,
    pub height: u16,
    pub timings: Percentiles,
}

/// Draws every scene `iterations` times at each of its sizes, with the default theme and
/// the counter's keys.
pub fn time_all_screens(iterations: u32) -> anyhow::Result<Vec<ScreenRenderTiming>> {
    let theme = Theme::embedded_default()?;
    let keymap = Keymap::embedded_default()?;
    let keys = keymap.mode(KeymapMode::Counter);
    let mut timings = Vec::new();
    for Scene { name, state, sizes } in all_scenes()? {
        for &(width, height) in sizes {
            timings.push(ScreenRenderTiming {
                screen: name,
                width,
                height,
                timings: time_draws(&state, &theme, keys, (width, height), iterations)?,
            });
        }
    }
    Ok(timings)
}

fn time_draws(
    state: &State,
    theme: &Theme,
    keys: &ModeKeymap,
    (width, height): (u16, u16),
    iterations: u32,
) -> anyhow::Result<Percentiles> {
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    terminal.draw(|frame| render(frame, state, theme, keys))?;
    let mut samples = Vec::with_capacity(usize::try_from(iterations).unwrap_or(0));
    for _ in 0..iterations {
        let started = Instant::now();
        terminal.draw(|frame| render(frame, state, theme, keys))?;
        samples.push(started.elapsed());
    }
    Ok(Percentiles::of(&samples))
}
