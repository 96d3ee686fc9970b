//! Reconciliation: a counter reports the pieces its embedded PSD issued while the vendor
//! could not be reached. The report must continue the chain the vendor holds for that
//! counter (`ledger_chain`): a gap or a fork is refused and the counter is locked, since
//! either means pieces the vendor will never see or a ledger rewritten after the fact. An
//! accepted report records every new piece and moves the head, in one write transaction
//! keyed like every other value-moving request, so a retry gets the first answer.
//!
//! Every indicium reported must also verify under a certificate the data centre itself
//! issued for that embedded PSD (the PSD is the counter's, numbered and certified by key
//! management; renewals give it several): a piece whose signature does not is not postage,
//! and a ledger holding one has been tampered with, so it locks the counter like a fork.
//! So does a piece whose registers show more than the data centre funded
//! ([`super::reconcile_funds`]).

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::reconcile_funds::unfunded_piece;
use super::reconcile_labels::claim_offline_labels;
use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{VendorStore, blob, id32, text};
use crate::indicium::Indicium;
use crate::indicium::verify::{VerifyError, verify_under};
use crate::keys::PsdCertificate;
use crate::ledger_chain::{ChainBreak, ChainEntry, ChainHead};
use crate::money::Money;
use crate::protocol::ReconcileResponse;
use crate::vendor_system::error::{RefusalKind, VendorError};

/// A report's entry: the piece and the hash its counter claims for it.
pub type ReportedEntry = (ChainEntry, [u8; 32]);

/// A report of embedded PSD `psd_id`, its indicia checked against the certificates the
/// data centre issued for it. The checks are pure and cost a signature verification per
/// entry, so they are made before the write transaction (off the async workers); what they
/// found is acted on inside it.
pub struct CheckedReport {
    pub psd_id: u32,
    pub entries: Vec<ReportedEntry>,
    /// The label each piece was printed on, by piece serial (pieces on plain paper have none).
    pub labels: BTreeMap<u32, String>,
    /// Why an entry's indicium is not a piece of this PSD, if one is not.
    forged: Option<String>,
}

impl CheckedReport {
    pub fn check(
        psd_id: u32,
        certificates: &[PsdCertificate],
        entries: Vec<ReportedEntry>,
    ) -> CheckedReport {
        let forged = entries
            .iter()
            .find_map(|(entry, _)| check_indicium(entry, certificates).err());
        CheckedReport {
            psd_id,
            entries,
            labels: BTreeMap::new(),
            forged,
        }
    }

    /// The report with the labels its pieces were printed on.
    pub fn with_labels(mut self, labels: BTreeMap<u32, String>) -> CheckedReport {
        self.labels = labels;
        self
    }

    fn psd_id(&self) -> u32 {
        self.psd_id
    }
}

/// Why a report was refused and what it did to the counter.
enum Refusal {
    /// The counter is locked: its ledger does not continue what it reported before.
    Break(String),
    /// Refused, nothing else happens (malformed, or not this counter's to report).
    Plain(VendorError),
}

impl From<VendorError> for Refusal {
    fn from(error: VendorError) -> Refusal {
        Refusal::Plain(error)
    }
}

impl VendorStore {
    /// Records `report` of an embedded PSD for the asking counter, or refuses it.
    pub async fn reconcile(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        report: &CheckedReport,
    ) -> Result<Answer, VendorError> {
        let psd_id = report.psd_id();
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        match record_report(&mut tx, context, &account_id, report).await {
            Ok(response) => finish(tx, context, key, 200, &response).await,
            Err(Refusal::Plain(error)) => Err(error),
            Err(Refusal::Break(reason)) => {
                // Nothing of the report is kept; the lock is written on its own.
                drop(tx);
                let message = format!(
                    "the ledger of PSD {psd_id} is refused: {reason}; counter {} is locked until an administrator has looked at it",
                    context.counter_id
                );
                // Only an active counter is locked: one an administrator revoked while the
                // report was on its way stays revoked, and is not reactivated by an unlock.
                self.lock_active_counter(&context.counter_id, &message)
                    .await?;
                log::error!("{message}");
                Err(VendorError::new(RefusalKind::Conflict, message))
            }
        }
    }
}

