//! A purchase inside the committer's batch transaction, in two halves around the signing.
//!
//! [`prepare`] runs in a savepoint of its own, so a refused purchase leaves nothing of
//! itself in the batch: it claims the idempotency key and the nonce, checks the counter,
//! records an approved card payment as funds of the account, picks the account's PSD, tops
//! it up from the account when short (claim 11), debits DR and credits AR once per piece
//! with a conditional `UPDATE` (two requests can never spend the same funds, on either
//! engine), and claims each label serial. It returns the indicium data to sign. [`record`]
//! then stores the signed pieces and the answer under the idempotency key. The committer
//! commits the batch before any answer leaves the vendor.

use sqlx::AnyConnection;
use sqlx::{Acquire, Any, Transaction};

use super::counters::active_account_id;
use super::idempotency::{self, KeyClaim};
use super::psds::registers;
use super::{id32, optional_text};
use crate::date::Date;
use crate::indicium::{DestinationZip, IndiciumData, SOFTWARE_ID, label_binding};
use crate::money::Money;
use crate::payment::Approval;
use crate::psd::Registers;
use crate::vendor::error::{VendorError, VendorErrorKind};
use crate::vendor::label_serial::LabelSerial;

/// One piece, validated by the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceToIssue {
    pub postage: Money,
    pub mailing_date: Date,
    pub origin_zip5: u32,
    pub destination_zip: Option<DestinationZip>,
    pub rate_category: u8,
    pub extra_services: u8,
    pub label_serial: Option<LabelSerial>,
}

/// An authenticated, validated purchase waiting for the committer.
#[derive(Clone, Debug)]
pub struct PurchaseJob {
    pub counter_id: String,
    pub key: String,
    pub request_sha256: [u8; 32],
    pub nonce: String,
    pub nonce_expires_unix_ms: i64,
    pub pieces: Vec<PieceToIssue>,
    /// A card charge approved by the gateway for this purchase, if paid by card.
    pub card: Option<Approval>,
    /// The processing server chosen for it.
    pub lane: usize,
}

/// What the vendor's settings contribute.
#[derive(Clone, Copy, Debug)]
pub struct PurchaseRules {
    pub license_number: u32,
    /// A PSD short of funds is topped up from the account by at least this much.
    pub top_up_step: Money,
    pub now_unix_ms: i64,
}

pub enum Prepared {
    /// A retry: its first answer.
    Answer {
        status_code: u16,
        response: String,
    },
    /// Refused; nothing of it is left in the batch.
    Refused(VendorError),
    Debited(Debited),
}

/// A purchase whose funds are taken, waiting for its signatures.
pub struct Debited {
    pub psd_id: u32,
    pub certificate_serial: u32,
    pub pieces: Vec<IndiciumData>,
    /// Each piece's signed bytes: what its processing server signs.
    pub messages: Vec<Vec<u8>>,
    pub labels: Vec<Option<String>>,
    pub registers: Registers,
    pub top_up: Money,
}

/// Runs the first half of `job` in a savepoint of `tx`; storage errors abort the batch.
pub async fn prepare(
    tx: &mut Transaction<'static, Any>,
    job: &PurchaseJob,
    rules: &PurchaseRules,
) -> Result<Prepared, VendorError> {
    let mut savepoint = tx.begin().await?;
    match prepare_in(&mut savepoint, job, rules).await {
        Ok(prepared) => {
            savepoint.commit().await?;
            Ok(prepared)
        }
        Err(error) if error.kind() == VendorErrorKind::Unavailable => Err(error),
        Err(refusal) => {
            savepoint.rollback().await?;
            if job.card.is_some() && refusal_returns_card_payment(refusal.kind()) {
                // The card is refunded after this answer; the key keeps the refusal so a
                // retry cannot issue against the gateway's replay of the refunded charge.
                let body = refusal.body_json();
                let status = refusal.kind().http_status();
                if idempotency::claim(
                    tx,
                    &job.counter_id,
                    &job.key,
                    &job.request_sha256,
                    rules.now_unix_ms,
                )
                .await?
                    == KeyClaim::New
                {
                    idempotency::finish(tx, &job.counter_id, &job.key, status, &body).await?;
                }
            }
            Ok(Prepared::Refused(refusal))
        }
    }
}

