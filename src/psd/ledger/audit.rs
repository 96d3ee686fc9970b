//! The audit: the registers re-derived from the entries that moved them.
//!
//! The register columns are a cache of the entries; if the two disagree (a bug, a hand edit,
//! a restored backup of one table), the PSD must not trust either, so the audit locks it with
//! every discrepancy named. All its reads and the lock happen in one `BEGIN IMMEDIATE`
//! transaction: read piecemeal, a second process issuing in between would look like a
//! discrepancy and lock a healthy PSD.

use sqlx::Row;

use super::Ledger;
use crate::money::Money;
use crate::psd::error::PsdError;
use crate::psd::registers::Registers;

/// What the entries say the registers should be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audit {
    pub registers: Registers,
    pub derived_ascending: Money,
    pub derived_control_total: Money,
    pub derived_piece_count: u64,
    pub highest_piece_serial: u64,
    pub discrepancies: Vec<String>,
}

impl Ledger {
    /// Re-derives the registers of `device_id` from its entries; when they disagree with the
    /// stored registers, or the invariant is broken, locks the PSD and says why.
    pub async fn audit(&self, device_id: u32) -> Result<Audit, PsdError> {
        let mut tx = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        let state = super::entries::read_state(&mut tx, device_id)
            .await
            .map_err(|e| self.storage(e))?
            .ok_or_else(|| {
                PsdError::NotFound(format!("no PSD {device_id} in the ledger {}", self.path()))
            })?;
        let id = i64::from(device_id);
        let pieces = sqlx::query(
            "SELECT COALESCE(SUM(postage_mills), 0) AS total, COUNT(*) AS count, COALESCE(MAX(piece_serial), 0) AS highest \
             FROM piece WHERE device_id = ?",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        let credits: i64 = sqlx::query_scalar(
            "SELECT (SELECT COALESCE(SUM(amount_mills), 0) FROM refill WHERE device_id = ?1) + \
                    (SELECT COALESCE(SUM(amount_mills), 0) FROM void WHERE device_id = ?1) - \
                    (SELECT COALESCE(SUM(amount_mills), 0) FROM withdrawal WHERE device_id = ?1)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        let get = |column: &str| {
            pieces
                .try_get::<i64, _>(column)
                .map_err(|e| self.storage(e))
        };
        let derived_ascending = Money::from_mills(get("total")?);
        let derived_piece_count = u64::try_from(get("count")?).unwrap_or(0);
        let highest_piece_serial = u64::try_from(get("highest")?).unwrap_or(0);
        let derived_control_total = Money::from_mills(credits);
        let registers = state.registers;

        let mut discrepancies = Vec::new();
        if let Err(error) = registers.check() {
            discrepancies.push(error.to_string());
        }
        if derived_ascending != registers.ascending {
            discrepancies.push(format!(
                "ascending register {} but the pieces add up to {derived_ascending}",
                registers.ascending
            ));
        }
        if derived_control_total != registers.control_total {
            discrepancies.push(format!(
                "control total {} but the refills, voids and withdrawal add up to {derived_control_total}",
                registers.control_total
            ));
        }
        if derived_piece_count != registers.piece_count
            || highest_piece_serial != registers.piece_count
        {
            discrepancies.push(format!(
                "piece count {} but the ledger holds {derived_piece_count} pieces, the highest serial {highest_piece_serial}",
                registers.piece_count
            ));
        }
        if !discrepancies.is_empty() && state.locked_reason.is_none() {
            let reason = format!("audit failed: {}", discrepancies.join("; "));
            sqlx::query("UPDATE psd SET locked_reason = ? WHERE device_id = ?")
                .bind(&reason)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.storage(e))?;
        }
        tx.commit().await.map_err(|e| self.storage(e))?;
        Ok(Audit {
            registers,
            derived_ascending,
            derived_control_total,
            derived_piece_count,
            highest_piece_serial,
            discrepancies,
        })
    }
}
