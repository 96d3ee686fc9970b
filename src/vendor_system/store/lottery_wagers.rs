//! A wager after it is sold: as the store holds it (with its draws' results and its
//! payment), and what a station's request does to it. A cancellation, a reprint or a payment
//! is applied under a condition on the wager's status, the wager locked while it is judged,
//! and the payment's row is keyed on the wager's serial, so two stations racing for the same
//! ticket cannot both succeed.

use sqlx::{Any, AnyConnection, Row, Transaction};

use super::lottery::{draw_result, json_of};
use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{Dialect, VendorStore, int, text};
use crate::protocol::lottery::{LotteryTicket, TicketDraw, TicketPlay};
use crate::tickets::game::Game;
use crate::vendor_system::error::{RefusalKind, VendorError};

/// A wager as the store holds it, with what its draws' results and its payment are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredWager {
    pub serial: u64,
    pub validation: String,
    pub game: Game,
    pub counter_id: String,
    pub account_id: String,
    pub plays: Vec<TicketPlay>,
    pub draws: Vec<TicketDraw>,
    pub price_mills: i64,
    pub issued_unix_ms: i64,
    pub status: String,
    pub reprints: u32,
    pub cancelled_unix_ms: Option<i64>,
    /// Each draw's winning numbers, in the order of `draws`, once entered.
    pub results: Vec<Option<Vec<u8>>>,
    pub claim: Option<StoredClaim>,
}

/// The payment of a winning wager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredClaim {
    pub counter_id: String,
    pub prize_mills: i64,
    pub paid_unix_ms: i64,
}

impl StoredWager {
    /// The ticket as printed, reprint `reprint`.
    pub fn ticket(&self, reprint: u32) -> LotteryTicket {
        LotteryTicket {
            validation: self.validation.clone(),
            game: self.game.game_id.clone(),
            game_name: self.game.name.clone(),
            plays: self.plays.clone(),
            draws: self.draws.clone(),
            price_mills: self.price_mills,
            counter_id: self.counter_id.clone(),
            retailer: self.account_id.clone(),
            issued_unix_ms: self.issued_unix_ms,
            status: self.status.clone(),
            reprint,
        }
    }
}

/// What a station's request does to a wager, as the service decided from the wager.
pub enum WagerChange {
    Cancel {
        answer: serde_json::Value,
    },
    /// A reprint: the answer is made once the new count is known.
    Reprint,
    Pay {
        prize_mills: i64,
        answer: serde_json::Value,
    },
}

impl VendorStore {
    /// The wager numbered `validation` (fifteen digits), with its results and payment.
    pub async fn lottery_wager(
        &self,
        validation: &str,
    ) -> Result<Option<StoredWager>, VendorError> {
        let mut conn = self.pool().acquire().await?;
        wager_by_validation(&mut conn, validation, false).await
    }

    /// Applies what `decide` makes of wager `validation` for the asking station, in one
    /// transaction with the station's key; the wager is locked while it is judged.
    pub async fn change_wager<D>(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        validation: &str,
        decide: D,
    ) -> Result<Answer, VendorError>
    where
        D: FnOnce(&StoredWager, &str) -> Result<WagerChange, VendorError>,
    {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let wager = wager_by_validation(&mut tx, validation, true)
            .await?
            .ok_or_else(|| unknown_ticket(validation))?;
        let serial = i64::try_from(wager.serial).map_err(VendorError::storage)?;
        match decide(&wager, &account_id)? {
            WagerChange::Cancel { answer } => {
                let changed = sqlx::query(
                    "UPDATE lottery_wager SET status = 'cancelled', cancelled_unix_ms = $1 WHERE serial = $2 AND status = 'sold'",
                )
                .bind(context.now_unix_ms)
                .bind(serial)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed != 1 {
                    return Err(changed_meanwhile());
                }
                finish(tx, context, key, 200, &answer).await
            }
            WagerChange::Reprint => {
                let row = sqlx::query(
                    "UPDATE lottery_wager SET reprints = reprints + 1 WHERE serial = $1 AND status = 'sold' RETURNING reprints",
                )
                .bind(serial)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(changed_meanwhile)?;
                let reprint =
                    u32::try_from(int(&row, "reprints")?).map_err(VendorError::storage)?;
                finish(tx, context, key, 200, &wager.ticket(reprint)).await
            }
            WagerChange::Pay {
                prize_mills,
                answer,
            } => {
                pay(
                    &mut tx,
                    context,
                    (serial, &account_id),
                    prize_mills,
                    validation,
                )
                .await?;
                finish(tx, context, key, 200, &answer).await
            }
        }
    }
}

