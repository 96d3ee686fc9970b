//! The vendor as its API sees it: authenticate a counter's request ([`authentication`]),
//! validate the body, and run it against the store (purchases through the committer).

mod authentication;

use std::path::PathBuf;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::auth;
use super::committer::{CommitSettings, Committer};
use super::error::{VendorError, VendorErrorKind};
use super::processing::{ProcessingPool, RoundRobin};
use super::sessions::SessionTable;
use super::store::VendorStore;
use super::store::purchase::{PurchaseJob, refusal_returns_card_payment, total_postage};
use super::store::reconcile::CheckedReport;
use super::store::void_refill::{Answer, RequestContext};
use super::validate;
use super::wire::{
    Health, PurchaseRequest, ReconcileRequest, RefillRequest, RegisterCounterRequest,
    RegisterCounterResponse, RegistersResponse, VoidRequest,
};
use crate::clock::Clock;
use crate::money::Money;
use crate::payment::{CardCharge, CardNumber, Expiry, PaymentError, PaymentGateway};

/// The vendor's policy, from its configuration.
#[derive(Clone, Copy, Debug)]
pub struct VendorSettings {
    /// The one postal license every indicium carries.
    pub license_number: u32,
    pub void_window_days: i32,
    /// A PSD short of funds is topped up from its account by at least this much.
    pub top_up_step: Money,
}

pub struct Vendor {
    store: VendorStore,
    sessions: SessionTable,
    public_keys: authentication::PublicKeys,
    committer: Committer,
    pool: Arc<ProcessingPool>,
    settings: VendorSettings,
    clock: Clock,
    gateway: Option<Arc<dyn PaymentGateway>>,
}

/// Processing servers a new store starts with, one per core of a small machine.
const DEFAULT_SERVERS: [(u32, &str); 2] = [(1, "ps-1"), (2, "ps-2")];

impl Vendor {
    /// Starts the processing servers listed in the store (adding the defaults to an empty
    /// list) and the committer on its own thread.
    pub async fn start(
        store: VendorStore,
        keys_dir: PathBuf,
        settings: VendorSettings,
        clock: Clock,
        gateway: Option<Arc<dyn PaymentGateway>>,
    ) -> Result<Arc<Vendor>, VendorError> {
        if store.processing_servers().await?.is_empty() {
            for (id, name) in DEFAULT_SERVERS {
                store
                    .add_processing_server(id, name, clock.now_unix_ms())
                    .await?;
            }
        }
        let rows = store.processing_servers().await?;
        let pool = ProcessingPool::start(&rows, keys_dir, Box::new(RoundRobin::default()))
            .map_err(|reason| VendorError::new(VendorErrorKind::Unavailable, reason))?;
        let pool = Arc::new(pool);
        let committer = Committer::start(
            &store,
            pool.clone(),
            CommitSettings {
                license_number: settings.license_number,
                top_up_step: settings.top_up_step,
            },
            clock.clone(),
        )
        .await?;
        Ok(Arc::new(Vendor {
            store,
            sessions: SessionTable::default(),
            public_keys: authentication::PublicKeys::default(),
            committer,
            pool,
            settings,
            clock,
            gateway,
        }))
    }

    pub fn store(&self) -> &VendorStore {
        &self.store
    }

    pub fn settings(&self) -> &VendorSettings {
        &self.settings
    }

