//! `postcounter gate ...`: a station at an event's entrance. `gate scan` reads a ticket (its
//! code, or a PNG, ESC/POS capture or text file of it), checks its signature and the
//! revocation list offline, then redeems it against the data centre's central record: a copy
//! is refused with the first entry's gate and time. With the data centre out of reach the
//! scan is queued (shown as QUEUED, not ADMITTED); `gate sync` sends the queue and reports
//! the tickets another gate admitted first.

use super::output::out;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use sha2::{Digest, Sha256};

use super::events::read_event_code;
use super::open_station;
use crate::config::Config;
use crate::gate::Gate;
use crate::link::{CounterLink, LinkErrorKind};
use crate::protocol::events::{EntryResult, GateScan};

/// Exit code of a scan refused (forged, revoked, a copy): distinct from a failure to run.
const REFUSED: u8 = 3;
/// The most scans sent in one request.
const SYNC_BATCH: usize = 500;

#[derive(Subcommand, Debug)]
pub enum GateCommand {
    /// Check and redeem a ticket: its code (PCE1:...), or a PNG, ESC/POS capture or text file.
    Scan {
        ticket: String,
        /// The event this gate admits to: a ticket for another is refused.
        #[arg(long)]
        event: String,
        /// This gate's name, as the central record keeps it.
        #[arg(long, default_value = "main")]
        gate: String,
    },
    /// Send the scans queued while offline; report the duplicates.
    Sync,
    /// Fetch the events key and revocation list now; show the queue.
    Status,
}

pub async fn run(config: Config, command: GateCommand) -> anyhow::Result<ExitCode> {
    let data_dir = config.data_dir.clone();
    let station = open_station(config).await?;
    let link = station
        .link
        .as_ref()
        .context("a gate needs its data centre once: this station has no link")?;
    let gate = Gate::open(&data_dir)?;
    match command {
        GateCommand::Scan {
            ticket,
            event,
            gate: name,
        } => scan(&gate, link, &ticket, (&event, &name)).await,
        GateCommand::Sync => sync(&gate, link).await,
        GateCommand::Status => {
            refresh_keys(&gate, link).await?;
            let keys = gate.keys()?;
            match keys {
                Some(keys) => out!(
                    "events key {}, {} revoked tickets, as of {}",
                    keys.key.get(..16).unwrap_or(&keys.key),
                    keys.revoked.len(),
                    crate::clock::format_unix_ms(keys.as_of_unix_ms)
                )?,
                None => out!("no events key yet: the data centre was not reached")?,
            }
            out!("{} scans queued", gate.queued()?.len())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Fetches the key and list when the data centre answers; keeps the last ones when not.
async fn refresh_keys(gate: &Gate, link: &CounterLink) -> anyhow::Result<bool> {
    match link.revocations().await {
        Ok(keys) => {
            gate.save_keys(&keys)?;
            Ok(true)
        }
        Err(error) if error.kind() == LinkErrorKind::Unreachable => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// The key of a batch of scans: their digest, so the same batch sent again after a lost
/// answer is answered the same.
fn batch_id(scans: &[GateScan]) -> anyhow::Result<String> {
    let text = serde_json::to_vec(scans)?;
    Ok(format!(
        "gate-{}",
        crate::hex::encode(&Sha256::digest(&text)[..16])
    ))
}

fn said(result: &EntryResult) -> String {
    match result.outcome.as_str() {
        "admitted" => format!("ADMITTED  {}", result.message),
        "duplicate" => format!("DUPLICATE  {}", result.message),
        _ => format!("REFUSED  {}", result.message),
    }
}

async fn scan(
    gate: &Gate,
    link: &CounterLink,
    ticket: &str,
    (event, name): (&str, &str),
) -> anyhow::Result<ExitCode> {
    let code = read_event_code(ticket)?;
    let online = refresh_keys(gate, link).await?;
    let fields = match gate.check(gate.keys()?.as_ref(), (&code, event))? {
        Ok(fields) => fields,
        Err(refusal) => {
            out!("REFUSED  {refusal}")?;
            return Ok(ExitCode::from(REFUSED));
        }
    };
    let name: String = super::terminal_safe(name).chars().take(32).collect();
    let scan = GateScan {
        code,
        event: event.to_string(),
        gate: name,
        scanned_unix_ms: crate::clock::Clock::system().now_unix_ms(),
    };
    let answer = if online {
        link.redeem(
            &batch_id(std::slice::from_ref(&scan))?,
            std::slice::from_ref(&scan),
        )
        .await
    } else {
        Err(crate::link::LinkError::Unreachable {
            detail: "the events key could not be fetched".into(),
            maybe_delivered: false,
        })
    };
    match answer {
        Ok(answer) => {
            let result = answer
                .results
                .first()
                .context("the data centre answered no result for the scan")?;
            out!("{}", said(result))?;
            Ok(if result.outcome == "admitted" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(REFUSED)
            })
        }
        Err(error) if error.kind() == LinkErrorKind::Unreachable => {
            gate.queue(&scan)?;
            out!(
                "QUEUED  ticket {} ({} {}): signature valid, not revoked; the data centre is out of reach, so it is redeemed at the next `gate sync`",
                fields.ticket_id,
                fields.event_id,
                fields.seat
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Err(error.into()),
    }
}

async fn sync(gate: &Gate, link: &CounterLink) -> anyhow::Result<ExitCode> {
    let Some(_sync) = gate.try_sync_lock()? else {
        anyhow::bail!("another `gate sync` is running on this station: let it finish");
    };
    let queued = gate.queued()?;
    let mut duplicates = 0;
    for batch in queued.chunks(SYNC_BATCH) {
        let answer = link.redeem(&batch_id(batch)?, batch).await?;
        for result in &answer.results {
            duplicates += usize::from(result.outcome != "admitted");
            out!("{}", said(result))?;
        }
        gate.forget_first(batch.len())?;
    }
    refresh_keys(gate, link).await?;
    out!(
        "{} queued scans sent, {duplicates} not admitted centrally",
        queued.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
