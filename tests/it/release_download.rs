//! A build fetched from the data centre's repository: streamed to disk and verified whole
//! before it is staged. One that does not verify (altered where it is served) is not
//! staged, is recorded, and waits out a back-off instead of being fetched again at every
//! contact; the snapshot is not stated as handled meanwhile, so the data centre asks again.
//! A build published anew is tried at once.

use crate::common::vendor::{StoreKind, TestVendor};
use postcounter::clock::Clock;
use postcounter::link::LinkError;
use postcounter::link::updates::Builds;
use postcounter::link::updates::progress::{failed_release, handled_snapshot_version};
use postcounter::protocol::updates::Published;
use postcounter::release::{store, this_platform};

fn build(version: &str) -> Published {
    Published::Software {
        version: version.into(),
        platform: this_platform(),
    }
}

#[tokio::test]
async fn a_build_that_does_not_verify_is_not_staged_and_waits_out_a_back_off() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let dir = tempfile::tempdir().unwrap();
    let link = vendor.station(dir.path(), Clock::system()).await;
    let first = link.check_updates(None).await.unwrap();
    assert_eq!(
        handled_snapshot_version(dir.path()),
        Some(first.snapshot_version)
    );
    let now = Clock::system().now_unix_ms();
    // Larger than a chunk, so it streams: 3 MB.
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let name = repository
        .publish("postcounter", &bytes, build("0.98.0"), now)
        .await
        .unwrap();
    let served = std::fs::read_dir(repository.targets_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&name))
        .unwrap();
    let mut altered = bytes.clone();
    altered[2_999_000] ^= 1;
    std::fs::write(&served, &altered).unwrap();

    let error = link.check_updates(None).await.unwrap_err();
    assert!(matches!(error, LinkError::Protocol(_)), "{error:?}");
    assert!(error.to_string().contains("Hash mismatch"), "{error}");
    let failed = failed_release(dir.path()).expect("the failure is recorded");
    assert_eq!((failed.version.as_str(), failed.failures), ("0.98.0", 1));
    assert!(failed.next_try_unix_ms >= now + 5 * 60 * 1000);
    assert_eq!(store::read(dir.path()).unwrap().staged, None);
    let downloads = dir.path().join("updates/downloads");
    let left = std::fs::read_dir(&downloads)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("download".as_ref()))
        .count();
    assert_eq!(left, 0, "nothing left");

    // The next contact fetches metadata only: the build waits, and the snapshot stays
    // unhandled, so the data centre's agenda keeps asking.
    let waiting = link.check_updates(None).await.unwrap();
    let waits = waiting.release_waits.clone().unwrap_or_default();
    assert!(
        waits.contains("release 0.98.0 failed 1 time(s)"),
        "{waiting:?}"
    );
    assert!(waiting.body_bytes < 10_000, "{waiting:?}");
    assert_eq!(waiting.release_staged, None);
    assert!(
        waiting.summary().contains("tried again from"),
        "{}",
        waiting.summary()
    );
    assert_eq!(
        handled_snapshot_version(dir.path()),
        Some(first.snapshot_version)
    );

    // Published anew (another hash): tried at once, verified, staged, and handled.
    let fixed = repository
        .publish("postcounter", &bytes[..2_500_000], build("0.98.1"), now)
        .await
        .unwrap();
    assert_ne!(fixed, name);
    let staged = link.check_updates(None).await.unwrap();
    assert_eq!(
        staged.release_staged.as_deref(),
        Some("0.98.1"),
        "{staged:?}"
    );
    let binary = store::binary_path(dir.path(), "0.98.1".parse().unwrap());
    assert_eq!(std::fs::read(binary).unwrap(), &bytes[..2_500_000]);
    assert_eq!(failed_release(dir.path()), None);
    assert_eq!(
        handled_snapshot_version(dir.path()),
        Some(staged.snapshot_version)
    );
}

/// In a contact a build downloads in the background: the check returns with the rate files
/// installed, and the build, once verified and staged, marks its snapshot handled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_contact_a_build_downloads_after_the_check_returns() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let (dir, link) = vendor.checked_station().await;
    let bytes = vec![0x5a; 2_000_000];
    let now = Clock::system().now_unix_ms();
    repository
        .publish("postcounter", &bytes, build("0.96.0"), now)
        .await
        .unwrap();
    let report = link
        .check_updates_with(None, Builds::Background)
        .await
        .unwrap();
    assert_eq!(report.release_staged, None);
    let waits = report.release_waits.clone().unwrap_or_default();
    assert!(
        waits.contains("release 0.96.0 is downloading"),
        "{report:?}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while store::read(dir.path()).unwrap().staged.is_none() {
        assert!(std::time::Instant::now() < deadline, "never staged");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        store::read(dir.path()).unwrap().staged,
        Some("0.96.0".parse().unwrap())
    );
    let binary = store::binary_path(dir.path(), "0.96.0".parse().unwrap());
    assert_eq!(std::fs::read(binary).unwrap(), bytes);
    // Handled as the download finishes (just after it staged).
    while handled_snapshot_version(dir.path()) != Some(report.snapshot_version) {
        assert!(std::time::Instant::now() < deadline, "never handled");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
