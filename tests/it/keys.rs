//! The key store recovers from a crash in the middle of creating keys, and never replaces one.

use postcounter::date::Date;
use postcounter::keys::{KeyStore, KeyStoreError};

fn days() -> (Date, Date) {
    let today = Date::today_utc();
    (today, today.add_days(365))
}

#[test]
fn a_root_public_key_lost_in_a_crash_is_written_again_from_the_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let created = store.create_root().unwrap();
    std::fs::remove_file(store.root_public_path()).unwrap();
    assert_eq!(store.root_public_key().unwrap(), created);
    assert!(store.root_public_path().exists());
}

#[test]
fn a_psd_key_left_without_its_certificate_is_certified_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    store.create_root().unwrap();
    let (from, until) = days();
    let first = store.create_psd(7, 1, from, until).unwrap();
    std::fs::remove_file(store.psd_certificate_path(7)).unwrap();
    assert!(!store.has_psd(7));
    let again = store.create_psd(7, 1, from, until).unwrap();
    assert_eq!(
        again.certificate().public_key,
        first.certificate().public_key
    );
}

#[test]
fn keys_are_never_replaced_and_certificate_serials_are_not_shared() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    store.create_root().unwrap();
    assert!(matches!(store.create_root(), Err(KeyStoreError::Exists(_))));
    let (from, until) = days();
    store.create_psd(7, 1, from, until).unwrap();
    assert!(matches!(
        store.create_psd(7, 2, from, until),
        Err(KeyStoreError::Exists(_))
    ));
    let err = store.create_psd(8, 1, from, until).err().unwrap();
    assert_eq!(
        err.to_string(),
        "certificate serial 1 is already held by PSD 7; choose another certificate_serial"
    );
}
