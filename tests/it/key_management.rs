//! Key management end to end, with the real binary: a separate `vendor serve` is the only
//! root; two counters enrolled with it each get an embedded PSD the data centre numbered and
//! certified, and sell offline (their data centre unreachable) under its lease. The data
//! centre then rolls its root over, one counter renews its certificate under the new root
//! and sells offline again, and the other's certificate is revoked. Every label verifies
//! with what its counter holds and with the data centre's `keys export`, except the revoked
//! one, which fails `verify` with the new export or with the old export and `--status`.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::data_centre::{Counter, DataCentre};

/// `postcounter verify --json` of `file` as the counter in `data_dir` runs it, with `args`.
fn verify(data_dir: &Path, file: &Path, args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["verify", "--json"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

#[test]
fn renewal_and_rollover_keep_old_indicia_valid_and_a_revoked_certificate_fails_verify() {
    let runtime = common::runtime();
    let centre = DataCentre::start(&runtime, &["code-one", "code-two"]);
    let dir = tempfile::tempdir().unwrap();
    let counters: Vec<Counter> = ["one", "two"]
        .iter()
        .map(|name| Counter {
            data_dir: dir.path().join(name),
            code: format!("code-{name}"),
            endpoint: centre.process.url.clone(),
        })
        .collect();
    let dead = dead_endpoint();
    // First contact: enrolled, certified, refilled from A1 and leased; then offline sales.
    let mut labels = Vec::new();
    for counter in &counters {
        counter.reconcile(&[("POSTCOUNTER_LINK__FIRST_REFILL", "20.00")]);
        labels.push(counter.sell_offline(&dead, "first"));
    }
    let psd_of = |serial: &str| serial.split('-').next().unwrap().to_string();
    assert_ne!(psd_of(&labels[0].0), psd_of(&labels[1].0), "{labels:?}");
    let first_certificate = counters[0].certificate_serial();

    // The root rolls over; counter one renews (new key, certificate under generation 2).
    let rolled = centre.command(&["admin", "root-rollover"]);
    assert!(
        String::from_utf8_lossy(&rolled.stdout).contains("generation 2"),
        "{rolled:?}"
    );
    let renewed = counters[0].reconcile(&[("POSTCOUNTER_LINK__CERTIFICATE_RENEW_DAYS", "3650")]);
    assert!(renewed.contains("certificate renewed"), "{renewed}");
    assert!(renewed.contains("1 offline pieces reported"), "{renewed}");
    assert_ne!(counters[0].certificate_serial(), first_certificate);
    labels.push(counters[0].sell_offline(&dead, "renewed"));
    let reported = counters[0].reconcile(&[]);
    assert!(reported.contains("1 offline pieces reported"), "{reported}");

    let exported = dir.path().join("exported");
    centre.export(&exported);
    let exported_arg = ["--keys", exported.to_str().unwrap()];
    for (index, (serial, file)) in labels.iter().enumerate() {
        let owner = &counters[usize::from(index == 1)];
        for args in [&[][..], &exported_arg[..]] {
            let verified = verify(&owner.data_dir, file, args);
            assert_eq!(verified["valid"], true, "{serial} {args:?}: {verified}");
            assert_eq!(verified["serial"], serial.as_str());
        }
    }

    // Counter two's certificate is revoked from today: its label no longer verifies.
    let revoked_serial = counters[1].certificate_serial().to_string();
    let label_certificate = verify(&counters[1].data_dir, &labels[1].1, &[])["certificate_serial"]
        .as_u64()
        .unwrap();
    assert_ne!(label_certificate.to_string(), revoked_serial);
    centre.command(&[
        "admin",
        "certificate-revoke",
        &revoked_serial,
        "--reason",
        "counter two reported stolen",
    ]);
    let after = dir.path().join("after-revocation");
    centre.export(&after);
    let status = after.join("status.pem");
    let cases = [
        vec!["--keys", after.to_str().unwrap()],
        vec![
            "--keys",
            exported.to_str().unwrap(),
            "--status",
            status.to_str().unwrap(),
        ],
    ];
    for args in &cases {
        let revoked = verify(&counters[1].data_dir, &labels[1].1, args);
        assert_eq!(revoked["valid"], false, "{args:?}: {revoked}");
        let reason = revoked["reason"].as_str().unwrap();
        // The label was signed under a lease certificate of the revoked key: revoking the
        // key revoked every certificate of it.
        assert!(
            reason.contains(&format!("certificate {label_certificate} was revoked")),
            "{reason}"
        );
        let kept = verify(&counters[0].data_dir, &labels[0].1, args);
        assert_eq!(kept["valid"], true, "{args:?}: {kept}");
    }
}

/// Every table of a SQLite store with its row count.
async fn table_counts(
    store: &postcounter::vendor_system::store::VendorStore,
) -> Vec<(String, i64)> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut counts = Vec::new();
    for name in names {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM \"{name}\"");
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(store.pool())
            .await
            .unwrap();
        counts.push((name, count));
    }
    counts
}

