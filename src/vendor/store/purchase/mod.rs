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

mod funds;
mod label;

use super::counters::active_account_id;
use super::idempotency::{self, KeyClaim};
use crate::date::Date;
use crate::indicium::{DestinationZip, IndiciumData, SOFTWARE_ID, label_binding};
use crate::money::Money;
use crate::payment::Approval;
use crate::psd::Registers;
use crate::vendor::error::{VendorError, VendorErrorKind};
use crate::vendor::label_serial::LabelSerial;
use funds::{debit, lock_psd, record_card_payment, top_up_if_short, usable_psd};

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

/// The postage of all `pieces` together.
pub fn total_postage(pieces: &[PieceToIssue]) -> Result<Money, VendorError> {
    pieces
        .iter()
        .try_fold(Money::ZERO, |sum, piece| sum.checked_add(piece.postage))
        .ok_or_else(|| VendorError::bad_request("the pieces' postage adds up past the limit"))
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
    let total = total_postage(&job.pieces)?;
    let top_up = top_up_if_short(conn, job, &account_id, psd_id, descending, total, rules).await?;
    let mut pieces = Vec::with_capacity(job.pieces.len());
    let mut messages = Vec::with_capacity(job.pieces.len());
    let mut after = None;
    for piece in &job.pieces {
        let registers = debit(conn, psd_id, piece.postage).await?;
        let piece_serial = u32::try_from(registers.piece_count).map_err(|_| {
            VendorError::new(
                VendorErrorKind::PsdLocked,
                format!("PSD {psd_id} has used every piece serial"),
            )
        })?;
        if let Some(serial) = piece.label_serial {
            label::claim_label(conn, &account_id, serial, psd_id, piece_serial, job, rules).await?;
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
            label_binding: label_binding(piece.label_serial.map(|s| s.to_string()).as_deref()),
        };
        let message = data.to_signed_bytes().map_err(|e| {
            VendorError::bad_request(format!("the indicium cannot carry this piece: {e}"))
        })?;
        messages.push(message.to_vec());
        pieces.push(data);
        after = Some(registers);
    }
    let registers =
        after.ok_or_else(|| VendorError::bad_request("a purchase needs at least one piece"))?;
    Ok(Prepared::Debited(Debited {
        psd_id,
        certificate_serial,
        pieces,
        messages,
        registers,
        top_up,
    }))
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
    for ((data, piece), indicium) in debited.pieces.iter().zip(&job.pieces).zip(indicia) {
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
        .bind(piece.label_serial.map(|s| s.to_string()))
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
