//! What the counter's link keeps in the embedded PSD's ledger: the head of the hash chain
//! the vendor has acknowledged and when the vendor was last reached. It lives beside the
//! pieces it describes, so a restored or copied ledger carries its own reconciliation state
//! and the fallback's limits survive a restart.

use sqlx::Row;

use super::Ledger;
use super::entries::piece_record;
use crate::ledger_chain::{ChainEntry, ChainHead};
use crate::money::Money;
use crate::psd::error::PsdError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkState {
    /// The chain the vendor holds: every piece up to `head.through_serial` is reported.
    pub head: ChainHead,
    pub reconciled_unix_ms: i64,
    pub last_contact_unix_ms: i64,
}

/// The pieces not yet reported, in sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreported {
    pub pieces: u32,
    pub postage: Money,
    /// When the oldest of them was issued.
    pub oldest_unix_ms: Option<i64>,
}

impl Ledger {
    /// The link's state for PSD `device_id`; `None` if the counter never reached a vendor.
    pub async fn link_state(&self, device_id: u32) -> Result<Option<LinkState>, PsdError> {
        let row = sqlx::query(
            "SELECT through_serial, head_hash, reconciled_unix_ms, last_contact_unix_ms FROM link_state WHERE device_id = ?",
        )
        .bind(i64::from(device_id))
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let read = || -> Result<LinkState, sqlx::Error> {
            let through: i64 = row.try_get("through_serial")?;
            let hash: Vec<u8> = row.try_get("head_hash")?;
            let decode = |e: String| sqlx::Error::Decode(e.into());
            Ok(LinkState {
                head: ChainHead {
                    through_serial: u32::try_from(through).map_err(|e| decode(e.to_string()))?,
                    hash: hash
                        .try_into()
                        .map_err(|_| decode("head_hash is not 32 bytes".into()))?,
                },
                reconciled_unix_ms: row.try_get("reconciled_unix_ms")?,
                last_contact_unix_ms: row.try_get("last_contact_unix_ms")?,
            })
        };
        read().map(Some).map_err(|e| self.storage(e))
    }

    /// The vendor answered at `now_unix_ms`. The first contact starts the inspection clock.
    pub async fn record_contact(&self, device_id: u32, now_unix_ms: i64) -> Result<(), PsdError> {
        sqlx::query(
            "INSERT INTO link_state (device_id, through_serial, head_hash, reconciled_unix_ms, last_contact_unix_ms) \
             VALUES (?, 0, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET last_contact_unix_ms = excluded.last_contact_unix_ms",
        )
        .bind(i64::from(device_id))
        .bind(ChainHead::EMPTY.hash.to_vec())
        .bind(now_unix_ms)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// The vendor acknowledged the chain up to `head` at `now_unix_ms`.
    pub async fn record_reconciled(
        &self,
        device_id: u32,
        head: ChainHead,
        now_unix_ms: i64,
    ) -> Result<(), PsdError> {
        sqlx::query(
            "INSERT INTO link_state (device_id, through_serial, head_hash, reconciled_unix_ms, last_contact_unix_ms) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET through_serial = excluded.through_serial, \
             head_hash = excluded.head_hash, reconciled_unix_ms = excluded.reconciled_unix_ms, \
             last_contact_unix_ms = excluded.last_contact_unix_ms",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(head.through_serial))
        .bind(head.hash.to_vec())
        .bind(now_unix_ms)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Up to `limit` pieces after `after_serial`, as chain entries, in serial order.
    pub async fn chain_entries_after(
        &self,
        device_id: u32,
        after_serial: u32,
        limit: u32,
    ) -> Result<Vec<ChainEntry>, PsdError> {
        let rows = sqlx::query(
            "SELECT p.piece_serial, p.request_id, p.postage_mills, p.mailing_day, p.indicium, p.issued_unix_ms, NULL AS voided_day \
             FROM piece p WHERE p.device_id = ? AND p.piece_serial > ? ORDER BY p.piece_serial LIMIT ?",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(after_serial))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        rows.iter()
            .map(|row| {
                let piece = piece_record(row).map_err(|e| self.storage(e))?;
                Ok(ChainEntry {
                    psd_id: device_id,
                    piece_serial: piece.piece_serial,
                    postage_mills: piece.postage.mills(),
                    mailing_day: piece.mailing_date.days_since_2000(),
                    issued_unix_ms: piece.issued_unix_ms,
                    indicium: piece.indicium,
                })
            })
            .collect()
    }

    /// What was issued after `after_serial`: the value at risk until it is reported.
    /// The label serials of pieces `after_serial + 1 ..= through_serial` printed on label
    /// stock, by piece serial.
    pub async fn piece_labels(
        &self,
        device_id: u32,
        after_serial: u32,
        through_serial: u32,
    ) -> Result<std::collections::BTreeMap<u32, String>, PsdError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT piece_serial, label_serial FROM piece \
             WHERE device_id = ? AND piece_serial > ? AND piece_serial <= ? AND label_serial IS NOT NULL",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(after_serial))
        .bind(i64::from(through_serial))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(serial, label)| u32::try_from(serial).ok().map(|s| (s, label)))
            .collect())
    }

    pub async fn unreported(
        &self,
        device_id: u32,
        after_serial: u32,
    ) -> Result<Unreported, PsdError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS pieces, COALESCE(SUM(postage_mills), 0) AS postage_mills, MIN(issued_unix_ms) AS oldest \
             FROM piece WHERE device_id = ? AND piece_serial > ?",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(after_serial))
        .fetch_one(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        let read = || -> Result<Unreported, sqlx::Error> {
            let pieces: i64 = row.try_get("pieces")?;
            Ok(Unreported {
                pieces: u32::try_from(pieces).unwrap_or(u32::MAX),
                postage: Money::from_mills(row.try_get("postage_mills")?),
                oldest_unix_ms: row.try_get("oldest")?,
            })
        };
        read().map_err(|e| self.storage(e))
    }
}

impl Ledger {
    /// A purchase is about to go to the vendor: until its answer arrives it is in doubt.
    pub async fn record_doubt(
        &self,
        key: &str,
        body: &str,
        now_unix_ms: i64,
    ) -> Result<(), PsdError> {
        sqlx::query(
            "INSERT INTO link_in_doubt (request_key, request_body, created_unix_ms) VALUES (?, ?, ?) \
             ON CONFLICT (request_key) DO NOTHING",
        )
        .bind(key)
        .bind(body)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// The vendor answered the purchase under `key` (or it was settled).
    pub async fn clear_doubt(&self, key: &str) -> Result<(), PsdError> {
        sqlx::query("DELETE FROM link_in_doubt WHERE request_key = ?")
            .bind(key)
            .execute(self.pool())
            .await
            .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Purchases in doubt, oldest first: (key, body).
    pub async fn doubts(&self) -> Result<Vec<(String, String)>, PsdError> {
        let rows = sqlx::query(
            "SELECT request_key, request_body FROM link_in_doubt ORDER BY created_unix_ms, request_key",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        rows.iter()
            .map(|row| Ok((row.try_get("request_key")?, row.try_get("request_body")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(|e| self.storage(e))
    }
}
