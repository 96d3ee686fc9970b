//! `postcounter admin publish-rates | publish-release`: adding a target to the data centre's
//! update repository (see [`crate::vendor_system::updates`]), signed with its targets key.
//! A rate file is checked whole, and together with the rate files already published (one
//! table per product and date), before anything is written; the data centre prices with it
//! and its stations fetch it from their next contact on. `admin update-root-offline |
//! update-root-rotate`: the repository's root key taken out of the key store, and brought
//! back from where it is kept to sign a new root.

use super::output::out;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::clock::Clock;
use crate::config::Config;
use crate::protocol::updates::Published;
use crate::vendor_system::from_config::{keys_dir, rate_seed};
use crate::vendor_system::updates::{KeyRotation, UpdateRepository, repository_dir};
use tough::schema::RoleType;

#[derive(Subcommand, Debug)]
pub enum UpdatesCommand {
    /// Publish a rate file (postcounter-rates/1 TOML) to the stations and the data centre.
    PublishRates { file: PathBuf },
    /// Publish a build of the counter for one platform.
    PublishRelease {
        file: PathBuf,
        /// Its version, e.g. 0.2.0.
        #[arg(long)]
        version: String,
        /// The platform it runs on, e.g. x86_64-linux.
        #[arg(long)]
        platform: String,
    },
    /// Move the update repository's root key out of the key store into FOLDER (removable
    /// media kept offline); it is needed again only to rotate keys.
    UpdateRootOffline {
        #[arg(long, value_name = "FOLDER")]
        to: PathBuf,
    },
    /// Sign a new update root with the root key kept offline: replace online keys, the root
    /// key itself, or neither (the root renewed for five years).
    UpdateRootRotate {
        /// The root key in force (`root.key.pem` where it is kept offline).
        #[arg(long, value_name = "FILE")]
        root_key: PathBuf,
        /// A new root key: the file is made when it does not exist.
        #[arg(long, value_name = "FILE")]
        new_root_key: Option<PathBuf>,
        /// Online roles whose keys are replaced: targets, snapshot, timestamp.
        #[arg(long, value_delimiter = ',', value_parser = online_role)]
        rotate: Vec<RoleType>,
    },
}

pub async fn run(config: &Config, command: UpdatesCommand) -> anyhow::Result<()> {
    let keys = keys_dir(&config.data_dir);
    let repository = UpdateRepository::at(&repository_dir(&keys)?, &keys);
    let now = Clock::system().now_unix_ms();
    let (file, published) = match command {
        UpdatesCommand::UpdateRootOffline { to } => return root_offline(&repository, &to),
        UpdatesCommand::UpdateRootRotate {
            root_key,
            new_root_key,
            rotate,
        } => {
            let rotation = KeyRotation {
                root_key,
                new_root_key,
                roles: rotate,
            };
            return rotate_root(&repository, &rotation, now).await;
        }
        UpdatesCommand::PublishRates { file } => (
            file,
            Published::Rates {
                effective: String::new(),
            },
        ),
        UpdatesCommand::PublishRelease {
            file,
            version,
            platform,
        } => (file, Published::Software { version, platform }),
    };
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let name = file_name(&file)?;
    // Before the data centre's first start there is no repository yet: made as it would be.
    if !repository.exists() {
        let seed = rate_seed(config)?;
        let seed: Vec<(&str, &str)> = seed.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        repository.create_unless_exists(&seed, now).await?;
    }
    let target = repository.publish(&name, &bytes, published, now).await?;
    let current = repository.current()?;
    out!(
        "published {target} ({} bytes): targets version {}, snapshot version {}",
        bytes.len(),
        current.targets.signed.version,
        current.snapshot.signed.version
    )?;
    Ok(())
}

fn root_offline(repository: &UpdateRepository, to: &Path) -> anyhow::Result<()> {
    let path = repository.take_root_key_offline(to)?;
    out!(
        "the update root key is now only in {}: keep it offline; `admin update-root-rotate --root-key {}` needs it",
        path.display(),
        path.display()
    )?;
    Ok(())
}

async fn rotate_root(
    repository: &UpdateRepository,
    rotation: &KeyRotation,
    now_unix_ms: i64,
) -> anyhow::Result<()> {
    let report = repository.rotate(rotation, now_unix_ms).await?;
    let roles: Vec<String> = report
        .roles_replaced
        .iter()
        .map(|r| r.to_string())
        .collect();
    out!(
        "update root version {} written: root key {}, keys replaced: {}; stations take it at their next check",
        report.root_version,
        if report.root_key_replaced {
            "replaced"
        } else {
            "kept"
        },
        if roles.is_empty() {
            "none".to_string()
        } else {
            roles.join(", ")
        }
    )?;
    Ok(())
}

fn file_name(path: &Path) -> anyhow::Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("{} has no file name", path.display()))
}

/// An online role's name, as `--rotate` takes it.
fn online_role(name: &str) -> Result<RoleType, String> {
    match name {
        "targets" => Ok(RoleType::Targets),
        "snapshot" => Ok(RoleType::Snapshot),
        "timestamp" => Ok(RoleType::Timestamp),
        _ => Err(format!(
            "{name:?} is not an online role: targets, snapshot or timestamp (the root key is replaced with --new-root-key)"
        )),
    }
}
