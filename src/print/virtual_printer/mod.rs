//! The virtual printer, the default printer: it keeps the exact ESC/POS bytes of each job and
//! renders a PNG *from those bytes*, so what a test sees is what a real printer would print.
//!
//! [`render`] is a pure interpreter of the commands the encoder emits; [`VirtualPrinter`]
//! writes `job-NNNNNN.escpos` and `job-NNNNNN.png` into a folder. The model is an Epson-style
//! thermal printer at 203 dpi with paper `paper_width_dots` wide (576 for 80 mm, 384 for
//! 58 mm, 812/832 for 4 x 6 in labels), Font A only (12 x 24 dot cells).
//!
//! It is deliberately strict: any command outside this list, a parameter outside its range,
//! a truncated command, a graphic or cut while a line is still pending, or a job that ends
//! with text not ended by LF is an [`InterpretError`] naming the byte offset and the bytes,
//! so a test notices when the encoder emits something a printer would not print as meant.
//!
//! | bytes | command | effect here |
//! |---|---|---|
//! | `20`-`7E`, `80`-`FF` | text | a Font A cell; the upper half decoded with the selected code page; a line that overflows the paper wraps |
//! | `0A` | LF | print the line, feed max(line spacing, line height) |
//! | `1B 40` | ESC @ | reset the modes below; the pending line is discarded |
//! | `1B 74 n` | ESC t | code page: 0 = PC437, 16 = WPC1252 |
//! | `1B 61 n` | ESC a | justification 0/1/2 or '0'/'1'/'2'; applies to lines, images, barcodes, 2-D codes |
//! | `1B 45 n` | ESC E | bold when bit 0 of n is set (the glyph smeared one dot right) |
//! | `1B 32`, `1B 33 n` | ESC 2 / ESC 3 | line spacing 30 dots / n dots |
//! | `1B 64 n` | ESC d | print the line and feed n lines (the line counts as the first) |
//! | `1B 4A n` | ESC J | print the line and feed n dots |
//! | `1B 70 m t1 t2` | ESC p | cash-drawer kick (m = 0, 1, '0', '1'): counted, nothing printed |
//! | `10 04 n` | DLE EOT | real-time status request (n = 1-4): ignored |
//! | `1D 21 n` | GS ! | character size: width (n >> 4) + 1, height (n & 0x0F) + 1, each 1-8 |
//! | `1D 76 30 m xL xH yL yH d...` | GS v 0 | raster image, rows of xL + 256 xH bytes, MSB first, 1 = black; m = 0 normal, 1 double width, 2 double height, 3 both |
//! | `1D 6B 49 n d...` | GS k 73 | Code 128 (data starts with `{A`, `{B` or `{C`) |
//! | `1D 68 n`, `1D 77 n`, `1D 48 n`, `1D 66 n` | GS h / w / H / f | barcode height (dots), module width (1-6 dots), text position (0 none, 1 above, 2 below, 3 both), text font (ignored) |
//! | `1D 28 6B pL pH 36 fn ...` | GS ( k, cn = 54 | Data Matrix as the `escpos` crate emits it: fn 66 type (m d1 d2), fn 67 module size (1-16 dots), fn 80 store (48, data), fn 81 print (48); rendered with the `datamatrix` crate, ASCII + Base256 encodation |
//! | `1D 56 m`, `1D 56 m n` | GS V | cut (m = 0, 1, 48, 49; or 65, 66 after feeding n dots): counted, a dashed line drawn |
//!
//! The glyphs come from the public-domain `font8x8` tables stretched into the 12 x 24 cell
//! (see `font.rs`); characters it lacks print as a hollow box.

mod bitmap;
mod code128;
mod code_page;
mod data_matrix;
mod dots;
mod error;
mod escape_commands;
mod font;
mod group_commands;
mod interpreter;
mod job;
mod line;
mod paper;
mod qr_code;
mod raster;
mod reader;

pub use bitmap::Bitmap;
pub use error::{InterpretError, VirtualPrinterError, VirtualPrinterErrorKind};
pub use interpreter::{PAPER_WIDTH_DOTS_MAX, render};
pub use job::{JobFiles, VirtualPrinter};

/// What one job printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The printed strip, `paper_width_dots` wide, as long as the job fed.
    pub bitmap: Bitmap,
    /// The text of each printed line (wrapped lines separately, barcode text included), in
    /// Unicode; feeds without text add nothing.
    pub text_lines: Vec<String>,
    pub cuts: u32,
    pub drawer_kicks: u32,
}

#[cfg(test)]
mod tests;