/// Whether a purchase refused with `kind` after its card was charged never used the charge,
/// so the charge is refunded. A replayed or conflicting request may belong to a purchase
/// that did use it.
pub fn refusal_returns_card_payment(kind: VendorErrorKind) -> bool {
    matches!(
        kind,
        VendorErrorKind::InsufficientFunds
            | VendorErrorKind::Refused
            | VendorErrorKind::PsdLocked
            | VendorErrorKind::NotFound
            | VendorErrorKind::Forbidden
            | VendorErrorKind::BadRequest
    )
}

async fn prepare_in(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    rules: &PurchaseRules,
) -> Result<Prepared, VendorError> {
    // The nonce first: a replayed request must be refused before it can find an answer.
    if !idempotency::record_nonce(conn, &job.counter_id, &job.nonce, job.nonce_expires_unix_ms)
        .await?
    {
        return Err(idempotency::replayed_nonce(&job.counter_id));
    }
    let claim = idempotency::claim(
        conn,
        &job.counter_id,
        &job.key,
        &job.request_sha256,
        rules.now_unix_ms,
    )
    .await?;
    if let KeyClaim::Replay {
        status_code,
        response,
    } = claim
    {
        return Ok(Prepared::Answer {
            status_code,
            response,
        });
    }
    let account_id = active_account_id(conn, &job.counter_id).await?;
    let (psd_id, certificate_serial) = usable_psd(conn, &account_id).await?;
    // Locks are always taken PSD first, then account, so two vendor processes cannot
    // deadlock on one account's rows.
    let descending = lock_psd(conn, psd_id).await?;
    if let Some(card) = &job.card {
        record_card_payment(conn, job, &account_id, card, rules.now_unix_ms).await?;
    }
    let total = job
        .pieces
        .iter()
        .try_fold(Money::ZERO, |sum, piece| sum.checked_add(piece.postage))
        .ok_or_else(|| VendorError::bad_request("the pieces' postage adds up past the limit"))?;
    let top_up = top_up_if_short(conn, job, &account_id, psd_id, descending, total, rules).await?;
    let mut pieces = Vec::with_capacity(job.pieces.len());
    let mut messages = Vec::with_capacity(job.pieces.len());
    let mut labels = Vec::with_capacity(job.pieces.len());
    let mut after = None;
    for piece in &job.pieces {
        let registers = debit(conn, psd_id, piece.postage).await?;
        let piece_serial = u32::try_from(registers.piece_count).map_err(|_| {
            VendorError::new(
                VendorErrorKind::PsdLocked,
                format!("PSD {psd_id} has used every piece serial"),
            )
        })?;
        let label = piece.label_serial.map(|serial| serial.to_string());
        if let Some(label) = &label {
            claim_label(
                conn,
                &account_id,
                label,
                piece,
                psd_id,
                piece_serial,
                job,
                rules,
            )
            .await?;
        }
        let data = IndiciumData {
            certificate_serial,
            device_id: psd_id,
            license_number: rules.license_number,
            ascending_register: registers.ascending,
            descending_register: registers.descending,
            postage: piece.postage,
            mailing_date: piece.mailing_date,
            origin_zip5: piece.origin_zip5,
            destination_zip: piece.destination_zip,
            rate_category: piece.rate_category,
            extra_services: piece.extra_services,
            software_id: SOFTWARE_ID,
            piece_serial,
            label_binding: label_binding(label.as_deref()),
        };
        let message = data.to_signed_bytes().map_err(|e| {
            VendorError::bad_request(format!("the indicium cannot carry this piece: {e}"))
        })?;
        messages.push(message.to_vec());
        pieces.push(data);
        labels.push(label);
        after = Some(registers);
    }
    let registers =
        after.ok_or_else(|| VendorError::bad_request("a purchase needs at least one piece"))?;
    Ok(Prepared::Debited(Debited {
        psd_id,
        certificate_serial,
        pieces,
        messages,
        labels,
        registers,
        top_up,
    }))
}

