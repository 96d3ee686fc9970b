//! `postcounter vendor serve`: the postage vendor system's HTTP API.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::clock::Clock;
use crate::config::Config;
use crate::payment::{PaymentGateway, PaymentStore, TestGateway};
use crate::station::Station;
use crate::vendor::store::VendorStore;
use crate::vendor::{Vendor, VendorSettings, api};

#[derive(Subcommand, Debug)]
pub enum VendorCommand {
    /// Serve the vendor API (v1) over HTTP until interrupted.
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (default: vendor.listen in the config).
    #[arg(long)]
    listen: Option<String>,
    /// The store: a postgres:// URL or a SQLite file (default: vendor.store in the config).
    #[arg(long)]
    store: Option<String>,
}

/// The store named by `explicit`, else the config's, else the SQLite file in the data dir.
pub async fn open_store(config: &Config, explicit: Option<&str>) -> anyhow::Result<VendorStore> {
    let location = match explicit.unwrap_or(&config.vendor.store) {
        "" => {
            let dir = config.data_dir.join("vendor");
            std::fs::create_dir_all(&dir)?;
            dir.join("vendor.sqlite").display().to_string()
        }
        other => other.to_string(),
    };
    Ok(VendorStore::open(&location, config.vendor.max_connections).await?)
}

pub fn settings(config: &Config) -> VendorSettings {
    VendorSettings {
        license_number: config.license_number,
        void_window_days: config.void_window_days,
        top_up_step: config.vendor.top_up_step,
    }
}

/// The vendor's card gateway: the built-in test gateway, its answers in the data dir.
pub async fn gateway(config: &Config) -> anyhow::Result<Arc<dyn PaymentGateway>> {
    let path: PathBuf = config.data_dir.join("vendor").join("card-gateway.sqlite");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(Arc::new(TestGateway::new(PaymentStore::open(&path).await?)))
}

pub async fn run(config: Config, command: VendorCommand) -> anyhow::Result<ExitCode> {
    match command {
        VendorCommand::Serve(args) => serve(config, args).await,
    }
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    // Store failures answer 503 and are logged: without a logger they would leave no trace.
    let log_path = crate::log_file::start(&config.data_dir, log::LevelFilter::Info)?;
    let store = open_store(&config, args.store.as_deref()).await?;
    let location = store.location().to_string();
    let vendor = Vendor::start(
        store.clone(),
        Station::keys_dir(&config.data_dir),
        settings(&config),
        Clock::system(),
        Some(gateway(&config).await?),
    )
    .await?;
    let listen = args.listen.unwrap_or_else(|| config.vendor.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr()?;
    tokio::spawn(prune_nonces(store));
    let listening = format!(
        "listening on http://{address} (store {location}, license {}, {} processing servers, log {})",
        config.license_number,
        vendor.health().processing_servers,
        log_path.display()
    );
    log::info!("vendor {listening}");
    eprintln!("postcounter vendor: {listening}");
    axum::serve(listener, api::router(vendor))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// Nonces older than the timestamp window are useless; forget them every minute.
async fn prune_nonces(store: VendorStore) {
    let clock = Clock::system();
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        if let Err(e) = store.prune_nonces(clock.now_unix_ms()).await {
            log::warn!("pruning nonces: {e}");
        }
    }
}
