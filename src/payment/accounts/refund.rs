//! Giving money back to a postage account for voided pieces.
//!
//! A refund names the account charge it reverses and goes back to that charge's account;
//! the caller cannot choose where the money goes. Its id pins it to one charge and amount,
//! and the refunds of a charge never add up to more than the charge.

use super::{AccountEntry, EntryKind, PostageAccounts};
use crate::money::Money;
use crate::payment::error::{PaymentError, require_positive};
use crate::payment::gateway::check_id;
use crate::payment::refund::{Refund, check_refund_cap, replay_refund};

impl PostageAccounts {
    /// Refunds `amount` of the account charge `charge_id` to its account, once per
    /// `refund_id`. Refused (`RefundTooLarge`) when it would take the charge's refunds past
    /// the charge; a retry returns the first refund.
    pub async fn refund(
        &self,
        charge_id: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<Refund, PaymentError> {
        check_id("refund id", refund_id)?;
        require_positive("a refund", amount)?;
        let storage = |e: sqlx::Error| self.store.storage(e);
        let mut tx = self.store.begin_immediate().await?;
        let refunded_mills: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(amount_mills), 0) FROM account_entry \
             WHERE kind = 'refund' AND refunded_charge_id = ?",
        )
        .bind(charge_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(storage)?;
        let asked = Refund {
            refund_id: refund_id.to_string(),
            charge_id: charge_id.to_string(),
            amount,
            refunded_total: Money::from_mills(refunded_mills),
        };
        if let Some(first) = self.entry(&mut tx, "refund", refund_id).await? {
            let first_charge_id = first.refunded_charge_id.unwrap_or_default();
            return replay_refund(asked, &first_charge_id, first.amount);
        }
        let Some(charge) = self.entry(&mut tx, "charge", charge_id).await? else {
            return Err(PaymentError::UnknownCharge {
                charge_id: charge_id.to_string(),
            });
        };
        let refund = check_refund_cap(asked, charge.amount)?;
        let balance = self.balance_in(&mut tx, &charge.account).await?;
        let balance_after = balance.checked_add(amount).ok_or_else(|| {
            PaymentError::InvalidInput(format!("a refund of {amount} would overflow the balance"))
        })?;
        let entry = AccountEntry {
            kind: EntryKind::Refund,
            account: charge.account,
            id: refund_id.to_string(),
            refunded_charge_id: Some(charge_id.to_string()),
            amount,
            balance_after,
            created_unix_ms: self.store.clock().now_unix_ms(),
        };
        self.record(&mut tx, &entry).await?;
        tx.commit().await.map_err(storage)?;
        Ok(refund)
    }
}
