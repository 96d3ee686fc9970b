//! The audit run at open: re-derive every balance and refund total from the entries.
//!
//! A balance column is a cache of its statement; if the two disagree (a bug, a hand edit,
//! a damaged file) nobody can say which is right, so the store refuses to open and says
//! what disagrees, rather than letting the counter spend from a wrong balance.

use super::PostageAccounts;
use crate::payment::error::PaymentError;

impl PostageAccounts {
    /// Checks that each account's balance equals its credits - charges + refunds and that
    /// no charge (account or card) has more refunded than it took.
    pub async fn audit(&self) -> Result<(), PaymentError> {
        let problems: Vec<String> = sqlx::query_scalar(
            "SELECT 'account ' || account_number || ' holds ' || balance_mills \
                 || ' mills but its entries add up to ' || derived_mills \
             FROM (SELECT a.account_number, a.balance_mills, \
                     (SELECT COALESCE(SUM(CASE e.kind WHEN 'charge' THEN -e.amount_mills \
                         ELSE e.amount_mills END), 0) \
                      FROM account_entry e WHERE e.account_number = a.account_number) AS derived_mills \
                   FROM account a) \
             WHERE balance_mills != derived_mills \
             UNION ALL \
             SELECT 'account charge ' || c.entry_id || ' has more refunded than charged' \
             FROM account_entry c WHERE c.kind = 'charge' AND c.amount_mills < \
                 (SELECT COALESCE(SUM(r.amount_mills), 0) FROM account_entry r \
                  WHERE r.kind = 'refund' AND r.refunded_charge_id = c.entry_id) \
             UNION ALL \
             SELECT 'card charge ' || c.charge_id || ' has more refunded than charged' \
             FROM card_charge c WHERE c.amount_mills < \
                 (SELECT COALESCE(SUM(r.amount_mills), 0) FROM card_refund r \
                  WHERE r.charge_id = c.charge_id)",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(|e| self.store.storage(e))?;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PaymentError::Inconsistent {
                path: self.store.path().to_string(),
                problems: problems.join("; "),
            })
        }
    }
}
