//! The lottery service: draw games sold at the stations as wagers the data centre records
//! before a ticket may print, numbered by a keyed scramble of their serial ([`ScrambleKey`],
//! kept in the data centre's key store), cancelled only where and when the rules allow, and
//! paid once at any station after the administrator entered the draws' results. The rules
//! are pure functions in [`rules`]; the store applies them under conditions on a wager's
//! status (see [`crate::vendor_system::store::lottery`]).

pub mod rules;

use std::path::Path;

use super::error::{RefusalKind, VendorError};
use super::service::{Vendor, digest, parse_body};
use super::store::VendorStore;
use super::store::lottery::NewWager;
use super::store::lottery_wagers::WagerChange;
use super::store::void_refill::{Answer, RequestContext};
use crate::keys::key_file::{Placement, write_file_atomically};
use crate::protocol::lottery::{
    CancellationResponse, ClaimResponse, GameOnSale, GamesResponse, LotteryTicket, TicketRequest,
    WagerRequest,
};
use crate::tickets::game::Game;
use crate::tickets::quick_pick::SystemRandom;
use crate::tickets::validation_number::{ScrambleKey, ValidationNumber};
use rules::{check_cancellation, plan_wager, ticket_draw, winnings};

/// The file in the data centre's key store that holds the validation numbers' key.
const SCRAMBLE_KEY_FILE: &str = "lottery-validation.key";

/// The validation numbers' key from `keys_dir`, made (32 random bytes, owner-only) the first
/// time; a second process racing to make it reads the first one's.
pub fn load_or_create_scramble_key(keys_dir: &Path) -> Result<ScrambleKey, VendorError> {
    let path = keys_dir.join(SCRAMBLE_KEY_FILE);
    if !path.exists() {
        let secret: [u8; 32] = rand::random();
        if let Err(error) = write_file_atomically(
            &path,
            crate::hex::encode(&secret).as_bytes(),
            0o600,
            Placement::Exclusive,
        ) && !path.exists()
        {
            return Err(VendorError::storage(error));
        }
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&path)
            .map_err(|e| VendorError::storage(format!("{}: {e}", path.display())))?
            .permissions(),
    );
    if mode & 0o077 != 0 {
        return Err(VendorError::new(
            RefusalKind::Unavailable,
            format!(
                "{}: readable by group or others (mode {:o}); the validation numbers' key must be owner-only: chmod 600 it",
                path.display(),
                mode & 0o777
            ),
        ));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| VendorError::storage(format!("{}: {e}", path.display())))?;
    let bytes = crate::hex::decode(text.trim())
        .ok_or_else(|| VendorError::storage(format!("{}: not hex", path.display())))?;
    let secret: [u8; 32] = bytes
        .try_into()
        .map_err(|_| VendorError::storage(format!("{}: not 32 bytes in hex", path.display())))?;
    Ok(ScrambleKey::new(&secret))
}

/// The validation number a station sent, checked before the store is asked.
fn checked_validation(request: &TicketRequest) -> Result<String, VendorError> {
    ValidationNumber::parse(&request.validation)
        .map(|number| number.digits())
        .map_err(|e| VendorError::bad_request(e.to_string()))
}

fn value_of<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, VendorError> {
    serde_json::to_value(value).map_err(VendorError::storage)
}

const TICKET_BODY: &str = "{\"validation\": \"123456789012345\"}";

impl Vendor {
    /// `GET /lottery/v1/games`: each game with the draws whose sales are open now.
    pub async fn lottery_games(
        &self,
        _context: RequestContext,
    ) -> Result<GamesResponse, VendorError> {
        let now_unix_ms = self.clock.now_unix_ms();
        let games = self.store.lottery_games().await?;
        Ok(GamesResponse {
            games: games
                .into_iter()
                .map(|game| GameOnSale {
                    open_draws: game
                        .schedule
                        .open_draws(now_unix_ms, usize::from(game.max_draws))
                        .iter()
                        .map(ticket_draw)
                        .collect(),
                    game,
                })
                .collect(),
        })
    }

