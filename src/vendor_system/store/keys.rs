//! Key management's records: the data centre's numbering (embedded PSD ids, certificate
//! serials), every PSD certificate it issued, revocations, and the certificate status lists
//! it signed. Shared by every vendor process of one store, so two processes never give out
//! one number.

use sqlx::{AnyConnection, Row};

use super::{VendorStore, blob, int};
use crate::date::Date;
use crate::keys::{CertificateStatusList, PsdCertificate, Revocation};
use crate::vendor_system::error::VendorError;

/// The series the data centre numbers.
#[derive(Clone, Copy, Debug)]
pub enum Series {
    EmbeddedPsdId,
    CertificateSerial,
}

impl Series {
    fn name(self) -> &'static str {
        match self {
            Series::EmbeddedPsdId => "embedded_psd_id",
            Series::CertificateSerial => "certificate_serial",
        }
    }
}

/// The next number of `series`, taken in the caller's transaction (the row is locked until
/// it commits, so concurrent processes take consecutive numbers, never the same one).
pub(super) async fn take_next(
    conn: &mut AnyConnection,
    series: Series,
) -> Result<u32, VendorError> {
    let taken: i64 = sqlx::query_scalar(
        "UPDATE id_sequence SET next_value = next_value + 1 WHERE name = $1 RETURNING next_value - 1",
    )
    .bind(series.name())
    .fetch_one(&mut *conn)
    .await?;
    u32::try_from(taken)
        .map_err(|_| VendorError::storage(format!("the {} series is exhausted", series.name())))
}

