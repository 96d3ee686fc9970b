//! The software service: the data centre's TUF repository, as a station (tough, with its
//! datastore) and an independent client (python-tuf's ngclient) read it, and as an attacker
//! who controls what is served would change it: older metadata (rollback), metadata that
//! ran out (freeze), roles of mixed versions (mix and match), an altered target. Each is
//! refused and leaves the rate files the station installed as they were.

use std::path::Path;

use crate::common::link_relay::{self, Network, Relay};
use crate::common::vendor::{StoreKind, TestVendor};
use postcounter::clock::Clock;
use postcounter::link::LinkError;
use postcounter::link::updates::{installed_rates_dir, installed_snapshot_version};
use postcounter::protocol::updates::Published;
use postcounter::rates::book::EMBEDDED_FILES;
use postcounter::vendor_system::updates::{RepositoryErrorKind, UpdateRepository};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// A rate file's name as long as a target name may be once the hash is put before it.
const LONG_NAME: &str = "usps-retail-and-commercial-prices-notice-123-edition-of-2027-07-12.toml";

/// A rate file like the current one, effective on `date` (YYYY-MM-DD).
pub(crate) fn rate_file_from(date: &str) -> String {
    let (_, text) = EMBEDDED_FILES
        .iter()
        .find(|(name, _)| name.contains("2026-07-12"))
        .unwrap();
    text.replace("effective = 2026-07-12", &format!("effective = {date}"))
}

pub(crate) async fn publish(
    repository: &UpdateRepository,
    name: &str,
    text: &str,
    now_unix_ms: i64,
) {
    let rates = Published::Rates {
        effective: String::new(),
    };
    repository
        .publish(name, text.as_bytes(), rates, now_unix_ms)
        .await
        .unwrap();
}

pub(crate) fn installed_files(dir: &Path) -> Vec<String> {
    let rates = installed_rates_dir(dir)
        .unwrap()
        .expect("rate files are installed");
    let mut names: Vec<String> = std::fs::read_dir(rates)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// The station's first check takes the root from the keys service and installs the seed
/// rate files byte for byte; python-tuf verifies the same repository from `keys export`'s
/// root.json and downloads the same bytes.
#[tokio::test]
async fn the_served_repository_verifies_with_tough_and_with_python_tuf() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::system();
    let link = vendor.station(dir.path(), clock).await;
    let report = link.check_updates(None).await.unwrap();
    assert_eq!(report.snapshot_version, 1);
    // The repository's seed is the tables built in: installed without fetching them.
    assert!(report.rates_fetched.is_empty(), "{report:?}");
    for (name, text) in EMBEDDED_FILES {
        let installed = installed_rates_dir(dir.path()).unwrap().unwrap().join(name);
        assert_eq!(std::fs::read_to_string(installed).unwrap(), *text, "{name}");
    }
    assert_eq!(installed_snapshot_version(dir.path()), Some(1));
    let again = link.check_updates(None).await.unwrap();
    assert!(again.rates_fetched.is_empty(), "nothing new: {again:?}");
    // A set cut short (power lost as it was written) is not trusted: the next check
    // installs it whole again, from bytes that match the signed hashes.
    let (name, text) = EMBEDDED_FILES[0];
    let cut_short = installed_rates_dir(dir.path()).unwrap().unwrap().join(name);
    std::fs::write(&cut_short, &text.as_bytes()[..text.len() / 2]).unwrap();
    link.check_updates(None).await.unwrap();
    assert_eq!(installed_snapshot_version(dir.path()), Some(1));
    assert_eq!(std::fs::read_to_string(&cut_short).unwrap(), text);

    let Some(python) = tuf_python() else { return };
    // What a third party starts from: `keys export` on the data centre's machine.
    let exported = tempfile::tempdir().unwrap();
    let export = std::process::Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(vendor.dir.path())
        .args(["keys", "export", "--out"])
        .arg(exported.path())
        .env(
            "POSTCOUNTER_VENDOR__STORE",
            vendor.dir.path().join("vendor.sqlite"),
        )
        .output()
        .unwrap();
    assert!(export.status.success(), "{export:?}");
    let root = exported.path().join("root.json");
    assert_eq!(
        std::fs::read(&root).unwrap(),
        vendor.update_repository().root_json().unwrap()
    );
    let out = tempfile::tempdir().unwrap();
    let names: Vec<String> = EMBEDDED_FILES
        .iter()
        .map(|(name, _)| format!("rates-{name}"))
        .collect();
    let stdout = ngclient(&python, &vendor.url, &root, out.path(), &names).await;
    for (name, text) in EMBEDDED_FILES {
        let downloaded = out.path().join("targets").join(format!("rates-{name}"));
        assert_eq!(std::fs::read_to_string(downloaded).unwrap(), *text);
        assert!(
            stdout.contains(&format!("rates-{name} {} ", text.len())),
            "{stdout}"
        );
    }
    assert!(stdout.contains(r#""kind": "rates""#), "{stdout}");
}

/// python-tuf's ngclient, started from `root`, reads the repository at `url` and downloads
/// `names` into `out`; answers what it printed, and fails the test if it refused anything.
pub(crate) async fn ngclient(
    python: &Path,
    url: &str,
    root: &Path,
    out: &Path,
    names: &[String],
) -> String {
    let mut command = std::process::Command::new(python);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tuf_ngclient_check.py"
        ))
        .arg(url)
        .arg(root)
        .arg(out)
        .args(names);
    // Off the runtime's one thread: the vendor answers python on it meanwhile.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "python-tuf refused the repository: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// python-tuf's interpreter: `POSTCOUNTER_TUF_PYTHON`, else the virtual environment `.ci/run`
/// makes in `target/tuf-venv`. Missing, the check is skipped, except in CI where it fails.
pub(crate) fn tuf_python() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("POSTCOUNTER_TUF_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tuf-venv/bin/python")
        });
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs python-tuf from {} (made by .ci/run)",
        path.display()
    );
    eprintln!("skipping the python-tuf check: no {}", path.display());
    None
}

