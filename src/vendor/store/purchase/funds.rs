//! A purchase's funds: the account's PSD, its row lock, the top-up from the account when
//! DR is short (claim 11), the conditional debit of each piece, and a card payment turned
//! into funds of the account.

use sqlx::AnyConnection;

use super::{PurchaseJob, PurchaseRules};
use crate::money::Money;
use crate::payment::Approval;
use crate::psd::Registers;
use crate::vendor::error::{VendorError, VendorErrorKind};
use crate::vendor::store::funds::{Transfer, balance, move_to_psd};
use crate::vendor::store::psds::registers;
use crate::vendor::store::{id32, optional_text};

/// The account's first unlocked PSD.
pub(super) async fn usable_psd(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<(u32, u32), VendorError> {
    let rows = sqlx::query(
        "SELECT psd_id, certificate_serial, locked_reason FROM psd WHERE account_id = $1 ORDER BY psd_id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut locked = None;
    for row in &rows {
        match optional_text(row, "locked_reason")? {
            None => return Ok((id32(row, "psd_id")?, id32(row, "certificate_serial")?)),
            Some(reason) => locked = Some((id32(row, "psd_id")?, reason)),
        }
    }
    Err(match locked {
        Some((psd_id, reason)) => VendorError::new(
            VendorErrorKind::PsdLocked,
            format!("PSD {psd_id} of account {account_id} is locked: {reason}"),
        ),
        None => VendorError::not_found(format!(
            "account {account_id} has no PSD; create one with `postcounter admin psd create`"
        )),
    })
}

/// Takes the PSD's row lock with a no-op update (PostgreSQL; SQLite holds the write lock
/// already), so no other vendor process can spend its DR before this transaction ends.
/// Returns DR.
pub(super) async fn lock_psd(conn: &mut AnyConnection, psd_id: u32) -> Result<i64, VendorError> {
    Ok(sqlx::query_scalar(
        "UPDATE psd SET piece_count = piece_count WHERE psd_id = $1 RETURNING descending_mills",
    )
    .bind(i64::from(psd_id))
    .fetch_one(&mut *conn)
    .await?)
}

/// Moves funds from the account to the PSD when its DR is below `total` (claim 11): at
/// least the shortfall, and the configured step when the balance allows.
pub(super) async fn top_up_if_short(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    account_id: &str,
    psd_id: u32,
    descending: i64,
    total: Money,
    rules: &PurchaseRules,
) -> Result<Money, VendorError> {
    let shortfall = total.mills() - descending;
    if shortfall <= 0 {
        return Ok(Money::ZERO);
    }
    for amount_mills in [shortfall.max(rules.top_up_step.mills()), shortfall] {
        let transfer = Transfer {
            account_id,
            psd_id,
            amount_mills,
            kind: "top_up",
            entry_id: format!("top-up {} {}", job.counter_id, job.key),
            now_unix_ms: rules.now_unix_ms,
        };
        if move_to_psd(conn, &transfer).await? {
            return Ok(Money::from_mills(amount_mills));
        }
    }
    let balance = balance(conn, account_id).await?;
    Err(VendorError::new(
        VendorErrorKind::InsufficientFunds,
        format!(
            "insufficient funds: {total} needed, PSD {psd_id} holds {} and account {account_id} {balance}",
            Money::from_mills(descending),
        ),
    ))
}

/// One piece's debit: DR down, AR up, the piece count up, only if DR covers it.
pub(super) async fn debit(
    conn: &mut AnyConnection,
    psd_id: u32,
    postage: Money,
) -> Result<Registers, VendorError> {
    let row = sqlx::query(
        "UPDATE psd SET ascending_mills = ascending_mills + $1, descending_mills = descending_mills - $1, piece_count = piece_count + 1 \
         WHERE psd_id = $2 AND descending_mills >= $1 AND locked_reason IS NULL \
         RETURNING ascending_mills, descending_mills, control_total_mills, piece_count",
    )
    .bind(postage.mills())
    .bind(i64::from(psd_id))
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => registers(&row),
        // The top-up made DR cover the whole purchase inside this transaction, so only a
        // concurrent lock can get here.
        None => Err(VendorError::new(
            VendorErrorKind::PsdLocked,
            format!(
                "PSD {psd_id} could not be debited {postage}: it was locked or emptied meanwhile"
            ),
        )),
    }
}

/// A card payment approved for this purchase becomes funds of the account.
pub(super) async fn record_card_payment(
    conn: &mut AnyConnection,
    job: &PurchaseJob,
    account_id: &str,
    card: &Approval,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    sqlx::query(
        "INSERT INTO card_payment (payment_id, counter_id, token, brand, last4, amount_mills, status, created_unix_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, 'captured', $7)",
    )
    .bind(&card.charge_id)
    .bind(&job.counter_id)
    .bind(&card.approval_code)
    .bind(card.brand.name())
    .bind(&card.last4)
    .bind(card.amount.mills())
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_entry (account_id, entry_id, kind, amount_mills, psd_id, created_unix_ms) VALUES ($1, $2, 'card', $3, NULL, $4)",
    )
    .bind(account_id)
    .bind(&card.charge_id)
    .bind(card.amount.mills())
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE account SET balance_mills = balance_mills + $1 WHERE account_id = $2")
        .bind(card.amount.mills())
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
