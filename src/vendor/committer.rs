//! Group commit: purchases from every counter are gathered into one write transaction,
//! signed in parallel on their processing servers, and committed together; no answer
//! leaves before the commit that makes it durable.
//!
//! One fsync per batch instead of one per purchase is what lets a SQLite store take
//! thousands of purchases a second with `synchronous=FULL`. While a batch commits, the next
//! one gathers. Two purchases with the same idempotency key never share a batch (the second
//! waits for the next one and finds the first's answer). A store failure answers the whole
//! batch "unavailable"; nothing of it was committed, so the counters retry with their keys.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::crypto_module::SignJob;
use super::error::VendorError;
use super::processing::ProcessingPool;
use super::store::purchase::{self, Debited, Prepared, PurchaseJob, PurchaseRules, Signed};
use super::store::void_refill::Answer;
use super::store::{VendorStore, registers_view};
use super::wire::{CardReceipt, IssuedPiece, PurchaseResponse};
use crate::clock::Clock;
use crate::hex;
use crate::money::Money;

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
    /// on the workers, and the whole vendor would go at the pace of that queue.
    pub async fn start(
        store: &VendorStore,
        pool: Arc<ProcessingPool>,
        settings: CommitSettings,
        clock: Clock,
    ) -> Result<Committer, VendorError> {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        let (started, ready) = oneshot::channel();
        let store = store.clone();
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
                            run(receiver, own.clone(), pool, settings, clock).await;
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

async fn run(
    mut receiver: mpsc::Receiver<Submitted>,
    store: VendorStore,
    pool: Arc<ProcessingPool>,
    settings: CommitSettings,
    clock: Clock,
) {
    let mut waiting: VecDeque<Submitted> = VecDeque::new();
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
        match commit_batch(&store, &pool, &rules, &jobs).await {
            Ok(answers) => {
                for (submitted, answer) in batch.into_iter().zip(answers) {
                    let _ = submitted.reply.send(answer);
                }
            }
            Err(error) => {
                for submitted in batch {
                    let _ = submitted.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// One batch: prepare every purchase, sign, record, commit. The outer error is the batch's.
async fn commit_batch(
    store: &VendorStore,
    pool: &ProcessingPool,
    rules: &PurchaseRules,
    jobs: &[&PurchaseJob],
) -> Result<Vec<Result<Answer, VendorError>>, VendorError> {
    let mut tx = store.begin_write().await?;
    let prepared = purchase::prepare_batch(&mut tx, jobs, rules).await?;
    let signatures = sign_all(pool, jobs, &prepared).await?;
    let mut answers = Vec::with_capacity(jobs.len());
    let mut signed = Vec::new();
    for ((job, prepared), signatures) in jobs.iter().zip(&prepared).zip(signatures) {
        answers.push(match prepared {
            Prepared::Answer {
                status_code,
                response,
            } => Ok(Answer {
                status_code: *status_code,
                body: response.clone(),
            }),
            Prepared::Refused(refusal) => Err(refusal.clone()),
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
                    response: body.clone(),
                });
                Ok(Answer {
                    status_code: 201,
                    body,
                })
            }
        });
    }
    purchase::record_batch(&mut tx, &signed, rules.now_unix_ms).await?;
    tx.commit().await?;
    Ok(answers)
}

/// Every debited purchase's pieces signed on its processing server, the servers working in
/// parallel. One list of signatures per job (empty for jobs that were not debited).
async fn sign_all(
    pool: &ProcessingPool,
    jobs: &[&PurchaseJob],
    prepared: &[Prepared],
) -> Result<Vec<Vec<[u8; 64]>>, VendorError> {
    let lanes = pool.len();
    let mut per_lane: Vec<Vec<SignJob>> = (0..lanes).map(|_| Vec::new()).collect();
    let mut places = Vec::new();
    for (index, (job, prepared)) in jobs.iter().zip(prepared).enumerate() {
        if let Prepared::Debited(debited) = prepared {
            let lane = job.lane % lanes;
            for message in &debited.messages {
                places.push((index, lane, per_lane[lane].len()));
                per_lane[lane].push(SignJob {
                    psd_id: debited.psd_id,
                    message: message.clone(),
                });
            }
        }
    }
    let signed = futures_util::future::try_join_all(per_lane.into_iter().enumerate().map(
        |(lane, sign_jobs)| async move {
            if sign_jobs.is_empty() {
                Ok(Vec::new())
            } else {
                pool.sign(lane, sign_jobs).await
            }
        },
    ))
    .await?;
    let mut signatures: Vec<Vec<[u8; 64]>> = jobs.iter().map(|_| Vec::new()).collect();
    for (index, lane, position) in places {
        let signature = signed[lane].get(position).ok_or_else(|| {
            VendorError::storage("a processing server returned too few signatures")
        })?;
        signatures[index].push(*signature);
    }
    Ok(signatures)
}

fn response(
    job: &PurchaseJob,
    debited: &Debited,
    indicia: &[Vec<u8>],
    rules: &PurchaseRules,
    server: super::wire::ProcessingServerRef,
) -> PurchaseResponse {
    PurchaseResponse {
        purchase_key: job.key.clone(),
        license_number: rules.license_number,
        psd_id: debited.psd_id,
        processing_server: server,
        pieces: debited
            .pieces
            .iter()
            .zip(indicia)
            .map(|(data, indicium)| IssuedPiece {
                piece_serial: data.piece_serial,
                postage_mills: data.postage.mills(),
                indicium: hex::encode(indicium),
            })
            .collect(),
        registers: registers_view(debited.psd_id, &debited.registers, None),
        top_up_mills: debited.top_up.mills(),
        card: job.card.as_ref().map(|card| CardReceipt {
            token: card.approval_code.clone(),
            brand: card.brand.name().to_string(),
            last4: card.last4.clone(),
            approval_code: card.approval_code.clone(),
            amount_mills: card.amount.mills(),
        }),
    }
}
