//! `postcounter quote`: every product that can carry a piece, and why the others can't.

use super::output::out;
use std::process::ExitCode;

use clap::Args;

use crate::config::Config;
use crate::rates::{ExclusionKind, QuoteRequest};

use super::piece_args::{PieceArgs, load_rates};

#[derive(Args, Debug)]
pub struct QuoteArgs {
    #[command(flatten)]
    piece: PieceArgs,
}

pub fn run(config: &Config, args: &QuoteArgs) -> anyhow::Result<ExitCode> {
    let rates = load_rates(config)?;
    let date = args.piece.mailing_date(config);
    let quote = rates.quote(&QuoteRequest {
        piece: args.piece.piece(),
        origin: args.piece.origin(config)?,
        destination: args.piece.destination(config, &rates)?,
        date,
    })?;
    let zone = quote.zone.map(|z| format!(", {z}")).unwrap_or_default();
    let country = quote
        .country
        .as_ref()
        .map(|c| format!(", to {c}"))
        .unwrap_or_default();
    let width = quote
        .offers
        .iter()
        .map(|offer| offer.product.name().len())
        .max()
        .unwrap_or(0);
    out!(
        "{} {} on {date}{zone}{country}",
        args.piece.weight,
        args.piece.shape.name()
    )?;
    for offer in &quote.offers {
        let stamped = offer
            .stamped_postage
            .map(|s| format!("  (stamped {s})"))
            .unwrap_or_default();
        let group = offer
            .price_group
            .map(|g| format!("  (price group {g})"))
            .unwrap_or_default();
        out!(
            "  {:<width$} {:>9}{stamped}{group}  [{}]",
            offer.product.name(),
            offer.postage.to_string(),
            offer.product.slug()
        )?;
    }
    // Products for another kind of destination (international, APO) are left out: they
    // are not a reason this piece cannot go.
    for excluded in quote
        .excluded
        .iter()
        .filter(|e| e.kind != ExclusionKind::Destination)
    {
        out!("  not {}: {}", excluded.product.name(), excluded.reason)?;
    }
    Ok(ExitCode::SUCCESS)
}
