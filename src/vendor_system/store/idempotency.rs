//! Idempotency keys: the first answer to a value-moving request, kept with the request's
//! digest. A key is written in the same transaction as the request's effect (a void or
//! refill claims it first and fills in the answer; a purchase batch inserts it with its
//! answer, see `purchase::claims`), so a retry after any crash finds either nothing (and is
//! done afresh) or the whole first answer.

use sqlx::AnyConnection;

use super::void_refill::Answer;
use super::{blob, int, text};
use crate::vendor_system::error::{RefusalKind, VendorError};

/// What claiming a key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyClaim {
    /// First use: the caller goes on and must [`finish`] the key before commit.
    New,
    /// A retry of an answered request: send this answer again.
    Replay(Answer),
}

/// Claims `key` for `counter_id`, or finds its first answer. The same key with another
/// body is a conflict.
pub async fn claim(
    conn: &mut AnyConnection,
    counter_id: &str,
    key: &str,
    request_sha256: &[u8; 32],
    now_unix_ms: i64,
) -> Result<KeyClaim, VendorError> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency (counter_id, idempotency_key, request_sha256, status_code, response, created_unix_ms) \
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING",
    )
    .bind(counter_id)
    .bind(key)
    .bind(request_sha256.to_vec())
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(KeyClaim::New);
    }
    existing(conn, counter_id, key, request_sha256)
        .await?
        .map(KeyClaim::Replay)
        .ok_or_else(|| VendorError::storage(format!("idempotency key {key:?} vanished")))
}

/// What a key claimed before holds: its first answer, or a conflict when the key came with
/// another body (or is still in progress); `None` when the key was never claimed.
pub async fn existing(
    conn: &mut AnyConnection,
    counter_id: &str,
    key: &str,
    request_sha256: &[u8; 32],
) -> Result<Option<Answer>, VendorError> {
    let Some(row) = sqlx::query(
        "SELECT request_sha256, status_code, response FROM idempotency WHERE counter_id = $1 AND idempotency_key = $2",
    )
    .bind(counter_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    if blob(&row, "request_sha256")? != request_sha256 {
        return Err(VendorError::new(
            RefusalKind::Conflict,
            format!(
                "the idempotency key {key:?} was used before for a different request; use a new key for a new request"
            ),
        ));
    }
    let status_code = u16::try_from(int(&row, "status_code")?).unwrap_or(0);
    if status_code == 0 {
        // Claimed but unanswered can only be seen inside the claiming transaction.
        return Err(VendorError::new(
            RefusalKind::Conflict,
            format!("the idempotency key {key:?} is in use by a request still in progress"),
        ));
    }
    Ok(Some(Answer {
        status_code,
        body: text(&row, "response")?,
    }))
}

/// Stores the answer of a claimed key.
pub async fn finish(
    conn: &mut AnyConnection,
    counter_id: &str,
    key: &str,
    status_code: u16,
    response: &str,
) -> Result<(), VendorError> {
    sqlx::query(
        "UPDATE idempotency SET status_code = $1, response = $2 WHERE counter_id = $3 AND idempotency_key = $4",
    )
    .bind(i64::from(status_code))
    .bind(response)
    .bind(counter_id)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives up a claim whose request was refused, so a retry is done afresh.
pub async fn release(
    conn: &mut AnyConnection,
    counter_id: &str,
    key: &str,
) -> Result<(), VendorError> {
    sqlx::query("DELETE FROM idempotency WHERE counter_id = $1 AND idempotency_key = $2")
        .bind(counter_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a signed request's nonce, refusing one the counter used before (a replay); a
/// request in a session has none to record.
pub async fn admit(
    conn: &mut AnyConnection,
    context: &super::void_refill::RequestContext,
) -> Result<(), VendorError> {
    let Some(nonce) = &context.nonce else {
        return Ok(());
    };
    if record_nonce(
        conn,
        &context.counter_id,
        &nonce.nonce,
        nonce.expires_unix_ms,
    )
    .await?
    {
        Ok(())
    } else {
        Err(replayed_nonce(&context.counter_id))
    }
}

impl super::VendorStore {
    /// Admits a signed read (it writes nothing else): its nonce recorded, a replay refused.
    /// A read in a session has none; its session refuses a replayed sequence number.
    pub async fn admit_read(
        &self,
        context: &super::void_refill::RequestContext,
    ) -> Result<(), VendorError> {
        if context.nonce.is_none() {
            return Ok(());
        }
        let mut conn = self.pool().acquire().await?;
        admit(&mut conn, context).await
    }
}

/// Records a signed request's nonce; false when the counter used it before (a replay).
pub async fn record_nonce(
    conn: &mut AnyConnection,
    counter_id: &str,
    nonce: &str,
    expires_unix_ms: i64,
) -> Result<bool, VendorError> {
    let inserted = sqlx::query(
        "INSERT INTO nonce (counter_id, nonce, expires_unix_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(counter_id)
    .bind(nonce)
    .bind(expires_unix_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub fn replayed_nonce(counter_id: &str) -> VendorError {
    VendorError::new(
        RefusalKind::Replayed,
        format!(
            "this request from counter {counter_id} was seen before (its nonce is used): a replayed request is refused"
        ),
    )
}
