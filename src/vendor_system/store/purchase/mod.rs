//! A batch of purchases inside the committer's transaction, in two halves around the
//! signing, each a handful of set-based statements for the whole batch rather than a dozen
//! per purchase.
//!
//! [`prepare_batch`] records every nonce, checks the counters, locks and reads the funds of
//! every account the batch buys for, and works each purchase out in memory in arrival
//! order: a card payment becomes funds of the account, a PSD short of funds is topped up
//! from the account (claim 11), each piece debits DR and credits AR, and each label serial
//! is claimed. A refused purchase leaves nothing of itself but its nonce (and, refused after
//! its card was charged, its refusal under its key: see [`RefusedKey`]). The indicium data
//! to sign is returned. [`record_batch`] then stores the answers under their idempotency
//! keys, which claims the keys (see [`claims`]), and then the registers and balances (once
//! per row) and the signed pieces. The committer commits the batch before any
//! answer leaves the vendor.

use std::collections::{BTreeSet, HashSet};

use sqlx::AnyConnection;

mod claims;
mod funds;
pub(super) mod label;
mod record;

use super::counters::active_account_ids;
use super::idempotency;
use super::void_refill::{Answer, SignedNonce};
use crate::date::Date;
use crate::indicium::{DestinationZip, IndiciumData, SOFTWARE_ID, label_binding};
use crate::money::Money;
use crate::payment::Approval;
use crate::psd::Registers;
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::postage::label_ref::LabelRef;
use crate::vendor_system::postage::processing::{BatchCertificates, LaneSigning};
pub use claims::KeyAnswer;
pub use funds::BatchFunds;
use label::{LabelUse, claim_labels};
pub use record::{Signed, record_batch};

/// One piece, validated by the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceToIssue {
    pub postage: Money,
    pub mailing_date: Date,
    pub origin_zip5: u32,
    pub destination_zip: Option<DestinationZip>,
    pub rate_category: u8,
    pub extra_services: u8,
    /// The effective date of the rate table that priced the piece.
    pub rate_table: Date,
    pub label_serial: Option<LabelRef>,
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
    Answer(Answer),
    /// Refused; nothing of it is left in the batch but what `key` says.
    Refused {
        refusal: VendorError,
        key: RefusedKey,
    },
    Debited(Debited),
}

/// What a refused purchase leaves under its idempotency key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusedKey {
    /// Nothing: refused before its key was looked at (a replayed nonce, a counter that is
    /// not active, a key used for another request).
    Untouched,
    /// Nothing once the batch commits, so a retry is done afresh; but the key is held
    /// until then, so a purchase under it that another vendor process is committing, or
    /// committed, is found (and its answer sent instead of this refusal).
    Released,
    /// The refusal, for good: the purchase's card charge is refunded, and a retry must not
    /// issue against the gateway's replay of that charge.
    Kept,
}

