//! `PostageAccounts`: prepaid postage accounts a customer pays from with a PIN.
//!
//! Each account is a row with its balance and PIN hash, and a statement of entries
//! (credits, charges, refunds) from which the balance is re-derived at open; a store whose
//! balances disagree with their entries refuses to open rather than guess. Every operation
//! that moves value is one `BEGIN IMMEDIATE` transaction, keyed by the caller's id and
//! committed (durable, with `synchronous=FULL`) before it returns, so a retry after a
//! timeout or a crash returns the first result and never moves value twice. Only a
//! completed credit, charge or refund is pinned to its id: a refused request moved
//! nothing, so its retry is evaluated afresh (a wrong PIN still counts toward the lock).

mod account_number;
mod audit;
mod charge;
mod pin;
mod refund;

use std::path::Path;

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::error::{PaymentError, require_positive};
use super::gateway::check_id;
use super::store::PaymentStore;
use crate::money::Money;

pub use account_number::AccountNumber;
pub use charge::AccountCharge;
use pin::PinHash;
pub use pin::WRONG_PINS_MAX;

/// Longest account holder's name, in characters.
const HOLDER_CHARS_MAX: usize = 80;

/// The prepaid postage accounts in a payment store.
#[derive(Clone)]
pub struct PostageAccounts {
    store: PaymentStore,
}

/// What a statement line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Credit,
    Charge,
    Refund,
}

/// One line of an account's statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountEntry {
    pub kind: EntryKind,
    pub account: AccountNumber,
    /// The caller's id: the credit, charge or refund id.
    pub id: String,
    /// For a refund, the charge it gives money back for.
    pub refunded_charge_id: Option<String>,
    pub amount: Money,
    pub balance_after: Money,
    pub created_unix_ms: i64,
}

impl PostageAccounts {
    /// Opens (creating if needed) the payment store at `path` and audits its accounts.
    pub async fn open(path: &Path) -> Result<PostageAccounts, PaymentError> {
        PostageAccounts::from_store(PaymentStore::open(path).await?).await
    }

    /// The accounts of an open store (shared with a [`TestGateway`](crate::payment::TestGateway)).
    pub async fn from_store(store: PaymentStore) -> Result<PostageAccounts, PaymentError> {
        let accounts = PostageAccounts { store };
        accounts.audit().await?;
        Ok(accounts)
    }

    pub fn store(&self) -> &PaymentStore {
        &self.store
    }

    /// Opens an empty account. Refuses a number already in use, a holder's name that is
    /// empty, too long or has control characters, and a PIN that is not 4-8 digits.
    pub async fn open_account(
        &self,
        number: &AccountNumber,
        holder: &str,
        pin: &str,
    ) -> Result<(), PaymentError> {
        let holder = holder.trim();
        if holder.is_empty()
            || holder.chars().count() > HOLDER_CHARS_MAX
            || holder.chars().any(char::is_control)
        {
            return Err(PaymentError::InvalidInput(format!(
                "{holder:?} is not accepted as an account holder: expected 1 to {HOLDER_CHARS_MAX} printable characters"
            )));
        }
        let pin_hash = PinHash::new(pin).map_err(|e| PaymentError::InvalidInput(e.to_string()))?;
        let inserted = sqlx::query(
            "INSERT INTO account (account_number, holder, pin_hash, balance_mills, \
             wrong_pin_count, locked, opened_unix_ms) VALUES (?, ?, ?, 0, 0, 0, ?) \
             ON CONFLICT (account_number) DO NOTHING",
        )
        .bind(number.digits())
        .bind(holder)
        .bind(pin_hash.stored())
        .bind(self.store.clock().now_unix_ms())
        .execute(self.store.pool())
        .await
        .map_err(|e| self.store.storage(e))?;
        if inserted.rows_affected() == 0 {
            return Err(PaymentError::AccountExists {
                account: number.to_string(),
            });
        }
        Ok(())
    }

    /// Adds `amount` to the account, once per `credit_id`: a retry returns the first entry;
    /// the same id with another account or amount is a `Conflict`.
    pub async fn credit(
        &self,
        account: &AccountNumber,
        credit_id: &str,
        amount: Money,
    ) -> Result<AccountEntry, PaymentError> {
        check_id("credit id", credit_id)?;
        require_positive("a credit", amount)?;
        let mut tx = self.store.begin_immediate().await?;
        if let Some(first) = self.entry(&mut tx, "credit", credit_id).await? {
            if first.account != *account || first.amount != amount {
                return Err(PaymentError::Conflict {
                    id: credit_id.to_string(),
                    first: format!("a credit of {} to account {}", first.amount, first.account),
                });
            }
            return Ok(first);
        }
        let balance = self.balance_in(&mut tx, account).await?;
        let balance_after = balance.checked_add(amount).ok_or_else(|| {
            PaymentError::InvalidInput(format!("a credit of {amount} would overflow the balance"))
        })?;
        let entry = AccountEntry {
            kind: EntryKind::Credit,
            account: account.clone(),
            id: credit_id.to_string(),
            refunded_charge_id: None,
            amount,
            balance_after,
            created_unix_ms: self.store.clock().now_unix_ms(),
        };
        self.record(&mut tx, &entry).await?;
        tx.commit().await.map_err(|e| self.store.storage(e))?;
        Ok(entry)
    }

