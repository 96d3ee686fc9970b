//! `postcounter psd ...`: the embedded PSD's registers, refills, voids and audit.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::open_local_station;
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum PsdCommand {
    /// Show the registers, the lock state and the certificate.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Add funds; the id makes a retried refill apply once.
    Refill {
        #[arg(long)]
        amount: crate::money::Money,
        #[arg(long)]
        id: String,
    },
    /// Void an unused indicium (by piece serial) within the void window after its issue;
    /// refunds once.
    Void { piece_serial: u32 },
    /// Re-derive the registers from the ledger entries; a mismatch locks the PSD.
    Audit,
}

pub async fn run(config: Config, command: PsdCommand) -> anyhow::Result<ExitCode> {
    let window_days = config.void_window_days;
    let station = open_local_station(config).await?;
    let psd = &station.psd;
    match command {
        PsdCommand::Show { json } => {
            let state = psd.state().await?;
            let r = state.registers;
            let certificate = psd.certificate();
            if json {
                let value = json!({
                    "device_id": state.device_id,
                    "license_number": state.license_number,
                    "certificate_serial": certificate.serial,
                    "ascending_mills": r.ascending.mills(),
                    "descending_mills": r.descending.mills(),
                    "control_total_mills": r.control_total.mills(),
                    "piece_count": r.piece_count,
                    "locked_reason": state.locked_reason,
                    "ledger": psd.ledger().path(),
                });
                println!("{value}");
            } else {
                println!(
                    "PSD {:08}  license {}  certificate {} (valid {} to {})",
                    state.device_id,
                    state.license_number,
                    certificate.serial,
                    certificate.valid_from,
                    certificate.valid_until
                );
                println!("  ascending register   {:>14}", r.ascending.to_string());
                println!("  descending register  {:>14}", r.descending.to_string());
                println!("  control total        {:>14}", r.control_total.to_string());
                println!("  pieces               {:>14}", r.piece_count);
                println!(
                    "  state                {}",
                    state
                        .locked_reason
                        .map(|reason| format!("LOCKED: {reason}"))
                        .unwrap_or_else(|| "ready".into())
                );
                println!("  ledger               {}", psd.ledger().path());
            }
        }
        PsdCommand::Refill { amount, id } => {
            let outcome = psd.refill(&id, amount).await?;
            let again = if outcome.replayed {
                " (already applied: nothing added)"
            } else {
                ""
            };
            println!(
                "refill {id:?} of {amount}{again}; descending register {}",
                outcome.registers.descending
            );
        }
        PsdCommand::Void { piece_serial } => {
            let outcome = psd.void(piece_serial, window_days).await?;
            let again = if outcome.replayed {
                " (already voided: nothing refunded again)"
            } else {
                ""
            };
            println!(
                "voided piece {piece_serial}: {} back to the descending register{again}",
                outcome.refunded
            );
        }
        PsdCommand::Audit => {
            let audit = psd.audit().await?;
            if audit.discrepancies.is_empty() {
                println!(
                    "audit ok: {} pieces, ascending {}, control total {}",
                    audit.derived_piece_count, audit.derived_ascending, audit.derived_control_total
                );
            } else {
                println!("audit FAILED, PSD locked:");
                for discrepancy in &audit.discrepancies {
                    println!("  {discrepancy}");
                }
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
