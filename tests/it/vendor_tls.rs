//! The data centre over TLS: `vendor serve` with a certificate `admin tls-create` made, and
//! counters that reach it over https. A counter trusting that certificate enrolls, is
//! certified, refilled and leased; one trusting only the platform's roots refuses the
//! connection; a plain http:// data centre off loopback is refused by the counter's
//! settings, and `vendor serve` will not listen off loopback without TLS.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::vendor::{StoreKind, VendorFixture};
use common::vendor_process::VendorProcess;

fn postcounter(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn counters_reach_the_data_centre_over_tls_and_only_with_its_certificate() {
    let runtime = common::runtime();
    let fixture = runtime
        .block_on(VendorFixture::create(StoreKind::Sqlite))
        .unwrap();
    runtime.block_on(fixture.enroll(&["tls-one", "tls-two"]));
    let store = [("POSTCOUNTER_VENDOR__STORE", fixture.location.as_str())];
    let created = postcounter(
        fixture.dir.path(),
        &["admin", "tls-create", "--host", "localhost"],
        &store,
    );
    assert!(created.status.success(), "{created:?}");
    let tls = fixture.dir.path().join("vendor/tls");
    let certificate = tls.join("tls-certificate.pem");
    let key = tls.join("tls-key.pem");
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&tls), mode(&key)), (0o700, 0o600));

    let settings = [
        (
            "POSTCOUNTER_VENDOR__TLS_CERTIFICATE",
            certificate.to_str().unwrap(),
        ),
        ("POSTCOUNTER_VENDOR__TLS_KEY", key.to_str().unwrap()),
    ];
    let vendor = VendorProcess::spawn_configured(
        fixture.dir.path(),
        &fixture.location,
        "127.0.0.1:0",
        &settings,
    );
    assert!(vendor.url.starts_with("https://"), "{}", vendor.url);
    let endpoint = vendor.url.replace("127.0.0.1", "localhost");

    let dir = tempfile::tempdir().unwrap();
    let trusted = postcounter(
        &dir.path().join("one"),
        &["psd", "reconcile"],
        &[
            ("POSTCOUNTER_LINK__ENDPOINTS", endpoint.as_str()),
            ("POSTCOUNTER_LINK__ENROLLMENT_CODE", "tls-one"),
            (
                "POSTCOUNTER_LINK__DATA_CENTRE_CA",
                certificate.to_str().unwrap(),
            ),
        ],
    );
    assert!(trusted.status.success(), "{trusted:?}");
    assert!(
        String::from_utf8_lossy(&trusted.stdout).contains("offline lease"),
        "{trusted:?}"
    );

    // The platform's roots do not vouch for a private data centre's certificate.
    let untrusting = postcounter(
        &dir.path().join("two"),
        &["psd", "reconcile"],
        &[
            ("POSTCOUNTER_LINK__ENDPOINTS", endpoint.as_str()),
            ("POSTCOUNTER_LINK__ENROLLMENT_CODE", "tls-two"),
            ("POSTCOUNTER_LINK__TIMEOUT_MS", "2000"),
            ("POSTCOUNTER_LINK__ATTEMPTS", "1"),
        ],
    );
    assert!(!untrusting.status.success(), "{untrusting:?}");
    let said = String::from_utf8_lossy(&untrusting.stderr);
    assert!(
        said.contains("certificate"),
        "the reason names the certificate: {said}"
    );
    let counters: i64 = runtime
        .block_on(
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM counter")
                .fetch_one(fixture.store.pool()),
        )
        .unwrap();
    assert_eq!(
        counters, 1,
        "only the counter that trusted the certificate enrolled"
    );
}

#[test]
fn plain_http_off_loopback_is_refused_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let counter = postcounter(
        &dir.path().join("counter"),
        &["psd", "reconcile"],
        &[("POSTCOUNTER_LINK__ENDPOINTS", "http://10.0.0.5:8470")],
    );
    let said = String::from_utf8_lossy(&counter.stderr);
    assert!(!counter.status.success());
    assert!(
        said.contains("\"http://10.0.0.5:8470\" is not accepted"),
        "{said}"
    );
    assert!(said.contains("https://"), "{said}");

    let vendor = postcounter(
        &dir.path().join("vendor"),
        &["vendor", "serve", "--listen", "0.0.0.0:0"],
        &[],
    );
    let said = String::from_utf8_lossy(&vendor.stderr);
    assert!(!vendor.status.success());
    assert!(said.contains("without TLS is refused"), "{said}");
}
