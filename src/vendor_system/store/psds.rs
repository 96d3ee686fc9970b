//! Central PSD resources and their registers, the processing servers' list, and the audit
//! that re-derives every PSD's registers from its pieces.

use sqlx::any::AnyRow;

use super::{VendorStore, id32, int, optional_text, text};
use crate::money::Money;
use crate::protocol::RegistersView;
use crate::psd::Registers;
use crate::vendor_system::error::VendorError;
use crate::vendor_system::postage::processing::ProcessingServerRow;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsdRow {
    pub psd_id: u32,
    pub account_id: String,
    pub certificate_serial: u32,
    pub registers: Registers,
    pub locked_reason: Option<String>,
}

impl PsdRow {
    pub fn view(&self) -> RegistersView {
        registers_view(self.psd_id, &self.registers, self.locked_reason.clone())
    }
}

/// The registers as the API shows them.
pub fn registers_view(
    psd_id: u32,
    registers: &Registers,
    locked_reason: Option<String>,
) -> RegistersView {
    RegistersView {
        psd_id,
        ascending_mills: registers.ascending.mills(),
        descending_mills: registers.descending.mills(),
        control_total_mills: registers.control_total.mills(),
        piece_count: i64::try_from(registers.piece_count).unwrap_or(i64::MAX),
        locked_reason,
    }
}

pub(crate) const PSD_COLUMNS: &str = "psd_id, account_id, certificate_serial, ascending_mills, descending_mills, control_total_mills, piece_count, locked_reason";

pub(crate) fn psd_row(row: &AnyRow) -> Result<PsdRow, VendorError> {
    Ok(PsdRow {
        psd_id: id32(row, "psd_id")?,
        account_id: text(row, "account_id")?,
        certificate_serial: id32(row, "certificate_serial")?,
        registers: registers(row)?,
        locked_reason: optional_text(row, "locked_reason")?,
    })
}

pub(crate) fn registers(row: &AnyRow) -> Result<Registers, VendorError> {
    Ok(Registers {
        ascending: Money::from_mills(int(row, "ascending_mills")?),
        descending: Money::from_mills(int(row, "descending_mills")?),
        control_total: Money::from_mills(int(row, "control_total_mills")?),
        piece_count: u64::try_from(int(row, "piece_count")?).unwrap_or(0),
    })
}

impl VendorStore {
    /// Creates a PSD resource with empty registers for `account_id`; false if it exists.
    pub async fn create_psd(
        &self,
        psd_id: u32,
        account_id: &str,
        certificate_serial: u32,
        now_unix_ms: i64,
    ) -> Result<bool, VendorError> {
        self.account(account_id).await?;
        let inserted = sqlx::query(
            "INSERT INTO psd (psd_id, account_id, certificate_serial, ascending_mills, descending_mills, control_total_mills, piece_count, locked_reason, created_unix_ms) \
             VALUES ($1, $2, $3, 0, 0, 0, 0, NULL, $4) ON CONFLICT DO NOTHING",
        )
        .bind(i64::from(psd_id))
        .bind(account_id)
        .bind(i64::from(certificate_serial))
        .bind(now_unix_ms)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    pub async fn psd(&self, psd_id: u32) -> Result<PsdRow, VendorError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PSD_COLUMNS} FROM psd WHERE psd_id = $1"
        )))
        .bind(i64::from(psd_id))
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| VendorError::not_found(format!("no PSD {psd_id} at this vendor")))?;
        psd_row(&row)
    }

    pub async fn psds_of_account(&self, account_id: &str) -> Result<Vec<PsdRow>, VendorError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PSD_COLUMNS} FROM psd WHERE account_id = $1 ORDER BY psd_id"
        )))
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(psd_row).collect()
    }

    pub async fn set_psd_lock(&self, psd_id: u32, reason: Option<&str>) -> Result<(), VendorError> {
        let updated = sqlx::query("UPDATE psd SET locked_reason = $1 WHERE psd_id = $2")
            .bind(reason)
            .bind(i64::from(psd_id))
            .execute(self.pool())
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(VendorError::not_found(format!(
                "no PSD {psd_id} at this vendor"
            )));
        }
        Ok(())
    }

    /// Re-derives a PSD's registers from its pieces: the ascending register is the sum of
    /// the postage of its pieces, the piece count their number, and AR + DR = control total.
    /// Returns what does not hold, or nothing.
    pub async fn audit_psd(&self, psd_id: u32) -> Result<Vec<String>, VendorError> {
        let psd = self.psd(psd_id).await?;
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(postage_mills), 0) AS BIGINT) AS postage_mills, \
             CAST(COUNT(*) AS BIGINT) AS pieces, CAST(COALESCE(MAX(piece_serial), 0) AS BIGINT) AS last_serial \
             FROM piece WHERE psd_id = $1",
        )
        .bind(i64::from(psd_id))
        .fetch_one(self.pool())
        .await?;
        let issued = Money::from_mills(int(&row, "postage_mills")?);
        let pieces = int(&row, "pieces")?;
        let last_serial = int(&row, "last_serial")?;
        let registers = &psd.registers;
        let mut problems = Vec::new();
        if registers.ascending != issued {
            problems.push(format!(
                "PSD {psd_id}: the ascending register is {} but its pieces add up to {issued}",
                registers.ascending
            ));
        }
        let count = i64::try_from(registers.piece_count).unwrap_or(i64::MAX);
        if pieces != count || last_serial != count {
            problems.push(format!(
                "PSD {psd_id}: the piece count is {count} but {pieces} pieces are stored, the last serial {last_serial}"
            ));
        }
        if registers.ascending.mills() + registers.descending.mills()
            != registers.control_total.mills()
        {
            problems.push(format!(
                "PSD {psd_id}: AR {} + DR {} is not the control total {}",
                registers.ascending, registers.descending, registers.control_total
            ));
        }
        Ok(problems)
    }

    /// Adds a processing server (enabled), or does nothing if the id exists.
    pub async fn add_processing_server(
        &self,
        server_id: u32,
        name: &str,
        now_unix_ms: i64,
    ) -> Result<bool, VendorError> {
        let inserted = sqlx::query(
            "INSERT INTO processing_server (server_id, name, enabled, created_unix_ms) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
        )
        .bind(i64::from(server_id))
        .bind(name)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    pub async fn set_processing_server_enabled(
        &self,
        server_id: u32,
        enabled: bool,
    ) -> Result<(), VendorError> {
        let updated = sqlx::query("UPDATE processing_server SET enabled = $1 WHERE server_id = $2")
            .bind(i64::from(enabled))
            .bind(i64::from(server_id))
            .execute(self.pool())
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(VendorError::not_found(format!(
                "no processing server {server_id}"
            )));
        }
        Ok(())
    }

    pub async fn processing_servers(&self) -> Result<Vec<ProcessingServerRow>, VendorError> {
        let rows = sqlx::query(
            "SELECT server_id, name, enabled FROM processing_server ORDER BY server_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProcessingServerRow {
                    server_id: id32(row, "server_id")?,
                    name: text(row, "name")?,
                    enabled: int(row, "enabled")? == 1,
                })
            })
            .collect()
    }
}
