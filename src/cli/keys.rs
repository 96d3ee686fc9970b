//! `postcounter keys export`: what anybody needs to verify indicia, and nothing secret.
//!
//! On the data centre's machine (its key store holds a root) it writes the data centre's
//! whole trust: the anchor root, every root link, every PSD certificate it issued, and the
//! certificate status list. On a station it writes the trust the station holds: the same
//! anchor and links, the certificates of its account's PSDs and of its embedded PSD, and
//! the newest status list it was given. Both add `root.json`, the update repository's TUF
//! root (the data centre's current one, or the one the station trusts), where there is one.
//! Neither creates anything in a store.

use super::output::out;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::keys::KeyStore;
use crate::keys::key_file::{Placement, write_file_atomically};
use crate::psd::Keyring;
use crate::vendor_system::from_config::{keys_dir, open_existing_store};
use crate::vendor_system::keys::full_trust;
use crate::vendor_system::updates::{UpdateRepository, repository_dir};

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Write the anchor root, the root links, the PSD certificates and the status list.
    Export {
        /// The folder to write to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub async fn run(config: Config, command: KeysCommand) -> anyhow::Result<ExitCode> {
    let KeysCommand::Export { out } = command;
    let data_centre = KeyStore::open(&keys_dir(&config.data_dir))?;
    let trust = if data_centre.has_root() {
        let store = open_existing_store(&config, None).await?;
        let trust = full_trust(&store, &data_centre).await?;
        store.close().await;
        trust
    } else {
        Keyring::open(&config.data_dir)?.trust()?.ok_or_else(|| {
            anyhow::anyhow!(
                "this station holds no trust yet: start it once with its data centre reachable"
            )
        })?
    };
    for path in trust.write_dir(&out)? {
        out!("wrote {}", path.display())?;
    }
    // The update repository's root, for a TUF client to start from: the data centre's
    // current one, or the one this station trusts.
    let update_root = if data_centre.has_root() {
        let keys = keys_dir(&config.data_dir);
        let repository = UpdateRepository::at(&repository_dir(&keys)?, &keys);
        let exists = repository.metadata_dir().join("root.json").exists();
        exists.then(|| repository.root_json()).transpose()?
    } else {
        crate::link::updates::trusted_root(&config.data_dir)?
    };
    if let Some(root_json) = update_root {
        let path = out.join("root.json");
        write_file_atomically(&path, &root_json, 0o644, Placement::Replace)?;
        out!(
            "wrote {} (the update repository's TUF root)",
            path.display()
        )?;
    }
    out!(
        "verify with: postcounter verify --keys {} FILE",
        out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
