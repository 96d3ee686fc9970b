//! `postcounter event ...`: event tickets without the counter screen. A sale holds the seats
//! at the data centre, books the hold (the seats are sold once, whatever other stations do),
//! and prints each ticket with its signed QR code on the receipt printer; a refund revokes
//! the ticket and prints its slip.

use super::output::out;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::open_station;
use super::sell_checks::open_printer;
use crate::config::Config;
use crate::link::CounterLink;
use crate::money::Money;
use crate::print::event_ticket::event_ticket_document;
use crate::print::lottery_ticket::{SlipContent, slip_document};
use crate::print::printer::Printer;
use crate::print::receipt::receipt_document;
use crate::protocol::events::{HoldRequest, SeatState};
use crate::sale::events::event_ticket_content;
use crate::sale::ticket_receipt::{TicketSale, ticket_receipt};
use crate::station::{PrinterRole, Station};
use crate::verify_input::TicketCode;

#[derive(Subcommand, Debug)]
pub enum EventCommand {
    /// The events on sale.
    List,
    /// An event's seat map: free, held and sold places.
    Seats {
        #[arg(long)]
        event: String,
    },
    /// Sell places: held, then booked at the data centre, then printed.
    Sell(SellArgs),
    /// Refund a ticket (before the event, not used): it is revoked and its place goes back
    /// on sale. The ticket's code, or a file holding the ticket (PNG, ESC/POS capture, text).
    Refund { ticket: String },
}

#[derive(Args, Debug)]
pub struct SellArgs {
    #[arg(long)]
    event: String,
    /// A place, e.g. A-1-1 (section, row, seat) or GA-17; give it again for more.
    #[arg(long = "seat", required = true)]
    seats: Vec<String>,
    /// Cash tendered (default: the exact amount).
    #[arg(long)]
    cash: Option<Money>,
    /// The request id: selling again under it books and prints the same hold.
    #[arg(long, value_parser = super::request_id)]
    request_id: Option<String>,
}

pub async fn run(config: Config, command: EventCommand) -> anyhow::Result<ExitCode> {
    let station = open_station(config).await?;
    let link = station
        .link
        .as_ref()
        .context("events need the data centre: this station has no link")?;
    match command {
        EventCommand::List => {
            for offer in link.events().await?.events {
                let event = &offer.event;
                let zone = crate::local_time::LocalTime::from_setting(&event.time_zone)?;
                out!(
                    "{}  {}  {}  {}  {} places on sale",
                    event.event_id,
                    event.name,
                    event.venue,
                    zone.date_time_text(event.starts_unix_ms),
                    offer.available
                )?;
            }
        }
        EventCommand::Seats { event } => {
            let answer = link.event_seats(&event).await?;
            for line in seat_map_lines(&answer.seats) {
                out!("{line}")?;
            }
        }
        EventCommand::Sell(args) => sell(&station, link, args).await?,
        EventCommand::Refund { ticket } => {
            let code = read_event_code(&ticket)?;
            let mut printer = open_printer(&station, PrinterRole::Receipt)?;
            let refund_id = format!("refund-{}", crate::hex::encode(&rand::random::<[u8; 12]>()));
            let answer = link.refund_event_ticket(&code, &refund_id).await?;
            let refund = Money::from_mills(answer.refund_mills);
            out!(
                "refunded ticket {} ({} {}): {refund}; it is revoked",
                answer.ticket.ticket_id,
                answer.ticket.event_name,
                answer.ticket.seat
            )?;
            let slip = SlipContent {
                header_lines: station.config.receipt.header.clone(),
                title: "REFUND - TICKET REVOKED".into(),
                game_name: answer.ticket.event_name.clone(),
                validation_shown: answer.ticket.seat.clone(),
                lines: Vec::new(),
                amount_label: "REFUND".into(),
                amount: refund,
                at: station
                    .config
                    .time_zone
                    .date_time_text(answer.refunded_unix_ms),
                terminal: link.registration().await?.counter_id,
            };
            let document = slip_document(&slip, &printer.profile);
            print_files(&mut printer, &document, "slip")
                .context("the ticket is refunded, but its slip did not print")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The code `given` is, or holds: the code itself, or a ticket file.
pub(super) fn read_event_code(given: &str) -> anyhow::Result<String> {
    if given.starts_with("PCE1:") {
        return Ok(given.to_string());
    }
    let path = PathBuf::from(given);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "{:?} is neither a ticket's code (PCE1:...) nor a file that can be read",
            super::terminal_safe(given)
        )
    })?;
    match crate::verify_input::ticket_code(&bytes)? {
        (_, TicketCode::Event(code)) => Ok(code),
        (_, TicketCode::Lottery(_)) => {
            anyhow::bail!("{}: a lottery ticket, not an event ticket", path.display())
        }
    }
}

