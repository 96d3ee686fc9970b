//! Device simulators for trying the counter without hardware: a network ESC/POS printer,
//! serial scales and a telephone line with two modems, the same simulators the tests drive, speaking the real protocols. Each
//! takes commands on stdin, one per line, so a person (or a script) can run a printer out of
//! paper or put a parcel on a scale while a counter uses it.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use super::output::out;
use crate::modem::simulator::{LineSettings, PhoneLine};
use crate::print::simulator::RecordingPrinter;
use crate::print::status::PrinterStatus;
use crate::scale::nci::NciSimulator;
use crate::scale::sics::SicsSimulator;
use crate::weight::Weight;

#[derive(Subcommand, Debug)]
pub enum SimulateCommand {
    /// A raw-port ESC/POS printer on TCP that answers DLE EOT status and counts its jobs.
    /// Commands on stdin: ready, paper-out, near-end, cover-open, quit.
    Printer {
        /// Where to listen; point a counter at it with transport = "tcp:ADDRESS".
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: String,
    },
    /// A serial scale on a pseudo-terminal; point a counter's scale.device at the path it
    /// prints. Commands on stdin: load WEIGHT (e.g. load 15lb), moving, still, quit.
    Scale {
        #[arg(long, value_enum, default_value = "nci")]
        protocol: ScaleProtocol,
    },
    /// A telephone line with a Hayes modem at each end, on two pseudo-terminals: point a
    /// counter's link.modem.device at the station's path and `vendor serve --modem` at the
    /// data centre's. Commands on stdin: busy [N], no-carrier [N], no-dialtone [N], drop,
    /// quit.
    Modem {
        /// The data centre's number on this line.
        #[arg(long, default_value = "5550100")]
        number: String,
        /// The line rate, in bit/s.
        #[arg(long, default_value_t = 33_600)]
        rate: u32,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScaleProtocol {
    /// Avery Weigh-Tronix NCI (scale.kind = "nci").
    Nci,
    /// Mettler Toledo MT-SICS (scale.kind = "mt-sics").
    MtSics,
}

pub fn run(command: SimulateCommand) -> anyhow::Result<ExitCode> {
    match command {
        SimulateCommand::Printer { listen } => printer(&listen),
        SimulateCommand::Scale { protocol } => scale(protocol),
        SimulateCommand::Modem { number, rate } => modem(number, rate),
    }
}

fn modem(number: String, rate_bps: u32) -> anyhow::Result<ExitCode> {
    let line = PhoneLine::start(LineSettings {
        number: number.clone(),
        rate_bps,
        ..LineSettings::default()
    })
    .context("cannot open pseudo-terminals for the line")?;
    out!(
        "phone line {number} at {rate_bps} bit/s: station modem {} (link.modem.device), data centre modem {} (vendor serve --modem)",
        line.station_path,
        line.centre_path
    )?;
    for command in commands() {
        let mut words = command.split_whitespace();
        let name = words.next().unwrap_or("");
        let count: u32 = words.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        match name {
            "busy" => line.arm(|faults| faults.busy += count),
            "no-carrier" => line.arm(|faults| faults.no_carrier += count),
            "no-dialtone" => line.arm(|faults| faults.no_dialtone += count),
            "drop" => line.arm(|faults| faults.drop_call = true),
            "quit" => return Ok(ExitCode::SUCCESS),
            _ => {
                out!(
                    "{command:?} is not a command: busy [N], no-carrier [N], no-dialtone [N], drop, quit"
                )?;
                continue;
            }
        }
        out!("armed: {command}")?;
    }
    serve_until_killed()
}

fn printer(listen: &str) -> anyhow::Result<ExitCode> {
    let printer = Arc::new(
        RecordingPrinter::start_on(listen)
            .with_context(|| format!("cannot listen on {listen:?}"))?,
    );
    let address = printer.address();
    out!("printer listening on {address} (transport = \"tcp:{address}\")")?;
    let reporter = Arc::clone(&printer);
    std::thread::spawn(move || {
        let mut reported = 0;
        loop {
            let jobs = reporter.wait_for_jobs(reported + 1, 60_000);
            for (number, job) in jobs.iter().enumerate().skip(reported) {
                if out!("job {}: {} bytes", number + 1, job.len()).is_err() {
                    return;
                }
            }
            reported = jobs.len();
        }
    });
    for line in commands() {
        let status = match line.as_str() {
            "ready" => PrinterStatus::default(),
            "paper-out" => PrinterStatus {
                paper_out: true,
                offline: true,
                ..PrinterStatus::default()
            },
            "near-end" => PrinterStatus {
                paper_near_end: true,
                ..PrinterStatus::default()
            },
            "cover-open" => PrinterStatus {
                cover_open: true,
                offline: true,
                ..PrinterStatus::default()
            },
            "quit" => return Ok(ExitCode::SUCCESS),
            other => {
                out!("{other:?} is not a command: ready, paper-out, near-end, cover-open, quit")?;
                continue;
            }
        };
        printer.set_status(status);
        out!("status: {line}")?;
    }
    serve_until_killed()
}

/// A running scale simulator of either protocol.
enum SimulatedScale {
    Nci(NciSimulator),
    MtSics(SicsSimulator),
}

impl SimulatedScale {
    fn path(&self) -> &str {
        match self {
            SimulatedScale::Nci(scale) => scale.path(),
            SimulatedScale::MtSics(scale) => scale.path(),
        }
    }

    fn set_load(&self, load: Weight) {
        match self {
            SimulatedScale::Nci(scale) => scale.handle().set_load(load),
            SimulatedScale::MtSics(scale) => scale.handle().set_load(load),
        }
    }

    fn set_motion(&self, moving: bool) {
        match self {
            SimulatedScale::Nci(scale) => scale.handle().set_motion(moving),
            SimulatedScale::MtSics(scale) => scale.handle().set_motion(moving),
        }
    }
}

fn scale(protocol: ScaleProtocol) -> anyhow::Result<ExitCode> {
    let opened = match protocol {
        ScaleProtocol::Nci => NciSimulator::start().map(SimulatedScale::Nci),
        ScaleProtocol::MtSics => SicsSimulator::start().map(SimulatedScale::MtSics),
    };
    let scale = opened.context("cannot open a pseudo-terminal for the scale")?;
    let kind = match protocol {
        ScaleProtocol::Nci => "nci",
        ScaleProtocol::MtSics => "mt-sics",
    };
    out!(
        "scale on {} (scale.kind = \"{kind}\", scale.device = \"{}\")",
        scale.path(),
        scale.path()
    )?;
    for line in commands() {
        match line.split_once(' ') {
            Some(("load", weight)) => match Weight::parse(weight) {
                Ok(weight) => {
                    scale.set_load(weight);
                    out!("load: {weight}")?;
                }
                Err(error) => out!("{error}")?,
            },
            _ if line == "moving" || line == "still" => {
                scale.set_motion(line == "moving");
                out!("{line}")?;
            }
            _ if line == "quit" => return Ok(ExitCode::SUCCESS),
            _ => out!("{line:?} is not a command: load WEIGHT, moving, still, quit")?,
        }
    }
    serve_until_killed()
}

/// Lines of stdin, trimmed, empty ones skipped, until stdin closes.
fn commands() -> impl Iterator<Item = String> {
    std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
}

/// With stdin closed (run in the background), the device goes on until the process is
/// ended.
fn serve_until_killed() -> anyhow::Result<ExitCode> {
    loop {
        std::thread::park();
    }
}
