//! `postcounter admin` for key management, on the data centre's machine against its store
//! and key store: the root (created once, rolled over with a link), certificate revocation
//! (a new signed status list), and central PSDs, whose ids the administrator chooses and
//! whose certificate serials the store numbers.

use super::output::out;
use clap::Subcommand;

use crate::clock::Clock;
use crate::config::Config;
use crate::date::Date;
use crate::keys::KeyStore;
use crate::vendor_system::from_config::keys_dir;
use crate::vendor_system::keys::module_keys::ModuleCertifier;
use crate::vendor_system::keys::sign_status_list;
use crate::vendor_system::postage::crypto_module::ModuleKind;
use crate::vendor_system::postage::processing::{ProcessingPool, RoundRobin};
use crate::vendor_system::store::VendorStore;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create the data centre's root key (once): what certifies every PSD.
    RootCreate,
    /// Roll the root over: a new root generation, linked by the current one. What the old
    /// roots signed keeps verifying.
    RootRollover,
    /// Revoke a certificate for mail from a date on, and sign a new certificate status list.
    CertificateRevoke {
        serial: u32,
        /// The first date of mailing whose indicia no longer verify (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Create a self-signed TLS certificate and key for `vendor serve` in <data dir>/vendor/tls
    /// (give its certificate to the counters as link.data_centre_ca).
    TlsCreate {
        /// A DNS name or IP address the counters reach the data centre by (repeatable).
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
    },
    /// Create a central PSD for an account: its key and a certificate under the current
    /// root (with vendor.crypto_module = "pkcs11", a key generated inside each processing
    /// server's token, each with its own certificate), and empty registers.
    PsdCreate {
        #[arg(long)]
        account: String,
        #[arg(long)]
        psd_id: u32,
    },
}

pub async fn run(config: &Config, store: &VendorStore, command: KeysCommand) -> anyhow::Result<()> {
    let keys = KeyStore::open(&keys_dir(&config.data_dir))?;
    let clock = Clock::system();
    let today = clock.today();
    match command {
        KeysCommand::RootCreate => {
            if keys.has_root() {
                anyhow::bail!(
                    "{} holds a root already: one root is created once; roll it over with `admin root-rollover`",
                    keys.dir().display()
                );
            }
            keys.create_root()?;
            out!(
                "root created; verifiers trust {}",
                keys.root_public_path().display()
            )?;
        }
        KeysCommand::RootRollover => {
            let link = keys.rollover_root(today)?;
            out!(
                "root generation {} created, linked by generation {}; new certificates and grants are signed by it",
                link.generation,
                link.generation - 1
            )?;
        }
        KeysCommand::CertificateRevoke {
            serial,
            from,
            reason,
        } => {
            let from = match from {
                Some(text) => Date::parse(&text)?,
                None => today,
            };
            store.revoke_certificate(serial, from, &reason).await?;
            let list = sign_status_list(store, &keys, &clock).await?;
            out!(
                "certificate {serial} revoked for mail from {from} on; status list {} signed ({} revoked)",
                list.number,
                list.revoked.len()
            )?;
        }
        KeysCommand::TlsCreate { hosts } => {
            let dir = config.data_dir.join("vendor").join("tls");
            let (certificate, key) = crate::vendor_system::tls::create_self_signed(&dir, &hosts)?;
            out!(
                "wrote {} and {} (0600)",
                certificate.display(),
                key.display()
            )?;
            out!(
                "serve with vendor.tls_certificate = {:?} and vendor.tls_key = {:?}; give each counter {} as link.data_centre_ca",
                certificate.display().to_string(),
                key.display().to_string(),
                certificate.display()
            )?;
        }
        KeysCommand::PsdCreate { account, psd_id } => {
            store.account(&account).await?;
            if store.embedded_psd_id_taken(psd_id).await? {
                anyhow::bail!(
                    "PSD id {psd_id} is an embedded PSD's: choose another for a central PSD"
                );
            }
            let module = crate::vendor_system::from_config::module_kind(config)?;
            let certifier = ModuleCertifier {
                store,
                keys: &keys,
                clock: &clock,
            };
            let serial = if module.generates_keys() {
                certify_in_tokens(store, &certifier, &module, psd_id).await?
            } else {
                certifier.key_file(psd_id).await?
            };
            let created = store
                .create_psd(psd_id, &account, serial, clock.now_unix_ms())
                .await?;
            out!(
                "PSD {psd_id} for account {account} {} (certificate {serial})",
                if created { "created" } else { "exists already" },
            )?;
        }
    }
    Ok(())
}

/// A key for `psd_id` generated in every enabled processing server's token and certified,
/// each printed; the first server's certificate serial (the PSD's own, as listed).
async fn certify_in_tokens(
    store: &VendorStore,
    certifier: &ModuleCertifier<'_>,
    module: &ModuleKind,
    psd_id: u32,
) -> anyhow::Result<u32> {
    crate::vendor_system::service::add_default_servers(store, certifier.clock).await?;
    let rows = store.processing_servers().await?;
    let pool = ProcessingPool::start(&rows, module, Box::new(RoundRobin::default()))
        .map_err(anyhow::Error::msg)?;
    let serials = certifier.certify_every_lane(&pool, psd_id).await?;
    for (lane, serial) in serials.iter().enumerate() {
        out!(
            "processing server {}: PSD {psd_id}'s key generated in its token, certificate {serial}",
            pool.server(lane).name
        )?;
    }
    serials
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("no processing server is enabled"))
}
