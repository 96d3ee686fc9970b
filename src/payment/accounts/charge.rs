//! Paying from a postage account: PIN, lock, balance and debit in one transaction.
//!
//! The PIN check and the debit share one `BEGIN IMMEDIATE` transaction, so a concurrent
//! charge can neither slip between the balance check and the debit (no overdraft) nor
//! between a wrong PIN and its count (no extra guesses). A wrong PIN is committed even
//! though the charge fails: otherwise the lock could be dodged by a failing request.
//! A replayed charge id is answered before the PIN is asked for: the replay moves nothing
//! and only repeats what the first, PIN-checked, request was told, and it must work even if
//! the account locked in between (the counter retrying after a crash must learn that the
//! customer already paid).

use sqlx::Row;

use super::pin::{PinHash, WRONG_PINS_MAX};
use super::{AccountEntry, AccountNumber, EntryKind, PostageAccounts};
use crate::money::Money;
use crate::payment::error::{PaymentError, require_positive};
use crate::payment::gateway::check_id;

/// A completed charge to a postage account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountCharge {
    pub account: AccountNumber,
    pub charge_id: String,
    pub amount: Money,
    pub balance_after: Money,
    pub charged_unix_ms: i64,
}

/// The account row as a charge needs it.
struct AccountForCharge {
    balance: Money,
    pin: PinHash,
    wrong_pin_count: u32,
    locked: bool,
}

impl PostageAccounts {
    /// Takes `amount` from `account` if `pin` is right and the balance covers it, once per
    /// `charge_id`: the same id retried returns the first charge and never debits twice; the
    /// same id with another account or amount is a `Conflict`. Five wrong PINs in a row lock
    /// the account (`Locked`), until an administrator unlocks it.
    pub async fn charge(
        &self,
        account: &AccountNumber,
        pin: &str,
        charge_id: &str,
        amount: Money,
    ) -> Result<AccountCharge, PaymentError> {
        check_id("charge id", charge_id)?;
        require_positive("a charge", amount)?;
        let storage = |e: sqlx::Error| self.store.storage(e);
        let mut tx = self.store.begin_immediate().await?;
        if let Some(first) = self.entry(&mut tx, "charge", charge_id).await? {
            return replay(first, account, amount);
        }
        let row = self.account_for_charge(&mut tx, account).await?;
        if row.locked {
            return Err(PaymentError::Locked {
                account: account.to_string(),
            });
        }
        if !row.pin.matches(pin) {
            let wrong_pin_count = row.wrong_pin_count.saturating_add(1);
            let locks = wrong_pin_count >= WRONG_PINS_MAX;
            sqlx::query(
                "UPDATE account SET wrong_pin_count = ?, locked = ? WHERE account_number = ?",
            )
            .bind(i64::from(wrong_pin_count))
            .bind(i64::from(locks))
            .bind(account.digits())
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
            tx.commit().await.map_err(storage)?;
            return Err(if locks {
                PaymentError::Locked {
                    account: account.to_string(),
                }
            } else {
                PaymentError::WrongPin {
                    account: account.to_string(),
                    tries_left: WRONG_PINS_MAX - wrong_pin_count,
                }
            });
        }
        if row.wrong_pin_count > 0 {
            sqlx::query("UPDATE account SET wrong_pin_count = 0 WHERE account_number = ?")
                .bind(account.digits())
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
        }
        if row.pin.is_legacy() {
            // The right PIN of an old salted SHA-256: keep it as Argon2id from now on.
            let rehashed =
                PinHash::new(pin).map_err(|e| PaymentError::InvalidInput(e.to_string()))?;
            sqlx::query("UPDATE account SET pin_hash = ? WHERE account_number = ?")
                .bind(rehashed.stored())
                .bind(account.digits())
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
        }
        let Some(balance_after) = row.balance.checked_sub(amount).filter(|b| !b.is_negative())
        else {
            // The PIN was right: keep its reset of the count, move nothing.
            tx.commit().await.map_err(storage)?;
            return Err(PaymentError::InsufficientFunds {
                account: account.to_string(),
                balance: row.balance,
                amount,
            });
        };
        let entry = AccountEntry {
            kind: EntryKind::Charge,
            account: account.clone(),
            id: charge_id.to_string(),
            refunded_charge_id: None,
            amount,
            balance_after,
            created_unix_ms: self.store.clock().now_unix_ms(),
        };
        self.record(&mut tx, &entry).await?;
        tx.commit().await.map_err(storage)?;
        Ok(charge_of(entry))
    }

    async fn account_for_charge(
        &self,
        connection: &mut sqlx::SqliteConnection,
        account: &AccountNumber,
    ) -> Result<AccountForCharge, PaymentError> {
        let storage = |e: sqlx::Error| self.store.storage(e);
        let row = sqlx::query(
            "SELECT balance_mills, pin_hash, wrong_pin_count, locked \
             FROM account WHERE account_number = ?",
        )
        .bind(account.digits())
        .fetch_optional(&mut *connection)
        .await
        .map_err(storage)?
        .ok_or_else(|| PaymentError::UnknownAccount {
            account: account.to_string(),
        })?;
        let wrong_pin_count: i64 = row.try_get("wrong_pin_count").map_err(storage)?;
        Ok(AccountForCharge {
            balance: Money::from_mills(row.try_get("balance_mills").map_err(storage)?),
            pin: PinHash::parse(&row.try_get::<String, _>("pin_hash").map_err(storage)?)
                .map_err(|e| self.store.storage(format!("account {account}: {e}")))?,
            wrong_pin_count: u32::try_from(wrong_pin_count).unwrap_or(u32::MAX),
            locked: row.try_get::<i64, _>("locked").map_err(storage)? != 0,
        })
    }
}

/// The first charge recorded under this id, if the retry asks for the same thing.
fn replay(
    first: AccountEntry,
    account: &AccountNumber,
    amount: Money,
) -> Result<AccountCharge, PaymentError> {
    if first.account != *account || first.amount != amount {
        return Err(PaymentError::Conflict {
            id: first.id,
            first: format!("a charge of {} to account {}", first.amount, first.account),
        });
    }
    Ok(charge_of(first))
}

fn charge_of(entry: AccountEntry) -> AccountCharge {
    AccountCharge {
        account: entry.account,
        charge_id: entry.id,
        amount: entry.amount,
        balance_after: entry.balance_after,
        charged_unix_ms: entry.created_unix_ms,
    }
}
