//! A batch's funds, held in memory between one locked read and one write per row.
//!
//! [`BatchFunds::lock`] reads the PSDs of every account in the batch and then the accounts,
//! locking the rows as it reads them on PostgreSQL (`FOR UPDATE`, in PSD order and then
//! account order, the order every writer follows, so two vendor processes cannot
//! deadlock), and picks each account's first unlocked PSD.
//! Each purchase is then worked out on copies ([`BatchFunds::take`]): a card payment
//! becomes funds of the account, a PSD short of funds is topped up from the account
//! (claim 11), and each piece debits DR and credits AR. Only a purchase that passes every
//! check is kept ([`BatchFunds::keep`]), so a refused one leaves nothing behind. The rows
//! locked at the start mean no other transaction can spend the same funds meanwhile, on
//! either engine; [`BatchFunds::write`] stores the results before the batch commits.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{AnyConnection, AssertSqlSafe};

use super::{PurchaseJob, PurchaseRules, total_postage};
use crate::money::Money;
use crate::payment::Approval;
use crate::psd::Registers;
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::store::dialect::execute_batches;
use crate::vendor_system::store::psds::{PSD_COLUMNS, PsdRow, psd_row};
use crate::vendor_system::store::{Dialect, int, text};

struct PsdFunds {
    registers: Registers,
    changed: bool,
}

struct AccountFunds {
    /// The PSD its purchases use, or why there is none.
    psd: Result<u32, VendorError>,
    balance_mills: i64,
    changed: bool,
}

/// An account movement, as `account_entry` records it.
struct Entry {
    account_id: String,
    entry_id: String,
    kind: &'static str,
    amount_mills: i64,
    psd_id: Option<u32>,
}

struct CardPayment {
    approval: Approval,
    counter_id: String,
}

/// The funds of every account a batch buys for.
pub struct BatchFunds {
    accounts: BTreeMap<String, AccountFunds>,
    psds: BTreeMap<u32, PsdFunds>,
    entries: Vec<Entry>,
    card_payments: Vec<CardPayment>,
}

/// One purchase's funds, worked out but not kept yet.
pub(super) struct Taken {
    account_id: String,
    pub psd_id: u32,
    /// The registers after each piece, in order.
    pub after_each_piece: Vec<Registers>,
    pub top_up: Money,
    balance_after_mills: i64,
    card: Option<Approval>,
    counter_id: String,
    key: String,
}

