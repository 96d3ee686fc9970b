//! Mail-stream feedback: the postal service scans the indicia on the mail it processes and
//! sends the scans to the data centre, which holds what every indicium should be. This is
//! where a station that rewrote its ledger is found out: its embedded PSD's key and ledger
//! are its owner's files, so an owner can hide pieces (delete them, reset the registers,
//! report the rest) and sign again at registers already used; the lease certificates bound
//! that to the lease's days and value, and the mail stream shows the rest. A scan of an
//! embedded PSD's piece that its counter reported with other bytes, or left out of a report
//! made after the scan, is postage never paid for, and locks the counter. A piece signed
//! with a counter's key outside what the data centre certified does too.
//!
//! Each indicium is kept once with the mail pieces it was seen on (a copied label shows on
//! several); a scan still awaiting its counter's report is judged again at every run.

pub mod judge;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::error::VendorError;
use super::store::VendorStore;
use super::store::mail_scans::{EmbeddedOwner, RecordedScan};
use crate::indicium::Indicium;
use crate::indicium::verify::verify;
use crate::keys::Trust;
use crate::money::Money;
pub use judge::{Facts, Finding, Verdict, judge};

/// What one scan was found to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOutcome {
    pub serial_text: String,
    pub postage: Money,
    pub verdict: Verdict,
    pub seen_count: u32,
}

/// One scan from the postal service: the indicium read off a mail piece, and what names
/// that sighting (the mail piece's id, or where in which file it came from): the same
/// sighting given again counts once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    pub indicium: Vec<u8>,
    pub sighting: String,
}

/// A run's outcomes: the scans given, then the earlier scans judged again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailScanReport {
    /// How many of `outcomes` are the scans given (the rest were judged again).
    pub given: usize,
    pub outcomes: Vec<ScanOutcome>,
    /// Counters locked by this run.
    pub locked: Vec<String>,
}

/// Records `scans` (each indicium readable as one) from `facility`, judges
/// each against `trust` and the store, judges again every scan still awaiting a report,
/// and locks the counters whose pieces were never paid for.
pub async fn check_mail_scans(
    store: &VendorStore,
    trust: &Trust,
    scans: &[Scan],
    facility: &str,
    now_unix_ms: i64,
) -> Result<MailScanReport, VendorError> {
    // An indicium on several lines is judged once, at its place of first mention, with
    // every sighting counted (the store's answer for its last line).
    let mut recorded: Vec<RecordedScan> = Vec::with_capacity(scans.len());
    let mut position: HashMap<[u8; 32], usize> = HashMap::with_capacity(scans.len());
    for scan in scans {
        let indicium = readable(&scan.indicium)?;
        let data = &indicium.data;
        let fingerprint: [u8; 32] = Sha256::digest(&scan.indicium).into();
        let scan = store
            .record_mail_scan(
                &fingerprint,
                (data.device_id, data.piece_serial, data.postage.mills()),
                (&scan.indicium, &scan.sighting),
                facility,
                now_unix_ms,
            )
            .await?;
        match position.get(&fingerprint) {
            Some(&at) => recorded[at] = scan,
            None => {
                position.insert(fingerprint, recorded.len());
                recorded.push(scan);
            }
        }
    }
    let given_count = recorded.len();
    for scan in store
        .mail_scans_found(Finding::AwaitingReport.name())
        .await?
    {
        if !position.contains_key(&scan.fingerprint) {
            recorded.push(scan);
        }
    }
    let mut report = MailScanReport {
        given: given_count,
        ..MailScanReport::default()
    };
    for scan in &recorded {
        let indicium = readable(&scan.indicium)?;
        let facts = facts_of(store, trust, scan, &indicium).await?;
        let verdict = judge(&indicium, scan, facts);
        store
            .set_mail_scan_finding(&scan.fingerprint, verdict.finding.name(), &verdict.detail)
            .await?;
        if let Some(counter_id) = &verdict.locks {
            let reason = format!(
                "the mail stream showed {}: {}",
                indicium.data.serial_text(),
                verdict.detail
            );
            store.lock_active_counter(counter_id, &reason).await?;
            if !report.locked.contains(counter_id) {
                log::error!("counter {counter_id} locked: {reason}");
                report.locked.push(counter_id.clone());
            }
        }
        report.outcomes.push(ScanOutcome {
            serial_text: indicium.data.serial_text(),
            postage: indicium.data.postage,
            verdict,
            seen_count: scan.seen_count,
        });
    }
    Ok(report)
}

fn readable(bytes: &[u8]) -> Result<Indicium, VendorError> {
    Indicium::from_bytes(bytes).map_err(|e| VendorError::bad_request(format!("a scan: {e}")))
}

/// What the data centre holds about `scan`'s indicium.
async fn facts_of(
    store: &VendorStore,
    trust: &Trust,
    scan: &RecordedScan,
    indicium: &Indicium,
) -> Result<Facts, VendorError> {
    let (psd_id, serial) = (indicium.data.device_id, indicium.data.piece_serial);
    let owner = store.embedded_owner(psd_id).await?;
    if let Err(error) = verify(&scan.indicium, trust) {
        // Signed with an embedded PSD's own key, outside what its certificates allow: its
        // counter signed it, whatever else is wrong with it.
        let key_signed = match &owner {
            Some(EmbeddedOwner { counter_id, .. }) => {
                let certificates = store.psd_certificates(Some(&[psd_id])).await?;
                certificates
                    .iter()
                    .any(|c| indicium.signature_is_valid(&c.public_key))
                    .then(|| counter_id.clone())
            }
            None => None,
        };
        return Ok(Facts::Invalid {
            reason: error.to_string(),
            key_signed,
        });
    }
    if let Some(owner) = owner {
        return Ok(Facts::Embedded {
            reported: store.reported_piece(psd_id, serial).await?,
            owner,
        });
    }
    Ok(Facts::Central(store.central_piece(psd_id, serial).await?))
}
