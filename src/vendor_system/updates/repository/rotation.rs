//! The update root key kept offline, and the keys it rotates. The root key signs nothing a
//! running data centre needs (the targets, snapshot and timestamp keys sign everything it
//! re-signs), so after the first start `admin update-root-offline` moves it out of the key
//! store onto removable media, and it comes back only to sign a new `root.json`:
//! `admin update-root-rotate` replaces online keys (one was exposed, or a key ceremony is
//! due), replaces the root key itself, or just renews the root before it runs out.
//!
//! A new root is version N+1, signed by the root key in force **and** the new one, as TUF
//! asks: a station that trusts version N takes N+1 by itself at its next check, and from
//! then on refuses metadata signed by a retired key. The roles' new keys are made beside the
//! old ones (`<role>.key.pem.next`) and take their place only once the new root is written,
//! after which every role is signed anew with them; a rotation cut short is finished by
//! running it again.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use tough::schema::{Role, RoleKeys, RoleType, Root, Signature, Signed};
use tough::sign::Sign;

use super::{Resign, UpdateRepository, next, write_file};
use crate::vendor_system::updates::RepositoryError;
use crate::vendor_system::updates::keys::{self, UpdateKey};
use crate::vendor_system::updates::metadata::{expiry, versioned};

/// What a rotation changes.
#[derive(Clone, Debug)]
pub struct KeyRotation {
    /// The root key in force, where it is kept offline.
    pub root_key: PathBuf,
    /// The new root key's file (made there when it does not exist); `None` keeps the root key.
    pub new_root_key: Option<PathBuf>,
    /// The online roles (targets, snapshot, timestamp) whose keys are replaced.
    pub roles: Vec<RoleType>,
}

/// What a rotation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationReport {
    pub root_version: NonZeroU64,
    pub root_key_replaced: bool,
    pub roles_replaced: Vec<RoleType>,
}

impl UpdateRepository {
    /// Whether the root key is in the data centre's key store (online).
    pub fn root_key_online(&self) -> bool {
        keys::key_path(&self.keys_dir, RoleType::Root).exists()
    }

    /// Moves the root key out of the key store into `to` (made owner-only), as
    /// `to/root.key.pem`; answers that path. The copy is written and read back before the
    /// key store's is removed: the key is never in neither place.
    pub fn take_root_key_offline(&self, to: &Path) -> Result<PathBuf, RepositoryError> {
        let _lock = self.lock()?;
        let online = keys::key_path(&self.keys_dir, RoleType::Root);
        if !online.exists() {
            return Err(RepositoryError::refused(format!(
                "{} holds no update root key: it was taken offline already",
                keys::keys_folder(&self.keys_dir).display()
            )));
        }
        let key = keys::load_file(&online)?;
        is_the_root_key(&self.current()?.root.signed, &key, &online)?;
        crate::private_files::private_dir(to)
            .map_err(|e| RepositoryError::io(to, e.to_string()))?;
        let offline = to.join("root.key.pem");
        key.write_exclusive(&offline)?;
        // Media that cannot keep a file owner-only (FAT, exFAT) fail here: the copy goes,
        // and the key store keeps the key.
        let read_back = keys::load_file(&offline).and_then(|copy| copy.key_id());
        if read_back.as_ref().ok() != Some(&key.key_id()?) {
            let _ = std::fs::remove_file(&offline);
            return Err(RepositoryError::keys(format!(
                "{} does not read back as the root key ({}): the key store keeps it; use media with a Unix file system",
                offline.display(),
                read_back
                    .err()
                    .map_or_else(|| "another key".to_string(), |e| e.to_string())
            )));
        }
        std::fs::remove_file(&online).map_err(|e| RepositoryError::io(&online, e.to_string()))?;
        sync_folder(&keys::keys_folder(&self.keys_dir))?;
        log::info!("the update root key is offline, in {}", offline.display());
        Ok(offline)
    }

