//! `postcounter loadtest`: a vendor on loopback driven by many simulated counters, to
//! measure what the vendor sustains with durable commits, and in the same run the sign-only
//! ceiling of its processing servers (nothing can issue faster than it signs).
//!
//! Each simulated counter is a real client, the counter's own [`VendorClient`]: it registers
//! with an enrollment code over HTTP, authenticates with its own P-256 key (in a session, or
//! signing every request with `--auth signature`), and buys one purchase at a time under a
//! fresh idempotency key, timing each from send to answer. The counters belong to one
//! account or, with `--accounts`, to several in turn, each with a PSD of its own. The
//! counters and the vendor share this machine's cores, as they would not in the field, so
//! the figures are a floor. At the end every PSD is audited: AR is the sum of its pieces,
//! AR + DR = control total, no gaps.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use p256::elliptic_curve::Generate;

use crate::address::ZipCode;
use crate::clock::Clock;
use crate::date::Date;
use crate::keys::KeyStore;
use crate::link::{VendorClient, identity};
use crate::measure::tui_bench::Percentiles;
use crate::money::Money;
use crate::protocol::signature::RequestSigner;
use crate::protocol::{PieceOrder, PurchaseRequest};
use crate::rates::{Destination, MailPiece, Product, RateBook, SaleRequest, Shape, price_piece};
use crate::vendor_system::postage::crypto_module::SignJob;
use crate::vendor_system::postage::processing::{ProcessingPool, RoundRobin};
use crate::vendor_system::store::VendorStore;
use crate::vendor_system::store::counters::check_location;
use crate::vendor_system::validate::MAX_TRANSFER_MILLS;
use crate::vendor_system::{Vendor, VendorSettings, api};
use crate::weight::Weight;

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
}

/// What one simulated counter saw.
#[derive(Default)]
struct CounterTally {
    latencies: Vec<Duration>,
    indicia: u64,
    refused: u64,
    /// The body of the first refusal, to say why.
    first_refusal: Option<String>,
}

