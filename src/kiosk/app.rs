//! The counter's event loop: terminal events, effect results and clock ticks in, frames out.
//!
//! Everything that can refuse to start (theme, keymap, station, printers, payment store) is
//! loaded before the terminal is touched, so a broken file is reported on a normal screen.
//! The terminal is restored on exit, on error, and on panic (ratatui's hook). Log lines go to
//! the data directory's log file, never to the screen.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::action::Action;
use super::edge::{ChargeJournal, DataCentreCards, Edge, Payments, Printers};
use super::flow::{Context, Timeouts, update};
use super::input::action_for_key;
use super::pin::SupervisorPin;
use super::pin_gate;
use super::state::{Leave, Mode, State};
use super::style::{Keymap, KeymapMode, Theme};
use super::view::render;
use crate::address::ZipCode;
use crate::clock::Clock;
use crate::config::{CardGatewayKind, CashAcceptorKind, ScaleKind};
use crate::payment::{PaymentGateway, PaymentStore, PostageAccounts, TestGateway};
use crate::print::printer::Printer;
use crate::rates::RateBook;
use crate::scale::hid::HidPosScale;
use crate::scale::nci::NciSerialScale;
use crate::scale::sics::SicsSerialScale;
use crate::station::{PrinterRole, Station};

/// How often the clock ticks for the timeouts.
const TICK: Duration = Duration::from_millis(250);

/// How the counter starts.
#[derive(Clone, Debug)]
pub struct KioskOptions {
    pub mode: Mode,
    /// A theme name (`default-dark`, `light`, `high-contrast`) or a path to a theme file.
    pub theme: Option<String>,
    pub keymap: Option<PathBuf>,
}

/// The chosen theme first, then the other embedded ones (the supervisor cycles through them).
fn load_themes(choice: Option<&str>) -> anyhow::Result<Vec<Theme>> {
    let first = match choice {
        None => Theme::embedded_default()?,
        Some(name) if name.ends_with(".toml") || name.contains('/') => {
            Theme::load_file(std::path::Path::new(name))?
        }
        Some(name) => Theme::embedded(name)?,
    };
    let chosen = choice.unwrap_or(Theme::embedded_names()[0]);
    let mut themes = vec![first];
    for name in Theme::embedded_names() {
        if name != chosen {
            themes.push(Theme::embedded(name)?);
        }
    }
    Ok(themes)
}

/// This process's first sale id. Sale ids are the card charge ids and the idempotency keys
/// of every piece, so two processes on one data directory must never share one: each
/// starts from 64 random bits, not from the clock (two kiosks started in the same second
/// once sold two customers one indicium for one charge).
pub fn first_sale_id() -> String {
    format!(
        "counter-{}-sale1",
        crate::hex::encode(&rand::random::<[u8; 8]>())
    )
}

/// The card gateway (the data centre through the station's link, or the test gateway in
/// the station's payment store) and the postage accounts.
async fn open_payments(station: &Arc<Station>) -> anyhow::Result<Payments> {
    let path = Station::payments_path(&station.config.data_dir);
    let store = PaymentStore::open(&path).await?;
    let gateway: Box<dyn PaymentGateway> = match station.config.counter.card_gateway {
        CardGatewayKind::DataCentre => Box::new(DataCentreCards(station.clone())),
        CardGatewayKind::Test => Box::new(TestGateway::new(store.clone())),
    };
    Ok(Payments {
        gateway,
        accounts: PostageAccounts::from_store(store).await?,
        journal: ChargeJournal::open(&station.config.data_dir)?,
    })
}

