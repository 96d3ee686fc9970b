//! Voiding an unused indicium: the postage goes back to the descending register (and the
//! control total, so the invariant holds while the ascending register never goes back),
//! once, and only within the void window. The window runs from the day the piece was issued,
//! by the ledger's own clock: a date supplied by the caller could reopen it at will.

use sqlx::Row;

use super::entries::{VoidOutcome, commit_registers};
use super::{Ledger, day_of_unix_ms, money_column};
use crate::psd::error::PsdError;

impl Ledger {
    /// Voids an unused indicium within `window_days` of its date of mailing, once: the
    /// postage goes back to the descending register (and the control total).
    pub async fn void(
        &self,
        device_id: u32,
        piece_serial: u32,
        window_days: i32,
    ) -> Result<VoidOutcome, PsdError> {
        let today = self.today();
        let mut tx = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        let row = sqlx::query(
            "SELECT p.postage_mills, p.issued_unix_ms, v.voided_day FROM piece p LEFT JOIN void v USING (device_id, piece_serial) \
             WHERE p.device_id = ? AND p.piece_serial = ?",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(piece_serial))
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?
        .ok_or_else(|| PsdError::NotFound(format!("PSD {device_id} has issued no piece {piece_serial}")))?;
        let postage = money_column(&row, "postage_mills").map_err(|e| self.storage(e))?;
        let issued_unix_ms: i64 = row.try_get("issued_unix_ms").map_err(|e| self.storage(e))?;
        let issued_on = day_of_unix_ms(issued_unix_ms);
        let already: Option<i64> = row.try_get("voided_day").map_err(|e| self.storage(e))?;
        let state = self.usable_state(&mut tx, device_id).await?;
        if already.is_some() {
            return Ok(VoidOutcome {
                piece_serial,
                refunded: postage,
                registers: state.registers,
                replayed: true,
            });
        }
        let last_day = issued_on.add_days(window_days);
        if today < issued_on || today > last_day {
            return Err(PsdError::Refused(format!(
                "piece {piece_serial} was issued on {issued_on}; voids are accepted within {window_days} days of issue, until {last_day} (today is {today})"
            )));
        }
        let next = match state.registers.credit(postage) {
            Ok(next) => next,
            Err(error) => {
                drop(tx);
                return Err(self.register_failure(device_id, error).await);
            }
        };
        sqlx::query("INSERT INTO void (device_id, piece_serial, amount_mills, voided_day, voided_unix_ms) VALUES (?, ?, ?, ?, ?)")
            .bind(i64::from(device_id))
            .bind(i64::from(piece_serial))
            .bind(postage.mills())
            .bind(i64::from(today.days_since_2000()))
            .bind(self.now_unix_ms())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage(e))?;
        commit_registers(self, tx, device_id, &state.registers, &next).await?;
        Ok(VoidOutcome {
            piece_serial,
            refunded: postage,
            registers: next,
            replayed: false,
        })
    }
}
