//! Lottery and event tickets: what the data centre and the counter agree a ticket is, with
//! no IO and no clock (every time is given). The data centre sells, records and pays; the
//! counter shows, prints and reads back.
//!
//! - [`game`] and [`draw_schedule`]: a draw game, its plays, prizes and draws.
//! - [`quick_pick`]: numbers from the operating system's random source, without bias.
//! - [`validation_number`] and [`check_digit`]: a wager's number, scrambled and checked.

pub mod base32;
pub mod check_digit;
pub mod draw_schedule;
pub mod event;
pub mod event_code;
pub mod game;
pub mod quick_pick;
pub mod validation_number;
