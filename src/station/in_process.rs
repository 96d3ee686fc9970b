//! The vendor a counter runs for itself when `[link]` names no endpoint: the same vendor as
//! `vendor serve`, over the configured store (SQLite in the data directory by default),
//! listening on a loopback port of its own. Every sale then takes one path, a signed HTTP
//! purchase from a central PSD with the embedded PSD only as the fallback, whether the
//! vendor is this process or a data centre's servers.
//!
//! A first start sets the data centre up as `postcounter admin` would: its root key (in its
//! own key store, `<data dir>/vendor/keys`, apart from the station's keyring, which holds no
//! root), an account ("local") credited the demo funds once, a central PSD with its key and
//! certificate, and a one-time enrollment code (at the station's `origin_zip`) that the
//! counter's link uses at once. Each step is idempotent, so a start interrupted half-way
//! finishes on the next one.

use tokio::task::JoinHandle;

use super::StationError;
use crate::clock::Clock;
use crate::config::Config;
use crate::keys::KeyStore;
use crate::link::identity;
use crate::vendor_system::keys::module_keys::ModuleCertifier;
use crate::vendor_system::postage::crypto_module::ModuleKind;
use crate::vendor_system::store::VendorStore;
use crate::vendor_system::store::counters::check_location;
use crate::vendor_system::{VendorError, api, from_config};

/// The account the in-process vendor keeps for its own counter.
pub const LOCAL_ACCOUNT: &str = "local";

/// How long the counter has to use its enrollment code: it uses it within the same start.
const ENROLLMENT_VALID_MS: i64 = 86_400_000;

/// The running vendor: it serves until dropped.
pub struct InProcessVendor {
    endpoint: String,
    tasks: Vec<JoinHandle<()>>,
}

impl InProcessVendor {
    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for InProcessVendor {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub(super) struct Started {
    pub vendor: InProcessVendor,
    /// A fresh code when the counter has not registered yet; empty otherwise.
    pub enrollment_code: String,
    pub notes: Vec<String>,
}

pub(super) async fn start(config: &Config) -> Result<Started, StationError> {
    let mut notes = Vec::new();
    let store = from_config::open_in_process_store(config).await?;
    let keys = KeyStore::open(&from_config::keys_dir(&config.data_dir))?;
    if !keys.has_root() {
        keys.create_root()?;
        notes.push(format!(
            "first run: created the in-process data centre's root key in {}; verifiers trust {}",
            keys.dir().display(),
            keys.root_public_path().display()
        ));
    }
    let clock = Clock::system();
    let now = clock.now_unix_ms();
    if store
        .create_account(LOCAL_ACCOUNT, "this counter's own account", now)
        .await?
    {
        notes.push(format!(
            "first run: created the in-process data centre's account {LOCAL_ACCOUNT} (demo funds {}) in {}",
            config.demo_refill,
            store.location()
        ));
    }
    if config.demo_refill.mills() > 0 && never_funded(&store).await? {
        // Once per entry id, should a start die between the account and its credit.
        store
            .credit_account(LOCAL_ACCOUNT, "demo-credit", config.demo_refill, now)
            .await?;
    }
    let psd_id = config.vendor.local_psd_id;
    if let Some(serial) = ensure_central_psd(&store, &keys, psd_id, &clock).await? {
        notes.push(format!(
            "first run: created the central PSD {psd_id} (certificate {serial}) for account {LOCAL_ACCOUNT}"
        ));
    }
    notes.extend(set_up_demo_tickets(&store, now).await?);
    let registered = identity::saved_registration(&config.data_dir)
        .map_err(|e| StationError::Setup(e.to_string()))?
        .is_some();
    let enrollment_code = if registered {
        String::new()
    } else {
        let code = crate::hex::encode(&rand::random::<[u8; 16]>());
        store
            .create_enrollment(
                &code,
                LOCAL_ACCOUNT,
                &check_location(&config.origin_zip)?,
                now + ENROLLMENT_VALID_MS,
            )
            .await?;
        code
    };
    // The in-process data centre signs with the software module whatever the config says
    // for `vendor serve`: a counter's machine holds no processing server's token.
    let software = ModuleKind::Software {
        keys_dir: from_config::keys_dir(&config.data_dir),
    };
    let vendor = from_config::start(config, store.clone(), &software).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| StationError::Setup(format!("the in-process vendor cannot listen: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| StationError::Setup(format!("the in-process vendor's address: {e}")))?;
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, api::router(vendor)).await {
            log::error!("the in-process vendor stopped serving: {e}");
        }
    });
    let pruner = tokio::spawn(from_config::prune_nonces(store, clock));
    Ok(Started {
        vendor: InProcessVendor {
            endpoint: format!("http://{address}"),
            tasks: vec![server, pruner],
        },
        enrollment_code,
        notes,
    })
}

/// Creates central PSD `psd_id` of the local account (its key for the software module, its
/// certificate under the data centre's root and in the store) unless it exists; the new
/// certificate's serial if it made one.
async fn ensure_central_psd(
    store: &VendorStore,
    keys: &KeyStore,
    psd_id: u32,
    clock: &Clock,
) -> Result<Option<u32>, StationError> {
    let certifier = ModuleCertifier { store, keys, clock };
    let serial = certifier.key_file(psd_id).await?;
    let created = store
        .create_psd(psd_id, LOCAL_ACCOUNT, serial, clock.now_unix_ms())
        .await?;
    Ok(created.then_some(serial))
}

/// The local account has no funds and its PSDs never had any: only then does it get the
/// demo credit. Checked by reading, so a later start writes nothing, and a `demo_refill`
/// changed after the first run is not a conflicting second credit.
async fn never_funded(store: &VendorStore) -> Result<bool, VendorError> {
    if store.account(LOCAL_ACCOUNT).await?.balance.mills() != 0 {
        return Ok(false);
    }
    let psds = store.psds_of_account(LOCAL_ACCOUNT).await?;
    Ok(psds
        .iter()
        .all(|psd| psd.registers.control_total.mills() == 0))
}

/// The demo draw game and event a first run sets up, as it sets up demo funds; the notes
/// say what it made.
async fn set_up_demo_tickets(
    store: &crate::vendor_system::store::VendorStore,
    now: i64,
) -> Result<Vec<String>, StationError> {
    let mut notes = Vec::new();
    let demo_game = crate::tickets::game::Game::from_toml(crate::tickets::game::PICK3_TOML)
        .map_err(|e| StationError::Setup(format!("the demo game: {e}")))?;
    if store.lottery_games().await?.is_empty() && store.put_lottery_game(&demo_game, now).await? {
        notes.push(format!(
            "first run: set up the demo draw game {} ({}); `postcounter admin lottery-game --file FILE` adds real ones",
            demo_game.game_id, demo_game.name
        ));
    }
    let demo_event = crate::tickets::event::demo_event(now)
        .map_err(|e| StationError::Setup(format!("the demo event: {e}")))?;
    if !store.has_events().await? && store.put_event(&demo_event, now).await? {
        notes.push(format!(
            "first run: set up the demo event {} ({}, {} places); `postcounter admin event --file FILE` adds real ones",
            demo_event.event_id,
            demo_event.name,
            demo_event.places().len()
        ));
    }
    Ok(notes)
}