/// Whatever an attacker serves in place of the repository, the station refuses it whole and
/// keeps pricing with the rate files it installed.
#[tokio::test]
async fn rollback_freeze_mix_and_match_and_an_altered_target_are_refused() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let metadata = repository.metadata_dir();
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::system();
    let now = clock.now_unix_ms();
    let network = Network::start(&vendor.url).await;
    let (link, _psd) =
        link_relay::counter(&vendor.store, dir.path(), &[network.url()], "A1", clock).await;
    link.check_updates(None).await.unwrap();
    // Out of reach is not a refusal: the station tries again at its next contact.
    network.set(Relay::Down);
    let error = link.check_updates(None).await.unwrap_err();
    assert!(
        matches!(
            error,
            LinkError::Unreachable {
                maybe_delivered: false,
                ..
            }
        ),
        "{error:?}"
    );
    network.set(Relay::Up);
    let old_timestamp = std::fs::read(metadata.join("timestamp.json")).unwrap();
    publish(
        &repository,
        "usps-retail-2027-01-18.toml",
        &rate_file_from("2027-01-18"),
        now,
    )
    .await;
    let report = link.check_updates(None).await.unwrap();
    assert_eq!(report.snapshot_version, 2);
    assert_eq!(report.rates_fetched, ["usps-retail-2027-01-18.toml"]);
    let installed = installed_files(dir.path());

    let refused = |result: Result<_, LinkError>, what: &str, says: &str| {
        let error = result.expect_err(what);
        assert!(matches!(error, LinkError::Protocol(_)), "{what}: {error:?}");
        assert!(error.to_string().contains(says), "{what}: {error}");
        assert_eq!(installed_snapshot_version(dir.path()), Some(2), "{what}");
        assert_eq!(installed_files(dir.path()), installed, "{what}");
    };

    // Rollback: yesterday's timestamp (valid, signed) served again.
    let current_timestamp = std::fs::read(metadata.join("timestamp.json")).unwrap();
    std::fs::write(metadata.join("timestamp.json"), &old_timestamp).unwrap();
    refused(
        link.check_updates(None).await,
        "rollback",
        "previously fetched version 2",
    );
    std::fs::write(metadata.join("timestamp.json"), &current_timestamp).unwrap();

    // Mix and match: a new snapshot whose targets file is swapped for the previous version.
    publish(&repository, LONG_NAME, &rate_file_from("2027-07-12"), now).await;
    let targets_3 = metadata.join("3.targets.json");
    let genuine = std::fs::read(&targets_3).unwrap();
    std::fs::copy(metadata.join("2.targets.json"), &targets_3).unwrap();
    refused(
        link.check_updates(None).await,
        "mix and match",
        "Hash mismatch",
    );
    std::fs::write(&targets_3, &genuine).unwrap();

    // An altered target: its bytes no longer match the hash targets lists.
    let altered = std::fs::read_dir(repository.targets_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&format!("rates-{LONG_NAME}")))
        .unwrap();
    let good = std::fs::read(&altered).unwrap();
    let mut bad = good.clone();
    bad[100] ^= 0x20;
    std::fs::write(&altered, &bad).unwrap();
    refused(
        link.check_updates(None).await,
        "altered target",
        "Hash mismatch",
    );
    std::fs::write(&altered, &good).unwrap();

    // Freeze: the newest timestamp a mirror holds, signed two days ago, ran out yesterday.
    let two_days_ago = now - 2 * DAY_MS;
    publish(
        &repository,
        "usps-retail-2028-01-16.toml",
        &rate_file_from("2028-01-16"),
        two_days_ago,
    )
    .await;
    refused(link.check_updates(None).await, "freeze", "expired");

    // Signed afresh, the same station takes it: nothing was left half-done.
    assert!(repository.refresh(now).await.unwrap());
    let report = link.check_updates(None).await.unwrap();
    assert!(report.snapshot_version > 3, "{report:?}");
    assert_eq!(installed_files(dir.path()).len(), 5);
}

