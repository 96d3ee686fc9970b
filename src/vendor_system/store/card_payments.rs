//! Card payments a counter takes through the data centre (claim 6), kept with the account
//! they pay into: an approved charge is credited to the counter's account in the same
//! transaction that stores the answer, and a refund of what was not issued is debited from
//! it and recorded before the gateway is asked, so a crash between the two leaves a refund
//! to send again, never money made or lost.

use sqlx::{AnyConnection, Row};

use super::VendorStore;
use super::funds::balance;
use super::void_refill::{Answer, Begun, RequestContext, finish};
use crate::money::Money;
use crate::payment::Approval;
use crate::protocol::{CardPaymentResponse, CardRefundResponse};
use crate::vendor_system::error::{RefusalKind, VendorError};

/// A refund recorded and not yet confirmed by the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundToSend {
    pub refund_key: String,
    pub payment_id: String,
    pub amount: Money,
}

/// A counter's charge or refund id, checked unused before it is recorded: a unique key
/// the store would otherwise refuse as a failure, not as the conflict it is.
struct UsedId<'a> {
    table: UsedTable,
    /// The id as stored.
    id: &'a str,
    /// The id as the counter gave it.
    shown: &'a str,
}

enum UsedTable {
    Charge,
    Refund,
}

impl UsedId<'_> {
    async fn refuse_if_used(&self, conn: &mut AnyConnection) -> Result<(), VendorError> {
        let (sql, what) = match self.table {
            UsedTable::Charge => (
                "SELECT amount_mills FROM card_payment WHERE payment_id = $1",
                "charge",
            ),
            UsedTable::Refund => (
                "SELECT amount_mills FROM card_refund WHERE refund_key = $1",
                "refund",
            ),
        };
        let used: Option<i64> = sqlx::query_scalar(sql)
            .bind(self.id)
            .fetch_optional(&mut *conn)
            .await?;
        match used {
            None => Ok(()),
            Some(used_mills) => Err(VendorError::new(
                RefusalKind::Conflict,
                format!(
                    "{what} id {:?} was used before, for a {what} of {}; a new {what} takes a new id",
                    self.shown,
                    Money::from_mills(used_mills)
                ),
            )),
        }
    }
}

impl VendorStore {
    /// Records the approved charge `approval` for the request's counter under `key`: the
    /// payment kept (token, brand, last 4), its amount credited to the counter's account.
    pub async fn record_card_payment(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        counter_charge_id: &str,
        approval: &Approval,
    ) -> Result<Answer, VendorError> {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        // The gateway charged the id once; under another request it credits nothing again.
        let used = UsedId {
            table: UsedTable::Charge,
            id: &approval.charge_id,
            shown: counter_charge_id,
        };
        used.refuse_if_used(&mut tx).await?;
        sqlx::query(
            "INSERT INTO card_payment (payment_id, counter_id, token, brand, last4, amount_mills, status, created_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 'captured', $7)",
        )
        .bind(&approval.charge_id)
        .bind(&context.counter_id)
        .bind(&approval.approval_code)
        .bind(approval.brand.name())
        .bind(&approval.last4)
        .bind(approval.amount.mills())
        .bind(context.now_unix_ms)
        .execute(&mut *tx)
        .await?;
        move_balance(
            &mut tx,
            &account_id,
            &approval.charge_id,
            "card",
            approval.amount.mills(),
            context.now_unix_ms,
        )
        .await?;
        let response = CardPaymentResponse {
            charge_id: counter_charge_id.to_string(),
            brand: approval.brand.name().to_string(),
            last4: approval.last4.clone(),
            approval_code: approval.approval_code.clone(),
            amount_mills: approval.amount.mills(),
            account_balance_mills: balance(&mut tx, &account_id).await?.mills(),
        };
        finish(tx, context, key, 200, &response).await
    }

