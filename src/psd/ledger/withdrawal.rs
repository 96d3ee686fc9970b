//! A retired embedded PSD gives its descending register back (two phases, with the data
//! centre): the data centre's withdrawal authorization, bound to the PSD and the control
//! total its counter reported, is applied once here: the descending register goes to zero,
//! the control total down by as much, the withdrawal is an entry the audit counts, and the
//! PSD is locked for good. Only then does the counter confirm, with the PSD's signature, and
//! the data centre credit the account: the value is never in two places.

use sqlx::Row;

use super::Ledger;
use super::entries::write_registers;
use crate::money::Money;
use crate::psd::error::PsdError;
use crate::psd::registers::Registers;

/// The reason a withdrawn PSD is locked with.
pub const RETIRED: &str = "retired: its descending register was withdrawn to the account";

/// A withdrawal the PSD applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Withdrawn {
    pub amount: Money,
    pub control_total_before: Money,
    pub piece_count: u64,
}

impl Ledger {
    /// Applies a withdrawal of `amount` authorized at `control_total_before`; applied before,
    /// the same withdrawal is answered again.
    pub async fn withdraw(
        &self,
        device_id: u32,
        amount: Money,
        control_total_before: Money,
    ) -> Result<Withdrawn, PsdError> {
        let mut tx = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        if let Some(done) = read_withdrawal(&mut tx, device_id)
            .await
            .map_err(|e| self.storage(e))?
        {
            return Ok(done);
        }
        let state = self.usable_state(&mut tx, device_id).await?;
        let registers = state.registers;
        if registers.control_total != control_total_before || registers.descending != amount {
            return Err(PsdError::Refused(format!(
                "the withdrawal was authorized for {amount} at a control total of {control_total_before}; PSD {device_id} holds {} at {}: ask the data centre again",
                registers.descending, registers.control_total
            )));
        }
        let after = Registers {
            descending: Money::ZERO,
            control_total: registers.ascending,
            ..registers
        };
        let now = self.now_unix_ms();
        sqlx::query(
            "INSERT INTO withdrawal (device_id, amount_mills, control_total_before_mills, piece_count, applied_unix_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(i64::from(device_id))
        .bind(amount.mills())
        .bind(control_total_before.mills())
        .bind(i64::try_from(registers.piece_count).unwrap_or(i64::MAX))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        write_registers(&mut tx, device_id, &registers, &after)
            .await
            .map_err(|e| self.storage(e))?;
        sqlx::query("UPDATE psd SET locked_reason = ? WHERE device_id = ?")
            .bind(RETIRED)
            .bind(i64::from(device_id))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage(e))?;
        tx.commit().await.map_err(|e| self.storage(e))?;
        self.note_time(now);
        Ok(Withdrawn {
            amount,
            control_total_before,
            piece_count: registers.piece_count,
        })
    }

    /// The withdrawal this PSD applied, if it did.
    pub async fn withdrawn(&self, device_id: u32) -> Result<Option<Withdrawn>, PsdError> {
        let mut connection = self.pool().acquire().await.map_err(|e| self.storage(e))?;
        read_withdrawal(&mut connection, device_id)
            .await
            .map_err(|e| self.storage(e))
    }
}

async fn read_withdrawal(
    connection: &mut sqlx::SqliteConnection,
    device_id: u32,
) -> Result<Option<Withdrawn>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT amount_mills, control_total_before_mills, piece_count FROM withdrawal WHERE device_id = ?",
    )
    .bind(i64::from(device_id))
    .fetch_optional(&mut *connection)
    .await?;
    row.map(|row| -> Result<Withdrawn, sqlx::Error> {
        Ok(Withdrawn {
            amount: Money::from_mills(row.try_get("amount_mills")?),
            control_total_before: Money::from_mills(row.try_get("control_total_before_mills")?),
            piece_count: u64::try_from(row.try_get::<i64, _>("piece_count")?).unwrap_or(0),
        })
    })
    .transpose()
}
