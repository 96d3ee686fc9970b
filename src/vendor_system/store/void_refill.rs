//! The value-moving requests other than purchases: voiding an unused indicium (its postage
//! goes back to the PSD's DR and control total, once, within the void window) and refilling
//! a PSD from the account's balance. Each is one write transaction that claims the
//! idempotency key and the nonce, moves the value and stores the answer before commit; and
//! the signed read of a PSD's registers, whose nonce is recorded the same way.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::{Any, Transaction};

use super::counters::active_account_id;
use super::funds::{Transfer, balance, credit_psd, move_to_psd};
use super::idempotency::{self, KeyClaim};
use super::psds::{PSD_COLUMNS, psd_row};
use super::{VendorStore, int};
use crate::clock::day_of_unix_ms;
use crate::money::Money;
use crate::protocol::{RefillResponse, RegistersResponse, VoidResponse};
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::validate;

/// Who asks, with the parts of the authenticated request the store checks.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub counter_id: String,
    /// A signed request's nonce, for the request's own transaction to record; `None` for a
    /// request in a session, whose replays the session refuses.
    pub nonce: Option<SignedNonce>,
    pub now_unix_ms: i64,
    /// Whether the request's body came sealed (see [`crate::protocol::sealing`]): card
    /// data is taken only so.
    pub sealed: bool,
}

/// A signature's nonce, kept until its timestamp can no longer pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedNonce {
    pub nonce: String,
    pub expires_unix_ms: i64,
}

/// A stored or fresh answer: HTTP status and JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status_code: u16,
    pub body: String,
}

pub(super) enum Begun {
    Replay(Answer),
    Fresh {
        tx: Transaction<'static, Any>,
        account_id: String,
    },
}

impl VendorStore {
    /// The first answer stored under `key` for this same request, with the retry's nonce
    /// recorded (a replay is refused); `None`, and nothing written, when there is none.
    /// For a retry the rules of today would refuse: a purchase answered before midnight and
    /// asked again after it still gets its first answer.
    pub async fn stored_answer(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
    ) -> Result<Option<Answer>, VendorError> {
        let mut tx = self.begin_write().await?;
        idempotency::admit(&mut tx, context).await?;
        active_account_id(&mut tx, &context.counter_id).await?;
        match idempotency::existing(&mut tx, &context.counter_id, key, request_sha256).await {
            Ok(Some(answer)) => {
                tx.commit().await?;
                Ok(Some(answer))
            }
            Err(error) if error.kind() == RefusalKind::Unavailable => Err(error),
            // No answer under the key, or another request's: nothing to give back.
            _ => Ok(None),
        }
    }

    /// Opens the write transaction of a keyed request: nonce, key, and an active counter.
    pub(super) async fn begin_keyed(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
    ) -> Result<Begun, VendorError> {
        let mut tx = self.begin_write().await?;
        let claim = idempotency::claim(
            &mut tx,
            &context.counter_id,
            key,
            request_sha256,
            context.now_unix_ms,
        )
        .await?;
        idempotency::admit(&mut tx, context).await?;
        // A revoked or locked counter gets nothing, not even an earlier answer.
        let account_id = active_account_id(&mut tx, &context.counter_id).await?;
        // Every request a counter is answered is a contact, reconciliations above all:
        // the administrator's counter list reads it.
        sqlx::query("UPDATE counter SET last_contact_unix_ms = $1 WHERE counter_id = $2")
            .bind(context.now_unix_ms)
            .bind(&context.counter_id)
            .execute(&mut *tx)
            .await?;
        if let KeyClaim::Replay(answer) = claim {
            tx.commit().await?;
            return Ok(Begun::Replay(answer));
        }
        Ok(Begun::Fresh { tx, account_id })
    }