    /// Writes root version N+1 with the keys `rotation` names, signed by the root key in
    /// force and the new one, then signs every other role anew with its (new) key.
    pub async fn rotate(
        &self,
        rotation: &KeyRotation,
        now_unix_ms: i64,
    ) -> Result<RotationReport, RepositoryError> {
        let _lock = self.lock()?;
        let current = self.current()?;
        self.finish_cut_short(&current.root.signed)?;
        let root_key = keys::load_file(&rotation.root_key)?;
        is_the_root_key(&current.root.signed, &root_key, &rotation.root_key)?;
        let new_root_key = match &rotation.new_root_key {
            Some(path) => keys::load_or_create_file(path)?,
            None => root_key.clone(),
        };
        let mut successors = Vec::new();
        for role in dedup(&rotation.roles) {
            if role == RoleType::Root {
                return Err(RepositoryError::refused(
                    "the root key is replaced with a new root key file, not as a role".into(),
                ));
            }
            let next_path = next_key_path(&self.keys_dir, role);
            successors.push((role, keys::load_or_create_file(&next_path)?, next_path));
        }
        let mut root = current.root.signed.clone();
        root.version = next(Some(root.version));
        root.expires = expiry(now_unix_ms, self.lifetimes.root_ms)?;
        set_role_key(&mut root, RoleType::Root, &new_root_key)?;
        for (role, key, _) in &successors {
            set_role_key(&mut root, *role, key)?;
        }
        let listed: Vec<_> = root.roles.values().flat_map(|r| r.keyids.clone()).collect();
        root.keys.retain(|id, _| listed.contains(id));
        let bytes = sign_root(&root, &[&root_key, &new_root_key]).await?;
        // What a station will check: signed by the root it trusts, and by itself.
        let signed: Signed<Root> = serde_json::from_slice(&bytes)
            .map_err(|e| RepositoryError::signing(format!("the new root: {e}")))?;
        for trusted in [&current.root.signed, &root] {
            trusted
                .verify_role(&signed)
                .map_err(|e| RepositoryError::signing(format!("the new root: {e}")))?;
        }
        let dir = self.metadata_dir();
        write_file(&versioned(&dir, root.version, "root"), &bytes)?;
        write_file(&dir.join("root.json"), &bytes)?;
        for (role, _, next_path) in &successors {
            let path = keys::key_path(&self.keys_dir, *role);
            std::fs::rename(next_path, &path)
                .map_err(|e| RepositoryError::io(next_path, e.to_string()))?;
        }
        sync_folder(&keys::keys_folder(&self.keys_dir))?;
        let targets = current.targets.signed.clone();
        self.write_set(&root, targets, Some(&current), Resign::All, now_unix_ms)
            .await?;
        log::info!("update root version {} written", root.version);
        Ok(RotationReport {
            root_version: root.version,
            root_key_replaced: new_root_key.key_id()? != root_key.key_id()?,
            roles_replaced: successors.iter().map(|(role, _, _)| *role).collect(),
        })
    }
}

impl UpdateRepository {
    /// Puts in place the new keys of a rotation cut short after its root was written: those
    /// `<role>.key.pem.next` whose key `root` lists for their role.
    fn finish_cut_short(&self, root: &Root) -> Result<(), RepositoryError> {
        for role in [RoleType::Targets, RoleType::Snapshot, RoleType::Timestamp] {
            let next_path = next_key_path(&self.keys_dir, role);
            if !next_path.exists() {
                continue;
            }
            let id = keys::load_file(&next_path)?.key_id()?;
            let listed = root
                .roles
                .get(&role)
                .is_some_and(|r| r.keyids.contains(&id));
            if listed {
                let path = keys::key_path(&self.keys_dir, role);
                std::fs::rename(&next_path, &path)
                    .map_err(|e| RepositoryError::io(&next_path, e.to_string()))?;
                log::warn!("the new {role} key of a rotation cut short is in place now");
            }
        }
        sync_folder(&keys::keys_folder(&self.keys_dir))
    }
}

/// Refuses `key` (read from `path`) unless it is the one `root` lists for the root role.
fn is_the_root_key(root: &Root, key: &UpdateKey, path: &Path) -> Result<(), RepositoryError> {
    let id = key.key_id()?;
    let listed = root
        .roles
        .get(&RoleType::Root)
        .is_some_and(|role| role.keyids.contains(&id));
    if listed {
        return Ok(());
    }
    Err(RepositoryError::refused(format!(
        "{} is not this repository's update root key (its key id is {}; root version {} lists another: after a rotation, the new root key signs)",
        path.display(),
        crate::hex::encode(&id),
        root.version
    )))
}

/// Makes `key` the one key of `role` (threshold 1) in `root`.
fn set_role_key(root: &mut Root, role: RoleType, key: &UpdateKey) -> Result<(), RepositoryError> {
    let id = key.key_id()?;
    root.keys.insert(id.clone(), key.public());
    let role_keys = RoleKeys {
        keyids: vec![id],
        threshold: NonZeroU64::MIN,
        _extra: HashMap::new(),
    };
    root.roles.insert(role, role_keys);
    Ok(())
}

/// `root` signed by each of `keys` (a key given twice signs once), as the bytes to write.
async fn sign_root(root: &Root, keys: &[&UpdateKey]) -> Result<Vec<u8>, RepositoryError> {
    let data = root
        .canonical_form()
        .map_err(|e| RepositoryError::signing(e.to_string()))?;
    let rng = SystemRandom::new();
    let mut signatures: Vec<Signature> = Vec::new();
    for key in keys {
        let keyid = key.key_id()?;
        if signatures.iter().any(|s| s.keyid == keyid) {
            continue;
        }
        let sig = key
            .sign(&data, &rng)
            .await
            .map_err(|e| RepositoryError::signing(e.to_string()))?;
        signatures.push(Signature {
            keyid,
            sig: sig.into(),
        });
    }
    let signed = Signed {
        signed: root.clone(),
        signatures,
    };
    let mut bytes =
        serde_json::to_vec_pretty(&signed).map_err(|e| RepositoryError::signing(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn dedup(roles: &[RoleType]) -> Vec<RoleType> {
    let mut unique: Vec<RoleType> = Vec::new();
    for role in roles {
        if !unique.contains(role) {
            unique.push(*role);
        }
    }
    unique
}

fn next_key_path(keys_dir: &Path, role: RoleType) -> PathBuf {
    let mut path = keys::key_path(keys_dir, role).into_os_string();
    path.push(".next");
    PathBuf::from(path)
}

fn sync_folder(dir: &Path) -> Result<(), RepositoryError> {
    crate::private_files::sync_dir(dir).map_err(|e| RepositoryError::io(dir, e.to_string()))
}
