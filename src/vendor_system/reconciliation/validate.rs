//! Decoding a reconciliation report's ledger entries. The chain and the signatures are
//! checked by the store (`store::reconcile`).

use std::collections::BTreeMap;

use crate::date::Date;
use crate::ledger_chain::ChainEntry;
use crate::protocol::LedgerEntry;
use crate::vendor_system::error::VendorError;
use crate::vendor_system::store::reconcile::ReportedEntry;
use crate::vendor_system::validate::{MAX_POSTAGE_MILLS, shown};

/// The most entries one reconciliation report may carry; a longer ledger goes in parts.
pub const MAX_ENTRIES_PER_REPORT: usize = 1_000;

/// Decodes a reconciliation report's entries; the chain itself is checked by the store.
pub fn ledger_entries(
    psd_id: u32,
    entries: &[LedgerEntry],
) -> Result<Vec<ReportedEntry>, VendorError> {
    if entries.len() > MAX_ENTRIES_PER_REPORT {
        return Err(VendorError::bad_request(format!(
            "a report of {} entries is not accepted: at most {MAX_ENTRIES_PER_REPORT} per request",
            entries.len()
        )));
    }
    entries
        .iter()
        .map(|entry| {
            let refused = |what: &str| {
                VendorError::bad_request(format!("entry for piece {}: {what}", entry.piece_serial))
            };
            let mailing_date = Date::parse(&entry.mailing_date).map_err(|_| {
                refused(&format!(
                    "mailing_date {:?} is not accepted: a date YYYY-MM-DD",
                    shown(&entry.mailing_date)
                ))
            })?;
            if entry.postage_mills <= 0 || entry.postage_mills > MAX_POSTAGE_MILLS {
                return Err(refused(&format!(
                    "postage_mills {} is not accepted: 1 to {MAX_POSTAGE_MILLS}",
                    entry.postage_mills
                )));
            }
            let indicium = crate::hex::decode(&entry.indicium)
                .ok_or_else(|| refused("indicium is not accepted: hex digits"))?;
            let entry_hash: [u8; 32] = crate::hex::decode(&entry.entry_hash)
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(|| refused("entry_hash is not accepted: 64 hex digits"))?;
            Ok((
                ChainEntry {
                    psd_id,
                    piece_serial: entry.piece_serial,
                    postage_mills: entry.postage_mills,
                    mailing_day: mailing_date.days_since_2000(),
                    issued_unix_ms: entry.issued_unix_ms,
                    indicium,
                },
                entry_hash,
            ))
        })
        .collect()
}

/// The most characters of a reported label serial: a genuine one is 16 or 20.
const LABEL_MAX_CHARS: usize = 40;

/// The label of each entry printed on label stock, by piece serial; a label that is no label
/// serial at all (too long, control characters) refuses the report. Whether it is the
/// account's and unused is checked when the report is recorded.
pub fn entry_labels(entries: &[LedgerEntry]) -> Result<BTreeMap<u32, String>, VendorError> {
    let mut labels = BTreeMap::new();
    for entry in entries {
        let Some(label) = &entry.label_serial else {
            continue;
        };
        let fits = (1..=LABEL_MAX_CHARS).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_graphic());
        if !fits {
            return Err(VendorError::bad_request(format!(
                "entry for piece {}: label_serial {:?} is not accepted: 1 to {LABEL_MAX_CHARS} printable ASCII characters",
                entry.piece_serial,
                shown(label)
            )));
        }
        labels.insert(entry.piece_serial, label.clone());
    }
    Ok(labels)
}
