//! The data centre as its API sees it: one [`Vendor`] with its store, processing servers,
//! sessions and settings. Each service adds its own requests in its own folder (`postage`,
//! `funds`, `accounts`, `reconciliation`); `remote_access` authenticates them first.

use std::path::PathBuf;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::error::{RefusalKind, VendorError};
use super::postage::committer::{CommitSettings, Committer};
use super::postage::crypto_module::ModuleKind;
use super::postage::processing::{ProcessingPool, RoundRobin};
use super::remote_access::KnownCounters;
use super::remote_access::sessions::SessionTable;
use super::store::VendorStore;
use super::updates::{PublishedRates, UpdateRepository, repository_dir};
use super::validate;
use crate::clock::Clock;
use crate::keys::KeyStore;
use crate::money::Money;
use crate::payment::PaymentGateway;
use crate::protocol::Health;
use crate::protocol::updates::UpdateRootResponse;

/// The vendor's policy, from its configuration.
#[derive(Clone, Copy, Debug)]
pub struct VendorSettings {
    /// The one postal license every indicium carries.
    pub license_number: u32,
    pub void_window_days: i32,
    /// A PSD short of funds is topped up from its account by at least this much.
    pub top_up_step: Money,
    /// How long an embedded PSD's certificate is valid from the day it is issued.
    pub certificate_validity_days: i32,
    /// A station's embedded PSD key certificate with fewer days left is renewed at its next
    /// contact (the monitor puts it on the agenda).
    pub certificate_renew_days: i32,
    /// How long an offline lease lasts from the contact that grants it.
    pub lease_hours: u32,
    /// The most postage an embedded PSD may issue unreported under one lease.
    pub lease_max_value: Money,
}

pub struct Vendor {
    pub(super) store: VendorStore,
    pub(super) sessions: SessionTable,
    pub(super) known_counters: KnownCounters,
    /// The rate tables every piece is priced with: the update repository's.
    pub(super) rates: super::updates::PublishedRates,
    pub(super) committer: Committer,
    pub(super) pool: Arc<ProcessingPool>,
    pub(super) settings: VendorSettings,
    pub(super) clock: Clock,
    pub(super) gateway: Option<Arc<dyn PaymentGateway>>,
    /// The data centre's roots: what certifies PSDs and signs grants.
    pub(super) keys: KeyStore,
    /// Each counter's agenda as last signed (see [`super::monitor`]).
    pub(super) monitor: super::monitor::Monitor,
    /// What `GET /metrics` reports (see [`super::metrics`]).
    pub(super) metrics: Arc<super::metrics::Metrics>,
    /// What signs answers and opens sealed requests (see [`crate::protocol::security`]).
    pub(super) service_keys: super::keys::service_keys::ServiceKeyring,
    /// What numbers lottery tickets (see [`super::lottery`]).
    pub(super) lottery_key: crate::tickets::validation_number::ScrambleKey,
    /// What signs event tickets (see [`super::events`]).
    pub(super) events_key: p256::ecdsa::SigningKey,
}

/// Processing servers a new store starts with, one per core of a small machine.
const DEFAULT_SERVERS: [(u32, &str); 2] = [(1, "ps-1"), (2, "ps-2")];

