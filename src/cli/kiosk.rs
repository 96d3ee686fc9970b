//! `postcounter` / `postcounter kiosk`: the counter screen, run in this process or by the
//! release launcher.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::open_station;
use super::piece_args::load_rates;
use crate::config::Config;
use crate::kiosk::app::{KioskOptions, run as run_counter};
use crate::kiosk::state::{Leave, Mode};
use crate::release::launcher::{SWITCH_EXIT, UNHEALTHY_EXIT, supervise};

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

/// Runs the counter screen in this process, or hands it to the launcher when a newer
/// release is current or waiting (see [`crate::release`]). A counter the launcher runs tells
/// it by its exit code why it left; one that is not becomes the launcher when it leaves.
pub fn run(
    config: Config,
    args: KioskArgs,
    runtime: tokio::runtime::Runtime,
) -> anyhow::Result<ExitCode> {
    // Said before anything opens: a script or a service without a terminal gets a sentence
    // and the way to sell without the screen, not "No such device or address".
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        anyhow::bail!(
            "the counter screen needs a terminal, and this process has none (its input or output is a pipe or a file): run postcounter in a terminal, or sell without the screen with `postcounter sell --weight 2oz --to 90210` (see `postcounter sell --help`)"
        );
    }
    let data_dir = config.data_dir.clone();
    let health_check = Duration::from_secs(config.updates.health_check_s);
    let supervised = crate::release::supervised();
    let now = crate::clock::Clock::system().now_unix_ms();
    if !supervised && crate::release::launch_needed(&data_dir, now)? {
        drop(runtime);
        return launch(&data_dir, health_check);
    }
    if supervised {
        crate::release::beat_while_starting(data_dir.clone(), health_check);
    }
    let left = runtime.block_on(run_screen(config, args))?;
    // Every task, store and device of this counter is closed before another one runs.
    drop(runtime);
    match (left, supervised) {
        (None | Some(Leave::LauncherGone), _) => Ok(ExitCode::SUCCESS),
        (Some(Leave::Switch), true) => Ok(ExitCode::from(SWITCH_EXIT)),
        (Some(Leave::Unhealthy), true) => Ok(ExitCode::from(UNHEALTHY_EXIT)),
        (Some(_), false) => launch(&data_dir, health_check),
    }
}

/// This process becomes the launcher, running the counter screen with its own arguments.
fn launch(data_dir: &Path, health_check: Duration) -> anyhow::Result<ExitCode> {
    crate::log_file::start(data_dir, log::LevelFilter::Info)?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let ended = supervise(data_dir, health_check, &args)?;
    if let Some(failure) = ended.failure {
        eprintln!(
            "postcounter: the counter {}",
            super::terminal_safe(&failure)
        );
    }
    Ok(ExitCode::from(ended.code))
}

async fn run_screen(config: Config, args: KioskArgs) -> anyhow::Result<Option<Leave>> {
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
    run_counter(station, rates, options).await
}