/// A rate file that does not check, or that repeats a table already published for the same
/// product and date, is refused with the reason, and the repository is left as it was.
#[tokio::test]
async fn a_bad_rate_file_is_refused_and_nothing_is_published() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let timestamp = repository.metadata_dir().join("timestamp.json");
    let before = std::fs::read(&timestamp).unwrap();
    let now = Clock::system().now_unix_ms();
    let today = Clock::system().today().to_string();
    let cases = [
        (
            "bad.toml",
            "schema = \"postcounter-rates/9\"\n".to_string(),
            "schema",
        ),
        (
            "copy.toml",
            rate_file_from("2026-07-12"),
            "already has a table",
        ),
        ("today.toml", rate_file_from(&today), "published ahead"),
        (
            "usps-retail-2026-07-12.toml",
            rate_file_from("2027-01-18"),
            "in force since 2026-07-12",
        ),
        ("rates.txt", rate_file_from("2027-01-18"), "ends in .toml"),
        (
            "../escape.toml",
            rate_file_from("2027-01-18"),
            "not accepted",
        ),
    ];
    for (name, text, says) in cases {
        let rates = Published::Rates {
            effective: String::new(),
        };
        let error = repository
            .publish(name, text.as_bytes(), rates, now)
            .await
            .unwrap_err();
        assert_eq!(
            error.kind(),
            RepositoryErrorKind::Refused,
            "{name}: {error}"
        );
        assert!(error.to_string().contains(says), "{name}: {error}");
        assert_eq!(std::fs::read(&timestamp).unwrap(), before, "{name}");
    }
}

/// A running data centre re-signs its timestamp before it runs out, and only its timestamp
/// while the snapshot has time left (stations then have nothing to fetch): a repository whose
/// timestamp was signed 23 hours ago is re-signed by a vendor process as it starts.
#[tokio::test]
async fn a_data_centre_re_signs_a_timestamp_about_to_run_out_and_nothing_else() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let now = Clock::system().now_unix_ms();
    let staged = rate_file_from("2027-01-18");
    publish(
        &repository,
        "usps-retail-2027-01-18.toml",
        &staged,
        now - 23 * 3_600_000,
    )
    .await;
    let before = repository.current().unwrap();
    let _another = vendor.another_process().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let after = loop {
        let current = repository.current().unwrap();
        if current.timestamp.signed.version > before.timestamp.signed.version {
            break current;
        }
        assert!(std::time::Instant::now() < deadline, "not re-signed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(after.timestamp.signed.expires.as_millisecond() > now + DAY_MS - 60_000);
    assert_eq!(
        after.snapshot.signed.version,
        before.snapshot.signed.version
    );
    assert_eq!(after.targets.signed.version, before.targets.signed.version);
}
