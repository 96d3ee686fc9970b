//! The link's services share one HTTP/2 connection: a counter build downloading from the
//! software service does not hold up purchases from the postage service. Through a relay
//! that carries the data centre's answers at 32 MB/s (a line the download fills), purchases
//! go on while the build streams, over the one connection, and the figures are printed:
//! purchase latency with the line idle and with the download filling it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::link_relay::counter_with;
use crate::common::priced_letter;
use crate::common::throttle::Throttle;
use crate::common::vendor::{StoreKind, VendorFixture};
use crate::common::vendor_process::VendorProcess;
use postcounter::clock::Clock;
use postcounter::link::VendorClient;
use postcounter::protocol::updates::Published;
use postcounter::psd::Psd;
use postcounter::release::this_platform;
use postcounter::vendor_system::from_config::keys_dir;
use postcounter::vendor_system::updates::{UpdateRepository, repository_dir};

const LINE_BYTES_PER_S: u64 = 32 * 1024 * 1024;
const BUILD_BYTES: usize = 32 * 1024 * 1024;
const PURCHASES: usize = 12;

/// `PURCHASES` one-piece purchases in a row; each one's time.
async fn purchases(link: &postcounter::link::CounterLink, psd: &Psd, tag: &str) -> Vec<Duration> {
    let mut times = Vec::new();
    for n in 0..PURCHASES {
        let started = Instant::now();
        let issued = link
            .issue(psd, &priced_letter("1oz"), &format!("{tag}-{n}"))
            .await
            .unwrap();
        assert!(!issued.offline, "issued by the data centre");
        times.push(started.elapsed());
    }
    times.sort();
    times
}

/// The data centre's TLS certificate and key, made by `admin tls-create` for localhost.
fn tls_files(fixture: &VendorFixture) -> (PathBuf, PathBuf) {
    let created = std::process::Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(fixture.dir.path())
        .args(["admin", "tls-create", "--host", "localhost"])
        .env("POSTCOUNTER_VENDOR__STORE", &fixture.location)
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let tls = fixture.dir.path().join("vendor/tls");
    (tls.join("tls-certificate.pem"), tls.join("tls-key.pem"))
}

fn figures(times: &[Duration]) -> String {
    format!(
        "p50 {:.1} ms, max {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchases_go_on_while_a_build_downloads_over_the_same_http2_connection() {
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let tls = tls_files(&fixture);
    let settings = [
        (
            "POSTCOUNTER_VENDOR__TLS_CERTIFICATE",
            tls.0.to_str().unwrap(),
        ),
        ("POSTCOUNTER_VENDOR__TLS_KEY", tls.1.to_str().unwrap()),
    ];
    let vendor = VendorProcess::spawn_configured(
        fixture.dir.path(),
        &fixture.location,
        "127.0.0.1:0",
        &settings,
    );
    let upstream = vendor.url.trim_start_matches("https://").parse().unwrap();
    let line = Throttle::start(upstream, LINE_BYTES_PER_S).await;
    let endpoint = format!("https://localhost:{}", line.address.port());
    let client = VendorClient::new(&[endpoint], Duration::from_secs(5), 2, Clock::system())
        .unwrap()
        .trusting_only(&std::fs::read(&tls.0).unwrap())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = counter_with(&fixture.store, dir.path(), client, "A1", Clock::system()).await;
    let link = Arc::new(link);
    link.check_updates(None).await.unwrap();
    let idle = purchases(&link, &psd, "idle").await;

    let keys = keys_dir(fixture.dir.path());
    let repository = UpdateRepository::at(&repository_dir(&keys).unwrap(), &keys);
    let build = Published::Software {
        version: "0.97.0".into(),
        platform: this_platform(),
    };
    let bytes: Vec<u8> = (0..BUILD_BYTES).map(|i| (i % 253) as u8).collect();
    let now = Clock::system().now_unix_ms();
    repository
        .publish("postcounter", &bytes, build, now)
        .await
        .unwrap();
    let downloading = {
        let link = link.clone();
        tokio::spawn(async move { link.check_updates(None).await })
    };
    // Purchases start once the build is coming in.
    let download = dir.path().join("updates/downloads/0.97.0.download");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&download).map_or(0, |m| m.len()) < 4 * 1024 * 1024 {
        assert!(Instant::now() < deadline, "the download never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    let busy = purchases(&link, &psd, "busy").await;
    let purchases_took = started.elapsed();
    let in_progress = !downloading.is_finished();
    let report = downloading.await.unwrap().unwrap();
    let download_took = started.elapsed();
    assert_eq!(
        report.release_staged.as_deref(),
        Some("0.97.0"),
        "{report:?}"
    );
    assert!(
        in_progress,
        "the purchases finished while the build was still coming"
    );
    assert_eq!(
        line.connections(),
        1,
        "one connection carried every service"
    );
    eprintln!(
        "http2: {PURCHASES} purchases, line idle: {}; while a {} MB build downloads at {} MB/s: {} (all {} ms; the download went on {} ms more), one TCP connection",
        figures(&idle),
        BUILD_BYTES / (1024 * 1024),
        LINE_BYTES_PER_S / (1024 * 1024),
        figures(&busy),
        purchases_took.as_millis(),
        download_took.saturating_sub(purchases_took).as_millis()
    );
    drop(vendor);
}