/// The default processing servers, added to a store that lists none.
/// Re-signs the update repository's metadata before it runs out, for as long as `vendor`
/// lives: checked at start and every ten minutes (a timestamp lasts a day and is re-signed at
/// half of it), so a station served a frozen copy sees it run out within a day.
async fn refresh_updates(vendor: std::sync::Weak<Vendor>) {
    loop {
        let Some(live) = vendor.upgrade() else { return };
        match live.refresh_updates().await {
            Ok(true) => log::info!("re-signed the update repository's metadata"),
            Ok(false) => {}
            Err(e) => log::error!("{e}"),
        }
        drop(live);
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}

pub async fn add_default_servers(store: &VendorStore, clock: &Clock) -> Result<(), VendorError> {
    if store.processing_servers().await?.is_empty() {
        for (id, name) in DEFAULT_SERVERS {
            store
                .add_processing_server(id, name, clock.now_unix_ms())
                .await?;
        }
    }
    Ok(())
}

impl Vendor {
    /// Starts the processing servers listed in the store (adding the defaults to an empty
    /// list), each signing through a cryptographic module of kind `module`, and the
    /// committer on its own thread. `keys_dir` is the data centre's key store (its root).
    pub async fn start(
        store: VendorStore,
        keys_dir: PathBuf,
        module: &ModuleKind,
        settings: VendorSettings,
        rate_seed: &[(&str, &str)],
        clock: Clock,
        gateway: Option<Arc<dyn PaymentGateway>>,
    ) -> Result<Arc<Vendor>, VendorError> {
        add_default_servers(&store, &clock).await?;
        let keys = KeyStore::open(&keys_dir).map_err(VendorError::storage)?;
        if !keys.has_root() {
            return Err(VendorError::new(
                RefusalKind::Unavailable,
                format!(
                    "the data centre's key store {} holds no root key: create it with `postcounter admin root-create`",
                    keys_dir.display()
                ),
            ));
        }
        // The first, empty, status list (every export and trust bundle carries one), or one
        // that lists a revocation whose signing was cut short.
        super::keys::status_list_in_step(&store, &keys, &clock).await?;
        let service_keys = super::keys::service_keys::ServiceKeyring::load_or_create(&keys_dir)?;
        let lottery_key = super::lottery::load_or_create_scramble_key(&keys_dir)?;
        let events_key = super::events::load_or_create_events_key(&keys_dir)?;
        // The update repository, made on the first start with `rate_seed`; its rate tables
        // are the ones the data centre prices with from then on.
        let repository = UpdateRepository::at(&repository_dir(&keys_dir)?, &keys_dir);
        repository
            .create_unless_exists(rate_seed, clock.now_unix_ms())
            .await?;
        if repository.root_key_online() {
            log::warn!(
                "the update root key is in the key store: keep it offline with `postcounter admin update-root-offline --to FOLDER`"
            );
        }
        let rates = PublishedRates::load(repository)?;
        let rows = store.processing_servers().await?;
        let pool = ProcessingPool::start(&rows, module, Box::new(RoundRobin::default()))
            .map_err(|reason| VendorError::new(RefusalKind::Unavailable, reason))?;
        let pool = Arc::new(pool);
        let metrics = Arc::new(super::metrics::Metrics::default());
        let committer = Committer::start(
            &store,
            pool.clone(),
            CommitSettings {
                license_number: settings.license_number,
                top_up_step: settings.top_up_step,
            },
            clock.clone(),
            keys.clone(),
            metrics.clone(),
        )
        .await?;
        let vendor = Arc::new(Vendor {
            store,
            sessions: SessionTable::default(),
            known_counters: KnownCounters::default(),
            rates,
            committer,
            pool,
            settings,
            clock,
            gateway,
            keys,
            monitor: super::monitor::Monitor::default(),
            metrics,
            service_keys,
            lottery_key,
            events_key,
        });
        // Card refunds recorded before a stop and not confirmed by the gateway.
        let pending = vendor.clone();
        tokio::spawn(async move { pending.send_card_refunds().await });
        tokio::spawn(refresh_updates(Arc::downgrade(&vendor)));
        Ok(vendor)
    }

    pub fn store(&self) -> &VendorStore {
        &self.store
    }

    /// The rate tables the data centre prices with, and the repository they come from.
    pub fn rates(&self) -> &PublishedRates {
        &self.rates
    }

    /// `GET /keys/v1/update-root`: the update repository's current root.
    pub fn update_root(&self) -> Result<UpdateRootResponse, VendorError> {
        let bytes = self.rates.repository().root_json()?;
        let root_json = String::from_utf8(bytes)
            .map_err(|_| VendorError::storage("the update repository's root.json is not UTF-8"))?;
        Ok(UpdateRootResponse { root_json })
    }

    /// Re-signs the update repository's metadata that would run out within half its life.
    pub async fn refresh_updates(&self) -> Result<bool, super::updates::RepositoryError> {
        self.rates
            .repository()
            .refresh(self.clock.now_unix_ms())
            .await
    }

    pub fn settings(&self) -> &VendorSettings {
        &self.settings
    }

    pub fn metrics(&self) -> &super::metrics::Metrics {
        &self.metrics
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
}

/// The request's digest for its idempotency key, scoped so one key cannot stand for two
/// kinds of request.
pub(super) fn digest(scope: &str, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(scope.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher.finalize().into()
}

/// Parses a JSON body, or says what is wrong with it and what is expected.
pub(super) fn parse_body<T: DeserializeOwned>(
    body: &[u8],
    expected: &str,
) -> Result<T, VendorError> {
    // The body is not quoted (it may hold a card number) and serde's own message, which
    // can quote a value, has every long run of digits masked.
    serde_json::from_slice(body).map_err(|e| {
        VendorError::bad_request(format!(
            "the body is not accepted: {}; expected {expected} (see /openapi.json)",
            validate::mask_digit_runs(&e.to_string())
        ))
    })
}
