//! Shared helpers for the integration tests: a fresh key store and PSD in a temporary folder.

pub mod cli;
pub mod crash_counter;
pub mod crash_ledger;
pub mod data_centre;
pub mod intercept;
pub mod kiosk;
pub mod link_relay;
pub mod offline_counter;
pub mod payment;
pub mod postgres;
pub mod screen;
pub mod softhsm;
pub mod throttle;
pub mod tmux;
pub mod vendor;
pub mod vendor_counter;
pub mod vendor_process;
pub mod vendor_serve;
pub mod vendor_updates;

/// Each test body once per store, as `sqlite::name` and `postgres::name`; the calling
/// test file has `StoreKind` in scope and an `async fn name(kind: StoreKind)` per name.
#[allow(unused_macros)]
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::StoreKind::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::StoreKind::Postgres).await;
                }
            )*
        }
    };
}

#[allow(unused_imports)]
pub(crate) use contract;

use std::path::Path;

use postcounter::address::ZipCode;
use postcounter::date::Date;
use postcounter::grants::refill::refill_digest;
use postcounter::grants::{RefillAuthorization, RootSigner};
use postcounter::indicium::specimen::SPECIMEN_RATE_TABLE;
use postcounter::keys::{KeyStore, PsdSigner};
use postcounter::money::Money;
use postcounter::psd::ledger::Clock;
use postcounter::psd::ledger::RefillOutcome;
use postcounter::psd::{IssueRequest, Ledger, Psd, PsdError};
use postcounter::rates::{
    Destination, MailPiece, PricedPiece, Product, RateBook, SaleRequest, Shape, price_piece,
};
use postcounter::weight::Weight;

pub const DEVICE_ID: u32 = 10_000_001;
/// `sell` of one 1 oz letter to 90210, answered as JSON and printing no receipt.
pub const SELL_ONE_LETTER_JSON: &[&str] = &[
    "sell",
    "--weight",
    "1oz",
    "--to",
    "90210",
    "--json",
    "--no-receipt",
];
pub const LICENSE: u32 = 700_001;

pub fn day(text: &str) -> Date {
    Date::parse(text).expect("a valid date")
}

/// A root key and one certified PSD key in `dir/keys`.
pub fn signer(dir: &Path) -> (KeyStore, PsdSigner) {
    let store = KeyStore::open(&dir.join("keys")).expect("key store");
    if !store.has_root() {
        store.create_root().expect("root key");
    }
    let signer = if store.has_psd(DEVICE_ID) {
        store.psd_signer(DEVICE_ID).expect("psd signer")
    } else {
        store
            .create_psd(DEVICE_ID, 1, day("2026-01-01"), day("2030-12-31"))
            .expect("psd key")
    };
    (store, signer)
}

/// Credits `amount` to `psd` under `refill_id` as the data centre would authorize it: signed
/// by the test root in `dir/keys`, at the PSD's control total now.
pub async fn refill(
    psd: &Psd,
    dir: &Path,
    refill_id: &str,
    amount: Money,
) -> Result<RefillOutcome, PsdError> {
    let (keys, _) = signer(dir);
    let (generation, root) = keys.current_root().expect("the test root");
    let authorization = RefillAuthorization {
        psd_id: psd.device_id(),
        refill_digest: refill_digest(refill_id),
        control_total_before: psd.state().await?.registers.control_total,
        amount,
        issued_unix_ms: 0,
    }
    .sign(&RootSigner {
        generation,
        key: &root,
    });
    let trust = keys.trust(Vec::new()).expect("the test trust");
    psd.apply_refill(&authorization, refill_id, &trust).await
}

pub async fn open_psd(dir: &Path) -> Psd {
    open_psd_with_clock(dir, Clock::system()).await
}

/// A clock the test moves: milliseconds since 1970 in a shared cell.
pub fn manual_clock() -> (Clock, std::sync::Arc<std::sync::atomic::AtomicI64>) {
    use std::sync::atomic::{AtomicI64, Ordering};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    let cell = std::sync::Arc::new(AtomicI64::new(i64::try_from(now).expect("fits")));
    let reader = cell.clone();
    (Clock::from_fn(move || reader.load(Ordering::SeqCst)), cell)
}

pub async fn open_psd_with_clock(dir: &Path, clock: Clock) -> Psd {
    let (_, signer) = signer(dir);
    let ledger = Ledger::open_with_clock(&dir.join("ledger.sqlite"), clock)
        .await
        .expect("ledger");
    let (psd, audit) = Psd::open(ledger, signer, LICENSE).await.expect("psd");
    assert!(audit.discrepancies.is_empty(), "{:?}", audit.discrepancies);
    psd
}

/// What the embedded PSD is asked to sign, as the counter prices it: a letter of
/// `postage_mills` (the PSD signs the postage it is given) mailed today.
pub fn letter(request_id: &str, postage_mills: i64) -> IssueRequest {
    IssueRequest {
        request_id: request_id.to_string(),
        postage: Money::from_mills(postage_mills),
        mailing_date: Date::today_utc(),
        origin_zip5: 2134,
        destination_zip: None,
        rate_category: 1,
        extra_services: 0,
        rate_table: SPECIMEN_RATE_TABLE,
        label_serial: None,
    }
}

/// A letter of `weight` from 02134 to 94103 mailed today, priced as the counter prices it.
pub fn priced_letter(weight: &str) -> PricedPiece {
    let request = SaleRequest {
        piece: MailPiece {
            weight: Weight::parse(weight).expect("a weight"),
            shape: Shape::Letter,
            dimensions: None,
        },
        origin: ZipCode::parse("02134").expect("a ZIP code"),
        destination: Destination::parse("94103").expect("a ZIP code"),
        product: Some(Product::FcmLetter),
        extras: Vec::new(),
        declared_value: None,
        label_serial: None,
        mailing_date: Date::today_utc(),
        customs: None,
    };
    price_piece(&RateBook::embedded().expect("rates"), &request).expect("a price")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// `postcounter pin set --pin PIN` for the station in `data_dir`.
pub fn set_supervisor_pin(data_dir: &std::path::Path, pin: &str) {
    let set = std::process::Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["pin", "set", "--pin", pin])
        .output()
        .unwrap();
    assert!(set.status.success(), "{set:?}");
}

/// Whether CI is set: a missing tool or server is then a failure, not a skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|ci| !matches!(ci.as_str(), "" | "0" | "false"))
}

/// Whether the command-line tool `tool` is installed; `false` (with a note) when it is not
/// and CI is not set, a failure under CI (`.ci/run` installs it).
pub fn tool_or_skip(tool: &str, test: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            !under_ci(),
            "CI is set but {tool} is missing: .ci/run installs it"
        );
        eprintln!("{test}: skipped: {tool} is not installed");
    }
    found
}
