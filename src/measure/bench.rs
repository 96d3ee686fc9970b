//! `postcounter bench`: what one indicium costs, stage by stage, on this machine.
//!
//! One run reports the p256 sign-only rate (the ceiling: nothing can issue faster than it
//! signs), the rate of the whole path without the durable commit (debit in memory, sign,
//! Data Matrix, ESC/POS), the same with the real SQLite commit per indicium, and the p50 of
//! each stage. It works in a scratch folder so it never touches the station's PSD.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use crate::config::Config;
use crate::date::Date;
use crate::grants::refill::refill_digest;
use crate::grants::{RefillAuthorization, RootSigner};
use crate::indicium::specimen::SPECIMEN_RATE_TABLE;
use crate::indicium::{DestinationZip, Indicium, IndiciumData, SOFTWARE_ID};
use crate::keys::{KeyStore, PsdSigner};
use crate::money::Money;
use crate::print::label::{LabelContent, label_document};
use crate::print::printer::load_profile;
use crate::print::{DataMatrixSymbol, PrinterProfile, encode};
use crate::psd::ledger::IssueEntry;
use crate::psd::{IssueRequest, Ledger, Psd, Registers};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Indicia per measured run.
    #[arg(long, default_value_t = 2000)]
    iterations: u32,
    /// The printer profile to encode for.
    #[arg(long, default_value = "label-4x6")]
    profile: String,
}

/// Durations of one measured run, sorted on demand.
struct Samples(Vec<Duration>);

impl Samples {
    fn percentile(&self, fraction: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
        sorted.get(index).copied().unwrap_or_default()
    }

    fn total(&self) -> Duration {
        self.0.iter().sum()
    }

    fn rate_per_s(&self) -> f64 {
        self.0.len() as f64 / self.total().as_secs_f64().max(f64::MIN_POSITIVE)
    }

