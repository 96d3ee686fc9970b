//! `postcounter admin lottery-*` and `admin event*`: the data centre's draw games and the
//! results of their draws (entered after each draw, by the data centre's clock, once: results
//! are final), its events with their seat maps, and the events key gates check tickets with.

use super::output::out;
use std::path::PathBuf;

use clap::Subcommand;

use crate::clock::Clock;
use crate::config::Config;
use crate::date::Date;
use crate::money::Money;
use crate::sale::lottery::game_line;
use crate::tickets::event::Event;
use crate::tickets::game::Game;
use crate::vendor_system::events::load_or_create_events_key;
use crate::vendor_system::from_config::keys_dir;
use crate::vendor_system::lottery::enter_draw_result;
use crate::vendor_system::lottery::rules::ticket_draw;
use crate::vendor_system::store::VendorStore;

#[derive(Subcommand, Debug)]
pub enum TicketsCommand {
    /// Add a draw game from its TOML definition (see tickets/pick3.toml); the same file again
    /// changes nothing, another definition under the same id is refused.
    #[command(name = "lottery-game")]
    Game {
        #[arg(long)]
        file: PathBuf,
    },
    /// List the games, their prices and their next draws.
    #[command(name = "lottery-games")]
    Games,
    /// Add an event from its TOML definition (see tickets/demo-event.toml): its seat map
    /// becomes places on sale; the same file again changes nothing.
    #[command(name = "event")]
    Event {
        #[arg(long)]
        file: PathBuf,
    },
    /// List the events and how many places each has on sale.
    #[command(name = "events")]
    Events,
    /// Write the events key's public half (PEM), which gates and third parties check ticket
    /// codes with.
    #[command(name = "events-key")]
    EventsKey {
        #[arg(long)]
        out: PathBuf,
    },
    /// Enter the winning numbers of a game's draw, after the draw: final, and reported with
    /// the draw's tickets, winners and prizes.
    #[command(name = "lottery-draw")]
    Draw {
        #[arg(long)]
        game: String,
        /// The draw's local date, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The winning numbers, e.g. 4,0,7 (in the drawn order for an ordered game).
        #[arg(long, value_delimiter = ',')]
        numbers: Vec<u8>,
    },
}

pub async fn run(
    config: &Config,
    store: &VendorStore,
    command: TicketsCommand,
) -> anyhow::Result<()> {
    let now = Clock::system().now_unix_ms();
    match command {
        TicketsCommand::Game { file } => {
            let game = Game::from_toml(&read(&file)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let created = store.put_lottery_game(&game, now).await?;
            out!("game {} ({}) {}", game.game_id, game.name, added(created))?;
        }
        TicketsCommand::Games => list_games(store, now).await?,
        TicketsCommand::Event { file } => {
            let event = Event::from_toml(&read(&file)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let created = store.put_event(&event, now).await?;
            let places = event.places().len();
            out!(
                "event {} ({}, {places} places) {}",
                event.event_id,
                event.name,
                added(created)
            )?;
        }
        TicketsCommand::Events => list_events(store, now).await?,
        TicketsCommand::EventsKey { out: path } => {
            let key = load_or_create_events_key(&keys_dir(&config.data_dir))?;
            crate::keys::key_file::write_public_key(&path, key.verifying_key())?;
            out!("the events key's public half: {}", path.display())?;
        }
        TicketsCommand::Draw {
            game,
            date,
            numbers,
        } => {
            let date = Date::parse(&date)?;
            let report = enter_draw_result(store, &game, date, &numbers, now).await?;
            let shown: Vec<String> = numbers.iter().map(u8::to_string).collect();
            let entered = if report.newly_entered {
                "entered"
            } else {
                "was entered already"
            };
            out!(
                "{game} draw of {date}: {} {entered}; {} tickets ({} cancelled), {} winning, prizes {}",
                shown.join(","),
                report.tickets,
                report.cancelled,
                report.winning,
                Money::from_mills(report.prizes_mills)
            )?;
        }
    }
    Ok(())
}

fn read(file: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

fn added(created: bool) -> &'static str {
    if created {
        "added"
    } else {
        "exists already, unchanged"
    }
}

async fn list_games(store: &VendorStore, now: i64) -> anyhow::Result<()> {
    for game in store.lottery_games().await? {
        let next = game.schedule.open_draws(now, 1).first().map(ticket_draw);
        out!("{}", game_line(&game, next.as_ref()))?;
    }
    Ok(())
}

async fn list_events(store: &VendorStore, now: i64) -> anyhow::Result<()> {
    for (event, available) in store.events(now).await? {
        let zone = crate::local_time::LocalTime::from_setting(&event.time_zone)?;
        out!(
            "{}  {}  {}  {}  {available} of {} places on sale",
            event.event_id,
            event.name,
            event.venue,
            zone.date_time_text(event.starts_unix_ms),
            event.places().len()
        )?;
    }
    Ok(())
}
