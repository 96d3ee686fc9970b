//! `postcounter psd contacts`: the contact log, for an auditor: each agenda the data centre
//! signed for this station (checked against the trust the station holds) and what became of
//! each item, oldest first. A log whose hash chain breaks is refused, naming the entry.

use std::process::ExitCode;

use serde_json::json;

use super::output::out;
use crate::clock::format_unix_ms;
use crate::protocol::agenda::{Agenda, Work};
use crate::psd::Psd;
use crate::psd::ledger::contact_log::ContactEntryKind;

pub async fn contacts(
    psd: &Psd,
    keyring: &crate::psd::Keyring,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let log = psd.ledger().contact_log().await?;
    let trust = keyring.trust()?;
    let mut rows = Vec::with_capacity(log.len());
    for entry in &log {
        let what = match entry.kind {
            ContactEntryKind::Agenda => {
                match trust.as_ref().map(|t| Agenda::open(&entry.detail, t)) {
                    Some(Ok(agenda)) => {
                        let items: Vec<String> =
                            agenda.items.iter().map(|w| describe(*w)).collect();
                        format!(
                            "agenda signed {}: {}",
                            format_unix_ms(agenda.issued_unix_ms),
                            if items.is_empty() {
                                "nothing due".into()
                            } else {
                                items.join("; ")
                            }
                        )
                    }
                    Some(Err(e)) => format!("agenda NOT VERIFIED: {e}"),
                    None => "agenda (no trust held to check it)".into(),
                }
            }
            ContactEntryKind::Done | ContactEntryKind::Failed => format!(
                "{} {}: {}",
                entry.kind.name(),
                entry.work,
                String::from_utf8_lossy(&entry.detail)
            ),
        };
        rows.push((entry, what));
    }
    if json {
        let entries: Vec<_> = rows
            .iter()
            .map(|(entry, what)| {
                json!({
                    "seq": entry.seq,
                    "recorded_unix_ms": entry.recorded_unix_ms,
                    "kind": entry.kind.name(),
                    "work": entry.work,
                    "detail": what,
                    "entry_hash": crate::hex::encode(&entry.entry_hash),
                })
            })
            .collect();
        out!("{}", json!({ "chain": "ok", "entries": entries }))?;
    } else {
        out!("contact log: {} entries, hash chain ok", rows.len())?;
        for (entry, what) in &rows {
            let shown: String = what
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            out!(
                "{:>5}  {}  {shown}",
                entry.seq,
                format_unix_ms(entry.recorded_unix_ms)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(work: Work) -> String {
    match work {
        Work::RenewCertificate { last_day } => format!(
            "renew the key certificate (last day {})",
            crate::date::Date::from_days_since_2000(last_day)
        ),
        Work::StatusList { number } => format!("fetch status list {number}"),
        Work::PendingCredit { mills } => format!(
            "finish a pending credit of {}",
            crate::money::Money::from_mills(mills)
        ),
        Work::Reconcile { last_unix_ms: 0 } => "reconcile (never reconciled)".into(),
        Work::Reconcile { last_unix_ms } => {
            format!("reconcile (last {})", format_unix_ms(last_unix_ms))
        }
        Work::Update { snapshot_version } => {
            format!("check the update repository (snapshot {snapshot_version})")
        }
    }
}
