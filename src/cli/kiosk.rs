//! `postcounter` / `postcounter kiosk`: the counter screen.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::open_station;
use super::piece_args::load_rates;
use crate::config::Config;
use crate::kiosk::app::{KioskOptions, run as run_counter};
use crate::kiosk::state::Mode;

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum ModeArg {
    /// Clerk wording and shortcuts.
    #[default]
    Counter,
    /// Customer wording, larger text, supervisor only by PIN.
    Kiosk,
}

#[derive(Args, Debug, Default)]
pub struct KioskArgs {
    /// counter (a clerk) or kiosk (self-service).
    #[arg(long, value_enum, default_value_t)]
    mode: ModeArg,
    /// A theme: default-dark, light, high-contrast, or a path to a theme file.
    #[arg(long)]
    theme: Option<String>,
    /// A keymap file (default: the built-in keys).
    #[arg(long, value_name = "FILE")]
    keymap: Option<PathBuf>,
}

pub async fn run(config: Config, args: KioskArgs) -> anyhow::Result<ExitCode> {
    let rates = load_rates(&config)?;
    let station = open_station(config).await?;
    let options = KioskOptions {
        mode: match args.mode {
            ModeArg::Counter => Mode::Counter,
            ModeArg::Kiosk => Mode::Kiosk,
        },
        theme: args.theme,
        keymap: args.keymap,
    };
    run_counter(station, rates, options).await?;
    Ok(ExitCode::SUCCESS)
}
