//! The lottery service's bodies: the games on sale, a wager and the ticket it answers, and
//! the requests that name a ticket by its validation number (cancel, reprint, claim, look up).

use serde::{Deserialize, Serialize};

use crate::tickets::game::Game;

/// `GET /lottery/v1/games`: what sells now, each game with its next open draws.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GamesResponse {
    pub games: Vec<GameOnSale>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameOnSale {
    pub game: Game,
    /// The draws whose sales are open, soonest first (up to the game's `max_draws`).
    pub open_draws: Vec<TicketDraw>,
}

/// `POST /lottery/v1/wagers`: plays of one game for one or more consecutive draws.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WagerRequest {
    pub game: String,
    pub plays: Vec<PlayRequest>,
    /// How many consecutive draws, from the first.
    pub draws: u8,
    /// The first draw's local date (`YYYY-MM-DD`); absent, the next draw still on sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_draw: Option<String>,
}

/// One play: the customer's numbers, or a quick pick the data centre draws.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayRequest {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<u8>,
    #[serde(default)]
    pub quick_pick: bool,
}

/// A wager as the data centre recorded it: everything the ticket prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryTicket {
    /// Fifteen digits: the scrambled serial and its check digit.
    pub validation: String,
    pub game: String,
    pub game_name: String,
    pub plays: Vec<TicketPlay>,
    pub draws: Vec<TicketDraw>,
    pub price_mills: i64,
    /// The selling station (the terminal id).
    pub counter_id: String,
    /// The retailer: the account the station sells for.
    pub retailer: String,
    pub issued_unix_ms: i64,
    /// `sold`, `cancelled` or `paid`.
    pub status: String,
    /// 0 for the ticket as first printed; n for its n-th reprint.
    pub reprint: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPlay {
    pub numbers: Vec<u8>,
    pub quick_pick: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDraw {
    /// The draw's local date, `YYYY-MM-DD`.
    pub date: String,
    pub draw_unix_ms: i64,
    pub cutoff_unix_ms: i64,
}

/// `POST /lottery/v1/cancellations`, `/reprints` and `/claims`: the ticket, by its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub validation: String,
}

/// A cancelled wager: its price goes back to the customer, its record stays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationResponse {
    pub ticket: LotteryTicket,
    pub refund_mills: i64,
    pub cancelled_unix_ms: i64,
}

/// A winning ticket paid: what it won, draw by draw and play by play.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimResponse {
    pub ticket: LotteryTicket,
    pub prize_mills: i64,
    pub wins: Vec<Win>,
    pub paid_unix_ms: i64,
    /// The station that paid it.
    pub paid_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Win {
    pub draw: String,
    /// The play's place on the ticket, from 1.
    pub play: u8,
    pub prize_mills: i64,
}