    /// Records a refund of `amount` of the counter's payment `payment_id` under `key`: at
    /// most what is left of the payment, debited from the account (which must hold it), to
    /// be sent to the gateway by [`VendorStore::card_refunds_to_send`].
    #[allow(clippy::too_many_arguments)]
    pub async fn record_card_refund(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        counter_charge_id: &str,
        payment_id: &str,
        refund: (&str, &str),
        amount: Money,
    ) -> Result<Answer, VendorError> {
        let (counter_refund_id, refund_key) = refund;
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let payment = sqlx::query(
            "SELECT amount_mills FROM card_payment WHERE payment_id = $1 AND counter_id = $2",
        )
        .bind(payment_id)
        .bind(&context.counter_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            VendorError::not_found(format!(
                "this counter has no card payment {counter_charge_id:?} at the data centre"
            ))
        })?;
        let paid: i64 = payment.try_get("amount_mills")?;
        let used = UsedId {
            table: UsedTable::Refund,
            id: refund_key,
            shown: counter_refund_id,
        };
        used.refuse_if_used(&mut tx).await?;
        let refunded: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(amount_mills) AS BIGINT) FROM card_refund WHERE payment_id = $1",
        )
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
        let refunded = refunded.unwrap_or(0);
        if refunded + amount.mills() > paid {
            return Err(VendorError::new(
                RefusalKind::Conflict,
                format!(
                    "a refund of {amount} would bring the refunds of card payment {counter_charge_id:?} to {}, more than its {}",
                    Money::from_mills(refunded + amount.mills()),
                    Money::from_mills(paid)
                ),
            ));
        }
        let held = balance(&mut tx, &account_id).await?;
        if held < amount {
            return Err(VendorError::new(
                RefusalKind::InsufficientFunds,
                format!(
                    "insufficient funds: a refund of {amount} was asked, account {account_id} holds {held}"
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO card_refund (refund_key, payment_id, amount_mills, status, created_unix_ms) VALUES ($1, $2, $3, 'recorded', $4)",
        )
        .bind(refund_key)
        .bind(payment_id)
        .bind(amount.mills())
        .bind(context.now_unix_ms)
        .execute(&mut *tx)
        .await?;
        move_balance(
            &mut tx,
            &account_id,
            refund_key,
            "card_refund",
            -amount.mills(),
            context.now_unix_ms,
        )
        .await?;
        let response = CardRefundResponse {
            charge_id: counter_charge_id.to_string(),
            refund_id: counter_refund_id.to_string(),
            amount_mills: amount.mills(),
            refunded_total_mills: refunded + amount.mills(),
            account_balance_mills: balance(&mut tx, &account_id).await?.mills(),
        };
        finish(tx, context, key, 200, &response).await
    }

    /// Refunds recorded and not yet confirmed by the gateway, oldest first.
    pub async fn card_refunds_to_send(&self) -> Result<Vec<RefundToSend>, VendorError> {
        let rows = sqlx::query(
            "SELECT refund_key, payment_id, amount_mills FROM card_refund WHERE status = 'recorded' ORDER BY created_unix_ms, refund_key",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RefundToSend {
                    refund_key: row.try_get("refund_key")?,
                    payment_id: row.try_get("payment_id")?,
                    amount: Money::from_mills(row.try_get("amount_mills")?),
                })
            })
            .collect()
    }

    pub async fn mark_card_refunded(&self, refund_key: &str) -> Result<(), VendorError> {
        sqlx::query("UPDATE card_refund SET status = 'refunded' WHERE refund_key = $1")
            .bind(refund_key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Moves `amount_mills` into (or, negative, out of) the account, with its statement entry.
async fn move_balance(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    entry_id: &str,
    kind: &str,
    amount_mills: i64,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    sqlx::query("UPDATE account SET balance_mills = balance_mills + $1 WHERE account_id = $2")
        .bind(amount_mills)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(account_id)
    .bind(entry_id)
    .bind(kind)
    .bind(amount_mills)
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
