//! `postcounter account ...` and `postcounter pin set`: the station's postage accounts and
//! its supervisor PIN, for the staff who run it.

use super::output::out;
use std::io::BufRead;
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::kiosk::pin::SupervisorPin;
use crate::money::Money;
use crate::payment::{AccountNumber, PaymentErrorKind, PostageAccounts};
use crate::station::Station;

#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Open a prepaid postage account; prints its number (9 digits with a check digit).
    Open {
        /// The holder's name, as statements show it.
        #[arg(long)]
        holder: String,
        /// The account's PIN, 4 to 8 digits (read from stdin when not given).
        #[arg(long)]
        pin: Option<String>,
        /// A first credit, e.g. 100.00.
        #[arg(long)]
        credit: Option<String>,
    },
    /// Add funds to an account, once per --id (a retry with the same id credits once).
    Credit {
        account: String,
        amount: String,
        #[arg(long, value_parser = super::request_id)]
        id: String,
    },
    /// The balance and every entry of an account.
    Show { account: String },
}

#[derive(Subcommand, Debug)]
pub enum PinCommand {
    /// Set (or replace) the supervisor PIN; only its salted digest is stored.
    Set {
        /// 4 to 8 digits (read from stdin when not given).
        #[arg(long)]
        pin: Option<String>,
    },
}

fn pin_or_stdin(pin: Option<String>, what: &str) -> anyhow::Result<String> {
    if let Some(pin) = pin {
        return Ok(pin);
    }
    eprintln!("{what} (4 to 8 digits), then Enter:");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

fn money(text: &str) -> anyhow::Result<Money> {
    Ok(Money::parse(text)?)
}

async fn accounts(config: &Config) -> anyhow::Result<PostageAccounts> {
    Ok(PostageAccounts::open(&Station::payments_path(&config.data_dir)).await?)
}

pub async fn run(config: Config, command: AccountCommand) -> anyhow::Result<ExitCode> {
    let accounts = accounts(&config).await?;
    match command {
        AccountCommand::Open {
            holder,
            pin,
            credit,
        } => {
            let pin = pin_or_stdin(pin, "the account's PIN")?;
            let first_credit = credit.as_deref().map(money).transpose()?;
            // A random number, so account numbers say nothing about how many accounts exist.
            let number = loop {
                let number = AccountNumber::generate(rand::random_range(1..100_000_000))?;
                match accounts.open_account(&number, &holder, &pin).await {
                    Ok(()) => break number,
                    Err(e) if e.kind() == PaymentErrorKind::AccountExists => continue,
                    Err(e) => return Err(e.into()),
                }
            };
            out!("opened postage account {number} for {holder}")?;
            if let Some(amount) = first_credit {
                let entry = accounts
                    .credit(&number, &format!("opening-{}", number.digits()), amount)
                    .await?;
                out!("credited {amount}: balance {}", entry.balance_after)?;
            }
        }
        AccountCommand::Credit {
            account,
            amount,
            id,
        } => {
            let account = AccountNumber::parse(&account)?;
            let entry = accounts.credit(&account, &id, money(&amount)?).await?;
            out!("credit {id}: balance {}", entry.balance_after)?;
        }
        AccountCommand::Show { account } => {
            let account = AccountNumber::parse(&account)?;
            out!(
                "account {account}: balance {}",
                accounts.balance(&account).await?
            )?;
            for entry in accounts.statement(&account).await? {
                out!(
                    "  {:?} {} {} -> {}",
                    entry.kind,
                    super::terminal_safe(&entry.id),
                    entry.amount,
                    entry.balance_after
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_pin(config: &Config, command: PinCommand) -> anyhow::Result<ExitCode> {
    match command {
        PinCommand::Set { pin } => {
            let pin = SupervisorPin::new(&pin_or_stdin(pin, "the supervisor PIN")?)?;
            // Owner-only, as the station makes it.
            crate::private_files::private_dir(&config.data_dir)?;
            let path = pin.save(&config.data_dir)?;
            out!(
                "the supervisor PIN is set (its digest is in {})",
                path.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
