//! The command line: parse, load the config, run one subcommand.
//!
//! Every subcommand returns `anyhow::Result` (this is the binary's edge); errors print as one
//! line on stderr with a non-zero exit.

mod account;
mod admin;
mod admin_accounts;
mod admin_keys;
mod admin_mail_scans;
mod admin_tickets;
mod admin_updates;
mod events;
mod gate;
mod keys;
mod kiosk;
mod lottery;
mod output;
mod piece_args;
mod psd;
mod psd_contacts;
mod quote;
mod sell;
mod sell_checks;
mod simulate;
mod updates;
mod vendor;
mod verify;

use output::out;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::station::Station;

#[derive(Parser, Debug)]
#[command(
    name = "postcounter",
    version,
    about = "A terminal postage counter: rates, a durable PSD, signed indicia printed over ESC/POS, and verification"
)]
pub struct Cli {
    /// A config file layered over the defaults, /etc/postcounter and ./postcounter.toml.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where keys, the PSD ledger and printed jobs live (default ~/.local/share/postcounter).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Without a subcommand: the counter screen (`kiosk`).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The counter screen (the default): weigh, rate, pay, print.
    Kiosk(kiosk::KioskArgs),
    /// Sell postage without the counter screen: quote, issue, print label and receipt.
    Sell(sell::SellArgs),
    /// Show every product that can carry a piece, with prices and the reasons others can't.
    Quote(quote::QuoteArgs),
    /// Void an unused indicium by the serial printed on its label (e.g. 20000001-0000012),
    /// whichever central PSD issued it, within the data centre's void window: the refund goes
    /// back once. Pieces the embedded PSD issued offline are not voided at a counter.
    Void {
        /// The serial on the label: PSD, a dash, the piece.
        serial: String,
    },
    /// Lottery tickets: sell, cancel, reprint, pay a winning ticket, look one up.
    #[command(subcommand)]
    Lottery(lottery::LotteryCommand),
    /// Event tickets: events, seat maps, sales and refunds.
    #[command(subcommand)]
    Event(events::EventCommand),
    /// A gate at an event: scan tickets (offline too), sync the queue.
    #[command(subcommand)]
    Gate(gate::GateCommand),
    /// Check an indicium from a PNG image, an ESC/POS capture, or raw bytes (hex or binary).
    Verify(verify::VerifyArgs),
    /// Keys and certificates.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// The embedded PSD: registers, refills, voids, audit.
    #[command(subcommand)]
    Psd(psd::PsdCommand),
    /// Software and rate updates from the data centre's repository.
    #[command(subcommand)]
    Updates(updates::UpdatesCommand),
    /// Prepaid postage accounts: open, credit, show.
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// The supervisor PIN that opens the counter's supervisor screen.
    #[command(subcommand)]
    Pin(account::PinCommand),
    /// The postage vendor system: serve its HTTP API.
    #[command(subcommand)]
    Vendor(vendor::VendorCommand),
    /// Administer the vendor: accounts, PSDs, counters, processing servers, label stock.
    Admin(admin::AdminArgs),
    /// Drive a vendor on loopback with many simulated counters: throughput, latency, ceiling.
    Loadtest(crate::measure::loadtest::LoadtestArgs),
    /// Measure issuance throughput and latency, stage by stage.
    Bench(crate::measure::bench::BenchArgs),
    /// Measure the counter screen: render time per screen, start-up, keypress to frame, memory.
    BenchTui(crate::measure::tui_bench::TuiBenchArgs),
    /// Simulated devices for trying the counter without hardware: a printer, a scale.
    #[command(subcommand)]
    Simulate(simulate::SimulateCommand),
}

/// Runs the command line and maps any error to a one-line message and exit code 1.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version: clap's own text, which holds no input.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // An argument error quotes what was typed: its control characters (an escape
            // sequence that would retitle or clear the terminal) never reach the terminal.
            let text = error.render().to_string();
            let safe: Vec<String> = text.lines().map(terminal_safe).collect();
            eprintln!("{}", safe.join("\n").trim_end());
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("postcounter: {}", terminal_safe(&format!("{error:#}")));
            // A reader that went away ends the command as it ends other tools (141, the
            // shell's code for SIGPIPE); the message says what was not written.
            let closed_pipe = error
                .chain()
                .filter_map(|cause| cause.downcast_ref::<output::OutputError>())
                .any(|output| output.kind() == std::io::ErrorKind::BrokenPipe);
            if closed_pipe {
                ExitCode::from(141)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = Vec::new();
    if let Some(dir) = &cli.data_dir {
        overrides.push(("data_dir", dir.display().to_string()));
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cli
        .command
        .unwrap_or(Command::Kiosk(kiosk::KioskArgs::default()))
    {
        Command::Kiosk(args) => kiosk::run(config, args, runtime),
        Command::Sell(args) => runtime.block_on(sell::run(config, args)),
        Command::Quote(args) => quote::run(&config, &args),
        Command::Void { serial } => runtime.block_on(psd::void(config, &serial)),
        Command::Verify(args) => verify::run(&config, &args),
        Command::Lottery(command) => runtime.block_on(lottery::run(config, command)),
        Command::Event(command) => runtime.block_on(events::run(config, command)),
        Command::Gate(command) => runtime.block_on(gate::run(config, command)),
        Command::Keys(command) => runtime.block_on(keys::run(config, command)),
        Command::Psd(command) => runtime.block_on(psd::run(config, command)),
        Command::Updates(command) => runtime.block_on(updates::run(config, command)),
        Command::Account(command) => runtime.block_on(account::run(config, command)),
        Command::Pin(command) => account::run_pin(&config, command),
        Command::Vendor(command) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(vendor::run(config, command)),
        Command::Admin(args) => runtime.block_on(admin::run(config, args)),
        Command::Loadtest(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(crate::measure::loadtest::run(args)),
        Command::Bench(args) => runtime.block_on(crate::measure::bench::run(config, args)),
        Command::Simulate(command) => simulate::run(command),
        Command::BenchTui(args) => {
            out!(
                "{}",
                crate::measure::tui_bench::run(&args, &std::env::current_exe()?)?
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens the station with its link, printing what a first run created to stderr.
async fn open_station(config: Config) -> anyhow::Result<Station> {
    print_notes(Station::open(config).await?)
}

/// Opens the embedded PSD and keys only (no vendor), printing what a first run created.
async fn open_local_station(config: Config) -> anyhow::Result<Station> {
    print_notes(Station::open_local(config).await?)
}

fn print_notes(station: Station) -> anyhow::Result<Station> {
    for note in &station.notes {
        eprintln!("{note}");
    }
    Ok(station)
}

/// A request id (idempotency key) given on the command line, checked before anything is
/// sent: it travels in a header and is kept in the ledger.
fn request_id(text: &str) -> Result<String, String> {
    if text.len() <= 100 && crate::link::client::is_request_id(text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "{:?} is not a request id: {}",
            text,
            crate::link::client::REQUEST_ID_RULE
        ))
    }
}

/// Text for the terminal with every control character replaced: a file name or a value
/// from outside must not be able to move the cursor or change the terminal's state.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