/// The seat map as text: one line per row, `.` free, `h` held, `x` sold.
fn seat_map_lines(seats: &[SeatState]) -> Vec<String> {
    let mut lines = vec![". free  h held  x sold".to_string()];
    let mut current = String::new();
    let mut line = String::new();
    for seat in seats {
        let parts: Vec<&str> = seat.seat.split('-').collect();
        let (row_name, place) = match parts.as_slice() {
            [section, row, _] => (format!("{section}-{row}"), parts[2]),
            [area, place] => (area.to_string(), *place),
            _ => continue,
        };
        if row_name != current {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = format!(
                "{row_name:<6} {:<9} {:>8} ",
                seat.price_class,
                Money::from_mills(seat.price_mills).to_string()
            );
            current = row_name;
        }
        let mark = match seat.status.as_str() {
            "sold" => 'x',
            "held" => 'h',
            _ => '.',
        };
        line.push_str(&format!("{place}{mark} "));
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

async fn sell(station: &Station, link: &CounterLink, args: SellArgs) -> anyhow::Result<()> {
    let mut printer = open_printer(station, PrinterRole::Receipt)?;
    let request_id = args
        .request_id
        .clone()
        .unwrap_or_else(|| format!("event-{}", crate::hex::encode(&rand::random::<[u8; 16]>())));
    out!(
        "request id: {request_id} (sell again with --request-id {request_id} to book and print the same seats)"
    )?;
    let hold = link
        .hold_seats(
            &request_id,
            &HoldRequest {
                event: args.event.clone(),
                seats: args.seats.clone(),
                hold_seconds: None,
            },
        )
        .await?;
    let total = Money::from_mills(hold.total_mills);
    let tendered = args.cash.unwrap_or(total);
    let Some(change) = tendered.checked_sub(total).filter(|c| !c.is_negative()) else {
        link.release_hold(&hold.hold_id).await?;
        anyhow::bail!(
            "cash {tendered} does not cover the total {total}; the seats are let go, nothing was sold"
        );
    };
    out!(
        "held {} until {}: {total}",
        hold.seats
            .iter()
            .map(|s| s.seat.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        crate::clock::format_unix_ms(hold.expires_unix_ms)
    )?;
    let booked = link.book_hold(&hold.hold_id).await.with_context(|| {
        format!(
            "the seats are held until {} but not booked; sell again with --request-id {request_id}",
            crate::clock::format_unix_ms(hold.expires_unix_ms)
        )
    })?;
    for ticket in &booked.tickets {
        out!(
            "sold ticket {} {} {} {}",
            ticket.ticket_id,
            ticket.event_name,
            ticket.seat,
            Money::from_mills(ticket.price_mills)
        )?;
        let content = event_ticket_content(ticket, &station.config.receipt.header);
        let document = event_ticket_document(&content, &printer.profile)?;
        print_files(&mut printer, &document, "ticket").with_context(|| {
            format!("the tickets are sold at the data centre but did not print; sell again with --request-id {request_id} to print them")
        })?;
    }
    let sale = TicketSale {
        header_lines: station.config.receipt.header.clone(),
        footer_lines: station.config.receipt.footer.clone(),
        issued_at: station
            .config
            .time_zone
            .date_time_text(crate::clock::Clock::system().now_unix_ms()),
        transaction: request_id.clone(),
        items: booked
            .tickets
            .iter()
            .map(|t| {
                (
                    format!("{} {} ticket {}", t.event_name, t.seat, t.ticket_id),
                    Money::from_mills(t.price_mills),
                )
            })
            .collect(),
        tendered,
    };
    let content = ticket_receipt(sale).context("the cash does not cover the total")?;
    let document = receipt_document(&content, &printer.profile);
    print_files(&mut printer, &document, "receipt")
        .context("the tickets printed, but the sale receipt did not")?;
    out!("cash {tendered}, change {change}")?;
    Ok(())
}

pub(super) fn print_files(
    printer: &mut Printer,
    document: &crate::print::Document,
    what: &str,
) -> anyhow::Result<()> {
    let printed = printer.print(document)?;
    for file in printed.file_paths() {
        out!("  {what}: {file}")?;
    }
    Ok(())
}
