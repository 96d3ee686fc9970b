//! The `GS` commands: character size, raster images, barcodes, 2-D codes and the cutter.

use super::code128::{draw_bars, encode_code128};
use super::data_matrix::DATA_MATRIX_CN;
use super::dots::Dots;
use super::error::InterpretError;
use super::font::{GlyphStyle, render_glyph};
use super::interpreter::Interpreter;
use super::paper::Justification;
use super::qr_code::QR_CN;
use super::raster::read_raster;

const GS: u8 = 0x1D;
/// `GS k m` system number of Code 128 (function B: a length byte, then data).
const CODE_128: u8 = 73;

impl Interpreter<'_> {
    /// Everything after a `GS` byte at `offset`.
    pub(crate) fn group_separator(&mut self, offset: usize) -> Result<(), InterpretError> {
        match self.reader.byte(offset)? {
            b'!' => self.select_size(offset)?,
            b'v' => {
                if self.reader.byte(offset)? != b'0' {
                    let bytes = self.reader.since(offset);
                    return Err(InterpretError::UnknownCommand { offset, bytes });
                }
                self.require_empty_line(offset)?;
                let image = read_raster(&mut self.reader, offset, self.paper.width_dots())?;
                self.print_picture(&image)?;
            }
            b'k' => self.print_barcode(offset)?,
            b'h' => match self.reader.byte(offset)? {
                0 => return Err(self.bad_parameter(offset, "barcode height 0".to_owned())),
                dots => self.barcode.height_dots = usize::from(dots),
            },
            b'w' => match self.reader.byte(offset)? {
                dots @ 1..=6 => self.barcode.module_dots = usize::from(dots),
                dots => {
                    let reason = format!("barcode module width {dots} (accepted: 1-6)");
                    return Err(self.bad_parameter(offset, reason));
                }
            },
            b'H' => self.select_barcode_text_position(offset)?,
            // The HRI font: this printer has only Font A, so the choice changes nothing.
            b'f' => match self.reader.byte(offset)? {
                0 | 1 | b'0' | b'1' => {}
                n => {
                    let reason = format!("barcode text font {n} (accepted: 0, 1, '0', '1')");
                    return Err(self.bad_parameter(offset, reason));
                }
            },
            b'(' => self.two_dimensional_code(offset)?,
            b'V' => self.cut(offset)?,
            other => {
                return Err(InterpretError::UnknownCommand {
                    offset,
                    bytes: vec![GS, other],
                });
            }
        }
        Ok(())
    }

    /// `GS ! n`: width factor (n >> 4) + 1 and height factor (n & 0x0F) + 1, each 1-8.
    fn select_size(&mut self, offset: usize) -> Result<(), InterpretError> {
        let n = self.reader.byte(offset)?;
        let (width_factor, height_factor) = (usize::from(n >> 4) + 1, usize::from(n & 0x0F) + 1);
        if width_factor > 8 || height_factor > 8 {
            let reason = format!("character size 0x{n:02X} (accepted: each nibble 0-7)");
            return Err(self.bad_parameter(offset, reason));
        }
        self.mode.style.width_factor = width_factor;
        self.mode.style.height_factor = height_factor;
        Ok(())
    }

    /// `GS H n`: where the human-readable text of a barcode prints.
    fn select_barcode_text_position(&mut self, offset: usize) -> Result<(), InterpretError> {
        let position = match self.reader.byte(offset)? {
            n @ 0..=3 => n,
            n @ b'0'..=b'3' => n - b'0',
            n => {
                let reason = format!("barcode text position {n} (accepted: 0-3 or '0'-'3')");
                return Err(self.bad_parameter(offset, reason));
            }
        };
        self.barcode.text_above = position & 1 == 1;
        self.barcode.text_below = position & 2 == 2;
        Ok(())
    }

    /// `GS k 73 n d1...dn`: a Code 128 symbol with its text above/below as `GS H` says.
    fn print_barcode(&mut self, offset: usize) -> Result<(), InterpretError> {
        let system = self.reader.byte(offset)?;
        if system != CODE_128 {
            let reason = format!("barcode system {system} (accepted: 73 = Code 128)");
            return Err(self.bad_parameter(offset, reason));
        }
        let length = usize::from(self.reader.byte(offset)?);
        let data = self.reader.take(length, offset)?;
        self.require_empty_line(offset)?;
        let symbol = encode_code128(data).map_err(|reason| self.bad_parameter(offset, reason))?;
        let bars = draw_bars(&symbol, self.barcode.module_dots, self.barcode.height_dots);
        if bars.width() > self.paper.width_dots() {
            let reason = format!(
                "the barcode is {} dots wide; the paper has {}",
                bars.width(),
                self.paper.width_dots()
            );
            return Err(self.bad_parameter(offset, reason));
        }
        let text = self.barcode_text(&symbol.human_readable, bars.width());
        if self.barcode.text_above {
            self.print_picture(&text)?;
            self.text_lines.push(symbol.human_readable.clone());
        }
        self.print_picture(&bars)?;
        if self.barcode.text_below {
            self.print_picture(&text)?;
            self.text_lines.push(symbol.human_readable);
        }
        Ok(())
    }

    /// The human-readable line of a barcode: Font A, centred under the bars.
    fn barcode_text(&self, text: &str, bars_width_dots: usize) -> Dots {
        let style = GlyphStyle {
            width_factor: 1,
            height_factor: 1,
            bold: false,
        };
        let glyphs: Vec<Dots> = text.chars().map(|c| render_glyph(c, style)).collect();
        let text_width: usize = glyphs.iter().map(Dots::width).sum();
        let height = glyphs.first().map_or(0, Dots::height);
        let mut line = Dots::blank(bars_width_dots.max(text_width), height);
        let mut left = Justification::Center.left_dots(text_width, line.width());
        for glyph in &glyphs {
            for (x, y) in glyph.black_dots() {
                line.set(left + x, y);
            }
            left += glyph.width();
        }
        line
    }

    /// `GS ( k pL pH cn fn ...`: cn = 54 (Data Matrix) and cn = 49 (QR code).
    fn two_dimensional_code(&mut self, offset: usize) -> Result<(), InterpretError> {
        if self.reader.byte(offset)? != b'k' {
            let bytes = self.reader.since(offset);
            return Err(InterpretError::UnknownCommand { offset, bytes });
        }
        let size = self.reader.take(2, offset)?;
        let length = usize::from(size[0]) + usize::from(size[1]) * 256;
        if length < 2 {
            let reason = format!("parameter length {length} (accepted: at least 2: cn, fn)");
            return Err(self.bad_parameter(offset, reason));
        }
        let body = self.reader.take(length, offset)?;
        let (code, function, params) = (body[0], body[1], &body[2..]);
        let printed = match code {
            DATA_MATRIX_CN => self.data_matrix.apply(function, params),
            QR_CN => self.qr.apply(function, params),
            _ => Err(format!(
                "2-D code cn {code} (accepted: 54 = Data Matrix, 49 = QR code)"
            )),
        }
        .map_err(|reason| self.bad_parameter(offset, reason))?;
        if let Some(symbol) = printed {
            self.require_empty_line(offset)?;
            if symbol.width() > self.paper.width_dots() {
                let reason = format!("the symbol is {} dots wide", symbol.width());
                return Err(self.bad_parameter(offset, reason));
            }
            self.print_picture(&symbol)?;
        }
        Ok(())
    }

    /// `GS V m` (m = 0, 1, 48, 49) or `GS V m n` (m = 65, 66: feed n dots first): a cut.
    fn cut(&mut self, offset: usize) -> Result<(), InterpretError> {
        match self.reader.byte(offset)? {
            0 | 1 | b'0' | b'1' => {}
            65 | 66 => {
                let feed_dots = self.reader.byte(offset)?;
                self.paper.feed(usize::from(feed_dots))?;
            }
            m => {
                let reason = format!("cut mode {m} (accepted: 0, 1, 48, 49, 65 n, 66 n)");
                return Err(self.bad_parameter(offset, reason));
            }
        }
        self.require_empty_line(offset)?;
        self.paper.draw_cut_line()?;
        self.cuts += 1;
        Ok(())
    }
}