/// The account's first unlocked PSD.
async fn usable_psd(conn: &mut AnyConnection, account_id: &str) -> Result<(u32, u32), VendorError> {
    let rows = sqlx::query(
        "SELECT psd_id, certificate_serial, locked_reason FROM psd WHERE account_id = $1 ORDER BY psd_id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut locked = None;
    for row in &rows {
        match optional_text(row, "locked_reason")? {
            None => return Ok((id32(row, "psd_id")?, id32(row, "certificate_serial")?)),
            Some(reason) => locked = Some((id32(row, "psd_id")?, reason)),
        }
    }
    Err(match locked {
        Some((psd_id, reason)) => VendorError::new(
            VendorErrorKind::PsdLocked,
            format!("PSD {psd_id} of account {account_id} is locked: {reason}"),
        ),
        None => VendorError::not_found(format!(
            "account {account_id} has no PSD; create one with `postcounter admin psd create`"
        )),
    })
}

/// Takes the PSD's row lock with a no-op update (PostgreSQL; SQLite holds the write lock
/// already), so no other vendor process can spend its DR before this transaction ends.
/// Returns DR.
async fn lock_psd(conn: &mut AnyConnection, psd_id: u32) -> Result<i64, VendorError> {
    Ok(sqlx::query_scalar(
        "UPDATE psd SET piece_count = piece_count WHERE psd_id = $1 RETURNING descending_mills",
    )
    .bind(i64::from(psd_id))
    .fetch_one(&mut *conn)
    .await?)
}

/// Moves funds from the account to the PSD when its DR is below `total` (claim 11): at
/// least the shortfall, and the configured step when the balance allows.
async fn top_up_if_short(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    account_id: &str,
    psd_id: u32,
    descending: i64,
    total: Money,
    rules: &PurchaseRules,
) -> Result<Money, VendorError> {
    let shortfall = total.mills() - descending;
    if shortfall <= 0 {
        return Ok(Money::ZERO);
    }
    for amount in [shortfall.max(rules.top_up_step.mills()), shortfall] {
        let taken = sqlx::query(
            "UPDATE account SET balance_mills = balance_mills - $1 WHERE account_id = $2 AND balance_mills >= $1",
        )
        .bind(amount)
        .bind(account_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if taken == 1 {
            sqlx::query(
                "UPDATE psd SET descending_mills = descending_mills + $1, control_total_mills = control_total_mills + $1 WHERE psd_id = $2",
            )
            .bind(amount)
            .bind(i64::from(psd_id))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, 'top_up', $3, $4, $5)",
            )
            .bind(account_id)
            .bind(format!("top-up {} {}", job.counter_id, job.key))
            .bind(-amount)
            .bind(i64::from(psd_id))
            .bind(rules.now_unix_ms)
            .execute(&mut *conn)
            .await?;
            return Ok(Money::from_mills(amount));
        }
    }
    let balance: i64 =
        sqlx::query_scalar("SELECT balance_mills FROM account WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await?;
    Err(VendorError::new(
        VendorErrorKind::InsufficientFunds,
        format!(
            "insufficient funds: {total} needed, PSD {psd_id} holds {} and account {account_id} {}",
            Money::from_mills(descending),
            Money::from_mills(balance)
        ),
    ))
}

/// One piece's debit: DR down, AR up, the piece count up, only if DR covers it.
async fn debit(
    conn: &mut AnyConnection,
    psd_id: u32,
    postage: Money,
) -> Result<Registers, VendorError> {
    let row = sqlx::query(
        "UPDATE psd SET ascending_mills = ascending_mills + $1, descending_mills = descending_mills - $1, piece_count = piece_count + 1 \
         WHERE psd_id = $2 AND descending_mills >= $1 AND locked_reason IS NULL \
         RETURNING ascending_mills, descending_mills, control_total_mills, piece_count",
    )
    .bind(postage.mills())
    .bind(i64::from(psd_id))
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => registers(&row),
        // The top-up made DR cover the whole purchase inside this transaction, so only a
        // concurrent lock can get here.
        None => Err(VendorError::new(
            VendorErrorKind::PsdLocked,
            format!(
                "PSD {psd_id} could not be debited {postage}: it was locked or emptied meanwhile"
            ),
        )),
    }
}

