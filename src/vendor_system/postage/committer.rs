//! Group commit: purchases from every counter are gathered into one write transaction,
//! signed in parallel on their processing servers, and committed together; no answer
//! leaves before the commit that makes it durable.
//!
//! One fsync per batch instead of one per purchase is what lets a SQLite store take
//! thousands of purchases a second with `synchronous=FULL`. While a batch commits, the next
//! one gathers. Two purchases with the same idempotency key never share a batch: the second
//! waits for the next one, which finds the key taken when it stores its answers, is rolled
//! back and done again with the first's answer for it. A store failure answers the whole
//! batch "unavailable"; nothing of it was committed, so the counters retry with their keys.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
use tokio::sync::{mpsc, oneshot};

use super::batch_signing::{response, sign_all};
use super::processing::{BatchCertificates, ProcessingPool, RefusedCertifications};
use crate::clock::Clock;
use crate::keys::KeyStore;
use crate::money::Money;
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::keys::module_keys::ModuleCertifier;
use crate::vendor_system::metrics::Metrics;
use crate::vendor_system::store::VendorStore;
use crate::vendor_system::store::purchase::{
    self, KeyAnswer, Prepared, PurchaseJob, PurchaseRules, RefusedKey, Signed,
};
use crate::vendor_system::store::void_refill::Answer;

/// The most purchases in one transaction.
pub const MAX_BATCH: usize = 256;

struct Submitted {
    job: PurchaseJob,
    reply: oneshot::Sender<Result<Answer, VendorError>>,
}

/// What the committer needs besides the store.
#[derive(Clone, Copy, Debug)]
pub struct CommitSettings {
    pub license_number: u32,
    pub top_up_step: Money,
}

#[derive(Clone)]
pub struct Committer {
    sender: mpsc::Sender<Submitted>,
}