    pub async fn balance(&self, account: &AccountNumber) -> Result<Money, PaymentError> {
        let mut connection = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(|e| self.store.storage(e))?;
        self.balance_in(&mut connection, account).await
    }

    /// Every entry of the account, oldest first.
    pub async fn statement(
        &self,
        account: &AccountNumber,
    ) -> Result<Vec<AccountEntry>, PaymentError> {
        self.balance(account).await?;
        let rows =
            sqlx::query("SELECT * FROM account_entry WHERE account_number = ? ORDER BY entry_seq")
                .bind(account.digits())
                .fetch_all(self.store.pool())
                .await
                .map_err(|e| self.store.storage(e))?;
        rows.iter().map(|row| self.entry_of(row)).collect()
    }

    /// The balance as stored, or `UnknownAccount`.
    async fn balance_in(
        &self,
        connection: &mut sqlx::SqliteConnection,
        account: &AccountNumber,
    ) -> Result<Money, PaymentError> {
        let mills: Option<i64> =
            sqlx::query_scalar("SELECT balance_mills FROM account WHERE account_number = ?")
                .bind(account.digits())
                .fetch_optional(&mut *connection)
                .await
                .map_err(|e| self.store.storage(e))?;
        mills
            .map(Money::from_mills)
            .ok_or_else(|| PaymentError::UnknownAccount {
                account: account.to_string(),
            })
    }

    /// The entry of `kind` keyed by `id`, if one was recorded.
    async fn entry(
        &self,
        connection: &mut sqlx::SqliteConnection,
        kind: &'static str,
        id: &str,
    ) -> Result<Option<AccountEntry>, PaymentError> {
        let row = sqlx::query("SELECT * FROM account_entry WHERE kind = ? AND entry_id = ?")
            .bind(kind)
            .bind(id)
            .fetch_optional(&mut *connection)
            .await
            .map_err(|e| self.store.storage(e))?;
        row.as_ref().map(|row| self.entry_of(row)).transpose()
    }

    /// Writes `entry` and sets its account's balance to `entry.balance_after`.
    async fn record(
        &self,
        connection: &mut sqlx::SqliteConnection,
        entry: &AccountEntry,
    ) -> Result<(), PaymentError> {
        let storage = |e: sqlx::Error| self.store.storage(e);
        sqlx::query("UPDATE account SET balance_mills = ? WHERE account_number = ?")
            .bind(entry.balance_after.mills())
            .bind(entry.account.digits())
            .execute(&mut *connection)
            .await
            .map_err(storage)?;
        sqlx::query(
            "INSERT INTO account_entry (account_number, kind, entry_id, refunded_charge_id, amount_mills, \
             balance_after_mills, created_unix_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.account.digits())
        .bind(kind_name(entry.kind))
        .bind(&entry.id)
        .bind(&entry.refunded_charge_id)
        .bind(entry.amount.mills())
        .bind(entry.balance_after.mills())
        .bind(entry.created_unix_ms)
        .execute(&mut *connection)
        .await
        .map_err(storage)?;
        Ok(())
    }

    fn entry_of(&self, row: &SqliteRow) -> Result<AccountEntry, PaymentError> {
        let read = || -> Result<AccountEntry, String> {
            let text = |column: &str| row.try_get::<String, _>(column).map_err(|e| e.to_string());
            let mills = |column: &str| {
                row.try_get::<i64, _>(column)
                    .map(Money::from_mills)
                    .map_err(|e| e.to_string())
            };
            let kind = match text("kind")?.as_str() {
                "credit" => EntryKind::Credit,
                "charge" => EntryKind::Charge,
                "refund" => EntryKind::Refund,
                other => return Err(format!("unknown entry kind {other:?}")),
            };
            Ok(AccountEntry {
                kind,
                account: AccountNumber::parse(&text("account_number")?)
                    .map_err(|e| e.to_string())?,
                id: text("entry_id")?,
                refunded_charge_id: row
                    .try_get("refunded_charge_id")
                    .map_err(|e| e.to_string())?,
                amount: mills("amount_mills")?,
                balance_after: mills("balance_after_mills")?,
                created_unix_ms: row.try_get("created_unix_ms").map_err(|e| e.to_string())?,
            })
        };
        read().map_err(|reason| {
            self.store
                .storage(format!("an account entry is unreadable: {reason}"))
        })
    }
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Credit => "credit",
        EntryKind::Charge => "charge",
        EntryKind::Refund => "refund",
    }
}
