//! Making the repository, publishing a target, and re-signing before expiry. Every write
//! takes the writers' lock and ends by replacing `timestamp.json`: the versioned files it
//! points to are written first, so a reader sees the old set or the new one, never a mix.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use tough::schema::{RoleKeys, RoleType, Root, Snapshot, Target, Targets, Timestamp};

use super::RepositoryError;
use super::keys;
use super::metadata::{Current, expiry, hashes, metafile, read_current, sign, versioned};
use super::rate_files::rates_published;
use crate::file_lock::FileLock;
use crate::keys::key_file::{Placement, write_file_atomically};
use crate::protocol::updates::{CUSTOM_KEY, Published, is_target_name};
use crate::rates::RateBook;

mod rotation;
pub use rotation::{KeyRotation, RotationReport};

const SPEC_VERSION: &str = "1.0.0";
const DAY_MS: i64 = 24 * 3600 * 1000;

/// How long each role's metadata holds once signed. A role is re-signed when less than half
/// of its lifetime is left.
#[derive(Clone, Copy, Debug)]
struct Lifetimes {
    root_ms: i64,
    targets_ms: i64,
    snapshot_ms: i64,
    timestamp_ms: i64,
}

impl Default for Lifetimes {
    fn default() -> Lifetimes {
        Lifetimes {
            root_ms: 5 * 365 * DAY_MS,
            targets_ms: 365 * DAY_MS,
            snapshot_ms: 30 * DAY_MS,
            timestamp_ms: DAY_MS,
        }
    }
}

/// The repository in a folder, signing with the update keys of a key store.
#[derive(Clone, Debug)]
pub struct UpdateRepository {
    dir: PathBuf,
    keys_dir: PathBuf,
    lifetimes: Lifetimes,
}

impl UpdateRepository {
    /// The repository in `dir` with the keys of `keys_dir` (nothing is read yet).
    pub fn at(dir: &Path, keys_dir: &Path) -> UpdateRepository {
        UpdateRepository {
            dir: dir.to_path_buf(),
            keys_dir: keys_dir.to_path_buf(),
            lifetimes: Lifetimes::default(),
        }
    }

    pub fn metadata_dir(&self) -> PathBuf {
        self.dir.join("metadata")
    }

    pub fn targets_dir(&self) -> PathBuf {
        self.dir.join("targets")
    }

    /// Whether the repository was made (its first timestamp written).
    pub fn exists(&self) -> bool {
        self.metadata_dir().join("timestamp.json").exists()
    }

    fn lock(&self) -> Result<FileLock, RepositoryError> {
        FileLock::take(&self.dir).map_err(|e| RepositoryError::io(&self.dir, e.to_string()))
    }

    pub fn current(&self) -> Result<Current, RepositoryError> {
        read_current(&self.metadata_dir())
    }

    /// The repository's current `root.json`: what a station or TUF client starts trusting.
    pub fn root_json(&self) -> Result<Vec<u8>, RepositoryError> {
        let path = self.metadata_dir().join("root.json");
        std::fs::read(&path).map_err(|e| RepositoryError::io(&path, e.to_string()))
    }

    /// Makes the repository unless it exists: the four keys, `root.json`, and a first
    /// version of the other roles listing `seed` (rate files as name and text).
    pub async fn create_unless_exists(
        &self,
        seed: &[(&str, &str)],
        now_unix_ms: i64,
    ) -> Result<(), RepositoryError> {
        // Owner-only like the rest of the data centre's folders: the files are public, but
        // only the data centre serves them.
        let key_folder = keys::keys_folder(&self.keys_dir);
        for dir in [
            self.dir.clone(),
            self.metadata_dir(),
            self.targets_dir(),
            key_folder,
        ] {
            crate::private_files::private_dir(&dir)
                .map_err(|e| RepositoryError::io(&dir, e.to_string()))?;
        }
        let _lock = self.lock()?;
        if self.exists() {
            return Ok(());
        }
        let root = self.sign_new_root(now_unix_ms).await?;
        let mut targets = Targets::new(SPEC_VERSION.into(), NonZeroU64::MIN, expiry(0, 0)?);
        targets.delegations = None;
        let checked = RateBook::from_files(seed)
            .map_err(|e| RepositoryError::refused(format!("the seed rate files: {e}")))?;
        for (file_name, text) in seed {
            let published = rates_published(&checked, file_name)?;
            self.add_target(&mut targets, file_name, text.as_bytes(), &published)?;
        }
        self.write_set(&root, targets, None, Resign::Due, now_unix_ms)
            .await?;
        log::info!("made the update repository in {}", self.dir.display());
        Ok(())
    }

