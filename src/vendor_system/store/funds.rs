//! Moving funds between an account and its PSD: the one mechanism behind a counter's refill
//! and the automatic top-up of a purchase (claim 11). The account's balance is taken with a
//! conditional `UPDATE` (it never goes negative, on either engine), the PSD's DR and control
//! total rise by the same amount, and an account entry records the movement, all in the
//! caller's transaction.

use sqlx::AnyConnection;

use crate::money::Money;
use crate::vendor_system::error::VendorError;

/// One movement of funds from an account into a PSD.
pub(super) struct Transfer<'a> {
    pub account_id: &'a str,
    pub psd_id: u32,
    pub amount_mills: i64,
    /// `refill` or `top_up`, as the account entry records it.
    pub kind: &'static str,
    pub entry_id: String,
    pub now_unix_ms: i64,
}

/// Makes `transfer` if the account's balance covers it; false (and nothing written) if not.
pub(super) async fn move_to_psd(
    conn: &mut AnyConnection,
    transfer: &Transfer<'_>,
) -> Result<bool, VendorError> {
    let taken = sqlx::query(
        "UPDATE account SET balance_mills = balance_mills - $1 WHERE account_id = $2 AND balance_mills >= $1",
    )
    .bind(transfer.amount_mills)
    .bind(transfer.account_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken == 0 {
        return Ok(false);
    }
    credit_psd(conn, transfer.psd_id, transfer.amount_mills).await?;
    sqlx::query(
        "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(transfer.account_id)
    .bind(&transfer.entry_id)
    .bind(transfer.kind)
    .bind(-transfer.amount_mills)
    .bind(i64::from(transfer.psd_id))
    .bind(transfer.now_unix_ms)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// DR and the control total up by `amount_mills` (a transfer in, or a voided piece's postage).
pub(super) async fn credit_psd(
    conn: &mut AnyConnection,
    psd_id: u32,
    amount_mills: i64,
) -> Result<(), VendorError> {
    sqlx::query(
        "UPDATE psd SET descending_mills = descending_mills + $1, control_total_mills = control_total_mills + $1 WHERE psd_id = $2",
    )
    .bind(amount_mills)
    .bind(i64::from(psd_id))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn balance(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Money, VendorError> {
    let balance: i64 =
        sqlx::query_scalar("SELECT balance_mills FROM account WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Money::from_mills(balance))
}
