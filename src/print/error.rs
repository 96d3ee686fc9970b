//! The one error type of the pure printing boundary (layout, symbol, encoder).
//!
//! Transport and profile errors have their own types: they come from IO and files, and the
//! caller reacts to them differently (retry, pick another printer, refuse to start).

/// Why a document could not be turned into printer bytes. Each message quotes the value and
/// says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error(
        "a {len}-byte payload does not fit a square Data Matrix (ECC200) symbol: at most 1556 bytes"
    )]
    SymbolTooLarge { len: usize },
    #[error("{dots} dots per module is not accepted: expected 1 to 16")]
    DotsPerModule { dots: u32 },
    #[error("text size {width}x{height} is not accepted: width and height must be 1 to 8")]
    TextSize { width: u8, height: u8 },
    #[error(
        "an image {width_dots} dots wide does not fit the {dots_per_line}-dot line of printer {profile:?}"
    )]
    TooWide {
        width_dots: u32,
        dots_per_line: u32,
        profile: String,
    },
    #[error("a raster of {width_dots}x{height_dots} dots is not accepted: {reason}")]
    Raster {
        width_dots: u32,
        height_dots: u32,
        reason: &'static str,
    },
    #[error(
        "{data:?} cannot be a Code 128 barcode: expected 1 to 80 printable ASCII characters (space to ~)"
    )]
    Code128Data { data: String },
    #[error("barcode height {height_dots} dots is not accepted: expected 1 to 255")]
    BarcodeHeight { height_dots: u32 },
    /// The input is not quoted: it could be a whole card number.
    #[error(
        "card digits are not accepted ({chars} characters given): expected the last 4 digits, or a whole card number of 12 to 19 digits"
    )]
    CardLast4 { chars: usize },
    #[error("the ESC/POS command builder refused a command: {0}")]
    Escpos(String),
}

impl From<escpos::errors::PrinterError> for PrintError {
    fn from(error: escpos::errors::PrinterError) -> Self {
        PrintError::Escpos(error.to_string())
    }
}
