//! The vendor as the configuration describes it: its store, its settings and its card
//! gateway, started the same way by `vendor serve` and by a counter's in-process vendor, so
//! the two cannot drift apart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::store::VendorStore;
use super::{RefusalKind, Vendor, VendorError, VendorSettings};
use crate::clock::Clock;
use crate::config::Config;
use crate::payment::{PaymentGateway, PaymentStore, TestGateway};

/// The vendor's SQLite file when `vendor.store` is empty.
pub fn default_store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("vendor").join("vendor.sqlite")
}

/// The data centre's key store in `data_dir`.
pub fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

/// The store named by `explicit`, else the config's, else the SQLite file in the data dir.
pub async fn open_store(
    config: &Config,
    explicit: Option<&str>,
) -> Result<VendorStore, VendorError> {
    let location = match explicit.unwrap_or(&config.vendor.store) {
        "" => {
            let path = default_store_path(&config.data_dir);
            create_parent(&path)?;
            path.display().to_string()
        }
        other => other.to_string(),
    };
    VendorStore::open(&location, config.vendor.max_connections).await
}

pub fn settings(config: &Config) -> VendorSettings {
    VendorSettings {
        license_number: config.license_number,
        void_window_days: config.void_window_days,
        top_up_step: config.vendor.top_up_step,
    }
}

/// The vendor's card gateway: the built-in test gateway, its answers in the data dir.
pub async fn gateway(config: &Config) -> Result<Arc<dyn PaymentGateway>, VendorError> {
    let path = config.data_dir.join("vendor").join("card-gateway.sqlite");
    create_parent(&path)?;
    let store = PaymentStore::open(&path)
        .await
        .map_err(|e| VendorError::new(RefusalKind::Unavailable, e.to_string()))?;
    Ok(Arc::new(TestGateway::new(store)))
}

/// Starts the vendor over `store` with the config's settings, keys and gateway.
pub async fn start(config: &Config, store: VendorStore) -> Result<Arc<Vendor>, VendorError> {
    let rates = config
        .rate_book()
        .map_err(|e| VendorError::new(RefusalKind::Unavailable, e.to_string()))?;
    Vendor::start(
        store,
        keys_dir(&config.data_dir),
        settings(config),
        Arc::new(rates),
        Clock::system(),
        Some(gateway(config).await?),
    )
    .await
}

/// Nonces older than the timestamp window are useless; forgets them every minute.
pub async fn prune_nonces(store: VendorStore, clock: Clock) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        if let Err(e) = store.prune_nonces(clock.now_unix_ms()).await {
            log::warn!("pruning nonces: {e}");
        }
    }
}

fn create_parent(path: &Path) -> Result<(), VendorError> {
    match path.parent() {
        Some(dir) => crate::private_files::private_dir(dir).map_err(|e| {
            VendorError::new(RefusalKind::Unavailable, format!("{}: {e}", dir.display()))
        }),
        None => Ok(()),
    }
}
