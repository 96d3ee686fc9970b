//! `postcounter updates check`: the station's update check on demand, as its monitor runs
//! it when the data centre's agenda says the repository has something newer: the repository
//! verified (TUF) against the root the station trusts, and its rate files installed.

use super::output::out;
use std::process::ExitCode;

use clap::Subcommand;

use super::terminal_safe;
use crate::config::Config;
use crate::station::Station;

#[derive(Subcommand, Debug)]
pub enum UpdatesCommand {
    /// Check the data centre's update repository now and install its rate files.
    Check,
}

pub async fn run(config: Config, command: UpdatesCommand) -> anyhow::Result<ExitCode> {
    let UpdatesCommand::Check = command;
    let station = Station::open(config).await?;
    let link = station
        .link
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("this counter has no link to a data centre"))?;
    let started = std::time::Instant::now();
    let report = link.check_updates(None).await?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    out!("{}", terminal_safe(&report.summary()))?;
    out!(
        "  checked in {elapsed_ms:.1} ms: {} files asked for, {} bytes of bodies",
        report.requests,
        report.body_bytes
    )?;
    for (file, effective) in &report.rates_listed {
        out!("  rates    {}  from {effective}", terminal_safe(file))?;
    }
    for (version, platform) in &report.releases {
        out!(
            "  release  {} for {}",
            terminal_safe(version),
            terminal_safe(platform)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
