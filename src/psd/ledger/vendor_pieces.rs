//! The counter's journal of the indicia its vendor issued to it (see the migration
//! `0003_vendor_pieces.sql`): written as each answer arrives, read for the supervisor's day,
//! marked when a piece is voided at the vendor.

use super::Ledger;
use super::entries::piece_record;
use crate::date::Date;
use crate::money::Money;
use crate::psd::error::PsdError;
use crate::psd::ledger::PieceRecord;

/// An indicium the vendor issued, as the counter received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorPiece {
    pub device_id: u32,
    pub piece_serial: u32,
    pub postage: Money,
    pub mailing_date: Date,
    pub indicium: Vec<u8>,
}

/// A journal row: the central PSD it came from, and the piece as the ledger describes its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalPiece {
    pub device_id: u32,
    pub record: PieceRecord,
}

impl Ledger {
    /// The vendor answered the purchase under `key` with `pieces`: they are journaled and the
    /// doubt is cleared in one transaction. A repeated answer (a retry) changes nothing and
    /// answers `false`: the counter had these pieces already.
    pub async fn record_vendor_pieces(
        &self,
        key: &str,
        pieces: &[VendorPiece],
        now_unix_ms: i64,
    ) -> Result<bool, PsdError> {
        let mut inserted = 0;
        let mut transaction = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        for piece in pieces {
            inserted += sqlx::query(
                "INSERT INTO vendor_piece (device_id, piece_serial, request_key, postage_mills, mailing_day, indicium, received_unix_ms) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, piece_serial) DO NOTHING",
            )
            .bind(i64::from(piece.device_id))
            .bind(i64::from(piece.piece_serial))
            .bind(key)
            .bind(piece.postage.mills())
            .bind(i64::from(piece.mailing_date.days_since_2000()))
            .bind(&piece.indicium)
            .bind(now_unix_ms)
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.storage(e))?
            .rows_affected();
        }
        sqlx::query("DELETE FROM link_in_doubt WHERE request_key = ?")
            .bind(key)
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.storage(e))?;
        transaction.commit().await.map_err(|e| self.storage(e))?;
        Ok(inserted > 0)
    }

    /// Vendor pieces received since `since_unix_ms`, oldest first.
    pub async fn vendor_pieces_since(
        &self,
        since_unix_ms: i64,
    ) -> Result<Vec<JournalPiece>, PsdError> {
        let rows = sqlx::query(
            "SELECT device_id, piece_serial, request_key AS request_id, postage_mills, mailing_day, indicium, \
             received_unix_ms AS issued_unix_ms, voided_day FROM vendor_piece \
             WHERE received_unix_ms >= ? ORDER BY received_unix_ms, device_id, piece_serial",
        )
        .bind(since_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        rows.iter()
            .map(|row| {
                let device_id: i64 = sqlx::Row::try_get(row, "device_id")?;
                Ok(JournalPiece {
                    device_id: u32::try_from(device_id)
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                    record: piece_record(row)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.storage(e))
    }

    /// The vendor voided piece `piece_serial` of central PSD `device_id` on `voided_on`.
    /// A piece the journal does not hold (sold before it existed) is left alone.
    /// The day a piece bought from the data centre was recorded voided here, if it was.
    pub async fn vendor_piece_voided_on(
        &self,
        device_id: u32,
        piece_serial: u32,
    ) -> Result<Option<Date>, PsdError> {
        let day: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT voided_day FROM vendor_piece WHERE device_id = ? AND piece_serial = ?",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(piece_serial))
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        Ok(day
            .flatten()
            .and_then(|days| i32::try_from(days).ok())
            .map(Date::from_days_since_2000))
    }

    pub async fn record_vendor_void(
        &self,
        device_id: u32,
        piece_serial: u32,
        voided_on: Date,
    ) -> Result<(), PsdError> {
        sqlx::query(
            "UPDATE vendor_piece SET voided_day = ? WHERE device_id = ? AND piece_serial = ? AND voided_day IS NULL",
        )
        .bind(i64::from(voided_on.days_since_2000()))
        .bind(i64::from(device_id))
        .bind(i64::from(piece_serial))
        .execute(self.pool())
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }
}