async fn record_report(
    conn: &mut AnyConnection,
    context: &RequestContext,
    account_id: &str,
    report: &CheckedReport,
) -> Result<ReconcileResponse, Refusal> {
    let (psd_id, entries) = (report.psd_id(), &report.entries);
    let held = held_ledger(conn, &context.counter_id, psd_id).await?;
    if let Some(reason) = &report.forged {
        return Err(Refusal::Break(reason.clone()));
    }
    let head = held.head;
    // Entries the vendor holds already (a retry that lost its answer, or an overlap) must
    // be the very ones it holds.
    let mut new_entries = Vec::new();
    for (entry, claimed) in entries {
        if entry.piece_serial == 0 || entry.psd_id != psd_id {
            return Err(VendorError::bad_request(format!(
                "entry for piece {} of PSD {} is not accepted in a report of PSD {psd_id}",
                entry.piece_serial, entry.psd_id
            ))
            .into());
        }
        if entry.piece_serial > head.through_serial {
            new_entries.push((entry.clone(), *claimed));
            continue;
        }
        let held = held_hash(conn, psd_id, entry.piece_serial).await?;
        if held.as_ref() != Some(claimed) {
            return Err(Refusal::Break(
                ChainBreak::Fork {
                    piece_serial: entry.piece_serial,
                }
                .to_string(),
            ));
        }
    }
    let new_head = head
        .extend(&new_entries)
        .map_err(|e| Refusal::Break(e.to_string()))?;
    if let Some(reason) = unfunded_piece(conn, psd_id, &new_entries).await? {
        return Err(Refusal::Break(reason));
    }
    let mut recorded_postage_mills = 0i64;
    for (entry, hash) in &new_entries {
        recorded_postage_mills = recorded_postage_mills.saturating_add(entry.postage_mills);
        sqlx::query(
            "INSERT INTO offline_piece (psd_id, piece_serial, counter_id, postage_mills, mailing_day, issued_unix_ms, indicium, entry_hash, recorded_unix_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(i64::from(psd_id))
        .bind(i64::from(entry.piece_serial))
        .bind(&context.counter_id)
        .bind(entry.postage_mills)
        .bind(i64::from(entry.mailing_day))
        .bind(entry.issued_unix_ms)
        .bind(entry.indicium.clone())
        .bind(hash.to_vec())
        .bind(context.now_unix_ms)
        .execute(&mut *conn)
        .await
        .map_err(VendorError::from)?;
    }
    let refused_labels = claim_offline_labels(
        conn,
        (account_id, &context.counter_id),
        &new_entries,
        &report.labels,
        context.now_unix_ms,
    )
    .await?;
    sqlx::query(
        "INSERT INTO counter_ledger (counter_id, psd_id, through_serial, head_hash, reconciled_unix_ms) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (counter_id) DO UPDATE SET through_serial = excluded.through_serial, head_hash = excluded.head_hash, reconciled_unix_ms = excluded.reconciled_unix_ms",
    )
    .bind(&context.counter_id)
    .bind(i64::from(psd_id))
    .bind(i64::from(new_head.through_serial))
    .bind(new_head.hash.to_vec())
    .bind(context.now_unix_ms)
    .execute(&mut *conn)
    .await
    .map_err(VendorError::from)?;
    Ok(ReconcileResponse {
        psd_id,
        through_serial: new_head.through_serial,
        head_hash: crate::hex::encode(&new_head.hash),
        recorded: u32::try_from(new_entries.len()).unwrap_or(u32::MAX),
        recorded_postage_mills,
        // A lease is a grant of the moment, not part of the stored answer: the
        // reconciliation service adds a fresh one to every answer it gives.
        lease: None,
        time_unix_ms: 0,
        refused_labels,
    })
}

/// What the vendor holds of a counter's embedded PSD.
struct HeldLedger {
    /// Empty before its first report.
    head: ChainHead,
}

/// What the vendor holds for this counter's embedded PSD.
async fn held_ledger(
    conn: &mut AnyConnection,
    counter_id: &str,
    psd_id: u32,
) -> Result<HeldLedger, VendorError> {
    let rows = sqlx::query(
        "SELECT counter_id, psd_id, through_serial, head_hash FROM counter_ledger WHERE counter_id = $1 OR psd_id = $2",
    )
    .bind(counter_id)
    .bind(i64::from(psd_id))
    .fetch_all(&mut *conn)
    .await?;
    let mut held = HeldLedger {
        head: ChainHead::EMPTY,
    };
    for row in &rows {
        let owner = text(row, "counter_id")?;
        let held_psd = id32(row, "psd_id")?;
        if owner != counter_id {
            return Err(VendorError::forbidden(format!(
                "PSD {psd_id} is reported by another counter"
            )));
        }
        if held_psd != psd_id {
            return Err(VendorError::forbidden(format!(
                "counter {counter_id} reports the ledger of PSD {held_psd}, not of PSD {psd_id}"
            )));
        }
        let hash = blob(row, "head_hash")?;
        held = HeldLedger {
            head: ChainHead {
                through_serial: id32(row, "through_serial")?,
                hash: hash
                    .try_into()
                    .map_err(|_| VendorError::storage("a head hash is not 32 bytes"))?,
            },
        };
    }
    Ok(held)
}

impl VendorStore {
    /// The ascending register of the last piece reported of embedded PSD `psd_id` (the
    /// highest, as the register only ascends); zero before its first.
    pub async fn reported_ascending(&self, psd_id: u32) -> Result<Money, VendorError> {
        let row = sqlx::query(
            "SELECT indicium FROM offline_piece WHERE psd_id = $1 ORDER BY piece_serial DESC LIMIT 1",
        )
        .bind(i64::from(psd_id))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(Money::ZERO);
        };
        let indicium = Indicium::from_bytes(&blob(&row, "indicium")?).map_err(|e| {
            VendorError::storage(format!("the last piece recorded of PSD {psd_id}: {e}"))
        })?;
        Ok(indicium.data.ascending_register)
    }
}