impl Prepared {
    fn refused(refusal: VendorError) -> Prepared {
        Prepared::Refused {
            refusal,
            key: RefusedKey::Untouched,
        }
    }
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

/// A batch worked out: each job answered (a retry), refused or debited, and the funds
/// moved, for [`record_batch`] to write.
pub struct PreparedBatch {
    pub purchases: Vec<Prepared>,
    pub funds: BatchFunds,
    /// `(lane, psd_id, date)` of purchases whose processing server has no certificate for
    /// their PSD valid through `date` (their latest mailing date): the batch is to be rolled
    /// back, the keys certified, and the batch done again.
    pub uncertified: Vec<(usize, u32, Date)>,
}

/// What [`issue`] made of a purchase.
enum Issued {
    Debited(Debited),
    /// Its processing server holds no key for the PSD it would be debited from with a
    /// certificate valid through `through` (the purchase's latest mailing date).
    Uncertified {
        psd_id: u32,
        through: Date,
    },
}

/// The first half of a batch: nonces, counters, funds and labels for every job, in one
/// transaction. The jobs whose keys `taken_keys` holds (as `(counter_id, key)`) were found
/// taken by an earlier attempt at this batch: their first answers are looked up. Each piece
/// names the certificate its processing server signs under (`certificates`). A storage
/// error is the batch's.
pub async fn prepare_batch(
    conn: &mut AnyConnection,
    jobs: &[&PurchaseJob],
    rules: &PurchaseRules,
    taken_keys: &HashSet<(String, String)>,
    certificates: BatchCertificates<'_>,
) -> Result<PreparedBatch, VendorError> {
    let mut prepared: Vec<Option<Prepared>> = jobs.iter().map(|_| None).collect();
    // The nonce first: a replayed request must be refused before it can find an answer.
    let fresh_nonces = claims::record_nonces(conn, jobs).await?;
    let counter_ids: BTreeSet<&str> = jobs.iter().map(|job| job.counter_id.as_str()).collect();
    // Then the counter: a revoked or locked one gets nothing, not even an earlier answer.
    let accounts = active_account_ids(conn, &counter_ids).await?;
    let mut fresh_jobs = Vec::new();
    for (index, (job, fresh)) in jobs.iter().zip(fresh_nonces).enumerate() {
        let account = accounts
            .get(&job.counter_id)
            .cloned()
            .unwrap_or_else(|| Err(VendorError::storage("a purchase's counter went missing")));
        prepared[index] = match (fresh, account) {
            (false, _) => Some(Prepared::refused(idempotency::replayed_nonce(
                &job.counter_id,
            ))),
            (true, Err(refusal)) => Some(Prepared::refused(refusal)),
            // Most attempts are first attempts: no key to build and look up.
            (true, Ok(_))
                if !taken_keys.is_empty()
                    && taken_keys.contains(&(job.counter_id.clone(), job.key.clone())) =>
            {
                first_answer(conn, job).await?
            }
            (true, Ok(_)) => None,
        };
        if prepared[index].is_none() {
            fresh_jobs.push(index);
        }
    }
    let account_ids: BTreeSet<String> = fresh_jobs
        .iter()
        .filter_map(|&index| accounts.get(&jobs[index].counter_id)?.clone().ok())
        .collect();
    let mut funds = BatchFunds::lock(conn, &account_ids).await?;
    let mut uncertified = Vec::new();
    for index in fresh_jobs {
        let job = jobs[index];
        let outcome = match accounts.get(&job.counter_id) {
            Some(Ok(account_id)) => {
                issue(conn, &mut funds, job, account_id, rules, certificates).await
            }
            _ => Err(VendorError::storage("a purchase's counter went missing")),
        };
        prepared[index] = Some(match outcome {
            Ok(Issued::Debited(debited)) => Prepared::Debited(debited),
            Ok(Issued::Uncertified { psd_id, through }) => {
                uncertified.push((job.lane, psd_id, through));
                // Never answered: the batch is rolled back and done again.
                Prepared::refused(VendorError::new(
                    RefusalKind::Unavailable,
                    format!("PSD {psd_id} has no certificate on its processing server yet"),
                ))
            }
            Err(error) if error.kind() == RefusalKind::Unavailable => return Err(error),
            Err(refusal) => {
                let key = if job.card.is_some() && refusal_returns_card_payment(refusal.kind()) {
                    RefusedKey::Kept
                } else {
                    RefusedKey::Released
                };
                Prepared::Refused { refusal, key }
            }
        });
    }
    let purchases = prepared
        .into_iter()
        .map(|slot| slot.ok_or_else(|| VendorError::storage("a purchase was left unprepared")))
        .collect::<Result<_, _>>()?;
    Ok(PreparedBatch {
        purchases,
        funds,
        uncertified,
    })
}

/// A job whose key an earlier attempt found taken (a retry, rare: one lookup each): its
/// first answer, or the conflict of a key used for another request; `None` when the key's
/// holder rolled back, and the job is done afresh.
async fn first_answer(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
) -> Result<Option<Prepared>, VendorError> {
    match idempotency::existing(conn, &job.counter_id, &job.key, &job.request_sha256).await {
        Ok(answer) => Ok(answer.map(Prepared::Answer)),
        Err(error) if error.kind() == RefusalKind::Unavailable => Err(error),
        Err(refusal) => Ok(Some(Prepared::refused(refusal))),
    }
}

/// Whether a purchase refused with `kind` after its card was charged never used the charge,
/// so the charge is refunded. A replayed or conflicting request may belong to a purchase
/// that did use it.
pub fn refusal_returns_card_payment(kind: RefusalKind) -> bool {
    matches!(
        kind,
        RefusalKind::InsufficientFunds
            | RefusalKind::Refused
            | RefusalKind::PsdLocked
            | RefusalKind::NotFound
            | RefusalKind::Forbidden
            | RefusalKind::BadRequest
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
    certificates: BatchCertificates<'_>,
) -> Result<Issued, VendorError> {
    let taken = funds.take(job, account_id, rules)?;
    // Every piece must verify on its date of mailing: no signature under a certificate that
    // ends before it.
    let through = job
        .pieces
        .iter()
        .map(|piece| piece.mailing_date)
        .max()
        .ok_or_else(|| VendorError::bad_request("a purchase of no pieces"))?;
    // The funds taken are kept only at the end: a purchase that returns before leaves
    // nothing of itself in the batch.
    let certificate_serial = match certificates.signing(job.lane, taken.psd_id, through) {
        LaneSigning::Under(serial) => serial,
        LaneSigning::Refused(why) => return Err(why),
        LaneSigning::Uncertified => {
            return Ok(Issued::Uncertified {
                psd_id: taken.psd_id,
                through,
            });
        }
    };
    let mut pieces = Vec::with_capacity(job.pieces.len());
    let mut messages = Vec::with_capacity(job.pieces.len());
    let mut labels = Vec::new();
    for (piece, registers) in job.pieces.iter().zip(&taken.after_each_piece) {
        let piece_serial = u32::try_from(registers.piece_count).map_err(|_| {
            VendorError::new(
                RefusalKind::PsdLocked,
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
            certificate_serial,
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
            rate_table: Some(piece.rate_table),
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
        certificate_serial,
        pieces,
        messages,
        registers,
        top_up: taken.top_up,
    };
    funds.keep(taken);
    Ok(Issued::Debited(debited))
}
