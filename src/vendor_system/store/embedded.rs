//! Embedded PSDs as the data centre knows them: one per counter, numbered here, certified
//! here, and refilled only here, against the counter's account. Each request is one keyed transaction: the idempotency key and the nonce are
//! claimed, the account is debited, the refill recorded under the counter's refill id, and
//! the signed answer stored, before commit; a retry gets the first answer and charges nothing.

use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::funds::balance;
use super::keys::{Series, record_certificate, take_next};
use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{VendorStore, int, text};
use crate::keys::PsdCertificate;
use crate::money::Money;
use crate::protocol::{EmbeddedRefillResponse, PsdCertificateResponse};
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::validate;

/// An embedded PSD's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedPsdRow {
    pub psd_id: u32,
    pub counter_id: String,
    pub account_id: String,
    /// `active`, `retiring` or `retired`.
    pub status: String,
    /// The sum of the refills authorized: the PSD's control total as the data centre knows it.
    pub authorized: Money,
}

const COLUMNS: &str = "psd_id, counter_id, account_id, status, authorized_mills";

fn embedded_row(row: &AnyRow) -> Result<EmbeddedPsdRow, VendorError> {
    Ok(EmbeddedPsdRow {
        psd_id: u32::try_from(int(row, "psd_id")?).map_err(VendorError::storage)?,
        counter_id: text(row, "counter_id")?,
        account_id: text(row, "account_id")?,
        status: text(row, "status")?,
        authorized: Money::from_mills(int(row, "authorized_mills")?),
    })
}

async fn of_counter(
    conn: &mut AnyConnection,
    counter_id: &str,
) -> Result<Option<EmbeddedPsdRow>, VendorError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM embedded_psd WHERE counter_id = $1"
    )))
    .bind(counter_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(embedded_row).transpose()
}

/// The embedded PSD `psd_id`, if it is `counter_id`'s; otherwise the refusal.
async fn of_counter_by_id(
    conn: &mut AnyConnection,
    counter_id: &str,
    psd_id: u32,
) -> Result<EmbeddedPsdRow, VendorError> {
    match of_counter(conn, counter_id).await? {
        Some(psd) if psd.psd_id == psd_id => Ok(psd),
        _ => Err(VendorError::forbidden(format!(
            "PSD {psd_id} is not this counter's embedded PSD"
        ))),
    }
}

/// A new embedded PSD id, skipping any id a central PSD holds.
async fn new_embedded_id(conn: &mut AnyConnection) -> Result<u32, VendorError> {
    loop {
        let candidate = take_next(conn, Series::EmbeddedPsdId).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT psd_id FROM psd WHERE psd_id = $1")
            .bind(i64::from(candidate))
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            return Ok(candidate);
        }
    }
}

/// What a refill asks for, as the funds service validated it.
pub struct EmbeddedRefill<'a> {
    pub psd_id: u32,
    pub refill_id: &'a str,
    pub amount: Money,
    /// The PSD's control total as the counter reported it: what the authorization binds to.
    pub control_total: Money,
}

impl VendorStore {
    /// Whether `psd_id` is an embedded PSD's id (a central PSD may not take it).
    pub async fn embedded_psd_id_taken(&self, psd_id: u32) -> Result<bool, VendorError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT psd_id FROM embedded_psd WHERE psd_id = $1")
                .bind(i64::from(psd_id))
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// The embedded PSD of `counter_id`, if it has one.
    pub async fn embedded_psd_of(
        &self,
        counter_id: &str,
    ) -> Result<Option<EmbeddedPsdRow>, VendorError> {
        let mut connection = self.pool().acquire().await?;
        of_counter(&mut connection, counter_id).await
    }

    /// Certifies a key for the counter's embedded PSD: a new PSD (numbered here) on its first
    /// request, the same PSD on a renewal. `certify(psd_id, serial)` signs the certificate.
    pub async fn certify_embedded_psd(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        certify: impl FnOnce(u32, u32) -> Result<PsdCertificate, VendorError>,
    ) -> Result<Answer, VendorError> {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let psd_id = match of_counter(&mut tx, &context.counter_id).await? {
            Some(psd) if psd.status == "active" => psd.psd_id,
            Some(psd) => {
                return Err(VendorError::refused(format!(
                    "embedded PSD {} is {}; it is certified no more",
                    psd.psd_id, psd.status
                )));
            }
            None => {
                let psd_id = new_embedded_id(&mut tx).await?;
                sqlx::query(
                    "INSERT INTO embedded_psd (psd_id, counter_id, account_id, status, authorized_mills, withdrawn_mills, created_unix_ms) \
                     VALUES ($1, $2, $3, 'active', 0, 0, $4)",
                )
                .bind(i64::from(psd_id))
                .bind(&context.counter_id)
                .bind(&account_id)
                .bind(context.now_unix_ms)
                .execute(&mut *tx)
                .await?;
                psd_id
            }
        };
        let serial = take_next(&mut tx, Series::CertificateSerial).await?;
        let certificate = certify(psd_id, serial)?;
        record_certificate(&mut tx, &certificate, context.now_unix_ms).await?;
        let bytes = certificate.to_bytes().map_err(VendorError::storage)?;
        let response = PsdCertificateResponse {
            psd_id,
            certificate: crate::hex::encode(&bytes),
        };
        finish(tx, context, key, 201, &response).await
    }

