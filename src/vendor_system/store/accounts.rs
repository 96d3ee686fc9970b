//! Accounts (the licensee's customers), their balances, and the label stock issued to them.

use super::{VendorStore, int, text};
use crate::money::Money;
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::validate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: String,
    pub name: String,
    pub balance: Money,
}

impl VendorStore {
    /// Creates the account; false if it exists already.
    pub async fn create_account(
        &self,
        account_id: &str,
        name: &str,
        now_unix_ms: i64,
    ) -> Result<bool, VendorError> {
        let inserted = sqlx::query(
            "INSERT INTO account (account_id, name, balance_mills, created_unix_ms) VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(name)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    pub async fn account(&self, account_id: &str) -> Result<AccountRow, VendorError> {
        let row = sqlx::query(
            "SELECT account_id, name, balance_mills FROM account WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| VendorError::not_found(format!("no account {account_id:?}")))?;
        Ok(AccountRow {
            account_id: text(&row, "account_id")?,
            name: text(&row, "name")?,
            balance: Money::from_mills(int(&row, "balance_mills")?),
        })
    }

    /// Credits funds received from outside (a bank transfer, a payment) once per
    /// `entry_id`; the same id with another amount is a conflict. Returns the balance.
    pub async fn credit_account(
        &self,
        account_id: &str,
        entry_id: &str,
        amount: Money,
        now_unix_ms: i64,
    ) -> Result<Money, VendorError> {
        validate::transfer_amount("credit", amount)?;
        self.account(account_id).await?;
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) \
             VALUES ($1, $2, 'credit', $3, NULL, $4) ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(entry_id)
        .bind(amount.mills())
        .bind(now_unix_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            let first: i64 = sqlx::query_scalar(
                "SELECT amount_mills FROM account_entry WHERE account_id = $1 AND entry_id = $2",
            )
            .bind(account_id)
            .bind(entry_id)
            .fetch_one(&mut *tx)
            .await?;
            if first != amount.mills() {
                return Err(VendorError::new(
                    RefusalKind::Conflict,
                    format!(
                        "credit {entry_id:?} was applied before with {}, not {amount}",
                        Money::from_mills(first)
                    ),
                ));
            }
        } else {
            sqlx::query(
                "UPDATE account SET balance_mills = balance_mills + $1 WHERE account_id = $2",
            )
            .bind(amount.mills())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
        let balance: i64 =
            sqlx::query_scalar("SELECT balance_mills FROM account WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(Money::from_mills(balance))
    }

    /// Issues label stock with sequences `first..=last` to the account; ranges never overlap.
    pub async fn issue_label_stock(
        &self,
        account_id: &str,
        (first, last): (u64, u64),
        positions: u16,
        now_unix_ms: i64,
    ) -> Result<(), VendorError> {
        if !(1..=crate::vendor_system::postage::label_ref::SHEET_POSITIONS_MAX).contains(&positions)
        {
            return Err(VendorError::bad_request(format!(
                "{positions} positions per sheet is not accepted: 1 (single labels) to {}",
                crate::vendor_system::postage::label_ref::SHEET_POSITIONS_MAX
            )));
        }
        let (first, last) = (to_i64(first)?, to_i64(last)?);
        if last < first {
            return Err(VendorError::bad_request(format!(
                "label stock {first}..={last} is empty: the last sequence must not be below the first"
            )));
        }
        let mut tx = self.begin_write().await?;
        let overlapping: Option<i64> = sqlx::query_scalar(
            "SELECT first_sequence FROM label_stock WHERE first_sequence <= $1 AND last_sequence >= $2",
        )
        .bind(last)
        .bind(first)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(other) = overlapping {
            return Err(VendorError::refused(format!(
                "label stock {first}..={last} overlaps stock issued before (from {other})"
            )));
        }
        sqlx::query(
            "INSERT INTO label_stock (first_sequence, last_sequence, account_id, issued_unix_ms, positions) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(first)
        .bind(last)
        .bind(account_id)
        .bind(now_unix_ms)
        .bind(i64::from(positions))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn to_i64(sequence: u64) -> Result<i64, VendorError> {
    i64::try_from(sequence)
        .map_err(|_| VendorError::bad_request(format!("label sequence {sequence} is out of range")))
}
