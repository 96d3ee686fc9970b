//! `postcounter vendor serve`: the postage vendor system's HTTP API.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::clock::Clock;
use crate::config::Config;
use crate::vendor_system::api;
use crate::vendor_system::from_config::{self, open_store};

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
    let vendor = from_config::start(&config, store.clone()).await?;
    let listen = args.listen.unwrap_or_else(|| config.vendor.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr()?;
    tokio::spawn(from_config::prune_nonces(store, Clock::system()));
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
