//! The lottery's rules as pure functions of a game, a wager and the data centre's clock:
//! what a wager plays and costs, whether a ticket may be cancelled, and what it wins. The
//! store applies their verdicts under a condition on the wager's status.

use crate::clock::format_unix_ms;
use crate::date::Date;
use crate::money::Money;
use crate::protocol::lottery::{PlayRequest, TicketDraw, TicketPlay, WagerRequest, Win};
use crate::tickets::draw_schedule::Draw;
use crate::tickets::game::Game;
use crate::tickets::quick_pick::{RandomSource, quick_pick};
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::store::lottery_wagers::{StoredWager, masked, paid_already};

/// A wager checked against its game: its plays (quick picks drawn), draws and price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedWager {
    pub plays: Vec<TicketPlay>,
    pub draws: Vec<TicketDraw>,
    pub price_mills: i64,
}

pub fn ticket_draw(draw: &Draw) -> TicketDraw {
    TicketDraw {
        date: draw.date.to_string(),
        draw_unix_ms: draw.draw_unix_ms,
        cutoff_unix_ms: draw.cutoff_unix_ms,
    }
}

/// `request` as a wager of `game` at `now_unix_ms` (the data centre's clock), quick picks
/// drawn from `source`.
pub fn plan_wager(
    game: &Game,
    request: &WagerRequest,
    now_unix_ms: i64,
    source: &mut impl RandomSource,
) -> Result<PlannedWager, VendorError> {
    let plays_count = request.plays.len();
    if plays_count == 0 || plays_count > usize::from(game.max_plays) {
        return Err(VendorError::bad_request(format!(
            "{plays_count} plays are not accepted: {} takes 1 to {} plays per ticket",
            game.name, game.max_plays
        )));
    }
    if request.draws == 0 || request.draws > game.max_draws {
        return Err(VendorError::bad_request(format!(
            "{} draws are not accepted: {} takes 1 to {} consecutive draws",
            request.draws, game.name, game.max_draws
        )));
    }
    let plays = request
        .plays
        .iter()
        .map(|play| one_play(game, play, source))
        .collect::<Result<Vec<_>, _>>()?;
    let draws = draws_for(game, request, now_unix_ms)?;
    let price = Money::from_mills(game.price_per_play_mills)
        .checked_mul(i64::try_from(plays.len() * draws.len()).unwrap_or(i64::MAX))
        .ok_or_else(|| VendorError::bad_request("the wager's price overflows"))?;
    Ok(PlannedWager {
        plays,
        draws: draws.iter().map(ticket_draw).collect(),
        price_mills: price.mills(),
    })
}

fn one_play(
    game: &Game,
    play: &PlayRequest,
    source: &mut impl RandomSource,
) -> Result<TicketPlay, VendorError> {
    match (play.quick_pick, play.numbers.is_empty()) {
        (true, true) => {
            let numbers = quick_pick(game, source).map_err(|e| {
                VendorError::new(RefusalKind::Unavailable, format!("{e}; nothing was sold"))
            })?;
            Ok(TicketPlay {
                numbers,
                quick_pick: true,
            })
        }
        (false, false) => Ok(TicketPlay {
            numbers: game
                .check_play(&play.numbers)
                .map_err(|e| VendorError::bad_request(e.0))?,
            quick_pick: false,
        }),
        _ => Err(VendorError::bad_request(
            "a play has either numbers or quick_pick: true, not both and not neither",
        )),
    }
}