    /// Refills the counter's embedded PSD: the account is debited once per refill id (or the
    /// card the service charged is recorded), and `authorize(&refill)` signs the
    /// authorization bound to the control total the counter reported. A refill id asked
    /// again (its first answer lost, or the PSD's control total moved since) is not charged
    /// again: it is authorized again at the reported control total, and the PSD credits each
    /// refill id once whatever it is shown.
    pub async fn refill_embedded_psd(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        refill: &EmbeddedRefill<'_>,
        authorize: impl FnOnce(&EmbeddedRefill) -> Result<Vec<u8>, VendorError>,
    ) -> Result<Answer, VendorError> {
        validate::transfer_amount("refill", refill.amount)?;
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let psd = of_counter_by_id(&mut tx, &context.counter_id, refill.psd_id).await?;
        if psd.status != "active" {
            return Err(VendorError::refused(format!(
                "embedded PSD {} is {}: it takes no refills",
                psd.psd_id, psd.status
            )));
        }
        let locked: Option<String> =
            sqlx::query_scalar("SELECT locked_reason FROM embedded_psd WHERE psd_id = $1")
                .bind(i64::from(psd.psd_id))
                .fetch_one(&mut *tx)
                .await?;
        if let Some(reason) = locked {
            return Err(VendorError::refused(format!(
                "embedded PSD {} is locked ({reason}): it takes no refills",
                psd.psd_id
            )));
        }
        let earlier: Option<i64> = sqlx::query_scalar(
            "SELECT amount_mills FROM embedded_refill WHERE psd_id = $1 AND refill_id = $2",
        )
        .bind(i64::from(refill.psd_id))
        .bind(refill.refill_id)
        .fetch_optional(&mut *tx)
        .await?;
        match earlier {
            Some(mills) if mills != refill.amount.mills() => {
                return Err(VendorError::new(
                    RefusalKind::Conflict,
                    format!(
                        "refill id {:?} was charged for {}, not {}; a new refill takes a new id",
                        validate::shown(refill.refill_id),
                        Money::from_mills(mills),
                        refill.amount
                    ),
                ));
            }
            Some(_) => {}
            None => charge(&mut tx, context, &account_id, refill).await?,
        }
        let authorization = authorize(refill)?;
        let response = EmbeddedRefillResponse {
            psd_id: refill.psd_id,
            refill_id: refill.refill_id.to_string(),
            amount_mills: refill.amount.mills(),
            authorization: crate::hex::encode(&authorization),
            account_balance_mills: balance(&mut tx, &account_id).await?.mills(),
        };
        finish(tx, context, key, 200, &response).await
    }
}

/// Takes a new refill's amount from the account and records it.
async fn charge(
    conn: &mut AnyConnection,
    context: &RequestContext,
    account_id: &str,
    refill: &EmbeddedRefill<'_>,
) -> Result<(), VendorError> {
    let taken = sqlx::query(
        "UPDATE account SET balance_mills = balance_mills - $1 WHERE account_id = $2 AND balance_mills >= $1",
    )
    .bind(refill.amount.mills())
    .bind(account_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken == 0 {
        let balance = balance(conn, account_id).await?;
        return Err(VendorError::new(
            RefusalKind::InsufficientFunds,
            format!(
                "insufficient funds: a refill of {} was asked, account {account_id} holds {balance}",
                refill.amount
            ),
        ));
    }
    sqlx::query(
        "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, 'embedded_refill', $3, $4, $5)",
    )
    .bind(account_id)
    .bind(format!("embedded-refill {} {}", refill.psd_id, refill.refill_id))
    .bind(-refill.amount.mills())
    .bind(i64::from(refill.psd_id))
    .bind(context.now_unix_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO embedded_refill (psd_id, refill_id, amount_mills, paid_by, card_token, created_unix_ms) VALUES ($1, $2, $3, 'account', NULL, $4)",
    )
    .bind(i64::from(refill.psd_id))
    .bind(refill.refill_id)
    .bind(refill.amount.mills())
    .bind(context.now_unix_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE embedded_psd SET authorized_mills = authorized_mills + $1 WHERE psd_id = $2",
    )
    .bind(refill.amount.mills())
    .bind(i64::from(refill.psd_id))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