pub(super) async fn record_certificate(
    conn: &mut AnyConnection,
    certificate: &PsdCertificate,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    let bytes = certificate.to_bytes().map_err(VendorError::storage)?;
    sqlx::query(
        "INSERT INTO psd_certificate (certificate_serial, psd_id, certificate, issued_unix_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (certificate_serial) DO NOTHING",
    )
    .bind(i64::from(certificate.serial))
    .bind(i64::from(certificate.psd_id))
    .bind(bytes.to_vec())
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn mark_revoked(
    conn: &mut AnyConnection,
    serials: &[u32],
    from: Date,
    reason: &str,
) -> Result<(), VendorError> {
    for serial in serials {
        // A certificate revoked from an earlier day keeps that day.
        sqlx::query(
            "UPDATE psd_certificate SET revoked_from_day = $1, revoked_reason = $2 \
             WHERE certificate_serial = $3 AND (revoked_from_day IS NULL OR revoked_from_day > $1)",
        )
        .bind(i64::from(from.days_since_2000()))
        .bind(reason)
        .bind(i64::from(*serial))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn certificate_of(row: &sqlx::any::AnyRow) -> Result<PsdCertificate, VendorError> {
    PsdCertificate::from_bytes(&blob(row, "certificate")?).map_err(VendorError::storage)
}

impl VendorStore {
    /// The next certificate serial, for a certificate made outside a store transaction
    /// (a central PSD created by the administrator).
    pub async fn next_certificate_serial(&self) -> Result<u32, VendorError> {
        let mut tx = self.begin_write().await?;
        let serial = take_next(&mut tx, Series::CertificateSerial).await?;
        tx.commit().await?;
        Ok(serial)
    }

    /// Records a certificate issued outside a store transaction (a central PSD's).
    pub async fn record_psd_certificate(
        &self,
        certificate: &PsdCertificate,
        now_unix_ms: i64,
    ) -> Result<(), VendorError> {
        let mut connection = self.pool().acquire().await?;
        record_certificate(&mut connection, certificate, now_unix_ms).await
    }

    /// The certificate issued under `serial`, if any.
    pub async fn psd_certificate(
        &self,
        serial: u32,
    ) -> Result<Option<PsdCertificate>, VendorError> {
        let row =
            sqlx::query("SELECT certificate FROM psd_certificate WHERE certificate_serial = $1")
                .bind(i64::from(serial))
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(certificate_of).transpose()
    }

    /// Every certificate issued, by serial; or only those of `psd_ids`.
    pub async fn psd_certificates(
        &self,
        psd_ids: Option<&[u32]>,
    ) -> Result<Vec<PsdCertificate>, VendorError> {
        let Some(psd_ids) = psd_ids else {
            let rows =
                sqlx::query("SELECT certificate FROM psd_certificate ORDER BY certificate_serial")
                    .fetch_all(self.pool())
                    .await?;
            return rows.iter().map(certificate_of).collect();
        };
        // One query per PSD: an embedded PSD gathers a lease certificate a day, and its
        // counter's contact must not read every PSD's.
        let mut certificates = Vec::new();
        for psd_id in psd_ids {
            let rows = sqlx::query(
                "SELECT certificate FROM psd_certificate WHERE psd_id = $1 ORDER BY certificate_serial",
            )
            .bind(i64::from(*psd_id))
            .fetch_all(self.pool())
            .await?;
            for row in &rows {
                certificates.push(certificate_of(row)?);
            }
        }
        certificates.sort_by_key(|certificate| certificate.serial);
        Ok(certificates)
    }

    /// Every revocation recorded.
    pub async fn revocations(&self) -> Result<Vec<Revocation>, VendorError> {
        let rows = sqlx::query(
            "SELECT certificate_serial, revoked_from_day FROM psd_certificate \
             WHERE revoked_from_day IS NOT NULL ORDER BY certificate_serial",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let serial =
                    u32::try_from(int(row, "certificate_serial")?).map_err(VendorError::storage)?;
                let day =
                    i32::try_from(int(row, "revoked_from_day")?).map_err(VendorError::storage)?;
                Ok(Revocation {
                    certificate_serial: serial,
                    from: Date::from_days_since_2000(day),
                })
            })
            .collect()
    }

    /// Marks certificate `serial` revoked for mail from `from` on, and with it every lease
    /// certificate of the same key (a revoked key signs nothing that verifies, under any
    /// certificate of it). The caller then signs a new status list
    /// ([`Self::store_status_list`]).
    pub async fn revoke_certificate(
        &self,
        serial: u32,
        from: Date,
        reason: &str,
    ) -> Result<(), VendorError> {
        let Some(revoked) = self.psd_certificate(serial).await? else {
            return Err(VendorError::not_found(format!(
                "no certificate {serial} was issued by this data centre"
            )));
        };
        let mut serials = vec![serial];
        if !revoked.is_lease() {
            let of_key = self.psd_certificates(Some(&[revoked.psd_id])).await?;
            serials.extend(
                of_key
                    .iter()
                    .filter(|c| c.is_lease() && c.public_key == revoked.public_key)
                    .map(|c| c.serial),
            );
        }
        self.mark_revoked(&serials, from, reason).await
    }

    /// Marks each of `serials` revoked from `from` (one revoked earlier keeps its day).
    pub async fn mark_revoked(
        &self,
        serials: &[u32],
        from: Date,
        reason: &str,
    ) -> Result<(), VendorError> {
        let mut tx = self.begin_write().await?;
        mark_revoked(&mut tx, serials, from, reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records `replacement` and revokes certificate `replaced` from `from`, together: a
    /// crash leaves both or neither.
    pub async fn replace_certificate(
        &self,
        replaced: u32,
        (from, reason): (Date, &str),
        replacement: &PsdCertificate,
        now_unix_ms: i64,
    ) -> Result<(), VendorError> {
        let mut tx = self.begin_write().await?;
        record_certificate(&mut tx, replacement, now_unix_ms).await?;
        mark_revoked(&mut tx, &[replaced], from, reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The day from which certificate `serial` is revoked, if it is.
    pub async fn revoked_from(&self, serial: u32) -> Result<Option<Date>, VendorError> {
        let day: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT revoked_from_day FROM psd_certificate WHERE certificate_serial = $1",
        )
        .bind(i64::from(serial))
        .fetch_optional(self.pool())
        .await?;
        day.flatten()
            .map(|day| i32::try_from(day).map(Date::from_days_since_2000))
            .transpose()
            .map_err(VendorError::storage)
    }

    /// The status list in force: the highest-numbered one signed.
    pub async fn latest_status_list(&self) -> Result<Option<CertificateStatusList>, VendorError> {
        let row = sqlx::query("SELECT list FROM status_list ORDER BY list_number DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            CertificateStatusList::from_bytes(&blob(&row, "list")?).map_err(VendorError::storage)
        })
        .transpose()
    }

    /// The number the next status list takes.
    pub async fn next_status_list_number(&self) -> Result<u32, VendorError> {
        let highest: Option<i64> =
            sqlx::query("SELECT MAX(list_number) AS highest FROM status_list")
                .fetch_one(self.pool())
                .await?
                .try_get("highest")?;
        u32::try_from(highest.unwrap_or(0) + 1).map_err(VendorError::storage)
    }

    /// Keeps a signed status list; a number already taken (another process signed at the
    /// same moment) keeps the first, which is as current.
    pub async fn store_status_list(
        &self,
        list: &CertificateStatusList,
        now_unix_ms: i64,
    ) -> Result<(), VendorError> {
        sqlx::query(
            "INSERT INTO status_list (list_number, list, issued_unix_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (list_number) DO NOTHING",
        )
        .bind(i64::from(list.number))
        .bind(list.to_bytes().map_err(VendorError::storage)?)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
