//! A batch of purchases inside the committer's transaction, in two halves around the
//! signing, each a handful of set-based statements for the whole batch rather than a dozen
//! per purchase.
//!
//! [`prepare_batch`] records every nonce, checks the counters, claims every idempotency key
//! (retries find their first answer), locks and reads the funds of every account the
//! batch buys for, and works each purchase out in memory in arrival order: a card payment
//! becomes funds of the account, a PSD short of funds is topped up from the account
//! (claim 11), each piece debits DR and credits AR, and each label serial is claimed. A
//! refused purchase leaves nothing of itself but its nonce. The registers and balances are
//! written once per row, and the indicium data to sign is returned. [`record_batch`] then
//! stores the signed pieces and the answers under their keys. The committer commits the
//! batch before any answer leaves the vendor.

use std::collections::BTreeSet;

use sqlx::{AnyConnection, AssertSqlSafe};

mod claims;
mod funds;
mod label;

use super::Dialect;
use super::counters::active_account_ids;
use super::idempotency::{self, KeyClaim};
use super::void_refill::SignedNonce;
use crate::date::Date;
use crate::indicium::{DestinationZip, IndiciumData, SOFTWARE_ID, label_binding};
use crate::money::Money;
use crate::payment::Approval;
use crate::psd::Registers;
use crate::vendor::error::{VendorError, VendorErrorKind};
use crate::vendor::label_serial::LabelSerial;
use claims::KeyAnswer;
use funds::BatchFunds;
use label::{LabelUse, claim_labels};

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
    /// The signature's nonce; `None` in a session.
    pub nonce: Option<SignedNonce>,
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

/// The first half of a batch: claims, funds and labels for every job, in one transaction.
/// Each job comes back answered (a retry), refused (nothing of it is left but its nonce and,
/// for a refunded card, the refusal under its key) or debited. A storage error is the
/// batch's.
pub async fn prepare_batch(
    conn: &mut AnyConnection,
    jobs: &[&PurchaseJob],
    rules: &PurchaseRules,
) -> Result<Vec<Prepared>, VendorError> {
    let mut prepared: Vec<Option<Prepared>> = jobs.iter().map(|_| None).collect();
    // The nonce first: a replayed request must be refused before it can find an answer.
    let fresh_nonces = claims::record_nonces(conn, jobs).await?;
    let counter_ids: BTreeSet<&str> = jobs.iter().map(|job| job.counter_id.as_str()).collect();
    // Then the counter: a revoked or locked one gets nothing, not even an earlier answer.
    let accounts = active_account_ids(conn, &counter_ids).await?;
    let mut claiming = Vec::new();
    for ((job, fresh), slot) in jobs.iter().zip(fresh_nonces).zip(&mut prepared) {
        let account = accounts
            .get(&job.counter_id)
            .cloned()
            .unwrap_or_else(|| Err(VendorError::storage("a purchase's counter went missing")));
        *slot = match (fresh, account) {
            (false, _) => Some(Prepared::Refused(idempotency::replayed_nonce(
                &job.counter_id,
            ))),
            (true, Err(refusal)) => Some(Prepared::Refused(refusal)),
            (true, Ok(_)) => {
                claiming.push(*job);
                None
            }
        };
    }
    let key_claims = claims::claim_keys(conn, &claiming, rules.now_unix_ms).await?;
    let mut fresh_jobs = Vec::new();
    let mut claimed = key_claims.into_iter();
    for (index, slot) in prepared.iter_mut().enumerate() {
        if slot.is_some() {
            continue;
        }
        match claimed.next() {
            Some(Ok(KeyClaim::New)) => fresh_jobs.push(index),
            Some(Ok(KeyClaim::Replay {
                status_code,
                response,
            })) => {
                *slot = Some(Prepared::Answer {
                    status_code,
                    response,
                })
            }
            Some(Err(refusal)) => *slot = Some(Prepared::Refused(refusal)),
            None => return Err(VendorError::storage("a purchase's key claim went missing")),
        }
    }
    let account_ids: BTreeSet<String> = fresh_jobs
        .iter()
        .filter_map(|&index| accounts.get(&jobs[index].counter_id)?.clone().ok())
        .collect();
    let mut funds = BatchFunds::lock(conn, &account_ids).await?;
    for index in fresh_jobs {
        let job = jobs[index];
        let outcome = match accounts.get(&job.counter_id) {
            Some(Ok(account_id)) => issue(conn, &mut funds, job, account_id, rules).await,
            _ => Err(VendorError::storage("a purchase's counter went missing")),
        };
        prepared[index] = Some(match outcome {
            Ok(debited) => Prepared::Debited(debited),
            Err(error) if error.kind() == VendorErrorKind::Unavailable => return Err(error),
            Err(refusal) => {
                give_back_key(conn, job, &refusal).await?;
                Prepared::Refused(refusal)
            }
        });
    }
    funds.write(conn, rules.now_unix_ms).await?;
    prepared
        .into_iter()
        .map(|slot| slot.ok_or_else(|| VendorError::storage("a purchase was left unprepared")))
        .collect()
}

