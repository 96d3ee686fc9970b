//! `postcounter` / `postcounter kiosk`: the counter screen.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::open_station;
use super::piece_args::load_rates;
use crate::config::Config;
use crate::kiosk::app::{KioskOptions, run as run_counter};
use crate::kiosk::state::Mode;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    /// Clerk wording and shortcuts.
    Counter,
    /// Customer wording, a welcome screen, an inactivity timeout, supervisor only by PIN.
    Kiosk,
}

#[derive(Args, Debug, Default)]
pub struct KioskArgs {
    /// counter (a clerk) or kiosk (self-service); default: counter.mode in the config.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// A theme: default-dark, light, high-contrast, or a path to a theme file.
    #[arg(long)]
    theme: Option<String>,
    /// A keymap file (default: the built-in keys).
    #[arg(long, value_name = "FILE")]
    keymap: Option<PathBuf>,
}

pub async fn run(config: Config, args: KioskArgs) -> anyhow::Result<ExitCode> {
    // Said before anything opens: a script or a service without a terminal gets a sentence
    // and the way to sell without the screen, not "No such device or address".
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        anyhow::bail!(
            "the counter screen needs a terminal, and this process has none (its input or output is a pipe or a file): run postcounter in a terminal, or sell without the screen with `postcounter sell --weight 2oz --to 90210` (see `postcounter sell --help`)"
        );
    }
    let mode = match args.mode {
        Some(ModeArg::Counter) => Mode::Counter,
        Some(ModeArg::Kiosk) => Mode::Kiosk,
        None => config.counter.mode,
    };
    let rates = load_rates(&config)?;
    let log_path = crate::log_file::start(&config.data_dir, log::LevelFilter::Info)?;
    let station = open_station(config).await?;
    for note in &station.notes {
        log::info!("{note}");
    }
    log::info!("logging to {}", log_path.display());
    let options = KioskOptions {
        mode,
        theme: args.theme,
        keymap: args.keymap,
    };
    run_counter(station, rates, options).await?;
    Ok(ExitCode::SUCCESS)
}
