//! The paper roll: a fixed width of dots that grows downward as the job prints.
//!
//! Positions are in dots from the top-left corner. The paper only ever grows, so a job's
//! output is one bitmap, like the strip a real printer would cut off.

use super::Bitmap;
use super::dots::Dots;
use super::error::InterpretError;

/// The longest strip one job may produce: about 5 m at 203 dpi. It bounds memory when the
/// bytes are garbage (feeds of 255 lines, huge images).
pub(crate) const PAPER_LENGTH_DOTS_MAX: usize = 40_000;

/// Where a line, image or code sits across the paper (`ESC a n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Justification {
    #[default]
    Left,
    Center,
    Right,
}

impl Justification {
    /// The left edge of something `width_dots` wide on paper `paper_width_dots` wide.
    pub(crate) fn left_dots(self, width_dots: usize, paper_width_dots: usize) -> usize {
        let spare = paper_width_dots.saturating_sub(width_dots);
        match self {
            Self::Left => 0,
            Self::Center => spare / 2,
            Self::Right => spare,
        }
    }
}

/// The printed strip so far and the print position.
pub(crate) struct Paper {
    width_dots: usize,
    /// Rows of dots; `true` = black.
    rows: Vec<Vec<bool>>,
    /// The top of the next thing printed.
    position_dots: usize,
}

impl Paper {
    pub(crate) fn new(width_dots: usize) -> Self {
        Self {
            width_dots,
            rows: Vec::new(),
            position_dots: 0,
        }
    }

    pub(crate) fn width_dots(&self) -> usize {
        self.width_dots
    }

    /// Moves the print position down (a feed).
    pub(crate) fn feed(&mut self, dots: usize) -> Result<(), InterpretError> {
        self.position_dots = self.position_dots.saturating_add(dots);
        self.check_length(self.position_dots)
    }

    /// Draws `picture` with its top at the print position, `left_dots` from the left edge;
    /// dots past the right edge are lost, as on a real printer. Does not feed.
    pub(crate) fn draw(&mut self, picture: &Dots, left_dots: usize) -> Result<(), InterpretError> {
        self.draw_at(picture, left_dots, self.position_dots)
    }

    /// Draws `picture` with its top at `top_dots`.
    pub(crate) fn draw_at(
        &mut self,
        picture: &Dots,
        left_dots: usize,
        top_dots: usize,
    ) -> Result<(), InterpretError> {
        let bottom_dots = top_dots.saturating_add(picture.height());
        self.check_length(bottom_dots)?;
        if self.rows.len() < bottom_dots {
            self.rows.resize(bottom_dots, vec![false; self.width_dots]);
        }
        for (x, y) in picture.black_dots() {
            if let Some(dot) = self.rows[top_dots + y].get_mut(left_dots + x) {
                *dot = true;
            }
        }
        Ok(())
    }

    /// A dashed line across the paper at the print position: where the cutter cut.
    pub(crate) fn draw_cut_line(&mut self) -> Result<(), InterpretError> {
        const DASH_DOTS: usize = 8;
        const THICKNESS_DOTS: usize = 2;
        let mut line = Dots::blank(self.width_dots, THICKNESS_DOTS);
        for start in (0..self.width_dots).step_by(DASH_DOTS * 2) {
            line.fill(start, 0, DASH_DOTS, THICKNESS_DOTS);
        }
        self.draw(&line, 0)?;
        self.feed(THICKNESS_DOTS)
    }

    fn check_length(&self, length_dots: usize) -> Result<(), InterpretError> {
        if length_dots > PAPER_LENGTH_DOTS_MAX {
            return Err(InterpretError::TooLong {
                height_dots: length_dots,
                limit_dots: PAPER_LENGTH_DOTS_MAX,
            });
        }
        Ok(())
    }

    /// The finished strip: as long as the last feed or the lowest dot, at least one row.
    pub(crate) fn into_bitmap(self) -> Bitmap {
        let height = self.rows.len().max(self.position_dots).max(1);
        let mut pixels = vec![Bitmap::WHITE; self.width_dots * height];
        for (y, row) in self.rows.iter().enumerate() {
            for (x, black) in row.iter().enumerate() {
                if *black {
                    pixels[y * self.width_dots + x] = Bitmap::BLACK;
                }
            }
        }
        Bitmap {
            width: self.width_dots as u32,
            height: height as u32,
            pixels,
        }
    }
}