#[test]
fn commands_other_than_admin_and_vendor_serve_create_nothing_in_a_data_centre_store() {
    let runtime = common::runtime();
    let centre = DataCentre::start(&runtime, &["code-one"]);
    let dir = tempfile::tempdir().unwrap();
    let counter = centre.counter(dir.path().join("one"), "code-one");
    counter.reconcile(&[]);
    let before = runtime.block_on(table_counts(&centre.fixture.store));
    let out = dir.path().join("exported");
    let label = dir.path().join("label.hex");
    std::fs::write(&label, "00").unwrap();
    let commands: [&[&str]; 6] = [
        &["keys", "export", "--out", out.to_str().unwrap()],
        &["psd", "show"],
        &["psd", "audit"],
        &["verify", label.to_str().unwrap()],
        &["quote", "--weight", "1oz", "--to", "90210"],
        &["sell", "--weight", "1oz", "--to", "90210", "--no-receipt"],
    ];
    for args in commands {
        let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(centre.fixture.dir.path())
            .args(args)
            .env("POSTCOUNTER_VENDOR__STORE", &centre.fixture.location)
            .env("POSTCOUNTER_PRINTER__LABEL__TRANSPORT", "file:/dev/null")
            .output()
            .unwrap();
        if args[0] == "sell" {
            let said = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{output:?}");
            assert!(said.contains("is a data centre's store"), "{said}");
        }
    }
    assert!(out.join("root.pub.pem").exists());
    let after = runtime.block_on(table_counts(&centre.fixture.store));
    assert_eq!(after, before);
}

#[test]
fn a_counter_quotes_from_the_location_the_data_centre_registered() {
    let runtime = common::runtime();
    let centre = DataCentre::start(&runtime, &["code-one"]);
    let dir = tempfile::tempdir().unwrap();
    let counter = centre.counter(dir.path().join("one"), "code-one");
    // Enrolled at 02134; its settings say Beverly Hills: a zone-priced parcel to New York
    // is priced from Boston by the data centre, so the counter must quote from there too.
    let sold = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(&counter.data_dir)
        .args([
            "sell",
            "--weight",
            "2lb",
            "--shape",
            "parcel",
            "--to",
            "10001",
            "--json",
            "--no-receipt",
        ])
        .env("POSTCOUNTER_LINK__ENDPOINTS", &counter.endpoint)
        .env("POSTCOUNTER_LINK__ENROLLMENT_CODE", &counter.code)
        .env("POSTCOUNTER_ORIGIN_ZIP", "90210")
        .env("POSTCOUNTER_PRINTER__LABEL__TRANSPORT", "file:/dev/null")
        .output()
        .unwrap();
    assert!(sold.status.success(), "{sold:?}");
    let said = String::from_utf8_lossy(&sold.stderr);
    assert!(
        said.contains("origin ZIP 02134 as the data centre registered"),
        "{said}"
    );
    let line = String::from_utf8_lossy(&sold.stdout);
    let first: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(first["offline"], false, "{first}");
}