    /// `POST /lottery/v1/wagers`: the wager recorded, its ticket answered.
    pub async fn wager(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: WagerRequest = parse_body(
            body,
            "a wager: {\"game\": \"pick3\", \"plays\": [{\"quick_pick\": true}], \"draws\": 1}",
        )?;
        let request_sha256 = digest("lottery-wager", body);
        let game = self
            .store
            .lottery_game(&request.game)
            .await?
            .ok_or_else(|| {
                VendorError::not_found(format!(
                    "there is no game {:?}: see GET /lottery/v1/games",
                    super::validate::shown(&request.game)
                ))
            })?;
        let planned = match plan_wager(
            &game,
            &request,
            context.now_unix_ms,
            &mut SystemRandom::default(),
        ) {
            Ok(planned) => planned,
            // A retry of a wager sold just before its cut-off gets its ticket, as a reprint.
            Err(refusal) => {
                return match self
                    .store
                    .stored_answer(&context, &key, &request_sha256)
                    .await?
                {
                    Some(answer) => self.as_reprint(answer).await,
                    None => Err(refusal),
                };
            }
        };
        let wager = NewWager {
            game: &game,
            plays: &planned.plays,
            draws: &planned.draws,
            price_mills: planned.price_mills,
        };
        let (answer, replayed) = self
            .store
            .record_wager(&context, (&key, &request_sha256), wager, &self.lottery_key)
            .await?;
        if !replayed {
            return Ok(answer);
        }
        self.as_reprint(answer).await
    }

    /// A wager's first answer given again: the station prints the ticket again, and no one
    /// can tell whether the first answer printed, so this print is counted and marked as a
    /// reprint.
    async fn as_reprint(&self, answer: Answer) -> Result<Answer, VendorError> {
        let mut ticket: LotteryTicket =
            serde_json::from_str(&answer.body).map_err(VendorError::storage)?;
        ticket.reprint = self.store.count_reprint(&ticket.validation).await?;
        Ok(Answer {
            status_code: answer.status_code,
            body: serde_json::to_string(&ticket).map_err(VendorError::storage)?,
        })
    }

    /// `POST /lottery/v1/cancellations`: a ticket cancelled at the station that sold it.
    pub async fn cancel_wager(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: TicketRequest = parse_body(body, TICKET_BODY)?;
        let validation = checked_validation(&request)?;
        let now_unix_ms = context.now_unix_ms;
        let counter_id = context.counter_id.clone();
        let sha = digest("lottery-cancel", body);
        self.store
            .change_wager(&context, (&key, &sha), &validation, |wager, _| {
                check_cancellation(wager, &counter_id, now_unix_ms)?;
                let mut ticket = wager.ticket(wager.reprints);
                ticket.status = "cancelled".into();
                let answer = value_of(&CancellationResponse {
                    ticket,
                    refund_mills: wager.price_mills,
                    cancelled_unix_ms: now_unix_ms,
                })?;
                Ok(WagerChange::Cancel { answer })
            })
            .await
    }

    /// `POST /lottery/v1/reprints`: the ticket again, marked with its reprint count, at the
    /// station that sold it.
    pub async fn reprint_wager(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: TicketRequest = parse_body(body, TICKET_BODY)?;
        let validation = checked_validation(&request)?;
        let counter_id = context.counter_id.clone();
        let sha = digest("lottery-reprint", body);
        self.store
            .change_wager(&context, (&key, &sha), &validation, |wager, _| {
                if wager.counter_id != counter_id {
                    return Err(VendorError::forbidden(
                        "a ticket is reprinted only at the station that sold it",
                    ));
                }
                if wager.status != "sold" {
                    return Err(VendorError::refused(format!(
                        "the ticket is {}: only a ticket on sale is reprinted",
                        wager.status
                    )));
                }
                Ok(WagerChange::Reprint)
            })
            .await
    }

