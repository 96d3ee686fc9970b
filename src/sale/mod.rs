//! A sale below the user interface: price a piece, issue its indicium, print label and
//! receipt. The non-interactive `postcounter sell` and the counter's flow share it.
pub mod documents;
pub mod plan;

pub use plan::{PricedPiece, SaleRequest, price_piece};

use crate::money::Money;
use crate::rates::{Product, QuoteError};

#[derive(Debug, thiserror::Error)]
pub enum SaleError {
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error("{} cannot carry this piece: {reason}", product.name())]
    NotOffered { product: Product, reason: String },
    #[error("no product can carry this piece: {}", reasons.join("; "))]
    NothingOffered { reasons: Vec<String> },
    #[error("{0}")]
    ExtraService(String),
    #[error(
        "label-stock serial {0:?} is not accepted: expected 1 to 32 letters, digits or dashes, like LS-000123-7"
    )]
    LabelSerial(String),
    #[error("the sale's total does not fit in {}", Money::from_mills(i64::MAX))]
    TooLarge,
}
