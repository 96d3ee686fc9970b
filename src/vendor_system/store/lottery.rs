//! The lottery service's records: games, draws and their results, wagers and the one
//! payment of each winning wager. A wager is written, with its validation number and its
//! answer under the station's idempotency key, in one transaction before the station may
//! print it; a cancellation, a reprint or a payment changes it under a condition on its
//! status, so two stations racing for the same ticket cannot both succeed, and the payment's
//! row is keyed on the wager's serial, so it is written once whatever the concurrency.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{Dialect, VendorStore, int, optional_text, text};
use crate::protocol::lottery::{LotteryTicket, TicketDraw, TicketPlay};
use crate::tickets::game::Game;
use crate::tickets::validation_number::ScrambleKey;
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

/// A wager to record: the game, its plays (quick picks drawn) and draws, and its price.
pub struct NewWager<'a> {
    pub game: &'a Game,
    pub plays: &'a [TicketPlay],
    pub draws: &'a [TicketDraw],
    pub price_mills: i64,
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

fn json_text<T: serde::Serialize>(value: &T) -> Result<String, VendorError> {
    serde_json::to_string(value).map_err(VendorError::storage)
}

fn json_of<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, VendorError> {
    serde_json::from_str(&text(row, column)?)
        .map_err(|e| VendorError::storage(format!("lottery column {column}: {e}")))
}

