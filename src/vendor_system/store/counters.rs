//! Counters: enrollment codes, registration of a counter's public key, its status
//! (active, revoked, locked) and its last contact.

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use super::{Dialect, VendorStore, blob, int, optional_text, text};
use crate::address::ZipCode;
use crate::vendor_system::error::VendorError;
use crate::vendor_system::validate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CounterRow {
    pub counter_id: String,
    pub account_id: String,
    pub name: String,
    /// SEC1 uncompressed P-256 point.
    pub public_key: Vec<u8>,
    /// The registered location: the origin ZIP of every piece it buys. Empty for a counter
    /// enrolled without one, which buys nothing.
    pub location_zip: String,
    /// `active`, `revoked` or `locked`.
    pub status: String,
    pub status_reason: Option<String>,
    pub last_contact_unix_ms: i64,
}

impl CounterRow {
    /// Refuses a counter that may not be served.
    pub fn check_active(&self) -> Result<(), VendorError> {
        if self.status == "active" {
            return Ok(());
        }
        Err(not_active(
            &self.counter_id,
            &self.status,
            self.status_reason.as_deref(),
        ))
    }
}

/// The refusal of a revoked or locked counter, with the administrator's reason.
fn not_active(counter_id: &str, status: &str, reason: Option<&str>) -> VendorError {
    VendorError::forbidden(format!(
        "counter {counter_id} is {status}: {}",
        reason.unwrap_or("no reason recorded")
    ))
}

pub fn code_digest(code: &str) -> Vec<u8> {
    Sha256::digest(code.trim().as_bytes()).to_vec()
}

impl CounterRow {
    /// The registered location, or the refusal of a counter enrolled without one.
    pub fn location(&self) -> Result<ZipCode, VendorError> {
        ZipCode::parse(&self.location_zip).map_err(|_| {
            VendorError::forbidden(format!(
                "counter {} has no registered location to price from; the administrator enrolls it again with --zip",
                self.counter_id
            ))
        })
    }
}

/// A location an administrator may register: a ZIP code of the directory, whose zone to any
/// other ZIP can be worked out.
pub fn check_location(zip: &str) -> Result<ZipCode, VendorError> {
    let location = ZipCode::parse(zip)
        .ok()
        .filter(|location| location.place().is_some())
        .ok_or_else(|| {
            VendorError::bad_request(format!(
                "location {:?} is not accepted: a 5-digit ZIP code of the ZIP code directory, like 02134",
                validate::shown(zip)
            ))
        })?;
    Ok(location)
}

