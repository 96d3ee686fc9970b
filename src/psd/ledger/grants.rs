//! What the data centre granted the embedded PSD, kept in its ledger: the newest offline
//! lease, the refills asked for and not yet credited (pending credits), and the time floor.
//!
//! The time floor is the latest time the station has reason to believe it is: the data
//! centre's clock as last seen, and the ledger's own latest entry. The ledger's clock never
//! reads earlier (see [`Ledger::now_unix_ms`]), so setting the station's clock back makes no
//! lease last longer and no day come again.

use std::sync::atomic::Ordering;

use sqlx::Row;

use super::Ledger;
use crate::grants::OfflineLease;
use crate::money::Money;
use crate::psd::error::PsdError;

/// The lease the ledger holds for a PSD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLease {
    /// The grant as the data centre signed it.
    pub bytes: Vec<u8>,
    pub issued_unix_ms: i64,
    pub not_after_unix_ms: i64,
    pub max_value: Money,
}

/// A refill asked of the data centre and not yet credited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCredit {
    pub refill_id: String,
    pub amount: Money,
    pub requested_unix_ms: i64,
}

impl Ledger {
    /// Reads the floor at open: the highest of the recorded floor and every time the ledger
    /// wrote (pieces issued, refills applied, contacts).
    pub(super) async fn load_time_floor(&self) -> Result<(), PsdError> {
        let floor: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(t) FROM ( \
               SELECT floor_unix_ms AS t FROM time_floor \
               UNION ALL SELECT MAX(issued_unix_ms) FROM piece \
               UNION ALL SELECT MAX(applied_unix_ms) FROM refill \
               UNION ALL SELECT MAX(last_contact_unix_ms) FROM link_state)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        self.floor_unix_ms
            .fetch_max(floor.unwrap_or(i64::MIN), Ordering::SeqCst);
        Ok(())
    }

    /// The ledger wrote something at `unix_ms`: the floor is at least that from now on.
    pub(super) fn note_time(&self, unix_ms: i64) {
        self.floor_unix_ms.fetch_max(unix_ms, Ordering::SeqCst);
    }

    /// Raises the floor to `unix_ms` (the data centre's clock, as an answer gave it), kept
    /// durably; a lower time changes nothing.
    pub async fn raise_time_floor(&self, unix_ms: i64) -> Result<(), PsdError> {
        sqlx::query(
            "INSERT INTO time_floor (id, floor_unix_ms) VALUES (1, ?) \
             ON CONFLICT (id) DO UPDATE SET floor_unix_ms = MAX(floor_unix_ms, excluded.floor_unix_ms)",
        )
        .bind(unix_ms)
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        self.floor_unix_ms.fetch_max(unix_ms, Ordering::SeqCst);
        Ok(())
    }

    /// Keeps `lease` (whose signed bytes are `bytes`) for PSD `device_id`, unless the ledger
    /// holds a newer one.
    pub async fn store_lease(
        &self,
        device_id: u32,
        bytes: &[u8],
        lease: &OfflineLease,
    ) -> Result<(), PsdError> {
        sqlx::query(
            "INSERT INTO lease (device_id, lease_bytes, issued_unix_ms, not_after_unix_ms, max_value_mills) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (device_id) DO UPDATE SET lease_bytes = excluded.lease_bytes, issued_unix_ms = excluded.issued_unix_ms, \
             not_after_unix_ms = excluded.not_after_unix_ms, max_value_mills = excluded.max_value_mills \
             WHERE excluded.issued_unix_ms > lease.issued_unix_ms",
        )
        .bind(i64::from(device_id))
        .bind(bytes.to_vec())
        .bind(lease.issued_unix_ms)
        .bind(lease.not_after_unix_ms)
        .bind(lease.max_value.mills())
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// The lease held for PSD `device_id`, if any.
    pub async fn lease(&self, device_id: u32) -> Result<Option<StoredLease>, PsdError> {
        let row = sqlx::query(
            "SELECT lease_bytes, issued_unix_ms, not_after_unix_ms, max_value_mills FROM lease WHERE device_id = ?",
        )
        .bind(i64::from(device_id))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        row.map(|row| {
            Ok(StoredLease {
                bytes: row.try_get("lease_bytes")?,
                issued_unix_ms: row.try_get("issued_unix_ms")?,
                not_after_unix_ms: row.try_get("not_after_unix_ms")?,
                max_value: Money::from_mills(row.try_get("max_value_mills")?),
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| self.storage(e))
    }

    /// Drops PSD `device_id`'s lease: the data centre refused the counter (revoked or
    /// locked), so what it granted before is not used any longer.
    pub async fn clear_lease(&self, device_id: u32) -> Result<(), PsdError> {
        sqlx::query("DELETE FROM lease WHERE device_id = ?")
            .bind(i64::from(device_id))
            .execute(&self.pool)
            .await
            .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Records a refill about to be asked of the data centre, before it is sent: if its
    /// answer is lost it shows as pending, and is asked again under the same id.
    pub async fn record_pending_credit(
        &self,
        device_id: u32,
        refill_id: &str,
        amount: Money,
    ) -> Result<(), PsdError> {
        // A refill id credited before is not pending again: asked once more, it is a replay.
        sqlx::query(
            "INSERT INTO pending_credit (device_id, refill_id, amount_mills, requested_unix_ms) \
             SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS \
               (SELECT 1 FROM refill WHERE device_id = ?1 AND refill_id = ?2) \
             ON CONFLICT (device_id, refill_id) DO NOTHING",
        )
        .bind(i64::from(device_id))
        .bind(refill_id)
        .bind(amount.mills())
        .bind(self.now_unix_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Forgets a pending credit the data centre refused outright (nothing was charged for it:
    /// a refusal moves no value), so it is not asked for again.
    pub async fn drop_pending_credit(
        &self,
        device_id: u32,
        refill_id: &str,
    ) -> Result<(), PsdError> {
        sqlx::query("DELETE FROM pending_credit WHERE device_id = ? AND refill_id = ?")
            .bind(i64::from(device_id))
            .bind(refill_id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Refills asked for and not yet credited, oldest first.
    pub async fn pending_credits(&self, device_id: u32) -> Result<Vec<PendingCredit>, PsdError> {
        let rows = sqlx::query(
            "SELECT refill_id, amount_mills, requested_unix_ms FROM pending_credit WHERE device_id = ? ORDER BY requested_unix_ms, refill_id",
        )
        .bind(i64::from(device_id))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        rows.iter()
            .map(|row| {
                Ok(PendingCredit {
                    refill_id: row.try_get("refill_id")?,
                    amount: Money::from_mills(row.try_get("amount_mills")?),
                    requested_unix_ms: row.try_get("requested_unix_ms")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.storage(e))
    }
}