    /// `POST /lottery/v1/claims`: a winning ticket paid, once, at any station.
    pub async fn claim_wager(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: TicketRequest = parse_body(body, TICKET_BODY)?;
        let validation = checked_validation(&request)?;
        let now_unix_ms = context.now_unix_ms;
        let counter_id = context.counter_id.clone();
        let sha = digest("lottery-claim", body);
        self.store
            .change_wager(&context, (&key, &sha), &validation, |wager, _| {
                let wins = winnings(wager)?;
                let prize_mills = wins.iter().map(|w| w.prize_mills).sum();
                let mut ticket = wager.ticket(wager.reprints);
                ticket.status = "paid".into();
                let answer = value_of(&ClaimResponse {
                    ticket,
                    prize_mills,
                    wins,
                    paid_unix_ms: now_unix_ms,
                    paid_by: counter_id,
                })?;
                Ok(WagerChange::Pay {
                    prize_mills,
                    answer,
                })
            })
            .await
    }

    /// `POST /lottery/v1/lookups`: a ticket as the data centre holds it.
    pub async fn lottery_ticket(
        &self,
        _context: RequestContext,
        body: &[u8],
    ) -> Result<LotteryTicket, VendorError> {
        let request: TicketRequest = parse_body(body, TICKET_BODY)?;
        let validation = checked_validation(&request)?;
        let wager = self
            .store
            .lottery_wager(&validation)
            .await?
            .ok_or_else(|| {
                VendorError::not_found(
                    "no ticket has this validation number: check it against the ticket",
                )
            })?;
        Ok(wager.ticket(wager.reprints))
    }
}

/// A draw's result entered by the administrator, and what it made of the draw's tickets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawReport {
    pub newly_entered: bool,
    pub tickets: usize,
    pub cancelled: usize,
    pub winning: usize,
    pub prizes_mills: i64,
}

/// Enters `numbers` as `game_id`'s result of the draw on `date`, after the draw's time by
/// the data centre's clock `now_unix_ms`; results are final.
pub async fn enter_draw_result(
    store: &VendorStore,
    game_id: &str,
    date: crate::date::Date,
    numbers: &[u8],
    now_unix_ms: i64,
) -> Result<DrawReport, VendorError> {
    let game: Game = store
        .lottery_game(game_id)
        .await?
        .ok_or_else(|| VendorError::not_found(format!("there is no game {game_id:?}")))?;
    let draw = game
        .schedule
        .draw_on(date)
        .ok_or_else(|| VendorError::bad_request(format!("{} has no draw on {date}", game.name)))?;
    if now_unix_ms < draw.draw_unix_ms {
        return Err(VendorError::new(
            RefusalKind::Refused,
            format!(
                "the {} draw of {date} is at {}: its result is entered after it",
                game.name,
                crate::clock::format_unix_ms(draw.draw_unix_ms)
            ),
        ));
    }
    let numbers = game
        .check_play(numbers)
        .map_err(|e| VendorError::bad_request(e.0))?;
    let newly_entered = store
        .enter_draw_result(game_id, &ticket_draw(&draw), &numbers, now_unix_ms)
        .await?;
    let wagers = store
        .wagers_in_draw(game_id, &draw.date.to_string())
        .await?;
    let mut report = DrawReport {
        newly_entered,
        tickets: wagers.len(),
        cancelled: 0,
        winning: 0,
        prizes_mills: 0,
    };
    for wager in &wagers {
        if wager.status == "cancelled" {
            report.cancelled += 1;
            continue;
        }
        let won: i64 = wager
            .plays
            .iter()
            .map(|p| game.prize_mills(&p.numbers, &numbers))
            .sum();
        if won > 0 {
            report.winning += 1;
            report.prizes_mills += won;
        }
    }
    Ok(report)
}
