//! The interpreter's state and main loop: bytes in, a `Rendered` job out.
//!
//! The loop only splits the stream into printable bytes, LF and command introducers; the
//! command families live in `escape_commands.rs` (ESC, DLE) and `group_commands.rs` (GS).
//! Everything here is pure: no IO, no clock.

use super::code_page::CodePage;
use super::data_matrix::DataMatrixState;
use super::dots::Dots;
use super::error::InterpretError;
use super::font::{GlyphStyle, render_glyph};
use super::line::LineBuffer;
use super::paper::{Justification, Paper};
use super::qr_code::QrState;
use super::reader::ByteReader;
use super::{Bitmap, Rendered};

/// Line spacing after `ESC @` and `ESC 2`: 30 dots, about 3.75 mm at 203 dpi.
pub(crate) const DEFAULT_LINE_SPACING_DOTS: usize = 30;
/// The widest paper this printer accepts (4 in at 203 dpi is 812-832; some label printers 1248).
pub const PAPER_WIDTH_DOTS_MAX: u32 = 2_048;

/// The text mode `ESC @` restores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextMode {
    pub(crate) code_page: CodePage,
    pub(crate) justification: Justification,
    pub(crate) style: GlyphStyle,
    pub(crate) line_spacing_dots: usize,
}

impl Default for TextMode {
    fn default() -> Self {
        Self {
            code_page: CodePage::Pc437,
            justification: Justification::Left,
            style: GlyphStyle {
                width_factor: 1,
                height_factor: 1,
                bold: false,
            },
            line_spacing_dots: DEFAULT_LINE_SPACING_DOTS,
        }
    }
}

/// 1-D barcode settings (`GS h`, `GS w`, `GS H`), at their power-on values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BarcodeSettings {
    pub(crate) height_dots: usize,
    pub(crate) module_dots: usize,
    pub(crate) text_above: bool,
    pub(crate) text_below: bool,
}

impl Default for BarcodeSettings {
    fn default() -> Self {
        Self {
            height_dots: 162,
            module_dots: 3,
            text_above: false,
            text_below: false,
        }
    }
}

/// One job being interpreted.
pub(crate) struct Interpreter<'a> {
    pub(crate) reader: ByteReader<'a>,
    pub(crate) paper: Paper,
    pub(crate) mode: TextMode,
    pub(crate) line: LineBuffer,
    pub(crate) barcode: BarcodeSettings,
    pub(crate) data_matrix: DataMatrixState,
    pub(crate) qr: QrState,
    pub(crate) text_lines: Vec<String>,
    pub(crate) cuts: u32,
    pub(crate) drawer_kicks: u32,
}

/// Interprets one job's ESC/POS bytes and renders what a printer with paper
/// `paper_width_dots` wide would print. See the module documentation for the command set.
pub fn render(escpos: &[u8], paper_width_dots: u32) -> Result<Rendered, InterpretError> {
    if paper_width_dots == 0 || paper_width_dots > PAPER_WIDTH_DOTS_MAX {
        return Err(InterpretError::BadPaperWidth {
            width_dots: paper_width_dots,
            limit_dots: PAPER_WIDTH_DOTS_MAX,
        });
    }
    let mut interpreter = Interpreter {
        reader: ByteReader::new(escpos),
        paper: Paper::new(paper_width_dots as usize),
        mode: TextMode::default(),
        line: LineBuffer::default(),
        barcode: BarcodeSettings::default(),
        data_matrix: DataMatrixState::default(),
        qr: QrState::default(),
        text_lines: Vec::new(),
        cuts: 0,
        drawer_kicks: 0,
    };
    interpreter.run()?;
    Ok(Rendered {
        bitmap: interpreter.paper.into_bitmap(),
        text_lines: interpreter.text_lines,
        cuts: interpreter.cuts,
        drawer_kicks: interpreter.drawer_kicks,
    })
}

