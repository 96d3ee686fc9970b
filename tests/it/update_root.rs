//! The update repository's root key kept offline, and the keys it rotates: the data centre
//! serves, re-signs and publishes without it; a rotation signed with it reaches a station
//! (and python-tuf) that trusted the old root, after which what a retired key signs is
//! refused; a key that is not the root signs nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common::vendor::{StoreKind, TestVendor};
use crate::updates::{installed_files, ngclient, publish, rate_file_from, tuf_python};
use postcounter::clock::Clock;
use postcounter::link::LinkError;
use postcounter::link::updates::trusted_root;
use postcounter::protocol::updates::Published;
use postcounter::vendor_system::updates::keys;
use postcounter::vendor_system::updates::metadata::{expiry, metafile, sign};
use postcounter::vendor_system::updates::{KeyRotation, RepositoryErrorKind};
use tough::schema::{RoleType, Root, Signed, Timestamp};

fn admin(vendor: &TestVendor, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(vendor.dir.path())
        .arg("admin")
        .args(args)
        .env(
            "POSTCOUNTER_VENDOR__STORE",
            vendor.dir.path().join("vendor.sqlite"),
        )
        .output()
        .unwrap()
}

fn root_version(bytes: &[u8]) -> u64 {
    let root: Signed<Root> = serde_json::from_slice(bytes).unwrap();
    root.signed.version.get()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `admin update-root-offline` moves the key out (owner-only, read back first); the data
/// centre then publishes and re-signs as before, and a second move is refused.
#[tokio::test]
async fn the_root_key_goes_offline_and_the_data_centre_goes_on_without_it() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let online = keys::key_path(&vendor.keys_dir(), RoleType::Root);
    let key_id = keys::load_file(&online).unwrap().key_id().unwrap();
    let media = tempfile::tempdir().unwrap();
    let folder = media.path().join("usb");
    let output = admin(
        &vendor,
        &["update-root-offline", "--to", folder.to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    let offline = folder.join("root.key.pem");
    assert!(String::from_utf8_lossy(&output.stdout).contains(&offline.display().to_string()));
    assert!(!online.exists() && !repository.root_key_online());
    assert_eq!((mode(&folder), mode(&offline)), (0o700, 0o600));
    assert_eq!(keys::load_file(&offline).unwrap().key_id().unwrap(), key_id);
    let again = repository.take_root_key_offline(&folder).unwrap_err();
    assert_eq!(again.kind(), RepositoryErrorKind::Refused, "{again}");
    assert!(
        again.to_string().contains("taken offline already"),
        "{again}"
    );
    let key = offline.to_str().unwrap();
    let bogus = admin(
        &vendor,
        &["update-root-rotate", "--root-key", key, "--rotate", "root"],
    );
    let stderr = String::from_utf8_lossy(&bogus.stderr);
    assert!(
        stderr.contains(r#""root" is not an online role"#),
        "{stderr}"
    );
    // Renewed with the key from where it is kept: the root's version goes up, nothing else.
    let renewed = admin(&vendor, &["update-root-rotate", "--root-key", key]);
    let stdout = String::from_utf8_lossy(&renewed.stdout);
    assert!(renewed.status.success(), "{renewed:?}");
    assert!(stdout.contains("update root version 2 written: root key kept, keys replaced: none"));

    let dir = tempfile::tempdir().unwrap();
    let now = Clock::system().now_unix_ms();
    let link = vendor.station(dir.path(), Clock::system()).await;
    link.check_updates(None).await.unwrap();
    let name = "usps-retail-2027-01-18.toml";
    publish(&repository, name, &rate_file_from("2027-01-18"), now).await;
    assert!(repository.refresh(now + 20 * 3600 * 1000).await.unwrap());
    link.check_updates(None).await.unwrap();
    assert!(installed_files(dir.path()).contains(&name.to_string()));
}

/// Every online key and the root key replaced in one rotation: a station that trusted root 1
/// takes root 2 at its next check and installs what the new keys signed; python-tuf, started
/// from root 1, verifies the same; a timestamp signed with the retired key is then refused.
#[tokio::test]
async fn a_rotation_reaches_a_station_that_trusted_the_old_root_and_retires_the_old_keys() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let (dir, link) = vendor.checked_station().await;
    let root_1 = repository.root_json().unwrap();
    let retired_timestamp = keys::load(&vendor.keys_dir(), RoleType::Timestamp).unwrap();
    let media = tempfile::tempdir().unwrap();
    let root_key = repository.take_root_key_offline(media.path()).unwrap();
    let new_root_key = media.path().join("root-2.key.pem");
    let rotation = KeyRotation {
        root_key: root_key.clone(),
        new_root_key: Some(new_root_key.clone()),
        roles: vec![RoleType::Targets, RoleType::Snapshot, RoleType::Timestamp],
    };
    let now = Clock::system().now_unix_ms();
    let report = repository.rotate(&rotation, now).await.unwrap();
    assert_eq!(report.root_version.get(), 2);
    assert!(report.root_key_replaced);
    assert_eq!(report.roles_replaced.len(), 3);
    assert_eq!(mode(&new_root_key), 0o600);
    assert!(
        !repository.root_key_online(),
        "the new root key stays offline too"
    );
    let current = repository.current().unwrap();
    assert_eq!(
        current.root.signatures.len(),
        2,
        "signed by the old root and the new"
    );
    assert_eq!(
        current.root.signed.keys.len(),
        4,
        "the retired keys are not listed"
    );
    // The old root key signs nothing any more: rotating with it is refused.
    let stale = repository.rotate(&rotation, now).await.unwrap_err();
    assert_eq!(stale.kind(), RepositoryErrorKind::Refused, "{stale}");

    let name = "usps-retail-2027-01-18.toml";
    publish(&repository, name, &rate_file_from("2027-01-18"), now).await;
    let report = link.check_updates(None).await.unwrap();
    assert_eq!(report.rates_fetched, [name], "{report:?}");
    let trusted = trusted_root(dir.path()).unwrap().unwrap();
    assert_eq!(root_version(&trusted), 2);

    if let Some(python) = tuf_python() {
        let from_root_1 = media.path().join("root-1.json");
        std::fs::write(&from_root_1, &root_1).unwrap();
        let out = tempfile::tempdir().unwrap();
        let target = format!("rates-{name}");
        let stdout = ngclient(&python, &vendor.url, &from_root_1, out.path(), &[target]).await;
        assert!(stdout.contains(name), "{stdout}");
    }

    // An attacker holding the retired timestamp key signs a newer timestamp of the current
    // snapshot; the same signed with the key in force is taken (the control).
    let current = repository.current().unwrap();
    let metadata = repository.metadata_dir();
    let timestamp = |bump: u64| {
        let mut timestamp = Timestamp::new(
            "1.0.0".into(),
            current.timestamp.signed.version.saturating_add(bump),
            expiry(now, 24 * 3600 * 1000).unwrap(),
        );
        let snapshot = current.snapshot.signed.version;
        let meta = metafile(snapshot, &current.snapshot_bytes);
        timestamp.meta.insert("snapshot.json".into(), meta);
        timestamp
    };
    let key_in_force = keys::load(&vendor.keys_dir(), RoleType::Timestamp).unwrap();
    let genuine = sign(timestamp(5), &current.root.signed, &key_in_force)
        .await
        .unwrap();
    std::fs::write(metadata.join("timestamp.json"), genuine).unwrap();
    link.check_updates(None).await.unwrap();
    // Signed under root 1, which listed that key (root 2 does not).
    let root_1: Signed<Root> = serde_json::from_slice(&root_1).unwrap();
    let forged = sign(timestamp(6), &root_1.signed, &retired_timestamp)
        .await
        .unwrap();
    std::fs::write(metadata.join("timestamp.json"), forged).unwrap();
    let installed = installed_files(dir.path());
    let error = link.check_updates(None).await.unwrap_err();
    assert!(matches!(error, LinkError::Protocol(_)), "{error:?}");
    assert!(error.to_string().contains("threshold"), "{error}");
    assert_eq!(installed_files(dir.path()), installed);
}

/// A rotation cut short after its new root was written, before the new keys took their
/// place: the data centre would sign with keys the root no longer lists. Run again (with the
/// new root key, which the message names), it puts them in place and stations follow.
#[tokio::test]
async fn a_rotation_cut_short_is_finished_by_running_it_again() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let repository = vendor.update_repository();
    let (_dir, link) = vendor.checked_station().await;
    let timestamp_key = keys::key_path(&vendor.keys_dir(), RoleType::Timestamp);
    let old_timestamp = std::fs::read(&timestamp_key).unwrap();
    let media = tempfile::tempdir().unwrap();
    let root_key = repository.take_root_key_offline(media.path()).unwrap();
    let new_root_key = media.path().join("root-2.key.pem");
    let rotation = KeyRotation {
        root_key: root_key.clone(),
        new_root_key: Some(new_root_key.clone()),
        roles: vec![RoleType::Timestamp],
    };
    let now = Clock::system().now_unix_ms();
    repository.rotate(&rotation, now).await.unwrap();
    // As if the power went after root 2 was written: the new key still beside the old.
    let next = timestamp_key.with_extension("pem.next");
    std::fs::rename(&timestamp_key, &next).unwrap();
    std::fs::write(&timestamp_key, &old_timestamp).unwrap();
    let owner_only = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(&timestamp_key, owner_only).unwrap();
    // Nothing can be signed meanwhile (the key in place is not the one root 2 lists), and
    // nothing a station reads changes.
    let name = "usps-retail-2027-01-18.toml";
    let rates = Published::Rates {
        effective: String::new(),
    };
    let text = rate_file_from("2027-01-18");
    let unsigned = repository.publish(name, text.as_bytes(), rates, now).await;
    assert_eq!(unsigned.unwrap_err().kind(), RepositoryErrorKind::Signing);

    let with_old_root = repository.rotate(&rotation, now).await.unwrap_err();
    assert!(
        with_old_root.to_string().contains("the new root key signs"),
        "{with_old_root}"
    );
    let again = KeyRotation {
        root_key: new_root_key,
        new_root_key: None,
        roles: Vec::new(),
    };
    let report = repository.rotate(&again, now).await.unwrap();
    assert_eq!(report.root_version.get(), 3);
    assert!(!next.exists());
    publish(&repository, name, &text, now).await;
    let checked = link.check_updates(None).await.unwrap();
    assert_eq!(checked.rates_fetched, [name]);
}
