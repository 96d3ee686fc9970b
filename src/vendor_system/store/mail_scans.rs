//! The mail stream's scans as the data centre keeps them, and what it needs to judge one:
//! the central piece or the reported offline piece under the same serial, the embedded PSD's
//! counter, and how far and when that counter last reported.

use super::{VendorStore, blob, int, text};
use crate::vendor_system::error::VendorError;

/// A scan as recorded: its indicium, and since when and how often the mail stream showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedScan {
    pub fingerprint: [u8; 32],
    pub indicium: Vec<u8>,
    pub first_seen_unix_ms: i64,
    pub seen_count: u32,
}

/// What the data centre issued under a central PSD's serial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CentralPiece {
    pub indicium: Vec<u8>,
    pub counter_id: String,
    pub voided: bool,
}

/// The counter an embedded PSD belongs to, as a scan's judgement needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedOwner {
    pub counter_id: String,
    /// `active`, `locked` or `revoked`: only an active counter reports.
    pub counter_status: String,
    pub last_contact_unix_ms: i64,
    /// How far and when it last reported (`None` before its first report).
    pub head: Option<ReportedHead>,
}

/// How far a counter's embedded PSD has reported, and when it last did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportedHead {
    pub through_serial: u32,
    pub reconciled_unix_ms: i64,
}

fn fingerprint_of(bytes: Vec<u8>) -> Result<[u8; 32], VendorError> {
    bytes
        .try_into()
        .map_err(|_| VendorError::storage("a mail scan's fingerprint is not 32 bytes"))
}

impl VendorStore {
    /// Records `sighting` of `indicium` (fingerprint `fingerprint`, PSD and serial as it
    /// names them) from `facility`: a new scan, or a known one seen on one more mail piece
    /// (a sighting recorded before counts once).
    pub async fn record_mail_scan(
        &self,
        fingerprint: &[u8; 32],
        (psd_id, piece_serial, postage_mills): (u32, u32, i64),
        (indicium, sighting): (&[u8], &str),
        facility: &str,
        now_unix_ms: i64,
    ) -> Result<RecordedScan, VendorError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO mail_scan (fingerprint, psd_id, piece_serial, postage_mills, indicium, facility, first_seen_unix_ms, seen_count, finding, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 'new', '') ON CONFLICT (fingerprint) DO NOTHING",
        )
        .bind(fingerprint.to_vec())
        .bind(i64::from(psd_id))
        .bind(i64::from(piece_serial))
        .bind(postage_mills)
        .bind(indicium.to_vec())
        .bind(facility)
        .bind(now_unix_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO mail_scan_sighting (fingerprint, sighting, facility, seen_unix_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (fingerprint, sighting) DO NOTHING",
        )
        .bind(fingerprint.to_vec())
        .bind(sighting)
        .bind(facility)
        .bind(now_unix_ms)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "UPDATE mail_scan SET seen_count = \
               (SELECT COUNT(*) FROM mail_scan_sighting s WHERE s.fingerprint = mail_scan.fingerprint) \
             WHERE fingerprint = $1 RETURNING first_seen_unix_ms, seen_count",
        )
        .bind(fingerprint.to_vec())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RecordedScan {
            fingerprint: *fingerprint,
            indicium: indicium.to_vec(),
            first_seen_unix_ms: int(&row, "first_seen_unix_ms")?,
            seen_count: u32::try_from(int(&row, "seen_count")?).map_err(VendorError::storage)?,
        })
    }

    /// Keeps what the data centre found a scan to be.
    pub async fn set_mail_scan_finding(
        &self,
        fingerprint: &[u8; 32],
        finding: &str,
        detail: &str,
    ) -> Result<(), VendorError> {
        sqlx::query("UPDATE mail_scan SET finding = $1, detail = $2 WHERE fingerprint = $3")
            .bind(finding)
            .bind(detail)
            .bind(fingerprint.to_vec())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The scans whose finding is `finding`, oldest first.
    pub async fn mail_scans_found(&self, finding: &str) -> Result<Vec<RecordedScan>, VendorError> {
        let rows = sqlx::query(
            "SELECT fingerprint, indicium, first_seen_unix_ms, seen_count FROM mail_scan \
             WHERE finding = $1 ORDER BY first_seen_unix_ms, psd_id, piece_serial",
        )
        .bind(finding)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RecordedScan {
                    fingerprint: fingerprint_of(blob(row, "fingerprint")?)?,
                    indicium: blob(row, "indicium")?,
                    first_seen_unix_ms: int(row, "first_seen_unix_ms")?,
                    seen_count: u32::try_from(int(row, "seen_count")?)
                        .map_err(VendorError::storage)?,
                })
            })
            .collect()
    }

    /// The piece central PSD `psd_id` issued under `piece_serial`, if it did.
    pub async fn central_piece(
        &self,
        psd_id: u32,
        piece_serial: u32,
    ) -> Result<Option<CentralPiece>, VendorError> {
        let row = sqlx::query(
            "SELECT indicium, counter_id, voided_unix_ms FROM piece WHERE psd_id = $1 AND piece_serial = $2",
        )
        .bind(i64::from(psd_id))
        .bind(i64::from(piece_serial))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let voided: Option<i64> = sqlx::Row::try_get(&row, "voided_unix_ms")?;
        Ok(Some(CentralPiece {
            indicium: blob(&row, "indicium")?,
            counter_id: text(&row, "counter_id")?,
            voided: voided.is_some(),
        }))
    }

    /// The indicium a counter reported for embedded PSD `psd_id`'s `piece_serial`, if any.
    pub async fn reported_piece(
        &self,
        psd_id: u32,
        piece_serial: u32,
    ) -> Result<Option<Vec<u8>>, VendorError> {
        let row = sqlx::query(
            "SELECT indicium FROM offline_piece WHERE psd_id = $1 AND piece_serial = $2",
        )
        .bind(i64::from(psd_id))
        .bind(i64::from(piece_serial))
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| blob(&row, "indicium")).transpose()
    }

    /// The counter whose embedded PSD is `psd_id`, if it is an embedded PSD.
    pub async fn embedded_owner(&self, psd_id: u32) -> Result<Option<EmbeddedOwner>, VendorError> {
        let row = sqlx::query(
            "SELECT e.counter_id, c.status, c.last_contact_unix_ms, l.through_serial, l.reconciled_unix_ms \
             FROM embedded_psd e JOIN counter c ON c.counter_id = e.counter_id \
             LEFT JOIN counter_ledger l ON l.counter_id = e.counter_id AND l.psd_id = e.psd_id \
             WHERE e.psd_id = $1",
        )
        .bind(i64::from(psd_id))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let through: Option<i64> = sqlx::Row::try_get(&row, "through_serial")?;
        let reconciled: Option<i64> = sqlx::Row::try_get(&row, "reconciled_unix_ms")?;
        let head = match (through, reconciled) {
            (Some(through), Some(reconciled_unix_ms)) => Some(ReportedHead {
                through_serial: u32::try_from(through).map_err(VendorError::storage)?,
                reconciled_unix_ms,
            }),
            _ => None,
        };
        Ok(Some(EmbeddedOwner {
            counter_id: text(&row, "counter_id")?,
            counter_status: text(&row, "status")?,
            last_contact_unix_ms: int(&row, "last_contact_unix_ms")?,
            head,
        }))
    }
}