    async fn sign_new_root(&self, now_unix_ms: i64) -> Result<Root, RepositoryError> {
        let mut root = Root {
            spec_version: SPEC_VERSION.into(),
            consistent_snapshot: true,
            version: NonZeroU64::MIN,
            expires: expiry(now_unix_ms, self.lifetimes.root_ms)?,
            keys: HashMap::new(),
            roles: HashMap::new(),
            _extra: HashMap::new(),
        };
        let roles = [
            RoleType::Root,
            RoleType::Targets,
            RoleType::Snapshot,
            RoleType::Timestamp,
        ];
        for role in roles {
            let public = keys::load_or_create(&self.keys_dir, role)?.public();
            let id = public
                .key_id()
                .map_err(|e| RepositoryError::signing(e.to_string()))?;
            root.keys.insert(id.clone(), public);
            let role_keys = RoleKeys {
                keyids: vec![id],
                threshold: NonZeroU64::MIN,
                _extra: HashMap::new(),
            };
            root.roles.insert(role, role_keys);
        }
        let root_key = keys::load(&self.keys_dir, RoleType::Root)?;
        let bytes = sign(root.clone(), &root, &root_key).await?;
        let dir = self.metadata_dir();
        write_file(&versioned(&dir, NonZeroU64::MIN, "root"), &bytes)?;
        write_file(&dir.join("root.json"), &bytes)?;
        Ok(root)
    }

    /// Publishes `bytes` as `published` (a rate file is checked whole, and with the rate
    /// files already published); answers the target's name.
    pub async fn publish(
        &self,
        file_name: &str,
        bytes: &[u8],
        published: Published,
        now_unix_ms: i64,
    ) -> Result<String, RepositoryError> {
        let _lock = self.lock()?;
        let current = self.current()?;
        let published = match published {
            Published::Rates { .. } => {
                self.checked_rates(&current, file_name, bytes, now_unix_ms)?
            }
            software => software,
        };
        let mut targets = current.targets.signed.clone();
        let name = self.add_target(&mut targets, file_name, bytes, &published)?;
        // Published again as it was: nothing new for a station to fetch.
        if targets.targets != current.targets.signed.targets {
            let root = &current.root.signed;
            self.write_set(root, targets, Some(&current), Resign::Due, now_unix_ms)
                .await?;
        }
        Ok(name)
    }

    /// Re-signs what would run out within half its lifetime (the timestamp daily, the
    /// snapshot monthly, targets yearly); answers whether anything was signed.
    pub async fn refresh(&self, now_unix_ms: i64) -> Result<bool, RepositoryError> {
        let _lock = self.lock()?;
        let current = self.current()?;
        let ms_left = |expires: jiff::Timestamp| expires.as_millisecond() - now_unix_ms;
        let due = ms_left(current.timestamp.signed.expires) < self.lifetimes.timestamp_ms / 2
            || ms_left(current.snapshot.signed.expires) < self.lifetimes.snapshot_ms / 2
            || ms_left(current.targets.signed.expires) < self.lifetimes.targets_ms / 2;
        if !due {
            return Ok(false);
        }
        let targets = current.targets.signed.clone();
        let root = &current.root.signed;
        self.write_set(root, targets, Some(&current), Resign::Due, now_unix_ms)
            .await?;
        Ok(true)
    }

