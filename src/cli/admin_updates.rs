//! `postcounter admin publish-rates | publish-release`: adding a target to the data centre's
//! update repository (see [`crate::vendor_system::updates`]), signed with its targets key.
//! A rate file is checked whole, and together with the rate files already published (one
//! table per product and date), before anything is written; the data centre prices with it
//! and its stations fetch it from their next contact on.

use super::output::out;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::clock::Clock;
use crate::config::Config;
use crate::protocol::updates::Published;
use crate::vendor_system::from_config::{keys_dir, rate_seed};
use crate::vendor_system::updates::{UpdateRepository, repository_dir};

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
}

pub async fn run(config: &Config, command: UpdatesCommand) -> anyhow::Result<()> {
    let keys = keys_dir(&config.data_dir);
    let repository = UpdateRepository::at(&repository_dir(&keys)?, &keys);
    let (file, published) = match command {
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
    let now = Clock::system().now_unix_ms();
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

fn file_name(path: &Path) -> anyhow::Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("{} has no file name", path.display()))
}