    pub fn health(&self) -> Health {
        Health {
            status: "ok".into(),
            store: self.store.backend().name().into(),
            license_number: self.settings.license_number,
            processing_servers: u32::try_from(self.pool.len()).unwrap_or(u32::MAX),
            time_unix_ms: self.clock.now_unix_ms(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    /// `POST /v1/purchases`.
    pub async fn purchase(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: PurchaseRequest = parse_body(body, "a purchase: {\"pieces\": [...]}")?;
        let request_sha256 = digest("purchase", body);
        let pieces = match validate::pieces(&request.pieces, self.clock.today()) {
            Ok(pieces) => pieces,
            // A retry of a purchase answered yesterday carries yesterday's mailing date:
            // its first answer stands, or the counter could never get its indicia back.
            Err(refusal) => {
                return match self
                    .store
                    .stored_answer(&context, &key, &request_sha256)
                    .await?
                {
                    Some(answer) => Ok(answer),
                    None => Err(refusal),
                };
            }
        };
        let mut job = PurchaseJob {
            counter_id: context.counter_id.clone(),
            key,
            request_sha256,
            nonce: context.nonce,
            pieces,
            card: None,
            lane: self.pool.select(),
        };
        if let Some(card) = &request.card {
            // A revoked or locked counter's card is not charged only to be refunded.
            self.store.counter(&job.counter_id).await?.check_active()?;
            let total = total_postage(&job.pieces)?;
            job.card = Some(self.charge_card(&job, card, total).await?);
        }
        let charge = job.card.clone();
        let answer = self.committer.submit(job).await;
        if let (Err(refusal), Some(approval)) = (&answer, charge)
            && refusal_returns_card_payment(refusal.kind())
            && let Some(gateway) = &self.gateway
        {
            // Refused after the card was charged: give the money back, once.
            let refund_id = format!("{}-refund", approval.charge_id);
            if let Err(e) = gateway
                .refund(&approval.charge_id, &refund_id, approval.amount)
                .await
            {
                log::error!("refund of charge {} failed: {e}", approval.charge_id);
            }
        }
        answer
    }

    async fn charge_card(
        &self,
        job: &PurchaseJob,
        card: &super::wire::CardDetails,
        total: Money,
    ) -> Result<crate::payment::Approval, VendorError> {
        let gateway = self.gateway.as_ref().ok_or_else(|| {
            VendorError::new(
                VendorErrorKind::PaymentDeclined,
                "this vendor takes no card payments",
            )
        })?;
        let declined = |e: PaymentError| {
            let kind = match e.kind() {
                crate::payment::PaymentErrorKind::Unavailable => VendorErrorKind::Unavailable,
                crate::payment::PaymentErrorKind::Conflict => VendorErrorKind::Conflict,
                _ => VendorErrorKind::PaymentDeclined,
            };
            VendorError::new(kind, e.to_string())
        };
        let number =
            CardNumber::parse(&card.number).map_err(|e| declined(PaymentError::InvalidCard(e)))?;
        let expiry =
            Expiry::parse(&card.expiry).map_err(|e| declined(PaymentError::InvalidCard(e)))?;
        expiry
            .check(self.clock.today())
            .map_err(|e| declined(PaymentError::InvalidCard(e)))?;
        if card.holder.trim().is_empty() {
            return Err(VendorError::new(
                VendorErrorKind::PaymentDeclined,
                "the card holder's name is missing",
            ));
        }
        let charge = CardCharge {
            id: format!("{}:{}", job.counter_id, job.key),
            card: number,
            expiry,
            amount: total,
        };
        gateway.charge(&charge).await.map_err(declined)
    }

    /// `POST /v1/voids`.
    pub async fn void(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: VoidRequest = parse_body(body, "{\"psd_id\": 20000001, \"piece_serial\": 1}")?;
        self.store
            .void_piece(
                &context,
                &key,
                &digest("void", body),
                request.psd_id,
                request.piece_serial,
                self.settings.void_window_days,
            )
            .await
    }

    /// `POST /v1/psds/{psd_id}/refills`.
    pub async fn refill(
        &self,
        context: RequestContext,
        key: String,
        psd_id: u32,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: RefillRequest = parse_body(body, "{\"amount_mills\": 100000}")?;
        let scope = format!("refill {psd_id}");
        self.store
            .refill_psd(
                &context,
                &key,
                &digest(&scope, body),
                psd_id,
                Money::from_mills(request.amount_mills),
            )
            .await
    }

    /// `GET /v1/psds/{psd_id}/registers`.
    pub async fn registers(
        &self,
        context: RequestContext,
        psd_id: u32,
    ) -> Result<RegistersResponse, VendorError> {
        self.store.read_registers(&context, psd_id).await
    }

    /// `POST /v1/reconciliations`: a counter's offline pieces, hash-chained.
    pub async fn reconcile(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: ReconcileRequest = parse_body(
            body,
            "{\"psd_id\": 10000001, \"psd_certificate\": \"01...\", \"entries\": [{\"piece_serial\": 1, ...}]}",
        )?;
        let certificate = validate::psd_certificate(request.psd_id, &request.psd_certificate)?;
        let entries = validate::ledger_entries(request.psd_id, &request.entries)?;
        // A full report is hundreds of signature verifications: off the async workers.
        let report =
            tokio::task::spawn_blocking(move || CheckedReport::check(certificate, entries))
                .await
                .map_err(|e| VendorError::storage(format!("checking a report: {e}")))?;
        self.store
            .reconcile(&context, &key, &digest("reconcile", body), &report)
            .await
    }

    /// `POST /v1/counters`: unauthenticated but for the one-time code.
    pub async fn register_counter(
        &self,
        body: &[u8],
    ) -> Result<RegisterCounterResponse, VendorError> {
        let request: RegisterCounterRequest = parse_body(
            body,
            "{\"enrollment_code\": \"...\", \"name\": \"...\", \"public_key\": \"04...\"}",
        )?;
        let public_key = crate::hex::decode(&request.public_key)
            .filter(|key| key.len() == 65 && auth::is_valid_public_key(key))
            .ok_or_else(|| {
                VendorError::bad_request(format!(
                    "public_key {:?} is not accepted: a P-256 public key, SEC1 uncompressed (65 bytes, 130 hex digits)",
                    validate::shown(&request.public_key)
                ))
            })?;
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
            return Err(VendorError::bad_request(format!(
                "name {:?} is not accepted: 1 to 60 printable characters",
                validate::shown(&request.name)
            )));
        }
        let counter_id = auth::counter_id_for_key(&public_key);
        let counter = self
            .store
            .register_counter(
                &request.enrollment_code,
                &counter_id,
                name,
                &public_key,
                self.clock.now_unix_ms(),
            )
            .await?;
        let psd_ids = self
            .store
            .psds_of_account(&counter.account_id)
            .await?
            .iter()
            .map(|psd| psd.psd_id)
            .collect();
        Ok(RegisterCounterResponse {
            counter_id: counter.counter_id,
            account_id: counter.account_id,
            license_number: self.settings.license_number,
            psd_ids,
        })
    }
}

/// The request's digest for its idempotency key, scoped so one key cannot stand for two
/// kinds of request.
fn digest(scope: &str, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(scope.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher.finalize().into()
}

/// Parses a JSON body, or says what is wrong with it and what is expected.
fn parse_body<T: DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, VendorError> {
    // The body is not quoted (it may hold a card number) and serde's own message, which
    // can quote a value, has every long run of digits masked.
    serde_json::from_slice(body).map_err(|e| {
        VendorError::bad_request(format!(
            "the body is not accepted: {}; expected {expected} (see /v1/openapi.json)",
            validate::mask_digit_runs(&e.to_string())
        ))
    })
}
