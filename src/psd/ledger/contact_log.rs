//! The contact log: the agendas the data centre signed for this station and what became of
//! each item, chained by hash so that an entry left out or changed afterwards shows.
//!
//! ```text
//! entry_hash = SHA-256( previous entry_hash (32 zero bytes before the first)
//!                       ‖ seq (8, BE) ‖ recorded_unix_ms (8, BE)
//!                       ‖ len(kind) (1) ‖ kind ‖ len(work) (1) ‖ work
//!                       ‖ len(detail) (4, BE) ‖ detail )
//! ```

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::Ledger;
use crate::psd::PsdError;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactEntryKind {
    /// The signed agenda as it came.
    Agenda,
    /// An item done, and what was done.
    Done,
    /// An item that failed, and why.
    Failed,
}

impl ContactEntryKind {
    pub fn name(self) -> &'static str {
        match self {
            ContactEntryKind::Agenda => "agenda",
            ContactEntryKind::Done => "done",
            ContactEntryKind::Failed => "failed",
        }
    }

    fn from_name(name: &str) -> Option<ContactEntryKind> {
        [
            ContactEntryKind::Agenda,
            ContactEntryKind::Done,
            ContactEntryKind::Failed,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

/// One entry of the contact log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactEntry {
    pub seq: i64,
    pub recorded_unix_ms: i64,
    pub kind: ContactEntryKind,
    /// The item's work name; empty for an agenda.
    pub work: String,
    pub detail: Vec<u8>,
    pub entry_hash: [u8; 32],
}

/// The hash of an entry with these fields after `previous`.
pub fn contact_entry_hash(
    previous: &[u8; 32],
    seq: i64,
    recorded_unix_ms: i64,
    kind: ContactEntryKind,
    work: &str,
    detail: &[u8],
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(seq.to_be_bytes());
    hasher.update(recorded_unix_ms.to_be_bytes());
    for field in [kind.name(), work] {
        hasher.update([u8::try_from(field.len()).unwrap_or(u8::MAX)]);
        hasher.update(field.as_bytes());
    }
    hasher.update(
        u32::try_from(detail.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    hasher.update(detail);
    hasher.finalize().into()
}

impl Ledger {
    /// Appends an entry to the contact log, chained to the last one.
    pub async fn record_contact_entry(
        &self,
        kind: ContactEntryKind,
        work: &str,
        detail: &[u8],
        now_unix_ms: i64,
    ) -> Result<(), PsdError> {
        let mut tx = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        let last = sqlx::query("SELECT seq, entry_hash FROM contact_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.storage(e))?;
        let (previous_seq, previous_hash) = match last {
            None => (0, [0u8; 32]),
            Some(row) => {
                let hash: Vec<u8> = row.get("entry_hash");
                let hash: [u8; 32] = hash
                    .try_into()
                    .map_err(|_| self.storage("a contact log hash that is not 32 bytes"))?;
                (row.get::<i64, _>("seq"), hash)
            }
        };
        let seq = previous_seq + 1;
        let hash = contact_entry_hash(&previous_hash, seq, now_unix_ms, kind, work, detail);
        sqlx::query(
            "INSERT INTO contact_log (seq, recorded_unix_ms, kind, work, detail, entry_hash) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(now_unix_ms)
        .bind(kind.name())
        .bind(work)
        .bind(detail)
        .bind(hash.to_vec())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        tx.commit().await.map_err(|e| self.storage(e))
    }

    /// The whole contact log, oldest first, its chain checked: an entry whose hash does not
    /// follow from the one before is an error naming it.
    pub async fn contact_log(&self) -> Result<Vec<ContactEntry>, PsdError> {
        let rows = sqlx::query(
            "SELECT seq, recorded_unix_ms, kind, work, detail, entry_hash FROM contact_log ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        let mut previous = [0u8; 32];
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.get("seq");
            let kind_name: String = row.get("kind");
            let kind = ContactEntryKind::from_name(&kind_name).ok_or_else(|| {
                self.storage(format!("contact log entry {seq} has kind {kind_name:?}"))
            })?;
            let entry = ContactEntry {
                seq,
                recorded_unix_ms: row.get("recorded_unix_ms"),
                kind,
                work: row.get("work"),
                detail: row.get("detail"),
                entry_hash: row
                    .get::<Vec<u8>, _>("entry_hash")
                    .try_into()
                    .map_err(|_| self.storage(format!("contact log entry {seq}: a short hash")))?,
            };
            let expected = contact_entry_hash(
                &previous,
                entry.seq,
                entry.recorded_unix_ms,
                entry.kind,
                &entry.work,
                &entry.detail,
            );
            if expected != entry.entry_hash || seq != entries.len() as i64 + 1 {
                return Err(PsdError::Refused(format!(
                    "the contact log's chain breaks at entry {seq}: it was changed or an entry is missing"
                )));
            }
            previous = entry.entry_hash;
            entries.push(entry);
        }
        Ok(entries)
    }
}