impl BatchFunds {
    /// Locks and reads the PSDs of the accounts, then the accounts: two statements, each
    /// for all of them.
    pub(super) async fn lock(
        conn: &mut AnyConnection,
        account_ids: &BTreeSet<String>,
    ) -> Result<BatchFunds, VendorError> {
        let mut funds = BatchFunds {
            accounts: BTreeMap::new(),
            psds: BTreeMap::new(),
            entries: Vec::new(),
            card_payments: Vec::new(),
        };
        if account_ids.is_empty() {
            return Ok(funds);
        }
        let dialect = Dialect::of(conn);
        // One statement each, whatever the batch's size: the rows are locked in the order
        // of one ORDER BY, the same in every vendor process.
        let account_ids = dialect.one_batch(account_ids.iter().map(|account_id| (account_id,)))?;
        let sql = format!(
            "SELECT {PSD_COLUMNS} FROM psd WHERE account_id IN (SELECT value->>0 FROM {}) ORDER BY psd_id{}",
            dialect.batch_rows(),
            dialect.for_update()
        );
        let mut psds = Vec::new();
        for row in sqlx::query(AssertSqlSafe(sql))
            .bind(&account_ids)
            .fetch_all(&mut *conn)
            .await?
        {
            psds.push(psd_row(&row)?);
        }
        let sql = format!(
            "SELECT account_id, balance_mills FROM account WHERE account_id IN (SELECT value->>0 FROM {}) ORDER BY account_id{}",
            dialect.batch_rows(),
            dialect.for_update()
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&account_ids)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let account_id = text(&row, "account_id")?;
            let psd = usable_psd(&account_id, &psds);
            if let Ok(psd_id) = psd
                && let Some(psd) = psds.iter().find(|psd| psd.psd_id == psd_id)
            {
                funds.psds.insert(
                    psd_id,
                    PsdFunds {
                        registers: psd.registers,
                        changed: false,
                    },
                );
            }
            funds.accounts.insert(
                account_id,
                AccountFunds {
                    psd,
                    balance_mills: int(&row, "balance_mills")?,
                    changed: false,
                },
            );
        }
        Ok(funds)
    }

    /// Works out `job`'s funds for `account_id` without keeping them: the card payment,
    /// the top-up when DR is short, and each piece's debit.
    pub(super) fn take(
        &self,
        job: &PurchaseJob,
        account_id: &str,
        rules: &PurchaseRules,
    ) -> Result<Taken, VendorError> {
        let account = self.accounts.get(account_id).ok_or_else(|| {
            VendorError::storage(format!("account {account_id} was not locked for its batch"))
        })?;
        let psd_id = account.psd.clone()?;
        let psd = self.psds.get(&psd_id).ok_or_else(|| {
            VendorError::storage(format!("PSD {psd_id} was not locked for its batch"))
        })?;
        let mut balance_mills = account.balance_mills;
        if let Some(card) = &job.card {
            balance_mills = balance_mills
                .checked_add(card.amount.mills())
                .ok_or_else(|| VendorError::bad_request("the card payment is past the limit"))?;
        }
        let total = total_postage(&job.pieces)?;
        let mut registers = psd.registers;
        let descending = registers.descending.mills();
        let shortfall = total.mills() - descending;
        let mut top_up = Money::ZERO;
        if shortfall > 0 {
            // The configured step when the balance allows, else just the shortfall.
            let Some(amount_mills) = [shortfall.max(rules.top_up_step.mills()), shortfall]
                .into_iter()
                .find(|&amount| amount <= balance_mills)
            else {
                return Err(VendorError::new(
                    RefusalKind::InsufficientFunds,
                    format!(
                        "insufficient funds: {total} needed, PSD {psd_id} holds {} and account {account_id} {}",
                        Money::from_mills(descending),
                        Money::from_mills(balance_mills),
                    ),
                ));
            };
            balance_mills -= amount_mills;
            top_up = Money::from_mills(amount_mills);
            registers.descending = Money::from_mills(descending + amount_mills);
            registers.control_total =
                Money::from_mills(registers.control_total.mills() + amount_mills);
        }
        let mut after_each_piece = Vec::with_capacity(job.pieces.len());
        for piece in &job.pieces {
            registers = debit(registers, piece.postage).ok_or_else(|| {
                VendorError::new(
                    RefusalKind::PsdLocked,
                    format!("PSD {psd_id} could not be debited {}", piece.postage),
                )
            })?;
            after_each_piece.push(registers);
        }
        Ok(Taken {
            account_id: account_id.to_string(),
            psd_id,
            after_each_piece,
            top_up,
            balance_after_mills: balance_mills,
            card: job.card.clone(),
            counter_id: job.counter_id.clone(),
            key: job.key.clone(),
        })
    }

    /// Keeps a purchase's funds: the next purchase of the batch sees them spent.
    pub(super) fn keep(&mut self, taken: Taken) {
        if let Some(psd) = self.psds.get_mut(&taken.psd_id)
            && let Some(last) = taken.after_each_piece.last()
        {
            psd.registers = *last;
            psd.changed = true;
        }
        if let Some(account) = self.accounts.get_mut(&taken.account_id) {
            account.balance_mills = taken.balance_after_mills;
            account.changed = true;
        }
        if let Some(card) = taken.card {
            self.entries.push(Entry {
                account_id: taken.account_id.clone(),
                entry_id: card.charge_id.clone(),
                kind: "card",
                amount_mills: card.amount.mills(),
                psd_id: None,
            });
            self.card_payments.push(CardPayment {
                approval: card,
                counter_id: taken.counter_id.clone(),
            });
        }
        if taken.top_up != Money::ZERO {
            self.entries.push(Entry {
                account_id: taken.account_id,
                entry_id: format!("top-up {} {}", taken.counter_id, taken.key),
                kind: "top_up",
                amount_mills: -taken.top_up.mills(),
                psd_id: Some(taken.psd_id),
            });
        }
    }

    /// Stores the registers, balances and entries of every purchase kept: one statement
    /// per table (on PostgreSQL, per budget's worth of rows).
    pub(super) async fn write(
        self,
        conn: &mut AnyConnection,
        now_unix_ms: i64,
    ) -> Result<(), VendorError> {
        let dialect = Dialect::of(conn);
        let rows = dialect.batch_rows();
        let psds = self
            .psds
            .iter()
            .filter(|(_, psd)| psd.changed)
            .map(|(psd_id, psd)| {
                let registers = &psd.registers;
                (
                    psd_id,
                    registers.ascending.mills(),
                    registers.descending.mills(),
                    registers.control_total.mills(),
                    registers.piece_count,
                )
            });
        let sql = format!(
            "UPDATE psd SET ascending_mills = CAST(value->>1 AS BIGINT), \
             descending_mills = CAST(value->>2 AS BIGINT), \
             control_total_mills = CAST(value->>3 AS BIGINT), \
             piece_count = CAST(value->>4 AS BIGINT) \
             FROM {rows} WHERE psd.psd_id = CAST(value->>0 AS BIGINT)"
        );
        execute_batches(conn, &sql, dialect.batches(psds)?, None).await?;
        let accounts = self
            .accounts
            .iter()
            .filter(|(_, account)| account.changed)
            .map(|(account_id, account)| (account_id, account.balance_mills));
        let sql = format!(
            "UPDATE account SET balance_mills = CAST(value->>1 AS BIGINT) \
             FROM {rows} WHERE account.account_id = value->>0"
        );
        execute_batches(conn, &sql, dialect.batches(accounts)?, None).await?;
        let entries = self.entries.iter().map(|entry| {
            (
                &entry.account_id,
                &entry.entry_id,
                entry.kind,
                entry.amount_mills,
                entry.psd_id,
            )
        });
        let sql = format!(
            "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) \
             SELECT value->>0, value->>1, value->>2, CAST(value->>3 AS BIGINT), CAST(value->>4 AS BIGINT), $2 FROM {rows}"
        );
        execute_batches(conn, &sql, dialect.batches(entries)?, Some(now_unix_ms)).await?;
        let payments = self.card_payments.iter().map(|payment| {
            let card = &payment.approval;
            (
                &card.charge_id,
                &payment.counter_id,
                &card.approval_code,
                card.brand.name(),
                &card.last4,
                card.amount.mills(),
            )
        });
        let sql = format!(
            "INSERT INTO card_payment (payment_id, counter_id, token, brand, last4, amount_mills, status, created_unix_ms) \
             SELECT value->>0, value->>1, value->>2, value->>3, value->>4, CAST(value->>5 AS BIGINT), 'captured', $2 FROM {rows}"
        );
        execute_batches(conn, &sql, dialect.batches(payments)?, Some(now_unix_ms)).await?;
        Ok(())
    }
}

