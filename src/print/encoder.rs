//! The ESC/POS encoder: a pure function from a [`Document`] and a [`PrinterProfile`] to the
//! bytes of one print job.
//!
//! It builds the job with the `escpos` crate writing into an in-memory driver, so no IO
//! happens here and the same bytes can go to any transport, to the virtual printer, or into a
//! test. The emitted command set is deliberately small (another module interprets exactly
//! this set); every job is, in order:
//!
//! | bytes | meaning | when |
//! |---|---|---|
//! | `1B 40` | `ESC @` initialize | once, first |
//! | `1B 74 n` | `ESC t n` code page (PC437: 0, WPC1252: 16) | once, second |
//! | `1B 61 n` | `ESC a n` justify (0 left, 1 centre, 2 right) | before every text, barcode, raster and native symbol |
//! | `1B 45 n` | `ESC E n` bold (0 off, 1 on) | before every text line |
//! | `1D 21 n` | `GS ! n` size, n = (width - 1) << 4 \| (height - 1) | before every text line |
//! | text `0A` | the line's bytes (sanitized: only 0x20-0x7E and the page's printable bytes 0x80-0xFF), then LF | text |
//! | `1B 64 n` | `ESC d n` feed n lines (n >= 1) | feed |
//! | `1D 76 30 00 xL xH yL yH data` | `GS v 0` raster, xL + 256 xH bytes per row, yL + 256 yH rows (at most 1024 per command), MSB = leftmost dot, 1 = black | images, and Data Matrix on printers without native support |
//! | `1D 48 n` `1D 68 h` `1D 77 02` `1D 6B 49 n 7B 42 data` | `GS H` HRI (0 none, 2 below), `GS h` height, `GS w` module width, `GS k 73` Code 128 set B (`{` sent as `{{`) | Code 128 |
//! | `1D 28 6B 05 00 36 42 00 d d`, `1D 28 6B 03 00 36 43 n`, `1D 28 6B pL pH 36 50 30 payload`, `1D 28 6B 03 00 36 51 30` | `GS ( k` Data Matrix: square d x d, module n dots, store payload (pL + 256 pH = len + 3), print | Data Matrix on printers with native support |
//! | `1B 70 00 19 FA` | `ESC p` drawer kick, pin 2, 50 ms on, 500 ms off | open drawer, if the profile has a drawer |
//! | `1D 56 41 00` | `GS V 65 0` feed to the cutter and cut | cut, if the profile has a cutter |
//!
//! Images are positioned by padding them with white dots to the full line width rather than
//! by `ESC a` (many clone printers ignore `ESC a` for rasters), so every raster is exactly
//! `dots_per_line` dots wide. Blocks a printer cannot perform (a cut without a cutter, a
//! drawer kick without a drawer) are left out: there is nothing to do for them.

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, PageCode, Protocol};

use super::document::TextStyle;
use super::qr::QrSymbol;
use super::sanitize::sanitize;
use super::{Align, Block, CodePage, Document, PrintError, PrinterProfile, Raster};
use super::{DataMatrixSymbol, escpos_commands};

/// The bytes of `document` printed on a printer described by `profile`.
pub fn encode(document: &Document, profile: &PrinterProfile) -> Result<Vec<u8>, PrintError> {
    let buffer = MemoryDriver::default();
    let mut printer = Printer::new(buffer.clone(), Protocol::default(), None);
    printer.init()?.page_code(page_code(profile.code_page))?;
    for block in document.blocks() {
        encode_block(&mut printer, &buffer, block, profile)?;
    }
    // Nothing reaches the driver until `print()`.
    printer.print()?;
    Ok(buffer.take())
}