impl VendorStore {
    /// Adds `game`; the same definition again is accepted, another under the same id is
    /// refused (tickets sold under a game keep its rules). True when it was new.
    pub async fn put_lottery_game(
        &self,
        game: &Game,
        now_unix_ms: i64,
    ) -> Result<bool, VendorError> {
        let definition = json_text(game)?;
        let inserted = sqlx::query(
            "INSERT INTO lottery_game (game_id, definition, created_unix_ms) VALUES ($1, $2, $3) ON CONFLICT (game_id) DO NOTHING",
        )
        .bind(&game.game_id)
        .bind(&definition)
        .bind(now_unix_ms)
        .execute(self.pool())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(true);
        }
        match self.lottery_game(&game.game_id).await? {
            Some(existing) if existing == *game => Ok(false),
            _ => Err(VendorError::new(
                RefusalKind::Conflict,
                format!(
                    "game {:?} exists with another definition: tickets sold keep its rules, so give the new definition another id",
                    game.game_id
                ),
            )),
        }
    }

    pub async fn lottery_game(&self, game_id: &str) -> Result<Option<Game>, VendorError> {
        let row = sqlx::query("SELECT definition FROM lottery_game WHERE game_id = $1")
            .bind(game_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| json_of(&row, "definition")).transpose()
    }

    pub async fn lottery_games(&self) -> Result<Vec<Game>, VendorError> {
        let rows = sqlx::query("SELECT definition FROM lottery_game ORDER BY game_id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| json_of(row, "definition")).collect()
    }

    /// Records `wager` for the asking station and answers its ticket, numbered under
    /// `scramble`: one transaction with the station's key, so a retry gets the same ticket
    /// (and is told it is one: true beside the answer).
    pub async fn record_wager(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        wager: NewWager<'_>,
        scramble: &ScrambleKey,
    ) -> Result<(Answer, bool), VendorError> {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok((answer, true)),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let game_id = &wager.game.game_id;
        for draw in wager.draws {
            open_draw(&mut tx, game_id, draw).await?;
        }
        let cutoff_unix_ms = wager.draws.first().map_or(0, |d| d.cutoff_unix_ms);
        let row = sqlx::query(
            "INSERT INTO lottery_wager (game_id, counter_id, account_id, plays, draws, price_mills, issued_unix_ms, cutoff_unix_ms, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sold') RETURNING serial",
        )
        .bind(game_id)
        .bind(&context.counter_id)
        .bind(&account_id)
        .bind(json_text(&wager.plays)?)
        .bind(json_text(&wager.draws)?)
        .bind(wager.price_mills)
        .bind(context.now_unix_ms)
        .bind(cutoff_unix_ms)
        .fetch_one(&mut *tx)
        .await?;
        let serial = u64::try_from(int(&row, "serial")?).map_err(VendorError::storage)?;
        let validation = scramble
            .validation_number(serial)
            .map_err(VendorError::storage)?
            .digits();
        sqlx::query("UPDATE lottery_wager SET validation = $1 WHERE serial = $2")
            .bind(&validation)
            .bind(i64::try_from(serial).map_err(VendorError::storage)?)
            .execute(&mut *tx)
            .await?;
        for draw in wager.draws {
            sqlx::query(
                "INSERT INTO lottery_wager_draw (game_id, draw_date, serial) VALUES ($1, $2, $3)",
            )
            .bind(game_id)
            .bind(&draw.date)
            .bind(i64::try_from(serial).map_err(VendorError::storage)?)
            .execute(&mut *tx)
            .await?;
        }
        let ticket = LotteryTicket {
            validation,
            game: game_id.clone(),
            game_name: wager.game.name.clone(),
            plays: wager.plays.to_vec(),
            draws: wager.draws.to_vec(),
            price_mills: wager.price_mills,
            counter_id: context.counter_id.clone(),
            retailer: account_id,
            issued_unix_ms: context.now_unix_ms,
            status: "sold".into(),
            reprint: 0,
        };
        Ok((finish(tx, context, key, 200, &ticket).await?, false))
    }

    /// Counts one more print of wager `validation`, which must still be on sale; its new
    /// reprint count.
    pub async fn count_reprint(&self, validation: &str) -> Result<u32, VendorError> {
        let row = sqlx::query(
            "UPDATE lottery_wager SET reprints = reprints + 1 WHERE validation = $1 AND status = 'sold' RETURNING reprints",
        )
        .bind(validation)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| {
            VendorError::refused(format!(
                "ticket {} is no longer on sale (cancelled or paid): it is not printed again",
                masked(validation)
            ))
        })?;
        u32::try_from(int(&row, "reprints")?).map_err(VendorError::storage)
    }

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

    /// Enters `numbers` as the result of `game_id`'s draw on `draw`, once: the same result
    /// again is accepted, another is refused (results are final). The draw row is made if no
    /// ticket named it. False when the same result was there already.
    pub async fn enter_draw_result(
        &self,
        game_id: &str,
        draw: &TicketDraw,
        numbers: &[u8],
        now_unix_ms: i64,
    ) -> Result<bool, VendorError> {
        let mut tx = self.begin_write().await?;
        open_draw(&mut tx, game_id, draw).await?;
        let entered = numbers_text(numbers);
        let changed = sqlx::query(
            "UPDATE lottery_draw SET winning_numbers = $1, entered_unix_ms = $2 \
             WHERE game_id = $3 AND draw_date = $4 AND winning_numbers IS NULL",
        )
        .bind(&entered)
        .bind(now_unix_ms)
        .bind(game_id)
        .bind(&draw.date)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            let existing = draw_result(&mut tx, game_id, &draw.date).await?;
            if existing.as_deref() != Some(numbers) {
                return Err(VendorError::new(
                    RefusalKind::Conflict,
                    format!(
                        "the {game_id} draw of {} has its result already ({}): results are final",
                        draw.date,
                        existing.map(|n| numbers_text(&n)).unwrap_or_default()
                    ),
                ));
            }
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The wagers that play in `game_id`'s draw on `date`.
    pub async fn wagers_in_draw(
        &self,
        game_id: &str,
        date: &str,
    ) -> Result<Vec<StoredWager>, VendorError> {
        let rows = sqlx::query(
            "SELECT w.validation FROM lottery_wager_draw d JOIN lottery_wager w ON w.serial = d.serial \
             WHERE d.game_id = $1 AND d.draw_date = $2 ORDER BY w.serial",
        )
            .bind(game_id)
            .bind(date)
            .fetch_all(self.pool())
            .await?;
        let mut conn = self.pool().acquire().await?;
        let mut wagers = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(validation) = optional_text(row, "validation")?
                && let Some(wager) = wager_by_validation(&mut conn, &validation, false).await?
            {
                wagers.push(wager);
            }
        }
        Ok(wagers)
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

fn numbers_text(numbers: &[u8]) -> String {
    numbers
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn numbers_of(text: &str) -> Result<Vec<u8>, VendorError> {
    text.split(',')
        .map(|n| n.parse().map_err(VendorError::storage))
        .collect()
}

/// Makes the draw's row if no wager or result made it before.
async fn open_draw(
    conn: &mut AnyConnection,
    game_id: &str,
    draw: &TicketDraw,
) -> Result<(), VendorError> {
    sqlx::query(
        "INSERT INTO lottery_draw (game_id, draw_date, draw_unix_ms, cutoff_unix_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (game_id, draw_date) DO NOTHING",
    )
    .bind(game_id)
    .bind(&draw.date)
    .bind(draw.draw_unix_ms)
    .bind(draw.cutoff_unix_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn draw_result(
    conn: &mut AnyConnection,
    game_id: &str,
    date: &str,
) -> Result<Option<Vec<u8>>, VendorError> {
    let row = sqlx::query(
        "SELECT winning_numbers FROM lottery_draw WHERE game_id = $1 AND draw_date = $2",
    )
    .bind(game_id)
    .bind(date)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => optional_text(&row, "winning_numbers")?
            .map(|t| numbers_of(&t))
            .transpose(),
        None => Ok(None),
    }
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

async fn wager_by_validation(
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
