//! The line buffer: characters wait here until LF (or a feed command, or a wrap) prints them.
//!
//! ESC/POS prints whole lines: the glyphs of a line share one baseline (the bottom of the
//! tallest cell), and the justification in force when the line began places the whole line.

use super::dots::Dots;
use super::paper::Justification;

/// One pending line.
#[derive(Debug, Default)]
pub(crate) struct LineBuffer {
    glyphs: Vec<Dots>,
    text: String,
    width_dots: usize,
    justification: Justification,
}

/// A finished line, ready to draw.
pub(crate) struct PrintedLine {
    pub(crate) dots: Dots,
    pub(crate) text: String,
    pub(crate) justification: Justification,
}

impl LineBuffer {
    pub(crate) fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    pub(crate) fn width_dots(&self) -> usize {
        self.width_dots
    }

    /// The text so far, for error messages.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Adds a character cell; the first one fixes the line's justification.
    pub(crate) fn push(&mut self, character: char, glyph: Dots, justification: Justification) {
        if self.glyphs.is_empty() {
            self.justification = justification;
        }
        self.width_dots += glyph.width();
        self.text.push(character);
        self.glyphs.push(glyph);
    }

    /// Discards the pending line (`ESC @` clears the print buffer).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// Empties the buffer into one picture, the glyphs aligned on their bottom edge.
    pub(crate) fn take(&mut self) -> PrintedLine {
        let line = std::mem::take(self);
        let height = line.glyphs.iter().map(Dots::height).max().unwrap_or(0);
        let mut dots = Dots::blank(line.width_dots, height);
        let mut left = 0;
        for glyph in &line.glyphs {
            let top = height - glyph.height();
            for (x, y) in glyph.black_dots() {
                dots.set(left + x, top + y);
            }
            left += glyph.width();
        }
        PrintedLine {
            dots,
            text: line.text,
            justification: line.justification,
        }
    }
}