impl VendorStore {
    /// Stores a one-time enrollment code (as its digest) for a counter of `account_id` at
    /// `location` (the origin ZIP of everything it will buy).
    pub async fn create_enrollment(
        &self,
        code: &str,
        account_id: &str,
        location: &ZipCode,
        expires_unix_ms: i64,
    ) -> Result<(), VendorError> {
        self.account(account_id).await?;
        sqlx::query("INSERT INTO enrollment (code_sha256, account_id, expires_unix_ms, counter_id, location_zip) VALUES ($1, $2, $3, NULL, $4)")
            .bind(code_digest(code))
            .bind(account_id)
            .bind(expires_unix_ms)
            .bind(location.zip5())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Registers the counter `counter_id` with `public_key` under the account of `code`.
    /// The same code and key again return the same counter (a retried registration); a
    /// code used by another key, expired or unknown is refused.
    pub async fn register_counter(
        &self,
        code: &str,
        counter_id: &str,
        name: &str,
        public_key: &[u8],
        now_unix_ms: i64,
    ) -> Result<CounterRow, VendorError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT account_id, expires_unix_ms, counter_id, location_zip FROM enrollment WHERE code_sha256 = $1")
            .bind(code_digest(code))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| VendorError::forbidden("the enrollment code is not known to this vendor; ask the vendor's administrator for a code (`postcounter admin counter enroll`)"))?;
        let account_id = text(&row, "account_id")?;
        match optional_text(&row, "counter_id")? {
            Some(used_by) if used_by == counter_id => {
                drop(tx);
                return self.counter(counter_id).await;
            }
            Some(_) => {
                return Err(VendorError::refused(
                    "the enrollment code was used by another counter; each code registers one counter",
                ));
            }
            None => {}
        }
        if int(&row, "expires_unix_ms")? < now_unix_ms {
            return Err(VendorError::refused(
                "the enrollment code has expired; ask for a new one",
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO counter (counter_id, account_id, name, public_key, status, status_reason, registered_unix_ms, last_contact_unix_ms, location_zip) \
             VALUES ($1, $2, $3, $4, 'active', NULL, $5, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(counter_id)
        .bind(&account_id)
        .bind(name)
        .bind(public_key.to_vec())
        .bind(now_unix_ms)
        .bind(text(&row, "location_zip")?)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(VendorError::refused(format!(
                "counter {counter_id} is registered already; a counter registers once"
            )));
        }
        sqlx::query("UPDATE enrollment SET counter_id = $1 WHERE code_sha256 = $2")
            .bind(counter_id)
            .bind(code_digest(code))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.counter(counter_id).await
    }

    pub async fn counter(&self, counter_id: &str) -> Result<CounterRow, VendorError> {
        let row = sqlx::query(
            "SELECT counter_id, account_id, name, public_key, location_zip, status, status_reason, last_contact_unix_ms FROM counter WHERE counter_id = $1",
        )
        .bind(counter_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| {
            VendorError::unauthenticated(format!("counter {counter_id} is not registered with this vendor"))
        })?;
        Ok(CounterRow {
            counter_id: text(&row, "counter_id")?,
            account_id: text(&row, "account_id")?,
            name: text(&row, "name")?,
            public_key: blob(&row, "public_key")?,
            location_zip: text(&row, "location_zip")?,
            status: text(&row, "status")?,
            status_reason: optional_text(&row, "status_reason")?,
            last_contact_unix_ms: int(&row, "last_contact_unix_ms")?,
        })
    }

    /// Sets a counter `active`, `revoked` or `locked` with the reason.
    pub async fn set_counter_status(
        &self,
        counter_id: &str,
        status: &str,
        reason: Option<&str>,
    ) -> Result<(), VendorError> {
        if !["active", "revoked", "locked"].contains(&status) {
            return Err(VendorError::bad_request(format!(
                "counter status {status:?} is not accepted: active, revoked or locked"
            )));
        }
        let updated =
            sqlx::query("UPDATE counter SET status = $1, status_reason = $2 WHERE counter_id = $3")
                .bind(status)
                .bind(reason)
                .bind(counter_id)
                .execute(self.pool())
                .await?
                .rows_affected();
        if updated == 0 {
            return Err(VendorError::not_found(format!("no counter {counter_id}")));
        }
        Ok(())
    }

    /// Locks `counter_id` with `reason` if it is active; a revoked or locked counter keeps
    /// its status and reason.
    pub async fn lock_active_counter(
        &self,
        counter_id: &str,
        reason: &str,
    ) -> Result<(), VendorError> {
        sqlx::query(
            "UPDATE counter SET status = 'locked', status_reason = $1 WHERE counter_id = $2 AND status = 'active'",
        )
        .bind(reason)
        .bind(counter_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets nonces whose requests are too old to be accepted anyway.
    pub async fn prune_nonces(&self, now_unix_ms: i64) -> Result<u64, VendorError> {
        Ok(sqlx::query("DELETE FROM nonce WHERE expires_unix_ms < $1")
            .bind(now_unix_ms)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}

/// The account of each of `counter_ids` that is active, or why it gets nothing.
pub(super) async fn active_account_ids(
    conn: &mut AnyConnection,
    counter_ids: &BTreeSet<&str>,
) -> Result<HashMap<String, Result<String, VendorError>>, VendorError> {
    let mut accounts: HashMap<String, Result<String, VendorError>> = counter_ids
        .iter()
        .map(|&counter_id| (counter_id.to_string(), Err(not_registered(counter_id))))
        .collect();
    if counter_ids.is_empty() {
        return Ok(accounts);
    }
    let dialect = Dialect::of(conn);
    let sql = format!(
        "SELECT counter_id, account_id, status, status_reason FROM counter \
         WHERE counter_id IN (SELECT value->>0 FROM {})",
        dialect.batch_rows()
    );
    for batch in dialect.batches(counter_ids.iter().map(|counter_id| (counter_id,)))? {
        let rows = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(batch)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let counter_id = text(&row, "counter_id")?;
            let account = account_if_active(&counter_id, &row)?;
            accounts.insert(counter_id, account);
        }
    }
    Ok(accounts)
}

fn not_registered(counter_id: &str) -> VendorError {
    VendorError::unauthenticated(format!("counter {counter_id} is not registered"))
}

/// A counter row's account, or the refusal when the counter is not active.
fn account_if_active(
    counter_id: &str,
    row: &AnyRow,
) -> Result<Result<String, VendorError>, VendorError> {
    let status = text(row, "status")?;
    if status != "active" {
        let reason = optional_text(row, "status_reason")?;
        return Ok(Err(not_active(counter_id, &status, reason.as_deref())));
    }
    Ok(Ok(text(row, "account_id")?))
}

/// The account of `counter_id`, if the counter is active.
pub(super) async fn active_account_id(
    conn: &mut AnyConnection,
    counter_id: &str,
) -> Result<String, VendorError> {
    let row =
        sqlx::query("SELECT account_id, status, status_reason FROM counter WHERE counter_id = $1")
            .bind(counter_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| not_registered(counter_id))?;
    account_if_active(counter_id, &row)?
}
