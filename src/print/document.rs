//! What to print, independent of any printer: a list of blocks, top to bottom.
//!
//! A document is plain data so that layouts are pure functions that tests can inspect
//! without decoding bytes, and so that the same document can go to any printer profile. Text
//! is kept as Unicode here; the encoder sanitizes it for the profile's code page.

use super::qr::QrSymbol;
use super::{DataMatrixSymbol, Raster};

/// Horizontal placement on the line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// How a line of text looks: emphasis, character magnification (1 to 8) and placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextStyle {
    pub bold: bool,
    pub width: u8,
    pub height: u8,
    pub align: Align,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            bold: false,
            width: 1,
            height: 1,
            align: Align::Left,
        }
    }
}

impl TextStyle {
    pub fn bold(self) -> TextStyle {
        TextStyle { bold: true, ..self }
    }

    pub fn aligned(self, align: Align) -> TextStyle {
        TextStyle { align, ..self }
    }

    pub fn size(self, width: u8, height: u8) -> TextStyle {
        TextStyle {
            width,
            height,
            ..self
        }
    }
}

/// One element of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// One line of text, ended by a line feed.
    Text { text: String, style: TextStyle },
    /// Blank lines.
    Feed { lines: u8 },
    /// A 1-bit image.
    Raster { raster: Raster, align: Align },
    /// A Code 128 barcode (code set B: printable ASCII), optionally with its text below.
    Code128 {
        data: String,
        height_dots: u32,
        align: Align,
        human_readable: bool,
    },
    /// A GS1-128 barcode (Code 128 code set C with FNC1): each element string is an
    /// application identifier and its data, all digits, an even number of them, and starts
    /// after an FNC1. No human-readable text: the caller prints what a reader needs.
    Gs1_128 {
        elements: Vec<String>,
        height_dots: u32,
        align: Align,
    },
    /// A Data Matrix with square modules of `dots_per_module` dots, surrounded by a light
    /// quiet zone of `quiet_zone_modules` modules on every side.
    DataMatrix {
        symbol: DataMatrixSymbol,
        align: Align,
        dots_per_module: u32,
        quiet_zone_modules: u32,
    },
    /// A QR code (model 2, level M) with square modules of `dots_per_module` dots inside a
    /// light quiet zone of `quiet_zone_modules` modules.
    Qr {
        symbol: QrSymbol,
        align: Align,
        dots_per_module: u32,
        quiet_zone_modules: u32,
    },
    /// A pulse to the cash drawer connected to the printer.
    OpenDrawer,
    /// Feed to the cutter and cut the paper.
    Cut,
}

/// A printable document: blocks in print order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    blocks: Vec<Block>,
}

impl Document {
    pub fn new() -> Document {
        Document::default()
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    pub fn push(mut self, block: Block) -> Document {
        self.blocks.push(block);
        self
    }

    /// A plain left-aligned line.
    pub fn line(self, text: impl Into<String>) -> Document {
        self.styled_line(text, TextStyle::default())
    }

    pub fn styled_line(self, text: impl Into<String>, style: TextStyle) -> Document {
        self.push(Block::Text {
            text: text.into(),
            style,
        })
    }

    pub fn feed(self, lines: u8) -> Document {
        self.push(Block::Feed { lines })
    }

    pub fn raster(self, raster: Raster, align: Align) -> Document {
        self.push(Block::Raster { raster, align })
    }

    pub fn code128(self, data: impl Into<String>, height_dots: u32, align: Align) -> Document {
        self.push(Block::Code128 {
            data: data.into(),
            height_dots,
            align,
            human_readable: true,
        })
    }

    pub fn gs1_128(self, elements: Vec<String>, height_dots: u32, align: Align) -> Document {
        self.push(Block::Gs1_128 {
            elements,
            height_dots,
            align,
        })
    }

    pub fn data_matrix(
        self,
        symbol: DataMatrixSymbol,
        align: Align,
        dots_per_module: u32,
        quiet_zone_modules: u32,
    ) -> Document {
        self.push(Block::DataMatrix {
            symbol,
            align,
            dots_per_module,
            quiet_zone_modules,
        })
    }

    /// A QR code of `symbol`, with the 4-module quiet zone the standard asks for.
    pub fn qr(self, symbol: QrSymbol, dots_per_module: u32, align: Align) -> Document {
        self.push(Block::Qr {
            symbol,
            align,
            dots_per_module,
            quiet_zone_modules: 4,
        })
    }

    pub fn open_drawer(self) -> Document {
        self.push(Block::OpenDrawer)
    }

    pub fn cut(self) -> Document {
        self.push(Block::Cut)
    }
}
