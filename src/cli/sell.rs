//! `postcounter sell`: a whole sale from the command line, for scripts and tests.

use super::output::out;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use rand::RngExt;
use serde_json::json;

use super::open_station;
use super::piece_args::{PieceArgs, load_rates};
use super::sell_checks::{check_same_quantity, open_printer};
use crate::address::{recipient_lines, town_line_abroad};
use crate::clock::Clock;
use crate::config::Config;
use crate::customs::{ContentCategory, CustomsDeclaration, CustomsItem};
use crate::hex;
use crate::indicium::Indicium;
use crate::link::{Issued, LinkErrorKind};
use crate::money::Money;
use crate::print::label::label_document;
use crate::print::printer::{PrintedJob, Printer};
use crate::print::receipt::Tender;
use crate::print::receipt::receipt_document;
use crate::rates::{Destination, ExtraService, Product};
use crate::rates::{PricedPiece, SaleRequest, price_piece};
use crate::sale::documents::{ReceiptSale, label_content, receipt_content};
use crate::station::{PrinterRole, Station};

#[derive(Args, Debug)]
pub struct SellArgs {
    #[command(flatten)]
    piece: PieceArgs,
    /// The product slug (see `postcounter quote`); default: the cheapest that can carry it.
    #[arg(long)]
    product: Option<Product>,
    /// An extra service: certified-mail, return-receipt, signature-confirmation, insurance or
    /// certificate-of-mailing.
    #[arg(long = "extra")]
    extras: Vec<ExtraService>,
    /// The declared value, for insurance.
    #[arg(long)]
    declared_value: Option<Money>,
    /// The recipient's name, printed above the address on the label (checked and written
    /// in USPS style as on the screen).
    #[arg(long)]
    recipient_name: Option<String>,
    /// The recipient's street: number, street and unit, e.g. "350 5th Ave Apt 12".
    #[arg(long)]
    recipient_street: Option<String>,
    /// The town and postal code of an address abroad, e.g. "10115 Berlin" (at home the ZIP
    /// gives the city line).
    #[arg(long)]
    recipient_town: Option<String>,
    /// A customs item of a piece abroad (every parcel needs at least one):
    /// DESCRIPTION:QUANTITY:VALUE:WEIGHT:ORIGIN, e.g. "Wool sweater:1:$45:1lb 2oz:US".
    #[arg(long = "customs-item", value_parser = CustomsItem::parse)]
    customs_items: Vec<CustomsItem>,
    /// What the customs items are: gift, documents, commercial-sample, returned-goods,
    /// merchandise or other.
    #[arg(long, requires = "customs_items")]
    customs_category: Option<ContentCategory>,
    /// The serial of the label stock the indicium is printed on.
    #[arg(long)]
    label_serial: Option<String>,
    /// How many identical pieces to sell (one indicium and label each).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    quantity: u32,
    /// The idempotency key: selling again with the same key reprints the same indicia instead
    /// of issuing new ones. Default: a fresh random key.
    #[arg(long, value_parser = super::request_id)]
    request_id: Option<String>,
    /// Cash tendered (default: the exact amount).
    #[arg(long)]
    cash: Option<Money>,
    /// Do not print a receipt.
    #[arg(long)]
    no_receipt: bool,
    /// One JSON object per line on stdout, for machines.
    #[arg(long)]
    json: bool,
}

/// The declaration the customs arguments make, if any.
fn customs_declaration(args: &SellArgs) -> anyhow::Result<Option<CustomsDeclaration>> {
    match (args.customs_items.is_empty(), args.customs_category) {
        (true, _) => Ok(None),
        (false, None) => anyhow::bail!(
            "give --customs-category with the customs items: gift, documents, commercial-sample, returned-goods, merchandise or other"
        ),
        (false, Some(category)) => Ok(Some(CustomsDeclaration::new(
            category,
            args.customs_items.clone(),
            args.piece.weight,
        )?)),
    }
}

