//! `postcounter lottery ...`: draw-game tickets without the counter screen, for scripts and
//! tests. A ticket prints only once the data centre recorded its wager and answered it; a
//! cancellation prints its slip and a paid prize its receipt, on the receipt printer. Full
//! validation numbers appear only on tickets: what this command prints shows the last four
//! digits of an unpaid ticket's number.

use super::output::out;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::events::print_files;
use super::open_station;
use super::sell_checks::open_printer;
use crate::config::Config;
use crate::link::CounterLink;
use crate::money::Money;
use crate::print::lottery_ticket::{slip_document, ticket_document};
use crate::print::printer::Printer;
use crate::print::receipt::receipt_document;
use crate::protocol::lottery::{LotteryTicket, PlayRequest, WagerRequest};
use crate::sale::lottery::{
    Letterhead, cancellation_slip, confirmations_needed, game_line, masked, prize_receipt,
    ticket_content, wager_total,
};
use crate::sale::ticket_receipt::{TicketSale, ticket_receipt};
use crate::station::{PrinterRole, Station};
use crate::tickets::validation_number::ValidationNumber;

#[derive(Subcommand, Debug)]
pub enum LotteryCommand {
    /// The games on sale and their next draws.
    Games,
    /// Sell a ticket: the data centre records the wager, then it prints.
    Sell(SellArgs),
    /// Cancel a ticket sold here today, before its draw's cut-off: the slip prints and the
    /// price goes back.
    Cancel(TicketArgs),
    /// Pay a winning ticket (at any station, once): the prize receipt prints.
    Claim(TicketArgs),
    /// Print a ticket sold here again, marked as a reprint with its count.
    Reprint { validation: String },
    /// Look a ticket up at the data centre.
    Check { validation: String },
}

/// A ticket to cancel or pay, and the request's id.
#[derive(Args, Debug)]
pub struct TicketArgs {
    validation: String,
    /// The request id: asking again under it (after an interrupted attempt) gets the first
    /// answer. Default: a new one, so a second claim or cancellation of a ticket is refused.
    #[arg(long, value_parser = super::request_id)]
    request_id: Option<String>,
}

/// The id of a new request of `kind`, unless one was given.
fn request_id_for(kind: &str, given: &Option<String>) -> anyhow::Result<String> {
    let id = given
        .clone()
        .unwrap_or_else(|| format!("{kind}-{}", crate::hex::encode(&rand::random::<[u8; 16]>())));
    out!("request id: {id} ({kind} again with --request-id {id} if this one is interrupted)")?;
    Ok(id)
}

#[derive(Args, Debug)]
pub struct SellArgs {
    #[arg(long)]
    game: String,
    /// A play's numbers, e.g. 4,0,7; give it again for more plays.
    #[arg(long)]
    numbers: Vec<String>,
    /// Quick pick: the data centre draws the numbers.
    #[arg(long)]
    quick_pick: bool,
    /// How many quick-pick plays.
    #[arg(long, default_value_t = 1, requires = "quick_pick")]
    plays: u8,
    /// How many consecutive draws.
    #[arg(long, default_value_t = 1)]
    draws: u8,
    /// The first draw's date (YYYY-MM-DD); default the next draw on sale.
    #[arg(long)]
    first_draw: Option<String>,
    /// Cash tendered (default: the exact amount).
    #[arg(long)]
    cash: Option<Money>,
    /// The customer confirmed a ticket above the confirmation amount.
    #[arg(long)]
    yes: bool,
    /// The request id: selling again under it prints the same ticket, marked as a reprint.
    #[arg(long, value_parser = super::request_id)]
    request_id: Option<String>,
    /// Do not print a sale receipt besides the ticket.
    #[arg(long)]
    no_receipt: bool,
}