/// A refused purchase's key: released, so a retry is done afresh; but after a card charge
/// that will be refunded, it keeps the refusal so a retry cannot issue against the
/// gateway's replay of the refunded charge.
async fn give_back_key(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    refusal: &VendorError,
) -> Result<(), VendorError> {
    if job.card.is_some() && refusal_returns_card_payment(refusal.kind()) {
        let body = refusal.body_json();
        let status = refusal.kind().http_status();
        idempotency::finish(conn, &job.counter_id, &job.key, status, &body).await
    } else {
        idempotency::release(conn, &job.counter_id, &job.key).await
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

/// One fresh purchase: its funds worked out, its indicia's data, its labels claimed; the
/// funds are kept only when all of that passed.
async fn issue(
    conn: &mut AnyConnection,
    funds: &mut BatchFunds,
    job: &PurchaseJob,
    account_id: &str,
    rules: &PurchaseRules,
) -> Result<Debited, VendorError> {
    let taken = funds.take(job, account_id, rules)?;
    let mut pieces = Vec::with_capacity(job.pieces.len());
    let mut messages = Vec::with_capacity(job.pieces.len());
    let mut labels = Vec::new();
    for (piece, registers) in job.pieces.iter().zip(&taken.after_each_piece) {
        let piece_serial = u32::try_from(registers.piece_count).map_err(|_| {
            VendorError::new(
                VendorErrorKind::PsdLocked,
                format!("PSD {} has used every piece serial", taken.psd_id),
            )
        })?;
        if let Some(serial) = piece.label_serial {
            labels.push(LabelUse {
                serial,
                psd_id: taken.psd_id,
                piece_serial,
                counter_id: &job.counter_id,
            });
        }
        let data = IndiciumData {
            certificate_serial: taken.certificate_serial,
            device_id: taken.psd_id,
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
    }
    let registers = *taken
        .after_each_piece
        .last()
        .ok_or_else(|| VendorError::bad_request("a purchase needs at least one piece"))?;
    claim_labels(conn, account_id, &labels, rules.now_unix_ms).await?;
    let debited = Debited {
        psd_id: taken.psd_id,
        certificate_serial: taken.certificate_serial,
        pieces,
        messages,
        registers,
        top_up: taken.top_up,
    };
    funds.keep(taken);
    Ok(debited)
}

/// A debited purchase, signed and answered, ready to store.
pub struct Signed<'a> {
    pub job: &'a PurchaseJob,
    pub debited: &'a Debited,
    pub indicia: Vec<Vec<u8>>,
    pub server_id: u32,
    pub response: String,
}

/// The second half of a batch: every signed piece, each answer under its key, and the
/// counters' last contact, a few multi-row statements for the whole batch.
pub async fn record_batch(
    conn: &mut AnyConnection,
    signed: &[Signed<'_>],
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    let pieces: Vec<(&Signed, &IndiciumData, &PieceToIssue, &Vec<u8>)> = signed
        .iter()
        .flat_map(|purchase| {
            purchase
                .debited
                .pieces
                .iter()
                .zip(&purchase.job.pieces)
                .zip(&purchase.indicia)
                .map(move |((data, piece), indicium)| (purchase, data, piece, indicium))
        })
        .collect();
    let dialect = Dialect::of(conn);
    for chunk in dialect.chunks(&pieces, 10, |(purchase, _, _, indicium)| {
        purchase.job.counter_id.len() + purchase.job.key.len() + indicium.len() + 80
    }) {
        let sql = format!(
            "INSERT INTO piece (psd_id, piece_serial, counter_id, purchase_key, postage_mills, mailing_day, label_serial, server_id, indicium, issued_unix_ms) VALUES {}",
            dialect.rows(chunk.len(), 10, 1)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (purchase, data, piece, indicium) in chunk {
            query = query
                .bind(i64::from(purchase.debited.psd_id))
                .bind(i64::from(data.piece_serial))
                .bind(&purchase.job.counter_id)
                .bind(&purchase.job.key)
                .bind(data.postage.mills())
                .bind(i64::from(data.mailing_date.days_since_2000()))
                .bind(piece.label_serial.map(|s| s.to_string()))
                .bind(i64::from(purchase.server_id))
                .bind((*indicium).clone())
                .bind(now_unix_ms);
        }
        query.execute(&mut *conn).await?;
    }
    let answers: Vec<KeyAnswer> = signed
        .iter()
        .map(|purchase| KeyAnswer {
            counter_id: &purchase.job.counter_id,
            key: &purchase.job.key,
            status_code: 201,
            response: &purchase.response,
        })
        .collect();
    claims::answer_keys(conn, &answers).await?;
    let counter_ids: BTreeSet<&str> = signed
        .iter()
        .map(|purchase| purchase.job.counter_id.as_str())
        .collect();
    if !counter_ids.is_empty() {
        let sql = format!(
            "UPDATE counter SET last_contact_unix_ms = $1 WHERE counter_id IN ({})",
            dialect.list(counter_ids.len(), 2)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now_unix_ms);
        for counter_id in counter_ids {
            query = query.bind(counter_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
