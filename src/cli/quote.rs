//! `postcounter quote`: every product that can carry a piece, and why the others can't.

use std::process::ExitCode;

use clap::Args;

use crate::address::ZipCode;
use crate::config::Config;
use crate::date::Date;
use crate::rates::{Destination, Dimensions, MailPiece, QuoteRequest, RateBook, Shape};
use crate::weight::Weight;

#[derive(Args, Debug)]
pub struct QuoteArgs {
    #[arg(long)]
    weight: Weight,
    #[arg(long, default_value = "letter")]
    shape: Shape,
    #[arg(long)]
    dimensions: Option<Dimensions>,
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    to: String,
    #[arg(long)]
    date: Option<Date>,
}

pub fn run(config: &Config, args: &QuoteArgs) -> anyhow::Result<ExitCode> {
    let rates = match &config.rates_dir {
        Some(dir) => RateBook::load_dir(dir)?,
        None => RateBook::embedded()?,
    };
    let origin = ZipCode::parse(args.from.as_deref().unwrap_or(&config.origin_zip))?;
    let destination = Destination::parse(&args.to)?;
    let date = args.date.unwrap_or_else(Date::today_utc);
    let quote = rates.quote(&QuoteRequest {
        piece: MailPiece {
            weight: args.weight,
            shape: args.shape,
            dimensions: args.dimensions,
        },
        origin,
        destination,
        date,
    })?;
    let zone = quote.zone.map(|z| format!(", {z}")).unwrap_or_default();
    println!("{} {} on {date}{zone}", args.weight, args.shape.name());
    for offer in &quote.offers {
        let stamped = offer
            .stamped_postage
            .map(|s| format!("  (stamped {s})"))
            .unwrap_or_default();
        println!(
            "  {:<44} {:>9}{stamped}  [{}]",
            offer.product.name(),
            offer.postage.to_string(),
            offer.product.slug()
        );
    }
    for excluded in &quote.excluded {
        println!("  not {}: {}", excluded.product.name(), excluded.reason);
    }
    Ok(ExitCode::SUCCESS)
}
