//! The lottery's documents from what the data centre answered: the ticket, the cancellation
//! slip and the prize receipt, with times in the station's zone. `postcounter lottery` and
//! the counter's Tickets screen share them.

use crate::local_time::LocalTime;
use crate::money::Money;
use crate::print::lottery_ticket::{SlipContent, TicketContent};
use crate::protocol::lottery::{CancellationResponse, ClaimResponse, LotteryTicket};
use crate::tickets::game::Game;
use crate::tickets::validation_number::ValidationNumber;

/// The receipt's header lines, and the zone the station prints its own times in.
pub struct Letterhead<'a> {
    pub header_lines: &'a [String],
    pub time_zone: &'a LocalTime,
}

/// A play's numbers as printed: two digits each above 9, spaced.
pub fn numbers_text(numbers: &[u8], highest: u8) -> String {
    let width = if highest > 9 { 2 } else { 1 };
    numbers
        .iter()
        .map(|n| format!("{n:0width$}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The validation number as printed on the ticket, or the digits as sent when they do not
/// check (the data centre's answer is printed as it came; the reader finds the fault).
fn grouped(validation: &str) -> String {
    ValidationNumber::parse(validation).map_or_else(|_| validation.to_string(), |n| n.grouped())
}

/// The validation number as a slip or screen shows it: its last four digits.
pub fn masked(validation: &str) -> String {
    ValidationNumber::parse(validation).map_or_else(|_| "(unreadable)".into(), |n| n.masked())
}

/// The ticket's content; its draws in `game`'s time zone (the draw's date is the game's).
pub fn ticket_content(
    ticket: &LotteryTicket,
    game: &Game,
    letterhead: &Letterhead,
) -> Result<TicketContent, crate::local_time::TimeZoneError> {
    let zone = letterhead.time_zone;
    let game_zone = LocalTime::from_setting(&game.schedule.time_zone)?;
    let highest = game.highest;
    let plays = ticket.plays.len().max(1) * ticket.draws.len().max(1);
    Ok(TicketContent {
        header_lines: letterhead.header_lines.to_vec(),
        game_name: ticket.game_name.clone(),
        reprint: ticket.reprint,
        plays: ticket
            .plays
            .iter()
            .map(|p| (numbers_text(&p.numbers, highest), p.quick_pick))
            .collect(),
        draws: ticket
            .draws
            .iter()
            .map(|d| game_zone.date_time_text(d.draw_unix_ms))
            .collect(),
        price_per_play: Money::from_mills(ticket.price_mills / i64::try_from(plays).unwrap_or(1)),
        total: Money::from_mills(ticket.price_mills),
        issued_at: zone.date_time_text(ticket.issued_unix_ms),
        terminal: ticket.counter_id.clone(),
        retailer: ticket.retailer.clone(),
        validation_grouped: grouped(&ticket.validation),
        validation_digits: ticket.validation.clone(),
        // The receipt's footer speaks of postage: a ticket carries its own.
        footer_lines: vec!["Prizes are paid at any station after the draw.".into()],
    })
}

pub fn cancellation_slip(answer: &CancellationResponse, letterhead: &Letterhead) -> SlipContent {
    SlipContent {
        header_lines: letterhead.header_lines.to_vec(),
        title: "CANCELLED - REFUND".into(),
        game_name: answer.ticket.game_name.clone(),
        validation_shown: masked(&answer.ticket.validation),
        lines: Vec::new(),
        amount_label: "REFUND".into(),
        amount: Money::from_mills(answer.refund_mills),
        at: letterhead
            .time_zone
            .date_time_text(answer.cancelled_unix_ms),
        terminal: answer.ticket.counter_id.clone(),
    }
}

pub fn prize_receipt(answer: &ClaimResponse, letterhead: &Letterhead) -> SlipContent {
    SlipContent {
        header_lines: letterhead.header_lines.to_vec(),
        title: "PRIZE PAID".into(),
        game_name: answer.ticket.game_name.clone(),
        validation_shown: grouped(&answer.ticket.validation),
        lines: answer
            .wins
            .iter()
            .map(|win| {
                let letter = char::from(b'A' + win.play.saturating_sub(1).min(25));
                (
                    format!("{} PLAY {letter}", win.draw),
                    Money::from_mills(win.prize_mills),
                )
            })
            .collect(),
        amount_label: "PRIZE".into(),
        amount: Money::from_mills(answer.prize_mills),
        at: letterhead.time_zone.date_time_text(answer.paid_unix_ms),
        terminal: answer.paid_by.clone(),
    }
}

/// What `wager` costs in `game`: plays × draws × the price per play (`None` if it overflows).
/// The station shows it and checks the data centre's answer against it; the data centre
/// prices the sale itself.
pub fn wager_total(game: &Game, wager: &crate::protocol::lottery::WagerRequest) -> Option<Money> {
    let plays = i64::try_from(wager.plays.len()).ok()?;
    Money::from_mills(game.price_per_play_mills)
        .checked_mul(plays.checked_mul(i64::from(wager.draws))?)
}

/// How many times the customer confirms a ticket of `total` before it is sold: none up to
/// `confirm_above`, once above it, twice above `confirm_again_above`.
pub fn confirmations_needed(total: Money, settings: &crate::config::TicketSettings) -> u8 {
    u8::from(total > settings.confirm_above) + u8::from(total > settings.confirm_again_above)
}

/// A game on one line, as the clerk's and the administrator's lists show it: its id, name,
/// numbers, price and next draw on sale (with its cut-off, in UTC) if any.
pub fn game_line(game: &Game, next_draw: Option<&crate::protocol::lottery::TicketDraw>) -> String {
    let next = match next_draw {
        Some(draw) => format!(
            "next draw {} (sales close {})",
            draw.date,
            crate::clock::format_unix_ms(draw.cutoff_unix_ms)
        ),
        None => "no draw on sale".into(),
    };
    format!(
        "{}  {}  {} numbers {}-{}  {} a play  {next}",
        game.game_id,
        game.name,
        game.picks,
        game.lowest,
        game.highest,
        Money::from_mills(game.price_per_play_mills)
    )
}
