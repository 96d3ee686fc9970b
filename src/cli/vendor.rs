//! `postcounter vendor serve`: the postage vendor system's HTTP API, and its remote access
//! server's modem lines (`--modem`); `vendor answer`: the modem lines alone, as a process of
//! their own on the same store.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Subcommand};

use crate::clock::Clock;
use crate::config::{Config, VendorGatewayKind};
use crate::vendor_system::api;
use crate::vendor_system::from_config::{self, open_store};
use crate::vendor_system::remote_access::modem_line;
use crate::vendor_system::tls::{self, TlsListener};

#[derive(Subcommand, Debug)]
pub enum VendorCommand {
    /// Serve the vendor API over HTTPS (plain HTTP on loopback only), and answer calls on
    /// the given modem lines, until interrupted.
    Serve(ServeArgs),
    /// Answer calls on modem lines only (the remote access server as its own process).
    Answer(AnswerArgs),
}

#[derive(Args, Debug)]
pub struct AnswerArgs {
    /// A modem's serial device to answer calls on (repeat for several lines).
    #[arg(long = "modem", value_name = "DEVICE", required = true)]
    modems: Vec<String>,
    /// The serial rate to the modems.
    #[arg(long, default_value_t = 115_200)]
    modem_baud: u32,
    /// The store: a postgres:// URL or a SQLite file (default: vendor.store in the config).
    #[arg(long)]
    store: Option<String>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (default: vendor.listen in the config).
    #[arg(long)]
    listen: Option<String>,
    /// The store: a postgres:// URL or a SQLite file (default: vendor.store in the config).
    #[arg(long)]
    store: Option<String>,
    /// The TLS certificate chain, PEM (default: vendor.tls_certificate in the config).
    #[arg(long, value_name = "FILE")]
    tls_certificate: Option<String>,
    /// The TLS private key, PEM (default: vendor.tls_key in the config).
    #[arg(long, value_name = "FILE")]
    tls_key: Option<String>,
    /// A modem's serial device to answer calls on as well (repeat for several lines).
    #[arg(long = "modem", value_name = "DEVICE")]
    modems: Vec<String>,
    /// The serial rate to the modems.
    #[arg(long, default_value_t = 115_200)]
    modem_baud: u32,
}

pub async fn run(config: Config, command: VendorCommand) -> anyhow::Result<ExitCode> {
    match command {
        VendorCommand::Serve(args) => serve(config, args).await,
        VendorCommand::Answer(args) => answer(config, args).await,
    }
}

/// The remote access server's modem lines alone.
async fn answer(config: Config, args: AnswerArgs) -> anyhow::Result<ExitCode> {
    let log_path = crate::log_file::start(&config.data_dir, log::LevelFilter::Info)?;
    let store = open_store(&config, args.store.as_deref()).await?;
    let module = from_config::module_kind(&config)?;
    let vendor = from_config::start(&config, store.clone(), &module).await?;
    tokio::spawn(from_config::prune_nonces(store, Clock::system()));
    let lines = ModemLines::start(&vendor, &args.modems, args.modem_baud)?;
    let answering = format!(
        "answering calls on {} (log {})",
        args.modems.join(", "),
        log_path.display()
    );
    log::info!("vendor {answering}");
    eprintln!("postcounter vendor: {answering}");
    let _ = tokio::signal::ctrl_c().await;
    drop(lines);
    Ok(ExitCode::SUCCESS)
}

/// Modem lines answered on threads of their own; dropping them stops them.
struct ModemLines {
    stop: Arc<AtomicBool>,
}

impl ModemLines {
    fn start(
        vendor: &Arc<crate::vendor_system::Vendor>,
        devices: &[String],
        baud: u32,
    ) -> anyhow::Result<ModemLines> {
        let stop = Arc::new(AtomicBool::new(false));
        // A line that cannot be opened stops the start, naming it, rather than leaving a
        // data centre that answers no calls.
        for device in devices {
            crate::serial_port::SerialPort::open(
                device,
                baud,
                crate::serial_port::FlowControl::RtsCts,
            )
            .map_err(|e| anyhow::anyhow!("the modem line {device}: {e}"))?;
        }
        for device in devices {
            let (vendor, stop, device) = (vendor.clone(), stop.clone(), device.clone());
            let runtime = tokio::runtime::Handle::current();
            std::thread::Builder::new()
                .name(format!("modem {device}"))
                .spawn(move || modem_line::answer_calls(&device, baud, vendor, runtime, stop))?;
        }
        Ok(ModemLines { stop })
    }
}

impl Drop for ModemLines {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    // Store failures answer 503 and are logged: without a logger they would leave no trace.
    let log_path = crate::log_file::start(&config.data_dir, log::LevelFilter::Info)?;
    let listen = args
        .listen
        .clone()
        .unwrap_or_else(|| config.vendor.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr()?;
    let tls = tls_files(&config, &args)?;
    if tls.is_none() && !address.ip().is_loopback() {
        anyhow::bail!(
            "vendor serve on {address} without TLS is refused: cards, keys and grants would cross the network in clear; set vendor.tls_certificate and vendor.tls_key (or --tls-certificate and --tls-key; `postcounter admin tls-create --host NAME` makes a pair), or listen on loopback"
        );
    }
    // The certificate and key are read before anything else is opened: a bad file stops the
    // start with its path.
    let acceptor = match &tls {
        Some((certificate, key)) => Some(tls::acceptor(certificate, key)?),
        None => None,
    };
    let store = open_store(&config, args.store.as_deref()).await?;
    let location = store.location().to_string();
    let module = from_config::module_kind(&config)?;
    let vendor = from_config::start(&config, store.clone(), &module).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tokio::spawn(from_config::prune_nonces(store, Clock::system()));
    let listening = format!(
        "listening on {scheme}://{address} (store {location}, license {}, {} processing servers with {} modules, cards {}, log {})",
        config.license_number,
        vendor.health().processing_servers,
        module.describe(),
        match config.vendor.card_gateway {
            VendorGatewayKind::Test => "by the TEST gateway: no money moves",
            VendorGatewayKind::None => "refused",
        },
        log_path.display()
    );
    log::info!("vendor {listening}");
    eprintln!("postcounter vendor: {listening}");
    let _lines = ModemLines::start(&vendor, &args.modems, args.modem_baud)?;
    if !args.modems.is_empty() {
        eprintln!(
            "postcounter vendor: answering calls on {}",
            args.modems.join(", ")
        );
    }
    let router = api::router(vendor);
    let interrupted = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match acceptor {
        Some(acceptor) => {
            axum::serve(TlsListener::new(listener, acceptor)?, router)
                .with_graceful_shutdown(interrupted)
                .await?;
        }
        None => {
            use axum::serve::ListenerExt;
            // Answers go out as they are written, not held for the last segment's ACK.
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    log::info!("TCP_NODELAY: {e}");
                }
            });
            axum::serve(listener, router)
                .with_graceful_shutdown(interrupted)
                .await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The TLS certificate and key files, from the command line or the config: both or neither.
fn tls_files(config: &Config, args: &ServeArgs) -> anyhow::Result<Option<(PathBuf, PathBuf)>> {
    let certificate = args
        .tls_certificate
        .as_deref()
        .unwrap_or(&config.vendor.tls_certificate);
    let key = args.tls_key.as_deref().unwrap_or(&config.vendor.tls_key);
    match (certificate.is_empty(), key.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some((PathBuf::from(certificate), PathBuf::from(key)))),
        _ => anyhow::bail!(
            "TLS needs both a certificate and a key: vendor.tls_certificate is {certificate:?} and vendor.tls_key is {key:?}"
        ),
    }
}