fn encode_block(
    printer: &mut Printer<MemoryDriver>,
    raw: &MemoryDriver,
    block: &Block,
    profile: &PrinterProfile,
) -> Result<(), PrintError> {
    match block {
        Block::Text { text, style } => encode_text(printer, text, *style, profile.code_page)?,
        Block::Feed { lines } => {
            if *lines > 0 {
                printer.feeds(*lines)?;
            }
        }
        Block::Raster { raster, align } => encode_raster(printer, raw, raster, *align, profile)?,
        Block::Code128 {
            data,
            height_dots,
            align,
            human_readable,
        } => {
            let bytes = escpos_commands::code128(
                data,
                *height_dots,
                *human_readable,
                profile.dots_per_line,
            )?;
            printer.justify(justify_mode(*align))?.custom(&bytes)?;
        }
        Block::Gs1_128 {
            elements,
            height_dots,
            align,
        } => {
            let bytes = escpos_commands::gs1_128(elements, *height_dots, profile.dots_per_line)?;
            printer.justify(justify_mode(*align))?.custom(&bytes)?;
        }
        Block::DataMatrix {
            symbol,
            align,
            dots_per_module,
            quiet_zone_modules,
        } => encode_data_matrix(
            printer,
            raw,
            symbol,
            *align,
            *dots_per_module,
            *quiet_zone_modules,
            profile,
        )?,
        Block::Qr {
            symbol,
            align,
            dots_per_module,
            quiet_zone_modules,
        } => encode_qr(
            printer,
            raw,
            symbol,
            *align,
            (*dots_per_module, *quiet_zone_modules),
            profile,
        )?,
        Block::OpenDrawer => {
            if profile.has_drawer {
                printer.custom(&escpos_commands::drawer_kick())?;
            }
        }
        Block::Cut => {
            if profile.cuts {
                printer.cut()?;
            }
        }
    }
    Ok(())
}

fn encode_text(
    printer: &mut Printer<MemoryDriver>,
    text: &str,
    style: TextStyle,
    code_page: CodePage,
) -> Result<(), PrintError> {
    if !(1..=8).contains(&style.width) || !(1..=8).contains(&style.height) {
        return Err(PrintError::TextSize {
            width: style.width,
            height: style.height,
        });
    }
    let mut line = sanitize(text, code_page);
    line.push(b'\n');
    printer
        .justify(justify_mode(style.align))?
        .bold(style.bold)?
        .size(style.width, style.height)?
        .custom(&line)?;
    Ok(())
}

/// Rasters bypass the `escpos` crate's instruction list, which copies every byte of a
/// command several times through iterators (half of a label's encoding time, measured with
/// callgrind): the pending commands are flushed in order, then the `GS v 0` bytes are
/// appended to the same buffer.
fn encode_raster(
    printer: &mut Printer<MemoryDriver>,
    raw: &MemoryDriver,
    raster: &Raster,
    align: Align,
    profile: &PrinterProfile,
) -> Result<(), PrintError> {
    let left_dots = left_offset_dots(align, free_dots(raster.width_dots(), profile)?);
    let band = raster.placed_in(profile.dots_per_line, left_dots)?;
    emit_band(printer, raw, &band)
}

/// The white dots left on the line beside an image `width_dots` wide; an error when it does
/// not fit.
fn free_dots(width_dots: u32, profile: &PrinterProfile) -> Result<u32, PrintError> {
    profile
        .dots_per_line
        .checked_sub(width_dots)
        .ok_or_else(|| PrintError::TooWide {
            width_dots,
            dots_per_line: profile.dots_per_line,
            profile: profile.name.clone(),
        })
}

fn left_offset_dots(align: Align, free_dots: u32) -> u32 {
    match align {
        Align::Left => 0,
        Align::Center => free_dots / 2,
        Align::Right => free_dots,
    }
}

/// Flushes the pending commands, then appends the line-wide band as `GS v 0`.
fn emit_band(
    printer: &mut Printer<MemoryDriver>,
    raw: &MemoryDriver,
    band: &Raster,
) -> Result<(), PrintError> {
    printer.justify(JustifyMode::LEFT)?.print()?;
    raw.write(&escpos_commands::raster_gs_v0(band))?;
    Ok(())
}

fn encode_data_matrix(
    printer: &mut Printer<MemoryDriver>,
    raw: &MemoryDriver,
    symbol: &DataMatrixSymbol,
    align: Align,
    dots_per_module: u32,
    quiet_zone_modules: u32,
    profile: &PrinterProfile,
) -> Result<(), PrintError> {
    if profile.native_datamatrix {
        let bytes = escpos_commands::native_data_matrix(symbol, dots_per_module)?;
        printer.justify(justify_mode(align))?.custom(&bytes)?;
        return Ok(());
    }
    let width_dots =
        symbol.side_dots(symbol.width_modules(), dots_per_module, quiet_zone_modules)?;
    emit_symbol_band(printer, raw, (align, width_dots), profile, |left_dots| {
        symbol.to_raster_in_band(
            dots_per_module,
            quiet_zone_modules,
            profile.dots_per_line,
            left_dots,
        )
    })
}

/// A 2-D symbol `width_dots` wide as a raster, aligned on the line: `draw` makes the
/// line-wide band with the symbol starting at the left offset it is given.
fn emit_symbol_band(
    printer: &mut Printer<MemoryDriver>,
    raw: &MemoryDriver,
    (align, width_dots): (Align, u32),
    profile: &PrinterProfile,
    draw: impl FnOnce(u32) -> Result<Raster, PrintError>,
) -> Result<(), PrintError> {
    let left_dots = left_offset_dots(align, free_dots(width_dots, profile)?);
    emit_band(printer, raw, &draw(left_dots)?)
}