    /// Signs and writes what is due, the timestamp always and last: targets when they
    /// changed or run out within half their life, the snapshot when targets were signed or it
    /// runs out within half its life (all of them after a rotation: their keys changed). A
    /// timestamp alone leaves stations nothing to fetch.
    async fn write_set(
        &self,
        root: &Root,
        targets: Targets,
        current: Option<&Current>,
        resign: Resign,
        now_unix_ms: i64,
    ) -> Result<(), RepositoryError> {
        let l = self.lifetimes;
        let (targets_version, targets_bytes, targets_signed) = self
            .targets_due(root, targets, current, resign, now_unix_ms)
            .await?;
        let keep_snapshot = current.filter(|c| {
            !targets_signed
                && resign == Resign::Due
                && c.snapshot.signed.expires.as_millisecond() - now_unix_ms >= l.snapshot_ms / 2
        });
        let (snapshot_version, snapshot_bytes) = match keep_snapshot {
            Some(c) => (c.snapshot.signed.version, c.snapshot_bytes.clone()),
            None => {
                let version = next(current.map(|c| c.snapshot.signed.version));
                let expires = expiry(now_unix_ms, l.snapshot_ms)?;
                let mut snapshot = Snapshot::new(SPEC_VERSION.into(), version, expires);
                let targets_meta = metafile(targets_version, &targets_bytes);
                snapshot.meta.insert("targets.json".into(), targets_meta);
                let key = keys::load(&self.keys_dir, RoleType::Snapshot)?;
                let bytes = sign(snapshot, root, &key).await?;
                write_file(
                    &versioned(&self.metadata_dir(), version, "snapshot"),
                    &bytes,
                )?;
                (version, bytes)
            }
        };
        let mut timestamp = Timestamp::new(
            SPEC_VERSION.into(),
            next(current.map(|c| c.timestamp.signed.version)),
            expiry(now_unix_ms, l.timestamp_ms)?,
        );
        let snapshot_meta = metafile(snapshot_version, &snapshot_bytes);
        timestamp.meta.insert("snapshot.json".into(), snapshot_meta);
        let key = keys::load(&self.keys_dir, RoleType::Timestamp)?;
        let bytes = sign(timestamp, root, &key).await?;
        write_file(&self.metadata_dir().join("timestamp.json"), &bytes)
    }

    /// Targets as they stand, or signed anew (written as the next version) when they changed
    /// or run out within half their life: their version, bytes, and whether they were signed.
    async fn targets_due(
        &self,
        root: &Root,
        mut targets: Targets,
        current: Option<&Current>,
        resign: Resign,
        now_unix_ms: i64,
    ) -> Result<(NonZeroU64, Vec<u8>, bool), RepositoryError> {
        let l = self.lifetimes;
        let unchanged = current.filter(|c| {
            resign == Resign::Due
                && c.targets.signed.targets == targets.targets
                && c.targets.signed.expires.as_millisecond() - now_unix_ms >= l.targets_ms / 2
        });
        if let Some(c) = unchanged {
            return Ok((c.targets.signed.version, c.targets_bytes.clone(), false));
        }
        targets.version = next(current.map(|c| c.targets.signed.version));
        targets.expires = expiry(now_unix_ms, l.targets_ms)?;
        let key = keys::load(&self.keys_dir, RoleType::Targets)?;
        let bytes = sign(targets.clone(), root, &key).await?;
        write_file(
            &versioned(&self.metadata_dir(), targets.version, "targets"),
            &bytes,
        )?;
        Ok((targets.version, bytes, true))
    }

    /// Writes `bytes` as a target (`<sha256>.<name>`) and lists it in `targets`.
    fn add_target(
        &self,
        targets: &mut Targets,
        file_name: &str,
        bytes: &[u8],
        published: &Published,
    ) -> Result<String, RepositoryError> {
        if let Published::Software { version, platform } = published {
            version
                .parse::<crate::release::ReleaseVersion>()
                .map_err(RepositoryError::refused)?;
            if !crate::release::version::is_platform(platform) {
                return Err(RepositoryError::refused(format!(
                    "{platform:?} is not a platform: an architecture and a system in lower case, like x86_64-linux"
                )));
            }
        }
        let name = published.target_name(file_name);
        if !is_target_name(&name) {
            return Err(RepositoryError::refused(format!(
                "target name {name:?} is not accepted: letters, digits, '.', '-' and '_', at most 100"
            )));
        }
        let hashes = hashes(bytes);
        let hex = crate::hex::encode(&hashes.sha256);
        write_file(&self.targets_dir().join(format!("{hex}.{name}")), bytes)?;
        let custom =
            serde_json::to_value(published).map_err(|e| RepositoryError::signing(e.to_string()))?;
        let target = Target {
            length: bytes.len() as u64,
            hashes,
            custom: HashMap::from([(CUSTOM_KEY.to_string(), custom)]),
            _extra: HashMap::new(),
        };
        let key = name
            .clone()
            .try_into()
            .map_err(|e: tough::error::Error| RepositoryError::refused(e.to_string()))?;
        targets.targets.insert(key, target);
        Ok(name)
    }
}

/// Which roles a write signs anew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resign {
    /// What changed or runs out within half its life, and the timestamp.
    Due,
    /// Every role but the root: their keys, or the root that lists them, changed.
    All,
}

fn next(version: Option<NonZeroU64>) -> NonZeroU64 {
    version.map_or(NonZeroU64::MIN, |v| v.saturating_add(1))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), RepositoryError> {
    write_file_atomically(path, bytes, 0o600, Placement::Replace)
        .map_err(|e| RepositoryError::io(path, e.to_string()))
}