    fn mean(&self) -> Duration {
        self.total() / u32::try_from(self.0.len().max(1)).unwrap_or(u32::MAX)
    }
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn sample_data(signer: &PsdSigner, registers: &Registers, today: Date) -> IndiciumData {
    IndiciumData {
        certificate_serial: signer.certificate().serial,
        device_id: signer.certificate().psd_id,
        license_number: 700_001,
        ascending_register: registers.ascending,
        descending_register: registers.descending,
        postage: Money::from_mills(780),
        mailing_date: today,
        origin_zip5: 2134,
        destination_zip: Some(DestinationZip {
            zip5: 90210,
            plus4: None,
        }),
        rate_category: 1,
        extra_services: 0,
        rate_table: Some(SPECIMEN_RATE_TABLE),
        software_id: SOFTWARE_ID,
        piece_serial: u32::try_from(registers.piece_count).unwrap_or(u32::MAX),
        label_binding: [0; 4],
    }
}

fn label(data: &IndiciumData, symbol: DataMatrixSymbol) -> LabelContent {
    LabelContent {
        symbol,
        postage: data.postage,
        mailing_date: data.mailing_date,
        origin_zip: "02134".into(),
        psd_serial: format!("{:08}", data.device_id),
        class_marking: "FIRST-CLASS MAIL".into(),
        piece_serial: data.serial_text(),
        from_lines: vec!["FROM: 02134".into()],
        to_lines: vec!["TO: BEVERLY HILLS, CA 90210".into()],
        customs_lines: Vec::new(),
        service_markings: Vec::new(),
        tracking: None,
        tracking_note: None,
    }
}

/// Symbol, then label + ESC/POS: the printing half of an issue.
fn print_stages(
    bytes: &[u8],
    data: &IndiciumData,
    profile: &PrinterProfile,
) -> anyhow::Result<(Duration, Duration)> {
    let started = Instant::now();
    let symbol = DataMatrixSymbol::encode(bytes)?;
    let symbol_done = Instant::now();
    let escpos = encode(&label_document(&label(data, symbol), profile), profile)?;
    std::hint::black_box(escpos);
    Ok((symbol_done - started, symbol_done.elapsed()))
}

pub async fn run(_config: Config, args: BenchArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("postcounter-bench-{}", std::process::id()));
    let result = measure(&scratch, &args).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn measure(scratch: &Path, args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let today = Date::today_utc();
    let keys = KeyStore::open(&scratch.join("keys"))?;
    keys.create_root()?;
    let signer = keys.create_psd(1, 1, today, today.add_days(365))?;
    let profile = load_profile(&args.profile)?;
    let n = args.iterations.max(10);
    let build = if cfg!(debug_assertions) {
        "debug build (use --release)"
    } else {
        "release build"
    };
    println!(
        "postcounter bench: {n} indicia per run, one thread, {build}, profile {}",
        profile.name
    );

    // 1 and 2, interleaved so that both see the same machine (a slow moment on a shared
    // host would otherwise land on one side of the ratio): the ceiling, signing alone; and
    // everything but the commit: in-memory debit, sign, Data Matrix, ESC/POS.
    let message = sample_data(&signer, &Registers::default(), today).to_signed_bytes()?;
    let mut sign_only = Samples(Vec::with_capacity(n as usize));
    let mut registers = Registers::default().credit(Money::from_mills(1_000_000_000))?;
    let (mut whole, mut sign, mut matrix, mut escpos) = (
        Samples(vec![]),
        Samples(vec![]),
        Samples(vec![]),
        Samples(vec![]),
    );
    for _ in 0..n {
        let started = Instant::now();
        std::hint::black_box(signer.sign(std::hint::black_box(&message)));
        sign_only.0.push(started.elapsed());

        let started = Instant::now();
        registers = registers.debit(Money::from_mills(780))?;
        let data = sample_data(&signer, &registers, today);
        let signing = Instant::now();
        let bytes = Indicium::sign(data.clone(), &signer)?.to_bytes()?;
        sign.0.push(signing.elapsed());
        let (symbol_time, escpos_time) = print_stages(&bytes, &data, &profile)?;
        matrix.0.push(symbol_time);
        escpos.0.push(escpos_time);
        whole.0.push(started.elapsed());
    }

    // 3. The same with the durable SQLite commit of each indicium.
    let ledger = Ledger::open(&scratch.join("ledger.sqlite")).await?;
    let (psd, _) = Psd::open(ledger, signer.clone(), 700_001).await?;
    // The bench is its own data centre: it authorizes the PSD's funds as one would.
    let (generation, root) = keys.current_root()?;
    let authorization = RefillAuthorization {
        psd_id: 1,
        refill_digest: refill_digest("bench"),
        control_total_before: Money::ZERO,
        amount: Money::from_mills(1_000_000_000),
        issued_unix_ms: 0,
    }
    .sign(&RootSigner {
        generation,
        key: &root,
    });
    psd.apply_refill(&authorization, "bench", &keys.trust(Vec::new())?)
        .await?;
    let mut durable = Samples(vec![]);
    for i in 0..n {
        let request = IssueRequest {
            request_id: format!("bench-{i}"),
            postage: Money::from_mills(780),
            mailing_date: today,
            origin_zip5: 2134,
            destination_zip: Some(DestinationZip {
                zip5: 90210,
                plus4: None,
            }),
            rate_category: 1,
            extra_services: 0,
            rate_table: SPECIMEN_RATE_TABLE,
            label_serial: None,
        };
        let started = Instant::now();
        let issued = psd.issue(&request).await?;
        print_stages(&issued.bytes, &issued.indicium.data, &profile)?;
        durable.0.push(started.elapsed());
    }

    // 4. The commit alone: the debit transaction with an indicium signed beforehand.
    let presigned = Indicium::sign(sample_data(&signer, &registers, today), &signer)?
        .to_bytes()?
        .to_vec();
    let mut commit = Samples(vec![]);
    for i in 0..n {
        let entry = IssueEntry {
            request_id: format!("commit-{i}"),
            request_digest: [0; 32],
            postage: Money::from_mills(780),
            mailing_date: today,
            label_serial: None,
        };
        let started = Instant::now();
        psd.ledger()
            .issue(psd.device_id(), &entry, |_| Ok(presigned.clone()))
            .await?;
        commit.0.push(started.elapsed());
    }

    let ceiling = sign_only.rate_per_s();
    let without = whole.rate_per_s();
    println!(
        "  p256 sign only (ceiling)       {:>9.0} /s   {} each",
        ceiling,
        micros(sign_only.mean())
    );
    println!(
        "  issue without commit           {:>9.0} /s   {} each, {:.0}% of the ceiling   (target < 300 µs, >= 50%)",
        without,
        micros(whole.mean()),
        100.0 * without / ceiling
    );
    println!(
        "  issue with durable commit      {:>9.0} /s   p50 {}  p99 {}   (target p50 < 3 ms)",
        durable.rate_per_s(),
        micros(durable.percentile(0.5)),
        micros(durable.percentile(0.99))
    );
    println!(
        "  stages, p50: sign {}, Data Matrix {}, ESC/POS encode {}, commit (debit transaction + fsync) {}",
        micros(sign.percentile(0.5)),
        micros(matrix.percentile(0.5)),
        micros(escpos.percentile(0.5)),
        micros(commit.percentile(0.5))
    );
    Ok(ExitCode::SUCCESS)
}
