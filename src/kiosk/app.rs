//! The counter's event loop: terminal events and effect results in, frames out.
//!
//! Everything that can refuse to start (theme, keymap, station, printers) is loaded before
//! the terminal is touched, so a broken file is reported on a normal screen. The terminal is
//! restored on exit, on error, and on panic (ratatui's hook).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::edge::{Edge, Printers};
use super::flow::{Context, update};
use super::input::action_for_key;
use super::state::{Mode, State};
use super::style::{Keymap, KeymapMode, Theme};
use super::view::render;
use crate::address::ZipCode;
use crate::date::Date;
use crate::print::printer::Printer;
use crate::rates::RateBook;
use crate::station::{PrinterRole, Station};

/// How the counter starts.
#[derive(Clone, Debug)]
pub struct KioskOptions {
    pub mode: Mode,
    /// A theme name (`default-dark`, `light`, `high-contrast`) or a path to a theme file.
    pub theme: Option<String>,
    pub keymap: Option<PathBuf>,
}

fn load_theme(choice: Option<&str>) -> anyhow::Result<Theme> {
    Ok(match choice {
        None => Theme::embedded_default()?,
        Some(name) if name.ends_with(".toml") || name.contains('/') => {
            Theme::load_file(std::path::Path::new(name))?
        }
        Some(name) => Theme::embedded(name)?,
    })
}

/// Runs the counter until the clerk quits.
pub async fn run(station: Station, rates: RateBook, options: KioskOptions) -> anyhow::Result<()> {
    let theme = load_theme(options.theme.as_deref())?;
    let keymap = match &options.keymap {
        Some(path) => Keymap::load_file(path)?,
        None => Keymap::embedded_default()?,
    };
    let keys = keymap.mode(match options.mode {
        Mode::Counter => KeymapMode::Counter,
        Mode::Kiosk => KeymapMode::Kiosk,
    });
    let printers = Arc::new(Printers {
        label: Mutex::new(open_printer(&station, PrinterRole::Label)?),
        receipt: Mutex::new(open_printer(&station, PrinterRole::Receipt)?),
    });
    let origin = ZipCode::parse(&station.config.origin_zip)?;
    let context = Context {
        rates: Arc::new(rates),
        receipt_header: station.config.receipt.header.clone(),
        receipt_footer: station.config.receipt.footer.clone(),
    };
    let started_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let sale_id = format!("counter{}-{started_s}-sale1", station.config.psd_id);
    let mut state = State::new(options.mode, Date::today_utc(), origin, sale_id);
    let scale = station.config.scale.clone();
    let (sender, mut results) = mpsc::unbounded_channel();
    let edge = Edge::new(Arc::new(station), printers, sender);
    match scale.kind.as_str() {
        "none" => {}
        "nci" => edge.poll_scale(scale.device, scale.baud, scale.poll_interval_ms),
        other => anyhow::bail!("scale.kind {other:?} is not accepted: expected none or nci"),
    }

    let mut terminal = ratatui::try_init()?;
    let mut events = EventStream::new();
    let outcome = loop {
        if let Err(error) = terminal.draw(|frame| render(frame, &state, &theme, keys)) {
            break Err(error.into());
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => action_for_key(key, keys),
                Some(Ok(_)) => None, // resize and others: redraw
                Some(Err(error)) => break Err(error.into()),
                None => break Ok(()),
            },
            Some(result) = results.recv() => Some(result),
        };
        if let Some(action) = action {
            for effect in update(&mut state, &context, action) {
                edge.run(effect);
            }
        }
        if state.quit {
            break Ok(());
        }
    };
    ratatui::restore();
    outcome
}

/// The configured printer for `role`, with the context the operator needs.
fn open_printer(station: &Station, role: PrinterRole) -> anyhow::Result<Printer> {
    station
        .open_printer(role)
        .with_context(|| format!("the {} printer cannot be used", role.name()))
}
