//! The arguments that describe a mail piece, shared by `sell` and `quote`.

use clap::Args;

use crate::address::ZipCode;
use crate::clock::Clock;
use crate::config::Config;
use crate::date::Date;
use crate::rates::{Destination, Dimensions, MailPiece, RateBook, Shape};
use crate::weight::Weight;

#[derive(Args, Debug)]
pub struct PieceArgs {
    /// The weight: 2oz, 1.5 oz, 3lb 4oz, 250g, 1.2kg.
    #[arg(long)]
    pub weight: Weight,
    /// letter, postcard, flat (large envelope) or parcel.
    #[arg(long, default_value = "letter")]
    pub shape: Shape,
    /// Length x width x height, e.g. "12x10x4in" (parcels: dimensional weight).
    #[arg(long)]
    pub dimensions: Option<Dimensions>,
    /// The origin ZIP (default: the counter's origin_zip).
    #[arg(long)]
    pub from: Option<String>,
    /// The destination ZIP code (02134, 02134-1234; APO/FPO/DPO ZIPs too), or a two-letter
    /// country code.
    #[arg(long, required_unless_present = "country", conflicts_with = "country")]
    pub to: Option<String>,
    /// The destination country, for international mail: its ISO code (DE) or its name
    /// (Germany; a unique part of it will do).
    #[arg(long)]
    pub country: Option<String>,
    /// The date of mailing, YYYY-MM-DD (default: today in the counter's time_zone).
    #[arg(long)]
    pub date: Option<Date>,
}

impl PieceArgs {
    pub fn piece(&self) -> MailPiece {
        MailPiece {
            weight: self.weight,
            shape: self.shape,
            dimensions: self.dimensions,
        }
    }

    pub fn origin(&self, config: &Config) -> anyhow::Result<ZipCode> {
        Ok(ZipCode::parse(
            self.from.as_deref().unwrap_or(&config.origin_zip),
        )?)
    }

    /// The destination: the ZIP or code of `--to`, or the country `--country` names in the
    /// country list in force on the date of mailing.
    pub fn destination(&self, config: &Config, rates: &RateBook) -> anyhow::Result<Destination> {
        match (&self.to, &self.country) {
            (Some(to), _) => Ok(Destination::parse(to)?),
            (None, Some(country)) => {
                let table = rates
                    .country_table(self.mailing_date(config))
                    .map_err(anyhow::Error::msg)?;
                let country = table.find(country)?;
                Ok(Destination::International {
                    country: country.code.clone(),
                })
            }
            (None, None) => anyhow::bail!("give the destination: --to ZIP or --country COUNTRY"),
        }
    }

    /// The date given, else the counter's local date now.
    pub fn mailing_date(&self, config: &Config) -> Date {
        self.date
            .unwrap_or_else(|| config.time_zone.date_of(Clock::system().now_unix_ms()))
    }
}

/// The configured rate files, or the embedded ones.
pub fn load_rates(config: &Config) -> anyhow::Result<RateBook> {
    Ok(config.rate_book()?)
}
