//! `postcounter admin ...`: the data centre's administration, run on its machine against its
//! store and key store (never over the network): accounts and their funds, counter
//! enrollment and revocation, processing servers, label stock; key management (the root,
//! revocations, central PSDs) in `admin_keys`. Only `admin` and `vendor serve` write to a
//! data centre's store.

use super::output::out;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::clock::Clock;
use crate::config::Config;
use crate::money::Money;
use crate::vendor_system::from_config::open_store;
use crate::vendor_system::postage::label_serial::LabelSerial;
use crate::vendor_system::store::counters::check_location;

#[derive(Args, Debug)]
pub struct AdminArgs {
    /// The store: a postgres:// URL or a SQLite file (default: vendor.store in the config).
    #[arg(long, global = true)]
    store: Option<String>,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create an account (the customer whose counters buy postage).
    AccountCreate {
        account: String,
        #[arg(long)]
        name: String,
    },
    /// Credit funds received for an account, once per --id.
    AccountCredit {
        account: String,
        amount: String,
        #[arg(long, value_parser = super::request_id)]
        id: String,
    },
    /// Show an account's balance and PSDs.
    AccountShow { account: String },
    #[command(flatten)]
    Keys(super::admin_keys::KeysCommand),
    #[command(flatten)]
    Accounts(super::admin_accounts::AccountsCommand),
    #[command(flatten)]
    Updates(super::admin_updates::UpdatesCommand),
    #[command(flatten)]
    Tickets(super::admin_tickets::TicketsCommand),
    /// Show a PSD's registers and audit them against its pieces.
    PsdShow { psd_id: u32 },
    /// Clear a PSD's lock (central or embedded) after looking into its reason.
    PsdUnlock { psd_id: u32 },
    /// Print a one-time code with which a counter registers for an account.
    CounterEnroll {
        #[arg(long)]
        account: String,
        /// The counter's location: the origin ZIP of every piece it buys (5 digits).
        #[arg(long, value_name = "ZIP")]
        zip: String,
        /// Days the code stays valid.
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
    /// Set a counter active, revoked or locked.
    CounterStatus {
        counter: String,
        status: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Add a processing server to the list (takes effect when the vendor starts).
    ServerAdd { server_id: u32, name: String },
    /// Enable or disable a processing server.
    ServerEnable {
        server_id: u32,
        #[arg(long)]
        off: bool,
    },
    /// List the processing servers.
    ServerList,
    /// Judge the postal service's scan file (one indicium in hex per line) against what
    /// the data centre issued and what its counters reported; counters whose pieces in the
    /// mail were never paid for are locked. Scans awaiting a report are judged again (with
    /// no file, only they are).
    MailScans {
        file: Option<std::path::PathBuf>,
        /// The mail processing facility that scanned them.
        #[arg(long, default_value = "postal service")]
        facility: String,
    },
    /// Issue serialized label stock to an account: single labels, or sheets of --positions
    /// labels each (a sheet's label is named by its serial and position, like L000000001-95-P3).
    LabelsIssue {
        #[arg(long)]
        account: String,
        #[arg(long)]
        first: u64,
        #[arg(long)]
        count: u64,
        /// Labels per sheet; 1 for single labels.
        #[arg(long, default_value_t = 1)]
        positions: u16,
    },
}

pub async fn run(config: Config, args: AdminArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&config, args.store.as_deref()).await?;
    let now = Clock::system().now_unix_ms();
    match args.command {
        AdminCommand::AccountCreate { account, name } => {
            let created = store.create_account(&account, &name, now).await?;
            out!(
                "account {account} {}",
                if created { "created" } else { "exists already" }
            )?;
        }
        AdminCommand::AccountCredit {
            account,
            amount,
            id,
        } => {
            let amount = Money::parse(&amount)?;
            let balance = store.credit_account(&account, &id, amount, now).await?;
            out!("account {account}: balance {balance}")?;
        }
        AdminCommand::AccountShow { account } => {
            let row = store.account(&account).await?;
            out!(
                "account {} ({}): balance {}",
                row.account_id,
                row.name,
                row.balance
            )?;
            for psd in store.psds_of_account(&account).await? {
                let r = &psd.registers;
                out!(
                    "  PSD {}: AR {} DR {} control total {} pieces {}{}",
                    psd.psd_id,
                    r.ascending,
                    r.descending,
                    r.control_total,
                    r.piece_count,
                    psd.locked_reason
                        .map(|w| format!(" LOCKED: {w}"))
                        .unwrap_or_default()
                )?;
            }
        }
        AdminCommand::Keys(command) => super::admin_keys::run(&config, &store, command).await?,
        AdminCommand::Updates(command) => super::admin_updates::run(&config, command).await?,
        AdminCommand::Tickets(command) => {
            super::admin_tickets::run(&config, &store, command).await?
        }
        AdminCommand::PsdShow { psd_id } => {
            let psd = store.psd(psd_id).await?;
            let r = &psd.registers;
            out!(
                "PSD {psd_id} (account {}, certificate {}): AR {} DR {} control total {} pieces {}",
                psd.account_id,
                psd.certificate_serial,
                r.ascending,
                r.descending,
                r.control_total,
                r.piece_count
            )?;
            let problems = store.audit_psd(psd_id).await?;
            if problems.is_empty() {
                out!("audit: the registers match the pieces")?;
            }
            for problem in &problems {
                out!("audit: {problem}")?;
            }
        }
        AdminCommand::PsdUnlock { psd_id } => {
            if store.set_psd_lock(psd_id, None).await.is_err() {
                store.set_embedded_lock(psd_id, None).await?;
            }
            out!("PSD {psd_id} unlocked")?;
        }
        AdminCommand::Accounts(command) => {
            let code = super::admin_accounts::run(&store, command).await?;
            store.close().await;
            return Ok(code);
        }
        AdminCommand::CounterEnroll { account, zip, days } => {
            let location = check_location(&zip)?;
            let code = crate::hex::encode(&rand::random::<[u8; 10]>());
            store
                .create_enrollment(&code, &account, &location, now + days * 86_400_000)
                .await?;
            out!("{code}")?;
        }
        AdminCommand::CounterStatus {
            counter,
            status,
            reason,
        } => {
            store
                .set_counter_status(&counter, &status, reason.as_deref())
                .await?;
            out!("counter {counter} is {status}")?;
        }
        AdminCommand::ServerAdd { server_id, name } => {
            let added = store.add_processing_server(server_id, &name, now).await?;
            out!(
                "processing server {server_id} {}",
                if added { "added" } else { "exists already" }
            )?;
        }
        AdminCommand::ServerEnable { server_id, off } => {
            store.set_processing_server_enabled(server_id, !off).await?;
            out!(
                "processing server {server_id} {}",
                if off { "disabled" } else { "enabled" }
            )?;
        }
        AdminCommand::ServerList => {
            for server in store.processing_servers().await? {
                out!(
                    "{} {} {}",
                    server.server_id,
                    server.name,
                    if server.enabled {
                        "enabled"
                    } else {
                        "disabled"
                    }
                )?;
            }
        }
        AdminCommand::MailScans { file, facility } => {
            let report =
                super::admin_mail_scans::run(&config, &store, file.as_deref(), &facility).await?;
            super::admin_mail_scans::print_report(&report)?;
        }
        AdminCommand::LabelsIssue {
            account,
            first,
            count,
            positions,
        } => {
            let last = first.saturating_add(count.saturating_sub(1));
            let (Some(first_serial), Some(last_serial)) =
                (LabelSerial::new(first), LabelSerial::new(last))
            else {
                anyhow::bail!(
                    "label sequences run from 1 to 999999999; {first}..={last} is outside"
                );
            };
            store
                .issue_label_stock(&account, (first, last), positions, now)
                .await?;
            let kind = if positions == 1 {
                "single labels".to_string()
            } else {
                format!("sheets of {positions} labels")
            };
            out!(
                "label stock {first_serial} to {last_serial} ({kind}) issued to account {account}"
            )?;
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