/// Writes the payment of wager `serial`, or refuses a wager paid or cancelled meanwhile.
async fn pay(
    tx: &mut Transaction<'static, Any>,
    context: &RequestContext,
    (serial, account_id): (i64, &str),
    prize_mills: i64,
    validation: &str,
) -> Result<(), VendorError> {
    let inserted = sqlx::query(
        "INSERT INTO lottery_claim (serial, counter_id, account_id, prize_mills, paid_unix_ms) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (serial) DO NOTHING",
    )
    .bind(serial)
    .bind(&context.counter_id)
    .bind(account_id)
    .bind(prize_mills)
    .bind(context.now_unix_ms)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let claim = claim_of(tx, serial).await?.ok_or_else(changed_meanwhile)?;
        return Err(paid_already(validation, &claim));
    }
    let changed = sqlx::query(
        "UPDATE lottery_wager SET status = 'paid' WHERE serial = $1 AND status = 'sold'",
    )
    .bind(serial)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(changed_meanwhile());
    }
    Ok(())
}

/// The refusal of a second payment: when and where the first was made.
pub fn paid_already(validation: &str, claim: &StoredClaim) -> VendorError {
    VendorError::refused(format!(
        "ticket {} was paid already: {} at station {} on {}",
        masked(validation),
        crate::money::Money::from_mills(claim.prize_mills),
        claim.counter_id,
        crate::clock::format_unix_ms(claim.paid_unix_ms)
    ))
}

/// A validation number as messages show it: its last four digits.
pub fn masked(validation: &str) -> String {
    crate::tickets::validation_number::ValidationNumber::parse(validation)
        .map(|number| number.masked())
        .unwrap_or_else(|_| "(unreadable)".into())
}

fn unknown_ticket(validation: &str) -> VendorError {
    VendorError::not_found(format!(
        "no ticket has validation number {}: check it against the ticket",
        masked(validation)
    ))
}

fn changed_meanwhile() -> VendorError {
    VendorError::new(
        RefusalKind::Conflict,
        "the ticket changed while this request was judged; ask again",
    )
}

async fn claim_of(
    conn: &mut AnyConnection,
    serial: i64,
) -> Result<Option<StoredClaim>, VendorError> {
    let row = sqlx::query(
        "SELECT counter_id, prize_mills, paid_unix_ms FROM lottery_claim WHERE serial = $1",
    )
    .bind(serial)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(StoredClaim {
            counter_id: text(&row, "counter_id")?,
            prize_mills: int(&row, "prize_mills")?,
            paid_unix_ms: int(&row, "paid_unix_ms")?,
        })
    })
    .transpose()
}

pub(super) async fn wager_by_validation(
    conn: &mut AnyConnection,
    validation: &str,
    lock: bool,
) -> Result<Option<StoredWager>, VendorError> {
    // The wager's row only: the game's is read by every sale of the game.
    let lock = match (lock, Dialect::of(conn)) {
        (true, Dialect::Postgres) => " FOR UPDATE OF w",
        _ => "",
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT w.serial, w.validation, g.definition, w.counter_id, w.account_id, w.plays, w.draws, w.price_mills, \
         w.issued_unix_ms, w.status, w.reprints, w.cancelled_unix_ms \
         FROM lottery_wager w JOIN lottery_game g ON g.game_id = w.game_id WHERE w.validation = $1{lock}"
    )))
    .bind(validation)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let serial = int(&row, "serial")?;
    let game: Game = json_of(&row, "definition")?;
    let draws: Vec<TicketDraw> = json_of(&row, "draws")?;
    let mut results = Vec::with_capacity(draws.len());
    for draw in &draws {
        results.push(draw_result(conn, &game.game_id, &draw.date).await?);
    }
    Ok(Some(StoredWager {
        serial: u64::try_from(serial).map_err(VendorError::storage)?,
        validation: text(&row, "validation")?,
        counter_id: text(&row, "counter_id")?,
        account_id: text(&row, "account_id")?,
        plays: json_of(&row, "plays")?,
        price_mills: int(&row, "price_mills")?,
        issued_unix_ms: int(&row, "issued_unix_ms")?,
        status: text(&row, "status")?,
        reprints: u32::try_from(int(&row, "reprints")?).map_err(VendorError::storage)?,
        cancelled_unix_ms: row.try_get::<Option<i64>, _>("cancelled_unix_ms")?,
        claim: claim_of(conn, serial).await?,
        results,
        draws,
        game,
    }))
}
