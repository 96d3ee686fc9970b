//! `postcounter admin` for accounts and counters, on the data centre's machine: every counter
//! with its status, location, last contact, PSDs and reconciliation state; an account's
//! statement (every movement of its balance, and what each PSD issued, voided and reported),
//! checked against the balance; and locks on PSDs, each with its reason.

use super::output::out;
use std::process::ExitCode;

use clap::Subcommand;

use crate::clock::format_unix_ms;
use crate::vendor_system::store::VendorStore;
use crate::vendor_system::store::statement::{CounterSummary, Statement};

#[derive(Subcommand, Debug)]
pub enum AccountsCommand {
    /// List the counters (of one account with --account): status, location, last contact,
    /// embedded PSD and reconciliation state.
    CounterList {
        #[arg(long)]
        account: Option<String>,
    },
    /// An account's statement: credits, card payments and refunds, refills, top-ups, and what
    /// each of its PSDs issued, voided and reported offline, against its balance.
    AccountStatement { account: String },
    /// Lock a PSD (central, or a counter's embedded PSD) with a reason: a locked central PSD
    /// issues nothing; a locked embedded PSD takes no refill and its counter no offline lease.
    PsdLock {
        psd_id: u32,
        #[arg(long)]
        reason: String,
    },
}

pub async fn run(store: &VendorStore, command: AccountsCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountsCommand::CounterList { account } => {
            let counters = store.counter_summaries(account.as_deref()).await?;
            if counters.is_empty() {
                out!("no counters")?;
            }
            for counter in &counters {
                out!("{}", counter_line(counter))?;
            }
        }
        AccountsCommand::AccountStatement { account } => {
            let statement = store.statement(&account).await?;
            print_statement(&statement)?;
            if statement.lines_total() != statement.balance {
                return Ok(ExitCode::FAILURE);
            }
        }
        AccountsCommand::PsdLock { psd_id, reason } => {
            if reason.trim().is_empty() {
                anyhow::bail!(
                    "a lock needs a reason (--reason TEXT): it is shown wherever the PSD is refused"
                );
            }
            let central = store.set_psd_lock(psd_id, Some(&reason)).await;
            match central {
                Ok(()) => out!("central PSD {psd_id} locked: {reason}")?,
                Err(_) => {
                    store.set_embedded_lock(psd_id, Some(&reason)).await?;
                    out!(
                        "embedded PSD {psd_id} locked: {reason} (no refills; its counter gets no offline lease from its next contact)"
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn counter_line(counter: &CounterSummary) -> String {
    let status = match &counter.status_reason {
        Some(reason) if counter.status != "active" => format!("{} ({reason})", counter.status),
        _ => counter.status.clone(),
    };
    let embedded = match &counter.embedded_psd {
        Some((id, status, Some(lock))) => format!("embedded PSD {id} {status}, LOCKED: {lock}"),
        Some((id, status, None)) => format!("embedded PSD {id} {status}"),
        None => "no embedded PSD yet".into(),
    };
    let reconciled = match counter.reconciled {
        Some((serial, at)) => format!("reconciled through {serial} at {}", format_unix_ms(at)),
        None => "never reconciled".into(),
    };
    let zip = if counter.location_zip.is_empty() {
        "no location"
    } else {
        counter.location_zip.as_str()
    };
    format!(
        "{}  {:<16} account {}  {status}  ZIP {zip}  last contact {}  {embedded}  {reconciled}",
        counter.counter_id,
        crate::cli::terminal_safe(&counter.name),
        counter.account_id,
        format_unix_ms(counter.last_contact_unix_ms),
    )
}

fn print_statement(statement: &Statement) -> Result<(), super::output::OutputError> {
    out!(
        "account {} ({})",
        statement.account_id,
        crate::cli::terminal_safe(&statement.name)
    )?;
    let mut running = 0i64;
    for line in &statement.lines {
        running += line.amount.mills();
        let psd = line
            .psd_id
            .map(|id| format!(" PSD {id}"))
            .unwrap_or_default();
        out!(
            "  {}  {:<16} {:>12}  balance {:>12}  {}{psd}",
            format_unix_ms(line.created_unix_ms),
            line.kind,
            line.amount.to_string(),
            crate::money::Money::from_mills(running).to_string(),
            crate::cli::terminal_safe(&line.entry_id),
        )?;
    }
    for psd in &statement.psds {
        if psd.embedded {
            out!(
                "  embedded PSD {}: {} offline pieces reported, {}",
                psd.psd_id,
                psd.pieces,
                psd.postage
            )?;
        } else {
            out!(
                "  central PSD {}: {} pieces issued, {}; {} voided, {}",
                psd.psd_id,
                psd.pieces,
                psd.postage,
                psd.voided,
                psd.voided_postage
            )?;
        }
    }
    for exception in &statement.label_exceptions {
        out!(
            "  label exception: piece {}-{:07} on {}: {}",
            exception.psd_id,
            exception.piece_serial,
            crate::cli::terminal_safe(&exception.label_serial),
            crate::cli::terminal_safe(&exception.reason)
        )?;
    }
    let total = statement.lines_total();
    if total == statement.balance {
        out!("balance {} (the entries add up to it)", statement.balance)?;
    } else {
        out!(
            "balance {} DOES NOT MATCH the entries, which add up to {}",
            statement.balance,
            total
        )?;
    }
    Ok(())
}
