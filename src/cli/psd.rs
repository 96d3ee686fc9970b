//! `postcounter psd ...`: the embedded PSD's registers, lease and pending credits, refills
//! (only through the data centre: it charges the account and answers a signed refill
//! authorization the PSD credits once), voids and audit.

use super::output::out;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::open_local_station;
use crate::config::Config;
use crate::indicium::layout::{indicium_serial_text, parse_indicium_serial_text};

#[derive(Subcommand, Debug)]
pub enum PsdCommand {
    /// Show the registers, the lock state and the certificate.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Refill from the counter's account through the data centre; the id makes a retried
    /// refill credit once (default: a new id).
    Refill {
        #[arg(long)]
        amount: crate::money::Money,
        #[arg(long, value_parser = super::request_id)]
        id: Option<String>,
    },
    /// Retire the embedded PSD for good and give its descending register back to the
    /// account (every piece is reported first); needs --retire.
    Withdraw {
        #[arg(long)]
        retire: bool,
    },
    /// Contact the data centre now: settle purchases in doubt, report offline pieces, ask
    /// again for pending credits, renew the certificate if due, and keep the new offline lease.
    Reconcile,
    /// Void an unused indicium bought from the data centre, by the serial on its label
    /// (e.g. 20000001-0000012), within the data centre's void window; refunds once to its
    /// PSD. Pieces the embedded PSD issued offline are not voided at the counter.
    Void { serial: String },
    /// Re-derive the registers from the ledger entries; a mismatch locks the PSD.
    Audit,
    /// The contact log: each agenda the data centre signed for this station (checked) and
    /// what became of each item; a broken hash chain is refused.
    Contacts {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, command: PsdCommand) -> anyhow::Result<ExitCode> {
    match command {
        PsdCommand::Refill { amount, id } => return refill(config, amount, id).await,
        PsdCommand::Reconcile => return reconcile(config).await,
        PsdCommand::Withdraw { retire } => return withdraw(config, retire).await,
        PsdCommand::Void { serial } => return void(config, &serial).await,
        _ => {}
    }
    let keyring = crate::psd::Keyring::open(&config.data_dir)?;
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
                    "lease_not_after_unix_ms": psd.ledger().lease(state.device_id).await?.map(|l| l.not_after_unix_ms),
                    "pending_credit_mills": psd.ledger().pending_credits(state.device_id).await?.iter().map(|c| c.amount.mills()).sum::<i64>(),
                });
                out!("{value}")?;
            } else {
                let revoked = keyring
                    .revoked_from(&certificate)?
                    .map(|from| format!(", REVOKED from {from}: a new key at the next contact"))
                    .unwrap_or_default();
                out!(
                    "PSD {:08}  license {}  key certificate {} (valid {} to {}{revoked})",
                    state.device_id,
                    state.license_number,
                    certificate.serial,
                    certificate.valid_from,
                    certificate.valid_until
                )?;
                out!("  ascending register   {:>14}", r.ascending.to_string())?;
                out!("  descending register  {:>14}", r.descending.to_string())?;
                out!("  control total        {:>14}", r.control_total.to_string())?;
                out!("  pieces               {:>14}", r.piece_count)?;
                out!(
                    "  state                {}",
                    state
                        .locked_reason
                        .map(|reason| format!("LOCKED: {reason}"))
                        .unwrap_or_else(|| "ready".into())
                )?;
                out!("  ledger               {}", psd.ledger().path())?;
                print_grants(psd, &keyring).await?;
            }
        }
        // Answered above, through the link.
        PsdCommand::Refill { .. }
        | PsdCommand::Reconcile
        | PsdCommand::Withdraw { .. }
        | PsdCommand::Void { .. } => {}
        PsdCommand::Contacts { json } => {
            return super::psd_contacts::contacts(psd, &keyring, json).await;
        }
        PsdCommand::Audit => {
            let audit = psd.audit().await?;
            if audit.discrepancies.is_empty() {
                out!(
                    "audit ok: {} pieces, ascending {}, control total {}",
                    audit.derived_piece_count,
                    audit.derived_ascending,
                    audit.derived_control_total
                )?;
            } else {
                out!("audit FAILED, PSD locked:")?;
                for discrepancy in &audit.discrepancies {
                    out!("  {discrepancy}")?;
                }
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Voids the piece whose label serial is `serial` where it was issued: at the data centre.
pub(super) async fn void(config: Config, serial: &str) -> anyhow::Result<ExitCode> {
    let shown = super::terminal_safe(serial);
    let (device_id, piece_serial) = parse_indicium_serial_text(serial.trim()).ok_or_else(|| {
        anyhow::anyhow!(
            "{shown:?} is not accepted as a piece: give the serial printed on its label, PSD and piece (e.g. 20000001-0000012)"
        )
    })?;
    let station = super::open_station(config).await?;
    let ledger = station.psd.ledger();
    let before = ledger
        .vendor_piece_voided_on(device_id, piece_serial)
        .await?;
    let refund = station.void_piece(device_id, piece_serial).await?;
    let serial = indicium_serial_text(device_id, piece_serial);
    match before {
        // The data centre answers a repeated void with its first answer: say so, so that
        // nobody pays the refund out twice.
        Some(day) => out!(
            "{serial} was already voided on {day}: its {refund} went back to PSD {device_id} then, once; nothing more is refunded"
        )?,
        None => out!("voided {serial}: {refund} back to PSD {device_id} at the data centre")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `psd refill`: through the link, which records a pending credit, asks the data centre and
/// credits the authorization it answers.
async fn refill(
    config: Config,
    amount: crate::money::Money,
    id: Option<String>,
) -> anyhow::Result<ExitCode> {
    let station = super::open_station(config).await?;
    let link = station
        .link
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("a refill needs the data centre"))?;
    let refill_id =
        id.unwrap_or_else(|| format!("refill-{}", crate::hex::encode(&rand::random::<[u8; 8]>())));
    let refilled = link
        .refill_embedded(&station.psd, &refill_id, amount)
        .await
        .map_err(|e| {
            if e.kind() == crate::link::LinkErrorKind::Refused {
                anyhow::anyhow!("{e}; nothing was charged or credited")
            } else {
                anyhow::anyhow!(
                    "{e}; the refill {refill_id:?} stays pending and is asked for again at the next contact"
                )
            }
        })?;
    let again = if refilled.outcome.replayed {
        " (credited before: nothing added)"
    } else {
        ""
    };
    out!(
        "refill {refill_id:?} of {amount} authorized by the data centre{again}; descending register {}, account balance {}",
        refilled.outcome.registers.descending,
        refilled.account_balance
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `psd withdraw --retire`: the embedded PSD's descending register back to the account.
async fn withdraw(config: Config, retire: bool) -> anyhow::Result<ExitCode> {
    let station = super::open_station(config).await?;
    let psd_id = station.psd.device_id();
    if !retire {
        anyhow::bail!(
            "this retires embedded PSD {psd_id} for good (it issues nothing more, offline or not) and gives its descending register back to the account; run `postcounter psd withdraw --retire` to do it"
        );
    }
    let link = station
        .link
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("a withdrawal needs the data centre"))?;
    let confirmed = link.withdraw_embedded(&station.psd).await.map_err(|e| {
        anyhow::anyhow!("{e}; run `postcounter psd withdraw --retire` again to finish it")
    })?;
    out!(
        "embedded PSD {psd_id} retired: {} withdrawn to the account (balance now {})",
        crate::money::Money::from_mills(confirmed.amount_mills),
        crate::money::Money::from_mills(confirmed.account_balance_mills)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `psd reconcile`: one contact with the data centre, and what it settled.
async fn reconcile(config: Config) -> anyhow::Result<ExitCode> {
    let keyring = crate::psd::Keyring::open(&config.data_dir)?;
    let station = super::open_station(config).await?;
    let link = station
        .link
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("reconciling needs the data centre"))?;
    let settled = link.reconcile(&station.psd).await?;
    out!(
        "reconciled: {} offline pieces reported (through serial {}), {} purchases in doubt voided and {} cleared, {} pending credits credited{}",
        settled.reported_pieces,
        settled.through_serial,
        settled.voided_in_doubt,
        settled.cleared_in_doubt,
        settled.credited_refills,
        if settled.renewed {
            ", certificate renewed"
        } else {
            ""
        }
    )?;
    for refused in &settled.refused_labels {
        out!(
            "  label {} of piece {} REFUSED: {}",
            super::terminal_safe(&refused.label_serial),
            refused.piece_serial,
            super::terminal_safe(&refused.reason)
        )?;
    }
    print_grants(&station.psd, &keyring).await?;
    Ok(ExitCode::SUCCESS)
}

/// The lease and the pending credits, for `psd show`.
async fn print_grants(psd: &crate::psd::Psd, keyring: &crate::psd::Keyring) -> anyhow::Result<()> {
    let ledger = psd.ledger();
    let lease = ledger.lease(psd.device_id()).await?;
    let granted = match (&lease, keyring.trust()?) {
        (Some(lease), Some(trust)) => crate::grants::OfflineLease::open(&lease.bytes, &trust)
            .is_ok_and(|signed| {
                signed.not_after_unix_ms == lease.not_after_unix_ms
                    && signed.max_value == lease.max_value
                    && signed.psd_id == psd.device_id()
            }),
        _ => false,
    };
    match lease {
        Some(_) if !granted => out!(
            "  offline lease        NOT the data centre's grant (edited in the ledger): nothing is issued offline until the next contact brings a new one"
        )?,
        Some(lease) => {
            out!(
                "  offline lease        up to {} unreported, until {}",
                lease.max_value,
                crate::clock::format_unix_ms(lease.not_after_unix_ms)
            )?;
            match keyring.lease_certificate(&psd.signer(), ledger.today())? {
                Some(certificate) => out!(
                    "  lease certificate    {}: {}, mailed {} to {}",
                    certificate.serial,
                    certificate.ascending,
                    certificate.valid_from,
                    certificate.valid_until
                )?,
                None => out!(
                    "  lease certificate    none for today and the current key: it comes with the trust at the next contact"
                )?,
            }
        }
        None => out!("  offline lease        none: the embedded PSD issues nothing offline")?,
    }
    for credit in ledger.pending_credits(psd.device_id()).await? {
        out!(
            "  pending credit       {} (refill {:?}, asked for and not yet credited)",
            credit.amount,
            credit.refill_id
        )?;
    }
    Ok(())
}