pub async fn run(args: LoadtestArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("postcounter-loadtest-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let outcome = load(&args, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

async fn load(args: &LoadtestArgs, scratch: &Path) -> anyhow::Result<ExitCode> {
    let keys_dir = scratch.join("keys");
    let keys = KeyStore::open(&keys_dir)?;
    keys.create_root()?;
    let first_psd_id = 30_000_000 + rand::random::<u32>() % 1_000_000;
    let psd_ids: Vec<u32> = (first_psd_id..).take(args.accounts as usize).collect();
    let today = Date::today_utc();
    let location = match args.store.as_str() {
        "sqlite" => scratch.join("vendor.sqlite").display().to_string(),
        url => url.to_string(),
    };
    let store = VendorStore::open(&location, 32).await?;
    let clock = Clock::system();
    let mut accounts = Vec::with_capacity(psd_ids.len());
    for &psd_id in &psd_ids {
        keys.create_psd(
            psd_id,
            certificate_serial(psd_id),
            today.add_days(-1),
            today.add_days(365),
        )?;
        let account = format!("load-{psd_id}");
        let now = clock.now_unix_ms();
        store.create_account(&account, "loadtest", now).await?;
        for (part, amount) in funding_mills(args).into_iter().enumerate() {
            store
                .credit_account(
                    &account,
                    &format!("funds-{part}"),
                    Money::from_mills(amount),
                    now,
                )
                .await?;
        }
        store
            .create_psd(psd_id, &account, certificate_serial(psd_id), now)
            .await?;
        accounts.push(account);
    }
    println!(
        "loadtest: store {} ({}), {} counters of {} account(s), {} piece(s) per request, {} s, durable commits, auth by {}",
        store.backend().name(),
        store.location(),
        args.counters,
        args.accounts,
        args.pieces,
        args.seconds,
        args.auth
    );
    let settings = VendorSettings {
        license_number: 700_001,
        void_window_days: 30,
        top_up_step: Money::from_mills(1_000_000_000),
        certificate_validity_days: 365,
        lease_hours: 72,
        lease_max_value: Money::from_mills(100_000),
    };
    let rates = Arc::new(RateBook::embedded()?);
    let letter = sample_letter(&rates, clock.today())?;
    let vendor = Vendor::start(
        store.clone(),
        keys_dir.clone(),
        settings,
        rates,
        clock.clone(),
        None,
    )
    .await?;
    let ceiling = sign_ceiling(&store.processing_servers().await?, &keys_dir, first_psd_id).await?;
    println!(
        "sign-only ceiling ({} processing servers, aws-lc P-256): {:.0} indicia/s",
        vendor.health().processing_servers,
        ceiling
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
    println!(
        "purchases: {} requests, {indicia} indicia in {elapsed:.1} s = {:.0} indicia/s ({refused} refused)",
        summary.count,
        indicia as f64 / elapsed
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
    let mut problems = Vec::new();
    let (mut ascending, mut pieces) = (Money::ZERO, 0);
    for &psd_id in &psd_ids {
        problems.extend(store.audit_psd(psd_id).await?);
        let registers = store.psd(psd_id).await?.registers;
        ascending = ascending
            .checked_add(registers.ascending)
            .ok_or_else(|| anyhow::anyhow!("the PSDs' AR adds up past the limit"))?;
        pieces += registers.piece_count;
    }
    if problems.is_empty() {
        let (which, whose) = match psd_ids.as_slice() {
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
    store.close().await;
    Ok(if problems.is_empty() && refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Indicia per second the processing servers sign, all at once, for two seconds.
async fn sign_ceiling(
    servers: &[crate::vendor_system::postage::processing::ProcessingServerRow],
    keys_dir: &Path,
    psd_id: u32,
) -> anyhow::Result<f64> {
    let pool = ProcessingPool::start(
        servers,
        keys_dir.to_path_buf(),
        Box::new(RoundRobin::default()),
    )
    .map_err(anyhow::Error::msg)?;
    let batch = || {
        (0..256)
            .map(|i: u32| SignJob {
                psd_id,
                message: i.to_be_bytes().repeat(12),
            })
            .collect()
    };
    let started = Instant::now();
    let mut signed = 0usize;
    while started.elapsed() < Duration::from_secs(2) {
        let lanes = (0..pool.len()).map(|lane| pool.sign(lane, batch()));
        for signatures in futures_util::future::try_join_all(lanes).await? {
            signed += signatures.len();
        }
    }
    Ok(signed as f64 / started.elapsed().as_secs_f64())
}

/// A counter registered over HTTP with its own key, as a real one would, and its link.
async fn enroll(
    store: &VendorStore,
    url: &str,
    account: &str,
    clock: &Clock,
) -> anyhow::Result<(RequestSigner, VendorClient)> {
    let code = crate::hex::encode(&rand::random::<[u8; 12]>());
    store
        .create_enrollment(
            &code,
            account,
            &check_location("02134")?,
            clock.now_unix_ms() + 3_600_000,
        )
        .await?;
    let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
    let link = VendorClient::new(
        &[url.to_string()],
        Duration::from_secs(10),
        1,
        clock.clone(),
    )?;
    let registration = identity::register(&link, &key, &code, "loadtest").await?;
    let signer = RequestSigner::new(&registration.counter_id, &key).map_err(anyhow::Error::msg)?;
    Ok((signer, link))
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

/// The certificate serial of the run's PSD `psd_id`: unique within the run, and small
/// enough for the indicium's 3-byte field.
fn certificate_serial(psd_id: u32) -> u32 {
    psd_id - 30_000_000 + 1
}

/// The piece every counter buys: a 1 oz letter from 02134 to 94103 today, described as a
/// counter describes it, with the postage the counter would have shown. The vendor prices it
/// again from the counter's registered location and signs its own price.
fn sample_letter(rates: &RateBook, today: Date) -> anyhow::Result<PieceOrder> {
    let request = SaleRequest {
        piece: MailPiece {
            weight: Weight::from_ounces(1),
            shape: Shape::Letter,
            dimensions: None,
        },
        origin: ZipCode::parse("02134")?,
        destination: Destination::parse("94103")?,
        product: Some(Product::FcmLetter),
        extras: Vec::new(),
        declared_value: None,
        label_serial: None,
        mailing_date: today,
    };
    Ok(PieceOrder::for_piece(&price_piece(rates, &request)?))
}

/// One counter buying `pieces` until `deadline`, one purchase at a time, through the
/// counter's own vendor client.
async fn drive(
    signer: RequestSigner,
    link: VendorClient,
    pieces: Vec<PieceOrder>,
    deadline: Instant,
) -> anyhow::Result<CounterTally> {
    let count = pieces.len() as u64;
    let body = serde_json::to_string(&PurchaseRequest { pieces, card: None })?;
    let mut tally = CounterTally::default();
    let mut sequence = 0u64;
    while Instant::now() < deadline {
        sequence += 1;
        let key = format!("{}-{sequence}", signer.counter_id());
        let sent = Instant::now();
        let reply = link
            .send(
                reqwest::Method::POST,
                "/v1/purchases",
                Some(&key),
                body.as_bytes(),
                Some(&signer),
            )
            .await?;
        tally.latencies.push(sent.elapsed());
        if reply.status == 201 {
            tally.indicia += count;
        } else {
            tally.refused += 1;
            if tally.first_refusal.is_none() {
                let body: String = String::from_utf8_lossy(&reply.body)
                    .chars()
                    .take(300)
                    .collect();
                tally.first_refusal = Some(format!("{} {body}", reply.status));
            }
        }
    }
    Ok(tally)
}