impl Interpreter<'_> {
    fn run(&mut self) -> Result<(), InterpretError> {
        while !self.reader.is_at_end() {
            let offset = self.reader.offset();
            match self.reader.byte(offset)? {
                0x0A => self.print_line()?,
                0x10 => self.data_link_escape(offset)?,
                0x1B => self.escape(offset)?,
                0x1D => self.group_separator(offset)?,
                byte @ (0x20..=0x7E | 0x80..=0xFF) => self.character(offset, byte)?,
                byte => {
                    return Err(InterpretError::UnknownCommand {
                        offset,
                        bytes: vec![byte],
                    });
                }
            }
        }
        if !self.line.is_empty() {
            return Err(InterpretError::UnterminatedLine {
                pending: self.line.text().to_owned(),
            });
        }
        Ok(())
    }

    /// A printable byte: decode it on the current page and add its cell, wrapping first when
    /// the cell would overflow the paper.
    fn character(&mut self, offset: usize, byte: u8) -> Result<(), InterpretError> {
        let code_page = self.mode.code_page;
        let character =
            code_page
                .decode(byte)
                .ok_or_else(|| InterpretError::UnmappedCharacter {
                    offset,
                    byte,
                    code_page: code_page.name(),
                })?;
        let glyph = render_glyph(character, self.mode.style);
        if !self.line.is_empty() && self.line.width_dots() + glyph.width() > self.paper.width_dots()
        {
            self.print_line()?;
        }
        self.line.push(character, glyph, self.mode.justification);
        Ok(())
    }

    /// LF: prints the pending line and feeds one line (at least the line's height).
    pub(crate) fn print_line(&mut self) -> Result<(), InterpretError> {
        let height_dots = self.draw_pending_line()?;
        self.paper
            .feed(height_dots.max(self.mode.line_spacing_dots))
    }

    /// Draws the pending line at the print position without feeding; returns its height.
    pub(crate) fn draw_pending_line(&mut self) -> Result<usize, InterpretError> {
        if self.line.is_empty() {
            return Ok(0);
        }
        let line = self.line.take();
        let left_dots = line
            .justification
            .left_dots(line.dots.width(), self.paper.width_dots());
        self.paper.draw(&line.dots, left_dots)?;
        self.text_lines.push(line.text);
        Ok(line.dots.height())
    }

    /// Prints a picture (image, barcode, 2-D code) at the print position with the current
    /// justification and feeds past it.
    pub(crate) fn print_picture(&mut self, picture: &Dots) -> Result<(), InterpretError> {
        let left_dots = self
            .mode
            .justification
            .left_dots(picture.width(), self.paper.width_dots());
        self.paper.draw(picture, left_dots)?;
        self.paper.feed(picture.height())
    }

    /// Commands that print graphics or cut act only at the beginning of a line on a real
    /// printer; pending text means the encoder forgot an LF.
    pub(crate) fn require_empty_line(&self, offset: usize) -> Result<(), InterpretError> {
        if self.line.is_empty() {
            return Ok(());
        }
        Err(InterpretError::PendingText {
            offset,
            bytes: self.reader.since(offset),
            pending: self.line.text().to_owned(),
        })
    }

    /// An error for a known command whose parameter this printer does not accept.
    pub(crate) fn bad_parameter(&self, offset: usize, reason: String) -> InterpretError {
        InterpretError::BadParameter {
            offset,
            bytes: self.reader.since(offset),
            reason,
        }
    }

    /// `ESC @`: back to the power-on state; the print buffer is discarded.
    pub(crate) fn initialize(&mut self) {
        self.mode = TextMode::default();
        self.line.clear();
        self.barcode = BarcodeSettings::default();
        self.data_matrix = DataMatrixState::default();
        self.qr = QrState::default();
    }
}

impl Bitmap {
    /// Luma of paper.
    pub const WHITE: u8 = 255;
    /// Luma of a printed dot.
    pub const BLACK: u8 = 0;
}