    /// Voids piece `piece_serial` of PSD `psd_id` if it is the account's, unvoided, and
    /// issued within `window_days` (by the vendor's clock).
    pub async fn void_piece(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        psd_id: u32,
        piece_serial: u32,
        window_days: i32,
    ) -> Result<Answer, VendorError> {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let psd = owned_psd(&mut tx, psd_id, &account_id).await?;
        let row = sqlx::query("SELECT postage_mills, issued_unix_ms, voided_unix_ms FROM piece WHERE psd_id = $1 AND piece_serial = $2")
            .bind(i64::from(psd_id))
            .bind(i64::from(piece_serial))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| VendorError::not_found(format!("PSD {psd_id} has issued no piece {piece_serial}")))?;
        if sqlx::Row::try_get::<Option<i64>, _>(&row, "voided_unix_ms")?.is_some() {
            return Err(VendorError::refused(format!(
                "piece {piece_serial} of PSD {psd_id} is voided already"
            )));
        }
        let issued_on = day_of_unix_ms(int(&row, "issued_unix_ms")?);
        let today = day_of_unix_ms(context.now_unix_ms);
        let last_day = issued_on.add_days(window_days);
        if today > last_day {
            return Err(VendorError::refused(format!(
                "piece {piece_serial} was issued on {issued_on}; voids are accepted within {window_days} days, until {last_day} (today is {today})"
            )));
        }
        if let Some(reason) = psd.locked_reason {
            return Err(VendorError::new(
                RefusalKind::PsdLocked,
                format!("PSD {psd_id} is locked: {reason}"),
            ));
        }
        let postage = int(&row, "postage_mills")?;
        sqlx::query("UPDATE piece SET voided_unix_ms = $1 WHERE psd_id = $2 AND piece_serial = $3")
            .bind(context.now_unix_ms)
            .bind(i64::from(psd_id))
            .bind(i64::from(piece_serial))
            .execute(&mut *tx)
            .await?;
        credit_psd(&mut tx, psd_id, postage).await?;
        let registers = owned_psd(&mut tx, psd_id, &account_id).await?.view();
        let response = VoidResponse {
            psd_id,
            piece_serial,
            refunded_mills: postage,
            registers,
        };
        finish(tx, context, key, 200, &response).await
    }

    /// Moves `amount` from the account's balance into PSD `psd_id`.
    pub async fn refill_psd(
        &self,
        context: &RequestContext,
        key: &str,
        request_sha256: &[u8; 32],
        psd_id: u32,
        amount: Money,
    ) -> Result<Answer, VendorError> {
        validate::transfer_amount("refill", amount)?;
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        owned_psd(&mut tx, psd_id, &account_id).await?;
        let transfer = Transfer {
            account_id: &account_id,
            psd_id,
            amount_mills: amount.mills(),
            kind: "refill",
            entry_id: format!("refill {} {key}", context.counter_id),
            now_unix_ms: context.now_unix_ms,
        };
        if !move_to_psd(&mut tx, &transfer).await? {
            let balance = balance(&mut tx, &account_id).await?;
            return Err(VendorError::new(
                RefusalKind::InsufficientFunds,
                format!(
                    "insufficient funds: a refill of {amount} was asked, account {account_id} holds {balance}"
                ),
            ));
        }
        let registers = owned_psd(&mut tx, psd_id, &account_id).await?.view();
        let account_balance_mills = balance(&mut tx, &account_id).await?.mills();
        finish(
            tx,
            context,
            key,
            200,
            &RefillResponse {
                registers,
                account_balance_mills,
            },
        )
        .await
    }

    /// A PSD's registers and the account's balance, for a counter of that account (its
    /// nonce was admitted with every signed read's, see [`Self::admit_read`]).
    pub async fn read_registers(
        &self,
        context: &RequestContext,
        psd_id: u32,
    ) -> Result<RegistersResponse, VendorError> {
        let mut tx = self.begin_write().await?;
        let account_id = active_account_id(&mut tx, &context.counter_id).await?;
        let registers = owned_psd(&mut tx, psd_id, &account_id).await?.view();
        let account_balance_mills = balance(&mut tx, &account_id).await?.mills();
        tx.commit().await?;
        Ok(RegistersResponse {
            registers,
            account_balance_mills,
        })
    }
}

pub(super) async fn finish(
    mut tx: Transaction<'static, Any>,
    context: &RequestContext,
    key: &str,
    status_code: u16,
    response: &impl Serialize,
) -> Result<Answer, VendorError> {
    let body = serde_json::to_string(response).map_err(VendorError::storage)?;
    idempotency::finish(&mut tx, &context.counter_id, key, status_code, &body).await?;
    tx.commit().await?;
    Ok(Answer { status_code, body })
}

/// PSD `psd_id`, if it belongs to `account_id`; locked on PostgreSQL before the account is
/// touched, the order purchases take them in too, so the two do not deadlock over funds.
async fn owned_psd(
    conn: &mut AnyConnection,
    psd_id: u32,
    account_id: &str,
) -> Result<super::PsdRow, VendorError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PSD_COLUMNS} FROM psd WHERE psd_id = $1{}",
        super::Dialect::of(conn).for_update()
    )))
    .bind(i64::from(psd_id))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| VendorError::not_found(format!("no PSD {psd_id} at this vendor")))?;
    let psd = psd_row(&row)?;
    if psd.account_id != account_id {
        return Err(VendorError::forbidden(format!(
            "PSD {psd_id} is not of this counter's account"
        )));
    }
    Ok(psd)
}
