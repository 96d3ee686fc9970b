//! The repository's metadata as it lies on disk: reading the current set (timestamp, then
//! the snapshot it pins, then the targets that pins), and signing a role with one key.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tough::editor::signed::SignedRole;
use tough::key_source::KeySource;
use tough::schema::{
    Hashes, KeyHolder, Metafile, Role, Root, Signed, Snapshot, Targets, Timestamp,
};

use super::RepositoryError;
use super::keys::UpdateKey;

/// The metadata in force: what a client reading the repository now is served.
#[derive(Clone, Debug)]
pub struct Current {
    pub root: Signed<Root>,
    pub timestamp: Signed<Timestamp>,
    pub snapshot: Signed<Snapshot>,
    pub targets: Signed<Targets>,
    /// `N.targets.json` as written: its length and hash go in the snapshot.
    pub targets_bytes: Vec<u8>,
    /// `N.snapshot.json` as written: its length and hash go in the timestamp.
    pub snapshot_bytes: Vec<u8>,
}

/// Reads the current metadata of the repository whose metadata folder is `dir`.
pub fn read_current(dir: &Path) -> Result<Current, RepositoryError> {
    let root: Signed<Root> = parse(&dir.join("root.json"))?.0;
    let timestamp: Signed<Timestamp> = parse(&dir.join("timestamp.json"))?.0;
    let snapshot_version = pinned(&timestamp.signed.meta, "snapshot.json", dir)?;
    let (snapshot, snapshot_bytes) =
        parse::<Signed<Snapshot>>(&dir.join(format!("{snapshot_version}.snapshot.json")))?;
    let targets_version = pinned(&snapshot.signed.meta, "targets.json", dir)?;
    let (targets, targets_bytes) =
        parse::<Signed<Targets>>(&dir.join(format!("{targets_version}.targets.json")))?;
    Ok(Current {
        root,
        timestamp,
        snapshot,
        targets,
        targets_bytes,
        snapshot_bytes,
    })
}

fn pinned(
    meta: &HashMap<String, Metafile>,
    name: &str,
    dir: &Path,
) -> Result<NonZeroU64, RepositoryError> {
    meta.get(name).map(|m| m.version).ok_or_else(|| {
        RepositoryError::corrupt(format!("{}: the metadata lists no {name}", dir.display()))
    })
}

fn parse<T: DeserializeOwned>(path: &Path) -> Result<(T, Vec<u8>), RepositoryError> {
    let bytes = std::fs::read(path).map_err(|e| RepositoryError::io(path, e.to_string()))?;
    let value = serde_json::from_slice(&bytes)
        .map_err(|e| RepositoryError::corrupt(format!("{}: {e}", path.display())))?;
    Ok((value, bytes))
}

/// What a snapshot or timestamp says of a metadata file: its version, length and hash.
pub fn metafile(version: NonZeroU64, bytes: &[u8]) -> Metafile {
    Metafile {
        length: Some(bytes.len() as u64),
        hashes: Some(hashes(bytes)),
        version,
        _extra: HashMap::new(),
    }
}

pub fn hashes(bytes: &[u8]) -> Hashes {
    Hashes {
        sha256: Sha256::digest(bytes).to_vec().into(),
        _extra: HashMap::new(),
    }
}

/// `role` signed by `key` under `root`'s key list, as the bytes to write.
pub async fn sign<T>(role: T, root: &Root, key: &UpdateKey) -> Result<Vec<u8>, RepositoryError>
where
    T: Role + serde::Serialize,
{
    let keys: [Box<dyn KeySource>; 1] = [Box::new(key.clone())];
    let signed = SignedRole::new(
        role,
        &KeyHolder::Root(root.clone()),
        &keys,
        &SystemRandom::new(),
    )
    .await
    .map_err(|e| RepositoryError::signing(e.to_string()))?;
    Ok(signed.buffer().clone())
}

/// The path of version `version` of `role`'s metadata (consistent snapshots).
pub fn versioned(dir: &Path, version: NonZeroU64, role: &str) -> PathBuf {
    dir.join(format!("{version}.{role}.json"))
}

/// A timestamp a number of milliseconds after `now_unix_ms`, in whole seconds: TUF writes
/// expiries as `YYYY-MM-DDTHH:MM:SSZ`, and python-tuf reads no fraction.
pub fn expiry(now_unix_ms: i64, lifetime_ms: i64) -> Result<jiff::Timestamp, RepositoryError> {
    jiff::Timestamp::from_second(now_unix_ms.saturating_add(lifetime_ms).div_euclid(1000))
        .map_err(|e| RepositoryError::signing(format!("an expiry: {e}")))
}
