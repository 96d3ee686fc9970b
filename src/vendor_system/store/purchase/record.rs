//! The second half of a batch, after the signing: answers under their keys, then funds,
//! signed pieces and the counters' last contact, each a few set-based statements.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use super::super::Dialect;
use super::super::dialect::execute_batches;
use super::super::idempotency;
use super::{BatchFunds, Debited, KeyAnswer, PurchaseJob, claims};
use crate::hex;
use crate::vendor_system::error::VendorError;

/// A debited purchase, signed and answered, ready to store.
pub struct Signed<'a> {
    pub job: &'a PurchaseJob,
    pub debited: &'a Debited,
    pub indicia: Vec<Vec<u8>>,
    pub server_id: u32,
}

/// The second half of a batch: every answer under its key (a [`RefusedKey::Released`]
/// refusal's key is held with status 0 and given up again), then the funds, every signed
/// piece and the counters' last contact, a few statements for the whole batch. The keys
/// found taken are returned, and nothing else is written then (the entries of a taken
/// key's first purchase are there already): the caller rolls the batch back and does it
/// again.
pub async fn record_batch(
    conn: &mut AnyConnection,
    funds: BatchFunds,
    answers: &[KeyAnswer<'_>],
    signed: &[Signed<'_>],
    now_unix_ms: i64,
) -> Result<Vec<(String, String)>, VendorError> {
    let taken = claims::store_answers(conn, answers, now_unix_ms).await?;
    if !taken.is_empty() {
        return Ok(taken);
    }
    funds.write(conn, now_unix_ms).await?;
    for held in answers.iter().filter(|answer| answer.status_code == 0) {
        idempotency::release(conn, &held.job.counter_id, &held.job.key).await?;
    }
    let dialect = Dialect::of(conn);
    let pieces = signed.iter().flat_map(|purchase| {
        purchase
            .debited
            .pieces
            .iter()
            .zip(&purchase.job.pieces)
            .zip(&purchase.indicia)
            .map(move |((data, piece), indicium)| {
                (
                    purchase.debited.psd_id,
                    data.piece_serial,
                    &purchase.job.counter_id,
                    &purchase.job.key,
                    data.postage.mills(),
                    data.mailing_date.days_since_2000(),
                    piece.label_serial.map(|s| s.to_string()),
                    purchase.server_id,
                    hex::encode(indicium),
                )
            })
    });
    let sql = format!(
        "INSERT INTO piece (psd_id, piece_serial, counter_id, purchase_key, postage_mills, mailing_day, label_serial, server_id, indicium, issued_unix_ms) \
         SELECT CAST(value->>0 AS BIGINT), CAST(value->>1 AS BIGINT), value->>2, value->>3, CAST(value->>4 AS BIGINT), \
         CAST(value->>5 AS BIGINT), value->>6, CAST(value->>7 AS BIGINT), {}, $2 FROM {}",
        dialect.bytes_field(8),
        dialect.batch_rows()
    );
    execute_batches(conn, &sql, dialect.batches(pieces)?, Some(now_unix_ms)).await?;
    let counter_ids: BTreeSet<&str> = signed
        .iter()
        .map(|purchase| purchase.job.counter_id.as_str())
        .collect();
    let sql = format!(
        "UPDATE counter SET last_contact_unix_ms = $2 WHERE counter_id IN (SELECT value->>0 FROM {})",
        dialect.batch_rows()
    );
    let counters = counter_ids.into_iter().map(|counter_id| (counter_id,));
    execute_batches(conn, &sql, dialect.batches(counters)?, Some(now_unix_ms)).await?;
    Ok(Vec::new())
}