impl Committer {
    /// Starts the committer on a thread and runtime of its own, with its own connection to
    /// `store`. The batch is the vendor's one serial step: on a shared runtime every one of
    /// its statements would wait behind the HTTP tasks (signature checks, parsing) queued
    /// on the workers, and the whole vendor would go at the pace of that queue. `keys` is
    /// the data centre's key store, for certifying a processing server's new module key.
    pub async fn start(
        store: &VendorStore,
        pool: Arc<ProcessingPool>,
        settings: CommitSettings,
        clock: Clock,
        keys: KeyStore,
        metrics: Arc<Metrics>,
    ) -> Result<Committer, VendorError> {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        let (started, ready) = oneshot::channel();
        let store = store.clone();
        // Key management runs on the vendor's shared pool: the committer's own single
        // connection is held from batch to batch, and certifying on it would wait for itself.
        let certifying_store = store.clone();
        let spawned = std::thread::Builder::new()
            .name("committer".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = started.send(Err(VendorError::storage(error)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match store.open_another(1).await {
                        Ok(own) => {
                            let _ = started.send(Ok(()));
                            let context = BatchContext {
                                store: own.clone(),
                                certifying_store,
                                pool,
                                settings,
                                clock,
                                keys,
                                metrics,
                            };
                            run(receiver, &context).await;
                            own.close().await;
                        }
                        Err(error) => {
                            let _ = started.send(Err(error));
                        }
                    }
                });
            });
        spawned.map_err(VendorError::storage)?;
        ready
            .await
            .map_err(|_| VendorError::storage("the committer did not start"))??;
        Ok(Committer { sender })
    }

    /// Hands `job` to the next batch and waits for its durable answer.
    pub async fn submit(&self, job: PurchaseJob) -> Result<Answer, VendorError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || VendorError::storage("the committer has stopped");
        self.sender
            .send(Submitted { job, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// What every batch works with.
struct BatchContext {
    store: VendorStore,
    /// The vendor's shared store, for key management between attempts.
    certifying_store: VendorStore,
    pool: Arc<ProcessingPool>,
    settings: CommitSettings,
    clock: Clock,
    keys: KeyStore,
    metrics: Arc<Metrics>,
}

async fn run(mut receiver: mpsc::Receiver<Submitted>, context: &BatchContext) {
    let BatchContext {
        store,
        settings,
        clock,
        ..
    } = context;
    let mut waiting: VecDeque<Submitted> = VecDeque::new();
    // One connection from batch to batch, while it works.
    let mut held: Option<PoolConnection<Any>> = None;
    loop {
        let first = match waiting.pop_front() {
            Some(first) => first,
            None => match receiver.recv().await {
                Some(first) => first,
                None => return,
            },
        };
        let mut keys = HashSet::new();
        keys.insert((first.job.counter_id.clone(), first.job.key.clone()));
        let mut batch = vec![first];
        let mut later = Vec::new();
        while batch.len() < MAX_BATCH {
            let Some(next) = waiting.pop_front().or_else(|| receiver.try_recv().ok()) else {
                break;
            };
            if keys.insert((next.job.counter_id.clone(), next.job.key.clone())) {
                batch.push(next);
            } else {
                later.push(next);
            }
        }
        waiting.extend(later);
        let rules = PurchaseRules {
            license_number: settings.license_number,
            top_up_step: settings.top_up_step,
            now_unix_ms: clock.now_unix_ms(),
        };
        let jobs: Vec<&PurchaseJob> = batch.iter().map(|s| &s.job).collect();
        let committed = match &mut held {
            Some(conn) => commit_batch(context, conn, &rules, &jobs).await,
            None => match store.pool().acquire().await {
                Ok(conn) => {
                    let conn = held.insert(conn);
                    commit_batch(context, conn, &rules, &jobs).await
                }
                Err(error) => Err(VendorError::from(error)),
            },
        };
        match committed {
            Ok(answers) => {
                context.metrics.observe_batch(batch.len());
                for (submitted, answer) in batch.into_iter().zip(answers) {
                    let _ = submitted.reply.send(answer);
                }
            }
            Err(error) => {
                // The connection may be what failed: the pool tests it as it takes it back.
                held = None;
                for submitted in batch {
                    let _ = submitted.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// At most this many attempts at one batch, each after the last found keys taken; then the
/// batch is answered "unavailable" and its counters retry. A second attempt is rare (a
/// retry of an answered purchase), a third rarer still: each attempt answers every key the
/// one before found taken (or certified the module keys it found missing).
const MAX_ATTEMPTS: usize = 8;

/// One batch: prepare every purchase, sign, record, commit; done again, rolled back, when
/// some of its keys turn out to be taken already, with those purchases then answered from
/// the store, or when a processing server first signs for a PSD, once its module's key is
/// certified. The outer error is the batch's.
async fn commit_batch(
    context: &BatchContext,
    conn: &mut AnyConnection,
    rules: &PurchaseRules,
    jobs: &[&PurchaseJob],
) -> Result<Vec<Result<Answer, VendorError>>, VendorError> {
    let mut taken_keys = HashSet::new();
    let mut refused = RefusedCertifications::default();
    for _ in 0..MAX_ATTEMPTS {
        let held = context.pool.certificates();
        let certificates = BatchCertificates {
            held: &held,
            refused: &refused,
        };
        match attempt_batch(
            &context.store,
            conn,
            &context.pool,
            rules,
            jobs,
            &taken_keys,
            certificates,
        )
        .await?
        {
            Attempt::Committed(answers) => return Ok(answers),
            Attempt::KeysTaken(keys) => taken_keys.extend(keys),
            Attempt::Uncertified(lanes) => {
                let certifier = ModuleCertifier {
                    store: &context.certifying_store,
                    keys: &context.keys,
                    clock: &context.clock,
                };
                for (lane, psd_id, through) in lanes {
                    match certifier
                        .certify_lane(&context.pool, lane, psd_id, through)
                        .await
                    {
                        Ok(_) => {}
                        Err(why) if why.kind() != RefusalKind::Unavailable => {
                            refused.refuse(lane, psd_id, through, why);
                        }
                        Err(unavailable) => return Err(unavailable),
                    }
                }
            }
        }
    }
    Err(VendorError::storage(format!(
        "a batch found keys taken in {MAX_ATTEMPTS} attempts"
    )))
}

enum Attempt {
    Committed(Vec<Result<Answer, VendorError>>),
    /// Rolled back: these `(counter_id, key)` were taken.
    KeysTaken(Vec<(String, String)>),
    /// Rolled back: these `(lane, psd_id)` have no module key certified through the date.
    Uncertified(Vec<(usize, u32, crate::date::Date)>),
}

async fn attempt_batch(
    store: &VendorStore,
    conn: &mut AnyConnection,
    pool: &ProcessingPool,
    rules: &PurchaseRules,
    jobs: &[&PurchaseJob],
    taken_keys: &HashSet<(String, String)>,
    certificates: BatchCertificates<'_>,
) -> Result<Attempt, VendorError> {
    let mut tx = store.begin_write_on(conn).await?;
    let purchase::PreparedBatch {
        purchases: prepared,
        funds,
        uncertified,
    } = purchase::prepare_batch(&mut tx, jobs, rules, taken_keys, certificates).await?;
    if !uncertified.is_empty() {
        tx.rollback().await?;
        return Ok(Attempt::Uncertified(uncertified));
    }
    let signatures = sign_all(pool, jobs, &prepared).await?;
    let mut answers = Vec::with_capacity(jobs.len());
    let mut signed = Vec::new();
    for ((job, prepared), signatures) in jobs.iter().zip(&prepared).zip(signatures) {
        answers.push(match prepared {
            Prepared::Answer(answer) => Ok(answer.clone()),
            Prepared::Refused { refusal, .. } => Err(refusal.clone()),
            Prepared::Debited(debited) => {
                let indicia: Vec<Vec<u8>> = debited
                    .messages
                    .iter()
                    .zip(&signatures)
                    .map(|(message, signature)| [message.as_slice(), signature].concat())
                    .collect();
                let server = pool.server(job.lane).clone();
                let server_id = server.id;
                let response = response(job, debited, &indicia, rules, server);
                let body = serde_json::to_string(&response).map_err(VendorError::storage)?;
                signed.push(Signed {
                    job,
                    debited,
                    indicia,
                    server_id,
                });
                Ok(Answer {
                    status_code: 201,
                    body,
                })
            }
        });
    }
    let key_answers: Vec<KeyAnswer> = jobs
        .iter()
        .zip(&prepared)
        .zip(&answers)
        .filter_map(|((job, prepared), answer)| key_answer(job, prepared, answer))
        .collect();
    let taken =
        purchase::record_batch(&mut tx, funds, &key_answers, &signed, rules.now_unix_ms).await?;
    if !taken.is_empty() {
        tx.rollback().await?;
        return Ok(Attempt::KeysTaken(taken));
    }
    tx.commit().await?;
    Ok(Attempt::Committed(answers))
}

/// What a purchase leaves under its idempotency key in this batch: the answer of a debited
/// one, a kept refusal, a released refusal's hold (status 0, given up before commit), or
/// nothing.
fn key_answer<'a>(
    job: &'a PurchaseJob,
    prepared: &Prepared,
    answer: &Result<Answer, VendorError>,
) -> Option<KeyAnswer<'a>> {
    let (status_code, response) = match prepared {
        Prepared::Debited(_) => {
            let answer = answer.as_ref().ok()?;
            (answer.status_code, answer.body.clone())
        }
        Prepared::Refused {
            refusal,
            key: RefusedKey::Kept,
        } => (refusal.kind().http_status(), refusal.body_json()),
        Prepared::Refused {
            key: RefusedKey::Released,
            ..
        } => (0, String::new()),
        Prepared::Refused {
            key: RefusedKey::Untouched,
            ..
        }
        | Prepared::Answer { .. } => return None,
    };
    Some(KeyAnswer {
        job,
        status_code,
        response,
    })
}
