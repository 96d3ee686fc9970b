//! A batch's claims, set-based: every purchase's nonce (a replay is refused) goes in with
//! one statement at the start, and every answer is stored under its idempotency key with
//! one statement at the end.
//!
//! A key is claimed only when its answer is stored, in the batch's last statement: a
//! claim-then-answer pair would write each key row twice, and the update that fills in the
//! answers has to find a batch's rows again in a table that only grows. A key that is
//! already taken (a retry of an answered purchase, or, on PostgreSQL, a purchase another
//! vendor process committed meanwhile: the insert waits for that commit) is reported, and
//! the committer does the batch again with that purchase answered from the store. Rows go
//! in sorted, so two batches inserting overlapping keys take their locks in the same order.
//! The keys come after the batch's PSD and account locks, where a void or refill claims its
//! key before its PSD: a counter that sends a purchase and a void under one key to two
//! vendor processes at once can deadlock them, and PostgreSQL then fails one of the two
//! ("unavailable", retried under its key).

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::PurchaseJob;
use crate::hex;
use crate::vendor_system::error::VendorError;
use crate::vendor_system::store::Dialect;

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
    let mut rows: Vec<(&str, &str, i64)> = first_use
        .iter()
        .map(|(&(counter_id, nonce), &index)| {
            let expires_unix_ms = jobs[index].nonce.as_ref().map_or(0, |n| n.expires_unix_ms);
            (counter_id, nonce, expires_unix_ms)
        })
        .collect();
    rows.sort_unstable();
    let dialect = Dialect::of(conn);
    let sql = format!(
        "INSERT INTO nonce (counter_id, nonce, expires_unix_ms) \
         SELECT value->>0, value->>1, CAST(value->>2 AS BIGINT) FROM {} WHERE true \
         ON CONFLICT DO NOTHING RETURNING counter_id, nonce",
        dialect.batch_rows()
    );
    let mut recorded = HashSet::new();
    for batch in dialect.batches(rows)? {
        let inserted = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(batch)
            .fetch_all(&mut *conn)
            .await?;
        for row in inserted {
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

/// One answer to store under its key.
pub struct KeyAnswer<'a> {
    pub job: &'a PurchaseJob,
    pub status_code: u16,
    pub response: String,
}

/// Stores every answer under its key (keys are unique within a batch) and returns the
/// `(counter_id, key)` of those whose key was already taken, which were not stored.
pub(super) async fn store_answers(
    conn: &mut AnyConnection,
    answers: &[KeyAnswer<'_>],
    now_unix_ms: i64,
) -> Result<Vec<(String, String)>, VendorError> {
    let mut sorted: Vec<&KeyAnswer> = answers.iter().collect();
    sorted.sort_unstable_by_key(|answer| (&answer.job.counter_id, &answer.job.key));
    let dialect = Dialect::of(conn);
    let sql = format!(
        "INSERT INTO idempotency (counter_id, idempotency_key, request_sha256, status_code, response, created_unix_ms) \
         SELECT value->>0, value->>1, {}, CAST(value->>3 AS BIGINT), value->>4, $2 FROM {} WHERE true \
         ON CONFLICT DO NOTHING RETURNING counter_id, idempotency_key",
        dialect.bytes_field(2),
        dialect.batch_rows()
    );
    let rows = sorted.iter().map(|answer| {
        (
            &answer.job.counter_id,
            &answer.job.key,
            hex::encode(&answer.job.request_sha256),
            answer.status_code,
            &answer.response,
        )
    });
    let mut stored = HashSet::new();
    for batch in dialect.batches(rows)? {
        let inserted = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(batch)
            .bind(now_unix_ms)
            .fetch_all(&mut *conn)
            .await?;
        for row in inserted {
            stored.insert((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?));
        }
    }
    Ok(sorted
        .into_iter()
        .map(|answer| (answer.job.counter_id.clone(), answer.job.key.clone()))
        .filter(|pair| !stored.contains(pair))
        .collect())
}