/// The label must be of stock issued to the account, and unused.
#[allow(clippy::too_many_arguments)]
async fn claim_label(
    conn: &mut AnyConnection,
    account_id: &str,
    label: &str,
    piece: &PieceToIssue,
    psd_id: u32,
    piece_serial: u32,
    job: &PurchaseJob,
    rules: &PurchaseRules,
) -> Result<(), VendorError> {
    let sequence = piece.label_serial.map(|s| s.sequence()).unwrap_or(0);
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT account_id FROM label_stock WHERE first_sequence <= $1 AND last_sequence >= $1",
    )
    .bind(i64::try_from(sequence).unwrap_or(i64::MAX))
    .fetch_optional(&mut *conn)
    .await?;
    if owner.as_deref() != Some(account_id) {
        return Err(VendorError::refused(format!(
            "label serial {label} is not from stock issued to account {account_id}"
        )));
    }
    let inserted = sqlx::query(
        "INSERT INTO label_use (label_serial, psd_id, piece_serial, counter_id, used_unix_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(label)
    .bind(i64::from(psd_id))
    .bind(i64::from(piece_serial))
    .bind(&job.counter_id)
    .bind(rules.now_unix_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(VendorError::refused(format!(
            "label serial {label} has been used before; each label carries one indicium"
        )));
    }
    Ok(())
}

/// A card payment approved for this purchase becomes funds of the account.
async fn record_card_payment(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    account_id: &str,
    card: &Approval,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    sqlx::query(
        "INSERT INTO card_payment (payment_id, counter_id, token, brand, last4, amount_mills, status, created_unix_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, 'captured', $7)",
    )
    .bind(&card.charge_id)
    .bind(&job.counter_id)
    .bind(&card.approval_code)
    .bind(card.brand.name())
    .bind(&card.last4)
    .bind(card.amount.mills())
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, 'card', $3, NULL, $4)",
    )
    .bind(account_id)
    .bind(&card.charge_id)
    .bind(card.amount.mills())
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE account SET balance_mills = balance_mills + $1 WHERE account_id = $2")
        .bind(card.amount.mills())
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The second half: the signed pieces and the answer, stored under the key.
pub async fn record(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    debited: &Debited,
    indicia: &[Vec<u8>],
    server_id: u32,
    response: &str,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    for ((data, label), indicium) in debited.pieces.iter().zip(&debited.labels).zip(indicia) {
        sqlx::query(
            "INSERT INTO piece (psd_id, piece_serial, counter_id, purchase_key, postage_mills, mailing_day, label_serial, server_id, indicium, issued_unix_ms, voided_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)",
        )
        .bind(i64::from(debited.psd_id))
        .bind(i64::from(data.piece_serial))
        .bind(&job.counter_id)
        .bind(&job.key)
        .bind(data.postage.mills())
        .bind(i64::from(data.mailing_date.days_since_2000()))
        .bind(label.as_deref())
        .bind(i64::from(server_id))
        .bind(indicium.clone())
        .bind(now_unix_ms)
        .execute(&mut *conn)
        .await?;
    }
    idempotency::finish(conn, &job.counter_id, &job.key, 201, response).await?;
    sqlx::query("UPDATE counter SET last_contact_unix_ms = $1 WHERE counter_id = $2")
        .bind(now_unix_ms)
        .bind(&job.counter_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