async fn held_hash(
    conn: &mut AnyConnection,
    psd_id: u32,
    piece_serial: u32,
) -> Result<Option<[u8; 32]>, VendorError> {
    let row =
        sqlx::query("SELECT entry_hash FROM offline_piece WHERE psd_id = $1 AND piece_serial = $2")
            .bind(i64::from(psd_id))
            .bind(i64::from(piece_serial))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match row {
        Some(row) => blob(&row, "entry_hash")?.try_into().ok(),
        None => None,
    })
}

/// The entry must describe its own indicium (the same PSD, piece, postage and date), and the
/// indicium must be signed under the one of `certificates` it names, and dated within it.
fn check_indicium(entry: &ChainEntry, certificates: &[PsdCertificate]) -> Result<(), String> {
    let piece = entry.piece_serial;
    let indicium =
        Indicium::from_bytes(&entry.indicium).map_err(|e| format!("piece {piece}: {e}"))?;
    let data = &indicium.data;
    let agrees = data.device_id == entry.psd_id
        && data.piece_serial == piece
        && data.postage == Money::from_mills(entry.postage_mills)
        && data.mailing_date.days_since_2000() == entry.mailing_day;
    if !agrees {
        return Err(format!(
            "piece {piece} does not match its indicium ({})",
            data.serial_text()
        ));
    }
    let Some(certificate) = certificates
        .iter()
        .find(|c| c.serial == data.certificate_serial && c.psd_id == entry.psd_id)
    else {
        return Err(format!(
            "piece {piece} names certificate {}, which the data centre did not issue for PSD {}",
            data.certificate_serial, entry.psd_id
        ));
    };
    verify_under(&indicium, certificate).map_err(|e| match e {
        VerifyError::BadSignature => format!(
            "the signature of piece {piece} does not verify under certificate {} (altered or forged)",
            certificate.serial
        ),
        other => format!("piece {piece}: {other}"),
    })
}
