//! A batch's claims, set-based: every purchase's nonce (a replay is refused) and its
//! idempotency key (a retry finds its first answer) go in with one multi-row statement
//! each, and the answers are stored under their keys with one more.
//!
//! The rows go in sorted, so two vendor processes on one PostgreSQL database that claim
//! overlapping rows take their locks in the same order and cannot deadlock; a key that
//! another process holds uncommitted makes the insert wait for that commit, then find the
//! answer.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::PurchaseJob;
use crate::vendor::error::{VendorError, VendorErrorKind};
use crate::vendor::store::Dialect;
use crate::vendor::store::idempotency::{self, KeyClaim};

/// Records each signed job's nonce; true where it is new, and for a job in a session (its
/// session refused replays). A nonce seen before, or twice in this batch (after its first
/// use), is a replay.
pub(super) async fn record_nonces(
    conn: &mut AnyConnection,
    jobs: &[&PurchaseJob],
) -> Result<Vec<bool>, VendorError> {
    let mut first_use: HashMap<(&str, &str), usize> = HashMap::new();
    for (index, job) in jobs.iter().enumerate() {
        if let Some(nonce) = &job.nonce {
            first_use
                .entry((job.counter_id.as_str(), nonce.nonce.as_str()))
                .or_insert(index);
        }
    }
    let mut rows: Vec<(&str, &str, usize)> = first_use
        .iter()
        .map(|(&(counter_id, nonce), &index)| (counter_id, nonce, index))
        .collect();
    rows.sort_unstable();
    let mut recorded = HashSet::new();
    let dialect = Dialect::of(conn);
    for chunk in dialect.chunks(&rows, 3, |(counter_id, nonce, _)| {
        counter_id.len() + nonce.len() + 8
    }) {
        let sql = format!(
            "INSERT INTO nonce (counter_id, nonce, expires_unix_ms) VALUES {} \
             ON CONFLICT DO NOTHING RETURNING counter_id, nonce",
            dialect.rows(chunk.len(), 3, 1)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for &(counter_id, nonce, index) in chunk {
            let expires_unix_ms = jobs[index].nonce.as_ref().map_or(0, |n| n.expires_unix_ms);
            query = query.bind(counter_id).bind(nonce).bind(expires_unix_ms);
        }
        for row in query.fetch_all(&mut *conn).await? {
            recorded.insert((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?));
        }
    }
    Ok(jobs
        .iter()
        .enumerate()
        .map(|(index, job)| match &job.nonce {
            None => true,
            Some(nonce) => {
                let pair = (job.counter_id.as_str(), nonce.nonce.as_str());
                first_use.get(&pair) == Some(&index)
                    && recorded.contains(&(job.counter_id.clone(), nonce.nonce.clone()))
            }
        })
        .collect())
}

/// Claims each job's idempotency key (keys are unique within a batch), or finds what an
/// earlier request left under it: its answer, or a conflict.
pub(super) async fn claim_keys(
    conn: &mut AnyConnection,
    jobs: &[&PurchaseJob],
    now_unix_ms: i64,
) -> Result<Vec<Result<KeyClaim, VendorError>>, VendorError> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_unstable_by_key(|&index| (&jobs[index].counter_id, &jobs[index].key));
    let mut claimed = HashSet::new();
    let dialect = Dialect::of(conn);
    for chunk in dialect.chunks(&order, 6, |&index| {
        jobs[index].counter_id.len() + jobs[index].key.len() + 56
    }) {
        let sql = format!(
            "INSERT INTO idempotency (counter_id, idempotency_key, request_sha256, status_code, response, created_unix_ms) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING counter_id, idempotency_key",
            dialect.rows(chunk.len(), 6, 1)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for &index in chunk {
            let job = jobs[index];
            query = query
                .bind(&job.counter_id)
                .bind(&job.key)
                .bind(job.request_sha256.to_vec())
                // Status 0 and no response: claimed, not answered yet.
                .bind(0_i64)
                .bind("")
                .bind(now_unix_ms);
        }
        for row in query.fetch_all(&mut *conn).await? {
            claimed.insert((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?));
        }
    }
    let mut claims = Vec::with_capacity(jobs.len());
    for job in jobs {
        if claimed.contains(&(job.counter_id.clone(), job.key.clone())) {
            claims.push(Ok(KeyClaim::New));
            continue;
        }
        // A retry: rare, so one lookup each.
        claims.push(
            match idempotency::existing(conn, &job.counter_id, &job.key, &job.request_sha256).await
            {
                Ok(Some(claim)) => Ok(claim),
                Ok(None) => {
                    return Err(VendorError::storage(format!(
                        "idempotency key {:?} was neither claimed nor found",
                        job.key
                    )));
                }
                Err(error) if error.kind() == VendorErrorKind::Unavailable => return Err(error),
                Err(refusal) => Err(refusal),
            },
        );
    }
    Ok(claims)
}

/// One answer to store under its claimed key.
pub(super) struct KeyAnswer<'a> {
    pub counter_id: &'a str,
    pub key: &'a str,
    pub status_code: u16,
    pub response: &'a str,
}

/// Stores every answer under its key.
pub(super) async fn answer_keys(
    conn: &mut AnyConnection,
    answers: &[KeyAnswer<'_>],
) -> Result<(), VendorError> {
    let dialect = Dialect::of(conn);
    for chunk in dialect.chunks(answers, 4, |answer| {
        answer.counter_id.len() + answer.key.len() + answer.response.len() + 8
    }) {
        let sql = format!(
            "UPDATE idempotency SET status_code = v.column3, response = v.column4 \
             FROM (VALUES {}) AS v \
             WHERE idempotency.counter_id = v.column1 AND idempotency.idempotency_key = v.column2",
            dialect.rows(chunk.len(), 4, 1)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for answer in chunk {
            query = query
                .bind(answer.counter_id)
                .bind(answer.key)
                .bind(i64::from(answer.status_code))
                .bind(answer.response);
        }
        let updated = query.execute(&mut *conn).await?.rows_affected();
        if updated != chunk.len() as u64 {
            return Err(VendorError::storage(format!(
                "{updated} of {} idempotency keys took their answers",
                chunk.len()
            )));
        }
    }
    Ok(())
}
