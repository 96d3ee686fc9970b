//! A counter's embedded PSD retired and its descending register given back to the account,
//! in two phases. Authorizing marks the PSD retiring (no refill, no lease from then on) and
//! records the control total and the amount, once every piece it issued is reconciled;
//! confirming, with the PSD's own signature that its descending register is zero, credits
//! the account once and marks it retired. The value is in the PSD or in the account, never
//! in both.

use sqlx::AnyConnection;

use super::VendorStore;
use super::funds::balance;
use super::reconcile_funds::funded_and_reported;
use super::void_refill::{Answer, Begun, RequestContext, finish};
use crate::date::Date;
use crate::money::Money;
use crate::protocol::{WithdrawalConfirmed, WithdrawalResponse};
use crate::vendor_system::error::{RefusalKind, VendorError};

/// A withdrawal as the counter reported its PSD: what it holds and how many pieces.
pub struct WithdrawalAsked {
    pub psd_id: u32,
    pub control_total: Money,
    pub amount: Money,
    pub piece_count: u64,
}

/// The withdrawal recorded for an embedded PSD of this counter: status and amounts.
async fn recorded(
    conn: &mut AnyConnection,
    counter_id: &str,
    psd_id: u32,
) -> Result<(String, Option<i64>, Option<i64>), VendorError> {
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT status, withdrawal_control_total_mills, withdrawal_mills FROM embedded_psd WHERE psd_id = $1 AND counter_id = $2",
    )
    .bind(i64::from(psd_id))
    .bind(counter_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| {
        VendorError::forbidden(format!("PSD {psd_id} is not this counter's embedded PSD"))
    })
}

/// The registers the data centre holds the PSD to have, every piece reported: a control
/// total of every refill it authorized, and a descending register of that less the
/// reported postage. A withdrawal at other registers would give back what was never paid
/// in (or leave a refill the PSD has not credited yet behind).
async fn check_funded(
    conn: &mut AnyConnection,
    asked: &WithdrawalAsked,
) -> Result<(), VendorError> {
    let (funded, reported) = funded_and_reported(conn, asked.psd_id).await?;
    let held = Money::from_mills(funded.mills() - reported.mills());
    if asked.control_total != funded || asked.amount != held {
        return Err(VendorError::refused(format!(
            "PSD {} reports a control total of {} and a descending register of {}; the data centre funded {} and was reported {} of postage, so it holds {}: a refill not yet credited is credited first (postcounter psd reconcile)",
            asked.psd_id, asked.control_total, asked.amount, funded, reported, held
        )));
    }
    Ok(())
}

impl VendorStore {
    /// Phase one: marks the PSD retiring and records the withdrawal; `authorize` signs it.
    pub async fn authorize_withdrawal(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        asked: &WithdrawalAsked,
        authorize: impl FnOnce(&WithdrawalAsked) -> Result<Vec<u8>, VendorError>,
    ) -> Result<Answer, VendorError> {
        let mut tx = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, .. } => tx,
        };
        let (status, control_total, amount) =
            recorded(&mut tx, &context.counter_id, asked.psd_id).await?;
        let same = control_total == Some(asked.control_total.mills())
            && amount == Some(asked.amount.mills());
        match status.as_str() {
            "active" => {}
            "retiring" if same => {}
            "retiring" => {
                return Err(VendorError::new(
                    RefusalKind::Conflict,
                    format!(
                        "the withdrawal of PSD {} was authorized for other registers; the PSD must report them as they were",
                        asked.psd_id
                    ),
                ));
            }
            _ => {
                return Err(VendorError::refused(format!(
                    "embedded PSD {} is retired already",
                    asked.psd_id
                )));
            }
        }
        let reconciled: Option<i64> =
            sqlx::query_scalar("SELECT through_serial FROM counter_ledger WHERE counter_id = $1")
                .bind(&context.counter_id)
                .fetch_optional(&mut *tx)
                .await?;
        let pieces = i64::try_from(asked.piece_count).unwrap_or(i64::MAX);
        if reconciled.unwrap_or(0) != pieces {
            return Err(VendorError::refused(format!(
                "PSD {} has issued {pieces} pieces and {} are reconciled: report them first (postcounter psd reconcile)",
                asked.psd_id,
                reconciled.unwrap_or(0)
            )));
        }
        check_funded(&mut tx, asked).await?;
        sqlx::query(
            "UPDATE embedded_psd SET status = 'retiring', withdrawal_control_total_mills = $1, withdrawal_mills = $2 WHERE psd_id = $3",
        )
        .bind(asked.control_total.mills())
        .bind(asked.amount.mills())
        .bind(i64::from(asked.psd_id))
        .execute(&mut *tx)
        .await?;
        let response = WithdrawalResponse {
            psd_id: asked.psd_id,
            amount_mills: asked.amount.mills(),
            control_total_mills: asked.control_total.mills(),
            authorization: crate::hex::encode(&authorize(asked)?),
        };
        finish(tx, context, key, 200, &response).await
    }

    /// Phase two: the PSD confirmed (its signature checked by the caller); credits the
    /// account with what was withdrawn, once, retires the PSD and revokes its certificates
    /// for mail from `revoked_from` on.
    pub async fn confirm_withdrawal(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        confirmed: &WithdrawalAsked,
        revoked_from: Date,
    ) -> Result<Answer, VendorError> {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let (status, control_total, amount) =
            recorded(&mut tx, &context.counter_id, confirmed.psd_id).await?;
        let same = control_total == Some(confirmed.control_total.mills())
            && amount == Some(confirmed.amount.mills());
        if status != "retiring" || !same {
            return Err(VendorError::refused(format!(
                "PSD {} has no withdrawal of {} waiting for its confirmation ({status})",
                confirmed.psd_id, confirmed.amount
            )));
        }
        sqlx::query("UPDATE account SET balance_mills = balance_mills + $1 WHERE account_id = $2")
            .bind(confirmed.amount.mills())
            .bind(&account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, 'withdrawal', $3, $4, $5)",
        )
        .bind(&account_id)
        .bind(format!("withdrawal {}", confirmed.psd_id))
        .bind(confirmed.amount.mills())
        .bind(i64::from(confirmed.psd_id))
        .bind(context.now_unix_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE embedded_psd SET status = 'retired', withdrawn_mills = $1 WHERE psd_id = $2",
        )
        .bind(confirmed.amount.mills())
        .bind(i64::from(confirmed.psd_id))
        .execute(&mut *tx)
        .await?;
        // The retired PSD's keys stay on the counter's disk: what they sign for mail from
        // `revoked_from` on fails verification, once the next status list carries it.
        sqlx::query(
            "UPDATE psd_certificate SET revoked_from_day = $1, revoked_reason = 'PSD retired' WHERE psd_id = $2 AND revoked_from_day IS NULL",
        )
        .bind(i64::from(revoked_from.days_since_2000()))
        .bind(i64::from(confirmed.psd_id))
        .execute(&mut *tx)
        .await?;
        let response = WithdrawalConfirmed {
            psd_id: confirmed.psd_id,
            amount_mills: confirmed.amount.mills(),
            account_balance_mills: balance(&mut tx, &account_id).await?.mills(),
        };
        finish(tx, context, key, 200, &response).await
    }
}