/// The registers after one piece of `postage`: DR down, AR up, one more piece; `None` when
/// DR does not cover it.
fn debit(before: Registers, postage: Money) -> Option<Registers> {
    let descending = before.descending.checked_sub(postage)?;
    if descending.is_negative() {
        return None;
    }
    Some(Registers {
        ascending: before.ascending.checked_add(postage)?,
        descending,
        control_total: before.control_total,
        piece_count: before.piece_count.checked_add(1)?,
    })
}

/// The account's first unlocked PSD (of `psds`, in PSD order), or why it has none.
fn usable_psd(account_id: &str, psds: &[PsdRow]) -> Result<u32, VendorError> {
    let mut locked = None;
    for psd in psds.iter().filter(|psd| psd.account_id == account_id) {
        match &psd.locked_reason {
            None => return Ok(psd.psd_id),
            Some(reason) => locked = Some((psd.psd_id, reason)),
        }
    }
    Err(match locked {
        Some((psd_id, reason)) => VendorError::new(
            RefusalKind::PsdLocked,
            format!("PSD {psd_id} of account {account_id} is locked: {reason}"),
        ),
        None => VendorError::not_found(format!(
            "account {account_id} has no PSD; create one with `postcounter admin psd-create`"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debit_moves_postage_from_dr_to_ar_and_counts_the_piece() {
        let before = Registers {
            ascending: Money::from_mills(1_000),
            descending: Money::from_mills(2_000),
            control_total: Money::from_mills(3_000),
            piece_count: 4,
        };
        let after = debit(before, Money::from_mills(730)).expect("covered");
        assert_eq!(after.ascending.mills(), 1_730);
        assert_eq!(after.descending.mills(), 1_270);
        assert_eq!(after.control_total.mills(), 3_000);
        assert_eq!(after.piece_count, 5);
        assert_eq!(debit(before, Money::from_mills(2_001)), None);
        assert!(debit(before, Money::from_mills(2_000)).is_some());
    }
}
