//! `postcounter loadtest`: a vendor on loopback driven by many simulated counters, to
//! measure what the vendor sustains with durable commits and server-side pricing, and in the
//! same run the sign-only ceiling of its processing servers (nothing can issue faster than
//! it signs), for each cryptographic module asked for (`--modules software,pkcs11`).
//!
//! Each simulated counter is a real client, the counter's own [`VendorClient`]
//! ([`counters`]). The counters belong to one account or, with `--accounts`, to several in
//! turn, each with a PSD of its own. The counters and the vendor share this machine's cores,
//! as they would not in the field, so the figures are a floor. At the end of each module's
//! run every PSD is audited: AR is the sum of its pieces, AR + DR = control total, no gaps.
//! With PKCS#11 each run generates a key per PSD in every token; they stay there.

mod counters;
mod tickets;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use crate::clock::Clock;
use crate::keys::KeyStore;
use crate::measure::tui_bench::Percentiles;
use crate::money::Money;
use crate::rates::RateBook;
use crate::vendor_system::keys::module_keys::ModuleCertifier;
use crate::vendor_system::postage::crypto_module::{ModuleKind, SignJob};
use crate::vendor_system::postage::processing::{ProcessingPool, RoundRobin};
use crate::vendor_system::service::add_default_servers;
use crate::vendor_system::store::VendorStore;
use crate::vendor_system::validate::MAX_TRANSFER_MILLS;
use crate::vendor_system::{Vendor, VendorSettings, api};
use counters::{drive, enroll, sample_letter};

/// About the postage of every piece bought (a 1 oz First-Class Mail letter), for funding the
/// accounts; what each piece costs is the rate table's price.
const PIECE_POSTAGE_MILLS: i64 = 780;

#[derive(Args, Debug)]
pub struct LoadtestArgs {
    /// `sqlite` (a fresh file in a scratch folder) or a postgres:// URL (an account and a
    /// PSD of their own are created in it).
    #[arg(long, default_value = "sqlite")]
    store: String,
    /// Simulated counters buying at once.
    #[arg(long, default_value_t = 64)]
    counters: usize,
    /// Customer accounts the counters belong to (in turn), each with a PSD of its own: 1
    /// puts every purchase on one PSD, more spread a batch's funds over many rows.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    accounts: u32,
    /// Seconds of load.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    seconds: u64,
    /// Pieces per purchase request (the vendor takes 1 to 100).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    pieces: u16,
    /// How the counters authenticate: `session` (one signature opens a session, then a MAC
    /// per request, as the counter's link does) or `signature` (every request signed).
    #[arg(long, default_value = "session", value_parser = ["session", "signature"])]
    auth: String,
    /// The cryptographic modules to measure, one after the other, each with its own store,
    /// root and PSDs: `software` and/or `pkcs11` (a token per processing server, labelled
    /// ps-1 and ps-2, in --pkcs11-library).
    #[arg(long, value_delimiter = ',', default_value = "software", value_parser = ["software", "pkcs11"])]
    modules: Vec<String>,
    /// Then, on the same vendor and store, sell lottery wagers and book event seats for
    /// --seconds each, and report them beside the postage figure.
    #[arg(long)]
    tickets: bool,
    /// The PKCS#11 library for `--modules pkcs11`.
    #[arg(long, default_value = "/usr/lib/softhsm/libsofthsm2.so")]
    pkcs11_library: std::path::PathBuf,
    /// The owner-only file holding the tokens' user PIN, for `--modules pkcs11`.
    #[arg(long)]
    pkcs11_pin_file: Option<std::path::PathBuf>,
}

/// What one module's run measured.
struct ModuleReport {
    module: String,
    indicia_per_s: f64,
    p99_ms: f64,
    ceiling_per_s: f64,
    tickets: Option<tickets::TicketFigures>,
    clean: bool,
}

