//! `postcounter keys ...`: what others need to verify this station's indicia.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::open_station;
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Write the root public key, the PSD certificates and PSD public keys as PEM.
    Export {
        /// The folder to write to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub async fn run(config: Config, command: KeysCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Export { out } => {
            let station = open_station(config).await?;
            for path in station.keys.export_public(&out)? {
                println!("wrote {}", path.display());
            }
            println!(
                "verify with: postcounter verify --keys {} FILE",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