/// Runs the counter until the clerk quits (`None`), or until it leaves at a quiet moment for
/// the launcher to switch releases or roll this one back.
pub async fn run(
    station: Station,
    rates: RateBook,
    options: KioskOptions,
) -> anyhow::Result<Option<Leave>> {
    let started = Instant::now();
    let themes = load_themes(options.theme.as_deref())?;
    let keymap = match &options.keymap {
        Some(path) => Keymap::load_file(path)?,
        None => Keymap::embedded_default()?,
    };
    let keys = keymap.mode(match options.mode {
        Mode::Counter => KeymapMode::Counter,
        Mode::Kiosk => KeymapMode::Kiosk,
    });
    let printers = Arc::new(Printers::new(
        open_printer(&station, PrinterRole::Label)?,
        open_printer(&station, PrinterRole::Receipt)?,
    ));
    let station = Arc::new(station);
    let payments = Arc::new(open_payments(&station).await?);
    let origin = ZipCode::parse(&station.config.origin_zip)?;
    let settings = &station.config.counter;
    let mut context = Context {
        rates: Arc::new(rates),
        receipt_header: station.config.receipt.header.clone(),
        receipt_footer: station.config.receipt.footer.clone(),
        label: station.config.label.clone(),
        supervisor_pin: SupervisorPin::load(&station.config.data_dir)?,
        timeouts: Timeouts {
            done_ms: settings.done_timeout_s.saturating_mul(1000),
            inactivity_ms: settings.inactivity_timeout_s.saturating_mul(1000),
            quiet_ms: station.config.updates.quiet_s.saturating_mul(1000),
        },
    };
    let local_time = station.config.time_zone.clone();
    let clock = Clock::system();
    let today = local_time.date_of(clock.now_unix_ms());
    let mut state = State::new(options.mode, today, origin, first_sale_id());
    state.price_change = context.rates.next_change_after(today);
    // Wrong PINs and a lockout survive a restart (the app's clock starts at 0).
    state.pin_gate = pin_gate::load(&station.config.data_dir, 0, Clock::system().now_unix_ms())
        .map_err(|e| anyhow::anyhow!(e))?;
    match station.config.counter.cash_acceptor {
        // A kiosk takes cash only through an acceptor, and none is built in yet: the
        // state's own rule (cash at a clerk's counter only) stands.
        CashAcceptorKind::None => {}
    }
    let scale = station.config.scale.clone();
    let (sender, mut results) = mpsc::unbounded_channel();
    let link_interval = Duration::from_secs(station.config.link.poll_after_s.clamp(1, 3600));
    let edge = Edge::new(station, printers, payments, sender);
    let (rates_installed, mut installed_rates) = mpsc::unbounded_channel();
    edge.watch_link(link_interval, rates_installed);
    edge.settle_open_charges();
    edge.watch_release();
    match scale.kind {
        ScaleKind::None => {}
        ScaleKind::Nci => {
            let (device, baud) = (scale.device, scale.baud);
            edge.poll_scale(
                move || NciSerialScale::open(&device, baud),
                scale.poll_interval_ms,
            );
        }
        ScaleKind::MtSics => {
            let (device, baud) = (scale.device, scale.baud);
            edge.poll_scale(
                move || SicsSerialScale::open(&device, baud),
                scale.poll_interval_ms,
            );
        }
        ScaleKind::HidPos => {
            let device = scale.device;
            edge.poll_scale(move || HidPosScale::open(&device), scale.poll_interval_ms);
        }
    }
    log::info!("counter started in {:?} mode", options.mode);

    let mut terminal = ratatui::try_init()?;
    let mut events = EventStream::new();
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut needs_draw = true;
    let outcome = loop {
        if needs_draw {
            let theme = &themes[state.theme_index % themes.len()];
            if let Err(error) = terminal.draw(|frame| render(frame, &state, theme, keys)) {
                break Err(error.into());
            }
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => action_for_key(key, keys),
                Some(Ok(_)) => None, // resize and others: redraw
                Some(Err(error)) => break Err(error.into()),
                None => break Ok(None),
            },
            Some(result) = results.recv() => Some(result),
            Some(rates) = installed_rates.recv() => {
                context.rates = rates;
                Some(Action::RatesChanged)
            }
            _ = ticks.tick() => {
                // The date follows the clock across local midnight.
                let today = local_time.date_of(clock.now_unix_ms());
                if today != state.today {
                    Some(Action::DateChanged(today))
                } else {
                    let now_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    Some(Action::Tick(now_ms))
                }
            }
        };
        // A tick only moves the clock, which no screen shows: redraw only if a timeout
        // changed the screen.
        let tick = matches!(action, Some(Action::Tick(_)));
        let before = tick.then(|| (state.step, state.sale_id.clone()));
        if let Some(action) = action {
            for effect in update(&mut state, &context, action) {
                edge.run(effect);
            }
        }
        needs_draw =
            before.is_none_or(|(step, sale_id)| step != state.step || sale_id != state.sale_id);
        if state.quit {
            break Ok(state.left_for);
        }
    };
    ratatui::restore();
    log::info!("counter stopped");
    outcome
}

/// The configured printer for `role`, with the context the operator needs.
fn open_printer(station: &Station, role: PrinterRole) -> anyhow::Result<Printer> {
    station
        .open_printer(role)
        .with_context(|| format!("the {} printer cannot be used", role.name()))
}