pub async fn run(args: LoadtestArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("postcounter-loadtest-{}", std::process::id()));
    println!(
        "loadtest: store {}, {} counters of {} account(s), {} piece(s) per request, {} s per module, durable commits, server-side pricing, auth by {}",
        args.store, args.counters, args.accounts, args.pieces, args.seconds, args.auth
    );
    let mut reports = Vec::new();
    for name in &args.modules {
        let folder = scratch.join(name);
        std::fs::create_dir_all(&folder)?;
        let module = match name.as_str() {
            "pkcs11" => pkcs11_module(&args)?,
            _ => ModuleKind::Software {
                keys_dir: folder.join("keys"),
            },
        };
        println!("-- {} module", module.describe());
        let report = load(&args, &folder, &module)
            .await
            .map(|measured| ModuleReport {
                module: name.clone(),
                ..measured
            });
        let _ = std::fs::remove_dir_all(&folder);
        reports.push(report?);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!("summary (64 counters means --counters {}):", args.counters);
    for report in &reports {
        println!(
            "  {:<8} {:>7.0} indicia/s, p99 {:>5.1} ms; its sign-only ceiling {:>7.0} indicia/s{}",
            report.module,
            report.indicia_per_s,
            report.p99_ms,
            report.ceiling_per_s,
            if report.clean {
                ""
            } else {
                " (REFUSALS OR AUDIT PROBLEMS)"
            }
        );
        if let Some(tickets) = &report.tickets {
            println!(
                "  {:<8} {:>7.0} wagers/s, p50 {:.1} ms, p99 {:.1} ms; {:.0} seat bookings/s, p50 {:.1} ms, p99 {:.1} ms",
                "",
                tickets.wagers_per_s,
                tickets.wager_ms.0,
                tickets.wager_ms.1,
                tickets.bookings_per_s,
                tickets.booking_ms.0,
                tickets.booking_ms.1
            );
        }
    }
    Ok(if reports.iter().all(|report| report.clean) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn pkcs11_module(args: &LoadtestArgs) -> anyhow::Result<ModuleKind> {
    let pin_file = args
        .pkcs11_pin_file
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("--modules pkcs11 needs --pkcs11-pin-file FILE"))?;
    ModuleKind::pkcs11(args.pkcs11_library.clone(), pin_file)
        .map_err(|reason| anyhow::anyhow!("--pkcs11-pin-file {reason}"))
}

/// The accounts and PSDs of one module's run, each PSD certified on every processing
/// server of `pool` (a key file for the software module, a key per token for PKCS#11).
async fn open_accounts(
    args: &LoadtestArgs,
    store: &VendorStore,
    keys: &KeyStore,
    pool: &ProcessingPool,
    clock: &Clock,
) -> anyhow::Result<(Vec<u32>, Vec<String>)> {
    let first_psd_id = 30_000_000 + rand::random::<u32>() % 1_000_000;
    let psd_ids: Vec<u32> = (first_psd_id..).take(args.accounts as usize).collect();
    let certifier = ModuleCertifier { store, keys, clock };
    let mut accounts = Vec::with_capacity(psd_ids.len());
    for &psd_id in &psd_ids {
        if !pool.kind().generates_keys() {
            certifier.key_file(psd_id).await?;
        }
        let serials = certifier.certify_every_lane(pool, psd_id).await?;
        let serial = *serials
            .first()
            .ok_or_else(|| anyhow::anyhow!("no processing server"))?;
        let account = format!("load-{psd_id}");
        let now = clock.now_unix_ms();
        store.create_account(&account, "loadtest", now).await?;
        for (part, amount) in funding_mills(args).into_iter().enumerate() {
            let amount = Money::from_mills(amount);
            store
                .credit_account(&account, &format!("funds-{part}"), amount, now)
                .await?;
        }
        store.create_psd(psd_id, &account, serial, now).await?;
        accounts.push(account);
    }
    Ok((psd_ids, accounts))
}

async fn load(
    args: &LoadtestArgs,
    scratch: &Path,
    module: &ModuleKind,
) -> anyhow::Result<ModuleReport> {
    let keys_dir = scratch.join("keys");
    let keys = KeyStore::open(&keys_dir)?;
    keys.create_root()?;
    let location = match args.store.as_str() {
        "sqlite" => scratch.join("vendor.sqlite").display().to_string(),
        url => url.to_string(),
    };
    let store = VendorStore::open(&location, 32).await?;
    let clock = Clock::system();
    add_default_servers(&store, &clock).await?;
    let servers = store.processing_servers().await?;
    let ceiling_pool = ProcessingPool::start(&servers, module, Box::new(RoundRobin::default()))
        .map_err(anyhow::Error::msg)?;
    let (psd_ids, accounts) = open_accounts(args, &store, &keys, &ceiling_pool, &clock).await?;
    let settings = VendorSettings {
        license_number: 700_001,
        void_window_days: 30,
        top_up_step: Money::from_mills(1_000_000_000),
        certificate_validity_days: 365,
        certificate_renew_days: 30,
        lease_hours: 72,
        lease_max_value: Money::from_mills(100_000),
    };
    let rates = Arc::new(RateBook::embedded()?);
    let letter = sample_letter(&rates, clock.today())?;
    let vendor = Vendor::start(
        store.clone(),
        keys_dir.clone(),
        module,
        settings,
        crate::rates::book::EMBEDDED_FILES,
        clock.clone(),
        None,
    )
    .await?;
    let ceiling = sign_ceiling(&ceiling_pool, psd_ids[0]).await?;
    println!(
        "sign-only ceiling ({} processing servers): {ceiling:.0} indicia/s",
        vendor.health().processing_servers,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, api::router(vendor)).await });
    let mut counters = Vec::with_capacity(args.counters);
    for account in accounts.iter().cycle().take(args.counters) {
        let (signer, link) = enroll(&store, &url, account, &clock).await?;
        counters.push(match args.auth.as_str() {
            "signature" => (signer, link.signing_every_request()),
            _ => (signer, link),
        });
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = counters
        .into_iter()
        .map(|(signer, link)| {
            let pieces = vec![letter.clone(); usize::from(args.pieces)];
            tokio::spawn(drive(signer, link, pieces, deadline))
        })
        .collect();
    let mut latencies = Vec::new();
    let (mut indicia, mut refused, mut first_refusal) = (0, 0, None);
    for task in tasks {
        let tally = task.await??;
        latencies.extend(tally.latencies);
        indicia += tally.indicia;
        refused += tally.refused;
        first_refusal = first_refusal.or(tally.first_refusal);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let summary = Percentiles::of(&latencies);
    let indicia_per_s = indicia as f64 / elapsed;
    println!(
        "purchases: {} requests, {indicia} indicia in {elapsed:.1} s = {indicia_per_s:.0} indicia/s ({refused} refused)",
        summary.count,
    );
    if let Some(refusal) = &first_refusal {
        println!("first refusal: {refusal}");
    }
    println!(
        "latency per purchase: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(summary.p50),
        ms(summary.p99),
        ms(summary.max)
    );
    let audit_clean = audit(&store, &psd_ids).await?;
    let tickets = if args.tickets {
        let counters = accounts.iter().cycle().take(args.counters);
        Some(tickets::run(&store, &url, counters, &clock, args.seconds).await?)
    } else {
        None
    };
    store.close().await;
    Ok(ModuleReport {
        module: module.describe(),
        indicia_per_s,
        p99_ms: ms(summary.p99),
        ceiling_per_s: ceiling,
        clean: audit_clean && refused == 0 && tickets.as_ref().is_none_or(|t| t.clean),
        tickets,
    })
}

/// Every PSD of the run audited, each problem printed; whether there were none.
async fn audit(store: &VendorStore, psd_ids: &[u32]) -> anyhow::Result<bool> {
    let mut problems = Vec::new();
    let (mut ascending, mut pieces) = (Money::ZERO, 0);
    for &psd_id in psd_ids {
        problems.extend(store.audit_psd(psd_id).await?);
        let registers = store.psd(psd_id).await?.registers;
        ascending = ascending
            .checked_add(registers.ascending)
            .ok_or_else(|| anyhow::anyhow!("the PSDs' AR adds up past the limit"))?;
        pieces += registers.piece_count;
    }
    if problems.is_empty() {
        let (which, whose) = match psd_ids {
            [psd_id] => (format!("PSD {psd_id}"), "its"),
            all => (format!("{} PSDs", all.len()), "their"),
        };
        println!(
            "audit: {which} AR {ascending} = the sum of {whose} {pieces} pieces, AR + DR = control total, serials without gaps"
        );
    }
    for problem in &problems {
        println!("audit: {problem}");
    }
    Ok(problems.is_empty())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Indicia per second `pool`'s processing servers sign for `psd_id`, all at once, for two
/// seconds, each under its own certificate.
async fn sign_ceiling(pool: &ProcessingPool, psd_id: u32) -> anyhow::Result<f64> {
    let certificates = pool.certificates();
    let batch = |lane: usize| -> anyhow::Result<Vec<SignJob>> {
        let serial = certificates
            .serial(lane, psd_id)
            .ok_or_else(|| anyhow::anyhow!("lane {lane} has no certificate for PSD {psd_id}"))?;
        Ok((0..256)
            .map(|i: u32| SignJob {
                psd_id,
                certificate_serial: serial,
                message: i.to_be_bytes().repeat(12),
            })
            .collect())
    };
    let started = Instant::now();
    let mut signed = 0usize;
    while started.elapsed() < Duration::from_secs(2) {
        let mut lanes = Vec::with_capacity(pool.len());
        for lane in 0..pool.len() {
            lanes.push(pool.sign(lane, batch(lane)?));
        }
        for signatures in futures_util::future::try_join_all(lanes).await? {
            signed += signatures.len();
        }
    }
    Ok(signed as f64 / started.elapsed().as_secs_f64())
}

/// Funds enough for each account's share of 50,000 pieces/s (several times what this vendor
/// commits durably here) for the whole run, as credits of at most [`MAX_TRANSFER_MILLS`]
/// each.
fn funding_mills(args: &LoadtestArgs) -> Vec<i64> {
    let seconds = i64::try_from(args.seconds).unwrap_or(i64::MAX);
    let mut needed =
        (PIECE_POSTAGE_MILLS * 50_000).saturating_mul(seconds) / i64::from(args.accounts) + 1;
    let mut credits = Vec::new();
    while needed > 0 {
        let amount = needed.min(MAX_TRANSFER_MILLS);
        credits.push(amount);
        needed -= amount;
    }
    credits
}
