//! `postcounter updates check`: the station's update check on demand, as its monitor runs
//! it when the data centre's agenda says the repository has something newer: the repository
//! verified (TUF) against the root the station trusts, its rate files installed and a newer
//! release staged; and the station's releases: their status, and a supervisor's
//! postponement of the one waiting.

use super::output::out;
use std::process::ExitCode;

use clap::Subcommand;

use super::terminal_safe;
use crate::config::Config;
use crate::release::{ReleaseVersion, store, this_platform};
use crate::station::Station;

#[derive(Subcommand, Debug)]
pub enum UpdatesCommand {
    /// Check the data centre's update repository now: install its rate files, and stage a
    /// newer release of the counter for a quiet moment.
    Check,
    /// The counter's releases: which runs, which waits, which is on trial, which failed.
    Status,
    /// Put off switching to the waiting release (a supervisor's decision, a bounded number of
    /// times: updates.postpone_max, each by updates.postpone_minutes).
    Postpone,
}

pub async fn run(config: Config, command: UpdatesCommand) -> anyhow::Result<ExitCode> {
    match command {
        UpdatesCommand::Check => check(config).await,
        UpdatesCommand::Status => status(&config),
        UpdatesCommand::Postpone => postpone(&config),
    }
}

async fn check(config: Config) -> anyhow::Result<ExitCode> {
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

fn status(config: &Config) -> anyhow::Result<ExitCode> {
    let releases = store::read(&config.data_dir)?;
    let installed = ReleaseVersion::of_this_build();
    let text = |version: Option<ReleaseVersion>| {
        version.map_or("the installed build".to_string(), |v| {
            format!("release {v}")
        })
    };
    out!("installed build  {installed} for {}", this_platform())?;
    out!(
        "runs             {}",
        text(releases.release_to_run(installed))
    )?;
    if let Some(previous) = releases.previous {
        out!("rolls back to    release {previous}")?;
    }
    if let Some(trial) = &releases.trial {
        out!(
            "on trial         release {} until {}",
            trial.version,
            crate::clock::format_unix_ms(trial.deadline_unix_ms)
        )?;
    }
    if let Some(staged) = releases.staged {
        out!("waiting          release {staged}, for a quiet moment")?;
    }
    if let Some(postponed) = &releases.postponed {
        out!(
            "postponed        release {} {}",
            postponed.version,
            crate::release::postponement_text(postponed, config.updates.postpone_max)
        )?;
    }
    if let Some(failed) = crate::link::updates::progress::failed_release(&config.data_dir) {
        out!(
            "download failed  release {} {} time(s), last: {}; tried again from {}",
            terminal_safe(&failed.version),
            failed.failures,
            terminal_safe(&failed.reason),
            crate::clock::format_unix_ms(failed.next_try_unix_ms)
        )?;
    }
    for refusal in &releases.refused {
        out!(
            "rolled back      release {} at {}: it {}",
            refusal.version,
            crate::clock::format_unix_ms(refusal.at_unix_ms),
            terminal_safe(&refusal.reason)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn postpone(config: &Config) -> anyhow::Result<ExitCode> {
    let now = crate::clock::Clock::system().now_unix_ms();
    let postponed = crate::release::postpone(&config.data_dir, &config.updates, now)?;
    out!(
        "release {} postponed {}",
        postponed.version,
        crate::release::postponement_text(&postponed, config.updates.postpone_max)
    )?;
    Ok(ExitCode::SUCCESS)
}
