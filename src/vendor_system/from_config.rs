//! The vendor as the configuration describes it: its store, its settings and its card
//! gateway, started the same way by `vendor serve` and by a counter's in-process vendor, so
//! the two cannot drift apart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::rates::book::{EMBEDDED_FILES, read_dir_files};
use crate::vendor_system::updates::{UpdateRepository, repository_dir};

use super::postage::crypto_module::ModuleKind;
use super::store::VendorStore;
use super::store::role::StoreRole;
use super::{RefusalKind, Vendor, VendorError, VendorSettings};
use crate::clock::Clock;
use crate::config::{Config, CryptoModuleKind, VendorGatewayKind};
use crate::payment::{PaymentGateway, PaymentStore, TestGateway};

/// The vendor's SQLite file when `vendor.store` is empty.
pub fn default_store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("vendor").join("vendor.sqlite")
}

/// The data centre's key store in `data_dir`: beside its store, apart from any station's
/// keys (a station on the same machine holds no root).
pub fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("vendor").join("keys")
}

/// The data centre's store named by `explicit`, else the config's, else the SQLite file in
/// the data dir (created if missing), claimed for the data centre: for `vendor serve` and
/// `admin`.
pub async fn open_store(
    config: &Config,
    explicit: Option<&str>,
) -> Result<VendorStore, VendorError> {
    let store = open_location(config, explicit).await?;
    store
        .claim_role(StoreRole::DataCentre, Clock::system().now_unix_ms())
        .await?;
    Ok(store)
}

/// The store of a counter's in-process data centre: refused if a data centre claimed it.
pub async fn open_in_process_store(config: &Config) -> Result<VendorStore, VendorError> {
    let store = open_location(config, None).await?;
    store
        .claim_for_in_process(Clock::system().now_unix_ms())
        .await?;
    Ok(store)
}

async fn open_location(
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

/// The store named as [`open_store`] names it, which must exist already: for commands that
/// read a data centre's store and must not create one (a SQLite file that is not there is
/// refused rather than made).
pub async fn open_existing_store(
    config: &Config,
    explicit: Option<&str>,
) -> Result<VendorStore, VendorError> {
    let location = match explicit.unwrap_or(&config.vendor.store) {
        "" => default_store_path(&config.data_dir).display().to_string(),
        other => other.to_string(),
    };
    let is_file = !location.starts_with("postgres://") && !location.starts_with("postgresql://");
    if is_file && !Path::new(location.strip_prefix("sqlite://").unwrap_or(&location)).exists() {
        return Err(VendorError::new(
            RefusalKind::NotFound,
            format!("there is no data centre store at {location}"),
        ));
    }
    VendorStore::open(&location, config.vendor.max_connections).await
}

/// The vendor's policy from `config`; a certificate validity or lease outside what a data
/// centre should grant is refused with the key.
pub fn settings(config: &Config) -> Result<VendorSettings, VendorError> {
    let vendor = &config.vendor;
    let refused = |key: &str, value: String, accepted: &str| {
        VendorError::new(
            RefusalKind::Unavailable,
            format!("vendor.{key} {value} is not accepted: {accepted}"),
        )
    };
    if !(1..=3650).contains(&vendor.certificate_validity_days) {
        return Err(refused(
            "certificate_validity_days",
            vendor.certificate_validity_days.to_string(),
            "1 to 3650 days",
        ));
    }
    if !(0..=vendor.certificate_validity_days).contains(&vendor.certificate_renew_days) {
        return Err(refused(
            "certificate_renew_days",
            vendor.certificate_renew_days.to_string(),
            "0 to certificate_validity_days days",
        ));
    }
    if !(1..=720).contains(&vendor.lease_hours) {
        return Err(refused(
            "lease_hours",
            vendor.lease_hours.to_string(),
            "1 to 720 hours (30 days)",
        ));
    }
    if vendor.lease_max_value.is_negative() {
        return Err(refused(
            "lease_max_value",
            vendor.lease_max_value.to_string(),
            "an amount of 0 or more",
        ));
    }
    Ok(VendorSettings {
        license_number: config.license_number,
        void_window_days: config.void_window_days,
        top_up_step: vendor.top_up_step,
        certificate_validity_days: vendor.certificate_validity_days,
        certificate_renew_days: vendor.certificate_renew_days,
        lease_hours: vendor.lease_hours,
        lease_max_value: vendor.lease_max_value,
    })
}

/// The vendor's card gateway, as `vendor.card_gateway` says: the built-in test gateway (its
/// answers in the data dir), or none.
pub async fn gateway(config: &Config) -> Result<Option<Arc<dyn PaymentGateway>>, VendorError> {
    if config.vendor.card_gateway == VendorGatewayKind::None {
        return Ok(None);
    }
    let path = config.data_dir.join("vendor").join("card-gateway.sqlite");
    create_parent(&path)?;
    let store = PaymentStore::open(&path)
        .await
        .map_err(|e| VendorError::new(RefusalKind::Unavailable, e.to_string()))?;
    Ok(Some(Arc::new(TestGateway::new(store))))
}

/// The cryptographic module the config names for `vendor serve`'s processing servers. A
/// PKCS#11 PIN file must be the owner's alone, like every other secret at rest.
pub fn module_kind(config: &Config) -> Result<ModuleKind, VendorError> {
    let vendor = &config.vendor;
    let unusable = |message: String| VendorError::new(RefusalKind::Unavailable, message);
    match vendor.crypto_module {
        CryptoModuleKind::Software => Ok(ModuleKind::Software {
            keys_dir: keys_dir(&config.data_dir),
        }),
        CryptoModuleKind::Pkcs11 => {
            if vendor.pkcs11_pin_file.is_empty() {
                return Err(unusable(
                    "vendor.crypto_module = \"pkcs11\" needs vendor.pkcs11_pin_file: a file (mode 0600) holding the tokens' user PIN".into(),
                ));
            }
            ModuleKind::pkcs11(
                PathBuf::from(&vendor.pkcs11_library),
                Path::new(&vendor.pkcs11_pin_file),
            )
            .map_err(|reason| unusable(format!("vendor.pkcs11_pin_file {reason}")))
        }
    }
}

/// Starts the vendor over `store` with the config's settings, keys and gateway, its
/// processing servers signing through `module`.
pub async fn start(
    config: &Config,
    store: VendorStore,
    module: &ModuleKind,
) -> Result<Arc<Vendor>, VendorError> {
    // The seed is read only for a repository still to be made: later edits of `rates_dir`
    // are published with `admin publish-rates`, and a folder removed since is not needed.
    let keys = keys_dir(&config.data_dir);
    let repository = UpdateRepository::at(&repository_dir(&keys)?, &keys);
    let seed = if repository.exists() {
        Vec::new()
    } else {
        rate_seed(config)?
    };
    let seed: Vec<(&str, &str)> = seed.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    Vendor::start(
        store,
        keys_dir(&config.data_dir),
        module,
        settings(config)?,
        &seed,
        Clock::system(),
        gateway(config).await?,
    )
    .await
}

/// The rate files that seed the update repository on the data centre's first start, as
/// (name, text): `rates_dir`'s, else those built into the binary.
pub fn rate_seed(config: &Config) -> Result<Vec<(String, String)>, VendorError> {
    match &config.rates_dir {
        Some(dir) => read_dir_files(dir)
            .map_err(|e| VendorError::new(RefusalKind::Unavailable, e.to_string())),
        None => Ok(EMBEDDED_FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()),
    }
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