fn encode_qr(
    printer: &mut Printer<MemoryDriver>,
    raw: &MemoryDriver,
    symbol: &QrSymbol,
    align: Align,
    (dots_per_module, quiet_zone_modules): (u32, u32),
    profile: &PrinterProfile,
) -> Result<(), PrintError> {
    if profile.native_qr {
        let bytes = escpos_commands::native_qr(symbol, dots_per_module)?;
        printer.justify(justify_mode(align))?.custom(&bytes)?;
        return Ok(());
    }
    let width_dots = symbol.side_dots(dots_per_module, quiet_zone_modules)?;
    emit_symbol_band(printer, raw, (align, width_dots), profile, |left_dots| {
        symbol.to_raster_in_band(
            dots_per_module,
            quiet_zone_modules,
            profile.dots_per_line,
            left_dots,
        )
    })
}

fn justify_mode(align: Align) -> JustifyMode {
    match align {
        Align::Left => JustifyMode::LEFT,
        Align::Center => JustifyMode::CENTER,
        Align::Right => JustifyMode::RIGHT,
    }
}

fn page_code(code_page: CodePage) -> PageCode {
    match code_page {
        CodePage::Pc437 => PageCode::PC437,
        CodePage::Wpc1252 => PageCode::WPC1252,
    }
}

/// An `escpos` driver that appends to a shared in-memory buffer; the encoder keeps one
/// handle and the printer the other.
#[derive(Clone, Default)]
struct MemoryDriver {
    bytes: Rc<RefCell<Vec<u8>>>,
}

impl MemoryDriver {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes.borrow_mut())
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> String {
        "memory".to_string()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.bytes.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::document::TextStyle;

    fn profile(name: &str) -> PrinterProfile {
        PrinterProfile::embedded(name).expect("shipped profile")
    }

    #[test]
    fn text_and_code128_go_out_as_the_documented_bytes() {
        let style = TextStyle::default()
            .bold()
            .size(2, 3)
            .aligned(Align::Center);
        let document = Document::new()
            .styled_line("Größe €1\x1b", style)
            .code128("PC{1}", 60, Align::Right)
            .feed(3);
        let bytes = encode(&document, &profile("label-4x6")).expect("encode");
        let mut expected = b"\x1b@\x1bt\x10".to_vec();
        expected.extend_from_slice(b"\x1ba\x01\x1bE\x01\x1d!\x12Gr\xf6\xdfe \x801\n");
        expected.extend_from_slice(b"\x1ba\x02\x1dH\x02\x1dh\x3c\x1dw\x02\x1dkI\x08{BPC{{1}");
        expected.extend_from_slice(b"\x1bd\x03");
        assert_eq!(bytes, expected);
    }

    #[test]
    fn an_image_wider_than_the_paper_is_refused() {
        let raster = Raster::blank(392, 8).expect("raster");
        let document = Document::new().raster(raster, Align::Left);
        let error = encode(&document, &profile("receipt-58mm")).expect_err("too wide");
        assert_eq!(
            error.to_string(),
            "an image 392 dots wide does not fit the 384-dot line of printer \"receipt-58mm\""
        );
    }

    #[test]
    fn cut_and_drawer_kick_go_out_only_on_printers_that_have_them() {
        let document = Document::new().cut().open_drawer();
        let with = encode(&document, &profile("receipt-80mm")).expect("encode");
        assert_eq!(&with[5..], b"\x1dVA\x00\x1bp\x00\x19\xfa");
        let without = encode(&document, &profile("receipt-58mm")).expect("encode");
        assert_eq!(without, b"\x1b@\x1bt\x00");
    }

    #[test]
    fn a_centred_image_is_padded_to_the_full_line() {
        let mut raster = Raster::blank(16, 1).expect("raster");
        raster.fill(0, 0, 16, 1);
        let document = Document::new().raster(raster, Align::Center);
        let bytes = encode(&document, &profile("receipt-58mm")).expect("encode");
        let mut expected = b"\x1b@\x1bt\x00\x1ba\x00\x1dv0\x00\x30\x00\x01\x00".to_vec();
        let mut row = vec![0u8; 48];
        row[23] = 0xFF;
        row[24] = 0xFF;
        expected.extend(row);
        assert_eq!(bytes, expected);
    }
}
