//! The lottery service's records: games, draws and their results, and the sale of a wager,
//! written with its validation number and its answer under the station's idempotency key in
//! one transaction before the station may print it. What happens to a wager after it is
//! sold (cancellation, reprint, payment) is [`super::lottery_wagers`].

use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::lottery_wagers::{StoredWager, masked, wager_by_validation};
use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{VendorStore, int, optional_text, text};
use crate::protocol::lottery::{LotteryTicket, TicketDraw, TicketPlay};
use crate::tickets::game::Game;
use crate::tickets::validation_number::ScrambleKey;
use crate::vendor_system::error::{RefusalKind, VendorError};

/// A wager to record: the game, its plays (quick picks drawn) and draws, and its price.
pub struct NewWager<'a> {
    pub game: &'a Game,
    pub plays: &'a [TicketPlay],
    pub draws: &'a [TicketDraw],
    pub price_mills: i64,
}

fn json_text<T: serde::Serialize>(value: &T) -> Result<String, VendorError> {
    serde_json::to_string(value).map_err(VendorError::storage)
}

pub(super) fn json_of<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<T, VendorError> {
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
            // Numbered in the sale's own transaction: a committed wager has its number.
            let validation = optional_text(row, "validation")?
                .ok_or_else(|| VendorError::storage("a sold wager has no validation number"))?;
            let wager = wager_by_validation(&mut conn, &validation, false)
                .await?
                .ok_or_else(|| VendorError::storage("a wager vanished"))?;
            wagers.push(wager);
        }
        Ok(wagers)
    }
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

pub(super) async fn draw_result(
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