pub async fn run(config: Config, args: SellArgs) -> anyhow::Result<ExitCode> {
    let rates = load_rates(&config)?;
    let now_unix_ms = Clock::system().now_unix_ms();
    let mailing_date = args.piece.mailing_date(&config);
    crate::psd::device::check_mailing_date(mailing_date, now_unix_ms)?;
    let request = SaleRequest {
        piece: args.piece.piece(),
        origin: args.piece.origin(&config)?,
        destination: args.piece.destination(&config, &rates)?,
        product: args.product,
        extras: args.extras.clone(),
        declared_value: args.declared_value,
        label_serial: args.label_serial.clone(),
        mailing_date,
        customs: customs_declaration(&args)?,
    };
    let priced = price_piece(&rates, &request)?;
    // Checked before anything is issued, as the screen checks it.
    let mut recipient = recipient_lines(
        args.recipient_name.as_deref().unwrap_or(""),
        args.recipient_street.as_deref().unwrap_or(""),
    )?;
    let town = args.recipient_town.as_deref().unwrap_or("");
    match request.destination {
        Destination::International { .. } => {
            recipient.extend(town_line_abroad(town, !recipient.is_empty())?);
        }
        _ if !town.is_empty() => anyhow::bail!(
            "--recipient-town {town:?} is for an address abroad (with --country): at home the ZIP gives the city line; nothing was issued"
        ),
        _ => {}
    }
    // Payment is settled before anything is issued: a short tender issues nothing.
    let total = priced
        .total
        .checked_mul(i64::from(args.quantity))
        .context("the total overflows")?;
    let tendered = args.cash.unwrap_or(total);
    let change = tendered
        .checked_sub(total)
        .filter(|c| !c.is_negative())
        .with_context(|| format!("cash {tendered} does not cover the total {total}"))?;
    let station = open_station(config).await?;
    // Everything that can refuse the sale is checked before the first indicium is issued:
    // both printers open, and the descending register covers every piece.
    let mut label_printer = open_printer(&station, PrinterRole::Label)?;
    let mut receipt_printer = if args.no_receipt {
        None
    } else {
        Some(open_printer(&station, PrinterRole::Receipt)?)
    };
    if let Some((available, place)) = available_funds(&station).await?
        && available < total
    {
        anyhow::bail!(
            "insufficient funds: {total} needed, {available} available in {place}; refill first; nothing was issued"
        );
    }
    if !args.json {
        print_quote(&priced)?;
    }
    let base_id = args.request_id.clone().unwrap_or_else(random_request_id);
    if !args.json {
        out!(
            "request id: {base_id} (sell again with --request-id {base_id} to reprint, never to re-issue)"
        )?;
    }
    let retry_hint = || format!("retry with --request-id {base_id} to reprint the same indicia");
    check_same_quantity(&station, &base_id, args.quantity).await?;
    let mut sold = Vec::new();
    for index in 0..args.quantity {
        let request_id = if args.quantity == 1 {
            base_id.clone()
        } else {
            format!("{base_id}-{}", index + 1)
        };
        let issued = station.issue(&priced, &request_id).await.with_context(|| {
            format!(
                "piece {} of {} was not issued; {}",
                index + 1,
                args.quantity,
                retry_hint()
            )
        })?;
        let indicium = Indicium::from_bytes(&issued.bytes)?;
        let serial = issued.serial_text.clone();
        let label = label_document(
            &label_content(
                &priced,
                &recipient,
                (&indicium, &issued.bytes),
                &station.config.label,
            )?,
            &label_printer.profile,
        );
        let printed = label_printer.print(&label).with_context(|| {
            format!(
                "indicium {serial} is issued and kept in the ledger, but its label did not print; {}",
                retry_hint()
            )
        })?;
        report_issue(&args, &priced, (&issued, &indicium), &printed, &request_id)?;
        sold.push((priced.clone(), serial));
    }
    if let Some(printer) = &mut receipt_printer {
        print_receipt(
            &station,
            printer,
            &sold,
            (tendered, change),
            &base_id,
            args.json,
        )
        .with_context(retry_hint)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The funds the sale can draw on, and where they are: the central PSD and its account's
/// balance (which tops it up) when the vendor answers, else the embedded PSD. `None` when
/// linked but the vendor is unreachable: the fallback's own limits decide then.
async fn available_funds(station: &Station) -> anyhow::Result<Option<(Money, String)>> {
    let Some(link) = &station.link else {
        let descending = station.psd.state().await?.registers.descending;
        return Ok(Some((descending, "the PSD".to_string())));
    };
    match link.central_registers().await {
        Ok(answer) => {
            let funds = Money::from_mills(
                answer
                    .registers
                    .descending_mills
                    .saturating_add(answer.account_balance_mills),
            );
            Ok(Some((
                funds,
                format!("central PSD {} and its account", answer.registers.psd_id),
            )))
        }
        Err(error) if error.kind() == LinkErrorKind::Refused => Err(error.into()),
        Err(_) => Ok(None),
    }
}

fn random_request_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    format!("sell-{}", hex::encode(&bytes))
}

fn print_quote(priced: &PricedPiece) -> Result<(), super::output::OutputError> {
    let offer = &priced.offer;
    let stamped = offer
        .stamped_postage
        .map(|s| format!(" (metered; stamped {s})"))
        .unwrap_or_default();
    out!(
        "quote: {}: {}{stamped}",
        priced.description(),
        offer.postage
    )?;
    for (service, fee) in &priced.extras {
        out!("  + {}: {fee}", service.name())?;
    }
    out!("total per piece: {}", priced.total)?;
    Ok(())
}

fn report_issue(
    args: &SellArgs,
    priced: &PricedPiece,
    (issued, indicium): (&Issued, &Indicium),
    printed: &PrintedJob,
    request_id: &str,
) -> Result<(), super::output::OutputError> {
    let serial = &issued.serial_text;
    let files = printed.file_paths();
    if args.json {
        let line = json!({
            "serial": serial,
            "piece_serial": issued.piece_serial,
            "request_id": request_id,
            "replayed": issued.replayed,
            "offline": issued.offline,
            "postage_mills": indicium.data.postage.mills(),
            "product": priced.offer.product.slug(),
            "indicium_hex": hex::encode(&issued.bytes),
            "label_files": files,
        });
        out!("{line}")?;
    } else {
        let again = match (issued.replayed, issued.offline) {
            (true, _) => " (already issued for this request id: same indicium)",
            (false, true) => {
                " (offline: the vendor could not be reached; the embedded PSD issued it)"
            }
            (false, false) => "",
        };
        out!(
            "issued {serial}  {}  {}{again}",
            indicium.data.postage,
            priced.offer.product.name()
        )?;
        for file in files {
            out!("  label: {file}")?;
        }
    }
    Ok(())
}

fn print_receipt(
    station: &Station,
    printer: &mut Printer,
    sold: &[(PricedPiece, String)],
    (tendered, change): (Money, Money),
    transaction: &str,
    json: bool,
) -> anyhow::Result<()> {
    let total =
        Money::checked_sum(sold.iter().map(|(p, _)| p.total)).context("the total overflows")?;
    let config = &station.config;
    let mut content = receipt_content(
        sold,
        ReceiptSale {
            transaction: transaction.to_string(),
            tenders: vec![Tender::cash(tendered)],
            change: Some(change),
            header_lines: config.receipt.header.clone(),
            footer_lines: config.receipt.footer.clone(),
            mailer_id: config.label.mailer_id,
        },
    );
    content.issued_at = Some(
        config
            .time_zone
            .date_time_text(Clock::system().now_unix_ms()),
    );
    let printed = printer
        .print(&receipt_document(&content, &printer.profile))
        .context("the indicia are issued, but the receipt did not print")?;
    let files = printed.file_paths();
    if json {
        out!(
            "{}",
            json!({ "receipt_total_mills": total.mills(), "change_mills": change.mills(), "receipt_files": files })
        )?;
    } else {
        out!("receipt: total {total}, tendered {tendered}, change {change}")?;
        for file in files {
            out!("  receipt: {file}")?;
        }
    }
    Ok(())
}