pub async fn run(config: Config, command: LotteryCommand) -> anyhow::Result<ExitCode> {
    let station = open_station(config).await?;
    let link = station
        .link
        .as_ref()
        .context("the lottery needs the data centre: this station has no link")?;
    match command {
        LotteryCommand::Games => games(link).await?,
        LotteryCommand::Sell(args) => sell(&station, link, args).await?,
        LotteryCommand::Cancel(args) => cancel(&station, link, &args).await?,
        LotteryCommand::Claim(args) => claim(&station, link, &args).await?,
        LotteryCommand::Reprint { validation } => {
            let number = parse_number(&validation)?;
            let mut printer = open_printer(&station, PrinterRole::Receipt)?;
            let reprint_id = format!(
                "reprint-{}",
                crate::hex::encode(&rand::random::<[u8; 12]>())
            );
            let ticket = link.reprint_wager(&number, &reprint_id).await?;
            print_ticket(&station, link, &mut printer, &ticket).await?;
        }
        LotteryCommand::Check { validation } => {
            let number = parse_number(&validation)?;
            let ticket = link.lottery_ticket(&number).await?;
            let shown = if ticket.status == "paid" {
                number.grouped()
            } else {
                number.masked()
            };
            out!(
                "{} {shown}: {}, {}, sold {} at {}",
                ticket.game_name,
                ticket.status,
                Money::from_mills(ticket.price_mills),
                crate::clock::format_unix_ms(ticket.issued_unix_ms),
                ticket.counter_id
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn cancel(station: &Station, link: &CounterLink, args: &TicketArgs) -> anyhow::Result<()> {
    let number = parse_number(&args.validation)?;
    let mut printer = open_printer(station, PrinterRole::Receipt)?;
    let request_id = request_id_for("cancel", &args.request_id)?;
    let answer = link.cancel_wager(&number, &request_id).await?;
    out!(
        "cancelled {} {}: refund {}",
        answer.ticket.game_name,
        masked(&answer.ticket.validation),
        Money::from_mills(answer.refund_mills)
    )?;
    let slip = slip_document(
        &cancellation_slip(&answer, &letterhead(station)),
        &printer.profile,
    );
    print_files(&mut printer, &slip, "slip")
        .context("the ticket is cancelled at the data centre, but its slip did not print")
}

async fn claim(station: &Station, link: &CounterLink, args: &TicketArgs) -> anyhow::Result<()> {
    let number = parse_number(&args.validation)?;
    let mut printer = open_printer(station, PrinterRole::Receipt)?;
    let request_id = request_id_for("claim", &args.request_id)?;
    let answer = link.claim_wager(&number, &request_id).await?;
    out!(
        "paid {} {}: prize {}",
        answer.ticket.game_name,
        number.grouped(),
        Money::from_mills(answer.prize_mills)
    )?;
    let receipt = prize_receipt(&answer, &letterhead(station));
    let document = slip_document(&receipt, &printer.profile);
    print_files(&mut printer, &document, "receipt")
        .context("the prize is paid at the data centre, but its receipt did not print")
}

fn parse_number(text: &str) -> anyhow::Result<ValidationNumber> {
    Ok(ValidationNumber::parse(text)?)
}

fn letterhead(station: &Station) -> Letterhead<'_> {
    Letterhead {
        header_lines: &station.config.receipt.header,
        time_zone: &station.config.time_zone,
    }
}

async fn games(link: &CounterLink) -> anyhow::Result<()> {
    for offer in link.lottery_games().await?.games {
        out!("{}", game_line(&offer.game, offer.open_draws.first()))?;
    }
    Ok(())
}

/// The wager the arguments ask for.
fn wager_of(args: &SellArgs) -> anyhow::Result<WagerRequest> {
    let mut plays = Vec::new();
    for text in &args.numbers {
        let numbers = text
            .split([',', '-', ' ', '/'])
            .filter(|n| !n.is_empty())
            .map(|n| {
                n.trim().parse::<u8>().map_err(|_| {
                    anyhow::anyhow!("--numbers {text:?}: {n:?} is not a number from 0 to 99")
                })
            })
            .collect::<anyhow::Result<Vec<u8>>>()?;
        plays.push(PlayRequest {
            numbers,
            quick_pick: false,
        });
    }
    if args.quick_pick {
        plays.extend((0..args.plays).map(|_| PlayRequest {
            numbers: Vec::new(),
            quick_pick: true,
        }));
    }
    if plays.is_empty() {
        anyhow::bail!("give --numbers N,N,N or --quick-pick; nothing was sold");
    }
    Ok(WagerRequest {
        game: args.game.clone(),
        plays,
        draws: args.draws,
        first_draw: args.first_draw.clone(),
    })
}

/// The wager's total, refused before anything is sold when the customer has not confirmed
/// a ticket above the confirmation amounts or the cash does not cover it.
async fn checked_total(
    station: &Station,
    link: &CounterLink,
    args: &SellArgs,
    wager: &WagerRequest,
) -> anyhow::Result<(Money, Money)> {
    let games = link.lottery_games().await?;
    let game = games
        .games
        .iter()
        .find(|o| o.game.game_id == wager.game)
        .map(|o| &o.game)
        .with_context(|| {
            format!(
                "there is no game {:?} on sale: see `postcounter lottery games`; nothing was sold",
                wager.game
            )
        })?;
    let total = wager_total(game, wager).context("the total overflows")?;
    let tickets = &station.config.tickets;
    if confirmations_needed(total, tickets) > 0 && !args.yes {
        let again = if confirmations_needed(total, tickets) > 1 {
            format!(" (and again: it is above {})", tickets.confirm_again_above)
        } else {
            String::new()
        };
        anyhow::bail!(
            "the ticket costs {total}, above {}{again}: confirm with the customer and add --yes; nothing was sold",
            tickets.confirm_above,
        );
    }
    let tendered = args.cash.unwrap_or(total);
    if tendered < total {
        anyhow::bail!("cash {tendered} does not cover the total {total}; nothing was sold");
    }
    Ok((total, tendered))
}

async fn sell(station: &Station, link: &CounterLink, args: SellArgs) -> anyhow::Result<()> {
    let wager = wager_of(&args)?;
    let (total, tendered) = checked_total(station, link, &args, &wager).await?;
    let mut printer = open_printer(station, PrinterRole::Receipt)?;
    let request_id = args.request_id.clone().unwrap_or_else(|| {
        format!(
            "lottery-{}",
            crate::hex::encode(&rand::random::<[u8; 16]>())
        )
    });
    out!(
        "request id: {request_id} (sell again with --request-id {request_id} to print the same ticket as a reprint)"
    )?;
    let ticket = link.sell_wager(&request_id, &wager).await?;
    if ticket.price_mills != total.mills() {
        anyhow::bail!(
            "the data centre recorded ticket {} at {}, not the {total} asked: take {} and report this",
            masked(&ticket.validation),
            Money::from_mills(ticket.price_mills),
            Money::from_mills(ticket.price_mills)
        );
    }
    let again = match ticket.reprint {
        0 => String::new(),
        n => format!(" (already sold under this request id: reprint {n})"),
    };
    out!(
        "sold {} {}: {total}{again}",
        ticket.game_name,
        masked(&ticket.validation)
    )?;
    print_ticket(station, link, &mut printer, &ticket).await.with_context(|| {
        format!(
            "the wager is recorded at the data centre but its ticket did not print; sell again with --request-id {request_id} to print it (marked as a reprint)"
        )
    })?;
    if !args.no_receipt {
        let sale = TicketSale {
            header_lines: station.config.receipt.header.clone(),
            footer_lines: station.config.receipt.footer.clone(),
            issued_at: station
                .config
                .time_zone
                .date_time_text(ticket.issued_unix_ms),
            transaction: request_id.clone(),
            items: vec![(
                format!("{} ticket {}", ticket.game_name, masked(&ticket.validation)),
                total,
            )],
            tendered,
        };
        let content = ticket_receipt(sale).context("the cash does not cover the total")?;
        let document = receipt_document(&content, &printer.profile);
        print_files(&mut printer, &document, "receipt")
            .context("the ticket printed, but the sale receipt did not")?;
        out!(
            "cash {tendered}, change {}",
            content.change.unwrap_or(Money::ZERO)
        )?;
    }
    Ok(())
}

/// Prints `ticket` on `printer`, laid out by its game from the data centre's list.
async fn print_ticket(
    station: &Station,
    link: &CounterLink,
    printer: &mut Printer,
    ticket: &LotteryTicket,
) -> anyhow::Result<()> {
    let games = link.lottery_games().await?;
    let game = games
        .games
        .iter()
        .find(|o| o.game.game_id == ticket.game)
        .map(|o| &o.game)
        .with_context(|| {
            format!(
                "the data centre lists no game {:?} to print the ticket with",
                ticket.game
            )
        })?;
    let content = ticket_content(ticket, game, &letterhead(station))?;
    let document = ticket_document(&content, &printer.profile);
    print_files(printer, &document, "ticket")
}
