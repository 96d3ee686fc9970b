//! Funds coming into an embedded PSD: a refill the data centre authorized, credited once per
//! refill id, and only at the control total the authorization was granted at.

use super::Ledger;
use super::entries::{RefillOutcome, commit_registers, read_state};
use crate::money::Money;
use crate::psd::error::PsdError;

impl Ledger {
    /// Credits `amount` once per `refill_id`, as a refill authorization granted at a control
    /// total of `control_total_before` allows: a retry (the id applied already) returns the
    /// first outcome whatever the control total is now; a new id is refused unless the PSD's
    /// control total is the one the authorization was granted at; the same id with another
    /// amount is refused. The refill's pending credit, if any, is cleared in the same
    /// transaction.
    pub async fn refill(
        &self,
        device_id: u32,
        refill_id: &str,
        amount: Money,
        control_total_before: Money,
    ) -> Result<RefillOutcome, PsdError> {
        let mut tx = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT amount_mills FROM refill WHERE device_id = ? AND refill_id = ?",
        )
        .bind(i64::from(device_id))
        .bind(refill_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        if let Some(applied_mills) = existing {
            let applied = Money::from_mills(applied_mills);
            if applied != amount {
                return Err(PsdError::Refused(format!(
                    "refill id {refill_id:?} was already applied for {applied}, not {amount}"
                )));
            }
            let state = read_state(&mut tx, device_id)
                .await
                .map_err(|e| self.storage(e))?;
            let registers = state.map(|s| s.registers).unwrap_or_default();
            return Ok(RefillOutcome {
                amount,
                registers,
                replayed: true,
            });
        }
        let state = self.usable_state(&mut tx, device_id).await?;
        if state.registers.control_total != control_total_before {
            return Err(PsdError::Refused(format!(
                "refill {refill_id:?} was authorized at a control total of {control_total_before}, and PSD {device_id}'s is {}: ask the data centre again",
                state.registers.control_total
            )));
        }
        let next = match state.registers.credit(amount) {
            Ok(next) => next,
            Err(error) => {
                drop(tx);
                return Err(self.register_failure(device_id, error).await);
            }
        };
        let now = self.now_unix_ms();
        sqlx::query(
            "INSERT INTO refill (device_id, refill_id, amount_mills, control_total_after_mills, applied_unix_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(i64::from(device_id))
        .bind(refill_id)
        .bind(amount.mills())
        .bind(next.control_total.mills())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        sqlx::query("DELETE FROM pending_credit WHERE device_id = ? AND refill_id = ?")
            .bind(i64::from(device_id))
            .bind(refill_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage(e))?;
        commit_registers(self, tx, device_id, &state.registers, &next).await?;
        self.note_time(now);
        Ok(RefillOutcome {
            amount,
            registers: next,
            replayed: false,
        })
    }
}