/// The draws a wager plays: from the one asked for (refused once its sales closed), or
/// from the next still on sale.
fn draws_for(
    game: &Game,
    request: &WagerRequest,
    now_unix_ms: i64,
) -> Result<Vec<Draw>, VendorError> {
    let count = usize::from(request.draws);
    let schedule = &game.schedule;
    let draws = match &request.first_draw {
        None => schedule.open_draws(now_unix_ms, count),
        Some(text) => {
            let date = Date::parse(text)
                .map_err(|e| VendorError::bad_request(format!("first_draw: {e}")))?;
            let first = schedule.draw_on(date).ok_or_else(|| {
                VendorError::bad_request(format!(
                    "{} does not draw on {date}: it draws on {:?} at {} {}",
                    game.name, schedule.days, schedule.time, schedule.time_zone
                ))
            })?;
            if first.cutoff_unix_ms <= now_unix_ms {
                return Err(VendorError::refused(format!(
                    "sales for the {} draw of {date} closed at {} (the data centre's clock); nothing was sold",
                    game.name,
                    format_unix_ms(first.cutoff_unix_ms)
                )));
            }
            schedule.draws_from(date, count)
        }
    };
    if draws.len() < count {
        return Err(VendorError::refused(format!(
            "{} has no {count} draws on sale ahead; nothing was sold",
            game.name
        )));
    }
    Ok(draws)
}

/// Whether `wager` may be cancelled by `counter_id` at `now_unix_ms`: at the station that
/// sold it, on the day it was sold (the game's local day), before its first draw's cut-off.
pub fn check_cancellation(
    wager: &StoredWager,
    counter_id: &str,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    let shown = masked(&wager.validation);
    match wager.status.as_str() {
        "sold" => {}
        "cancelled" => {
            return Err(VendorError::refused(format!(
                "ticket {shown} is cancelled already"
            )));
        }
        _ => {
            return Err(VendorError::refused(format!(
                "ticket {shown} is paid: it cannot be cancelled"
            )));
        }
    }
    if wager.counter_id != counter_id {
        return Err(VendorError::forbidden(format!(
            "ticket {shown} was sold at another station: a ticket is cancelled only where it was sold"
        )));
    }
    let schedule = &wager.game.schedule;
    let day = |unix_ms| {
        schedule.local_date(unix_ms).ok_or_else(|| {
            VendorError::storage(format!(
                "game {} names an unknown time zone {:?}",
                wager.game.game_id, schedule.time_zone
            ))
        })
    };
    let sold_on = day(wager.issued_unix_ms)?;
    if sold_on != day(now_unix_ms)? {
        return Err(VendorError::refused(format!(
            "ticket {shown} was sold on {sold_on}: a ticket is cancelled only on the day it was sold"
        )));
    }
    let cutoff = wager.draws.first().map_or(0, |d| d.cutoff_unix_ms);
    if now_unix_ms >= cutoff {
        return Err(VendorError::refused(format!(
            "ticket {shown} cannot be cancelled: sales for its first draw closed at {}",
            format_unix_ms(cutoff)
        )));
    }
    Ok(())
}

/// What `wager` wins, draw by draw and play by play, if it may be paid: not cancelled, not
/// paid, every draw drawn, and a prize.
pub fn winnings(wager: &StoredWager) -> Result<Vec<Win>, VendorError> {
    let shown = masked(&wager.validation);
    if let Some(claim) = &wager.claim {
        return Err(paid_already(&wager.validation, claim));
    }
    if wager.status == "cancelled" {
        return Err(VendorError::refused(format!(
            "ticket {shown} was cancelled on {}: a cancelled ticket wins nothing",
            wager
                .cancelled_unix_ms
                .map(format_unix_ms)
                .unwrap_or_default()
        )));
    }
    let pending: Vec<&str> = wager
        .draws
        .iter()
        .zip(&wager.results)
        .filter(|(_, result)| result.is_none())
        .map(|(draw, _)| draw.date.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(VendorError::refused(format!(
            "ticket {shown} plays draws not drawn yet ({}): it is paid after its last draw",
            pending.join(", ")
        )));
    }
    let mut wins = Vec::new();
    for (draw, result) in wager.draws.iter().zip(&wager.results) {
        let drawn = result.as_deref().unwrap_or_default();
        for (at, play) in wager.plays.iter().enumerate() {
            let prize_mills = wager.game.prize_mills(&play.numbers, drawn);
            if prize_mills > 0 {
                wins.push(Win {
                    draw: draw.date.clone(),
                    play: u8::try_from(at + 1).unwrap_or(u8::MAX),
                    prize_mills,
                });
            }
        }
    }
    if wins.is_empty() {
        return Err(VendorError::refused(format!(
            "ticket {shown} is not a winning ticket"
        )));
    }
    Ok(wins)
}
