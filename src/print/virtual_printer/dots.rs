//! A small monochrome picture (true = a black dot): a glyph, a raster image, a barcode.
//!
//! Every printable thing is first built as `Dots`, then placed on the paper, so scaling and
//! justification are written once.

/// A rectangle of dots, row-major, `true` = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dots {
    width: usize,
    height: usize,
    black: Vec<bool>,
}

impl Dots {
    /// An all-white rectangle.
    pub(crate) fn blank(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            black: vec![false; width * height],
        }
    }

    pub(crate) fn width(&self) -> usize {
        self.width
    }

    pub(crate) fn height(&self) -> usize {
        self.height
    }

    pub(crate) fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.black[y * self.width + x]
    }

    /// Sets a dot; dots outside the rectangle are ignored (clipped).
    pub(crate) fn set(&mut self, x: usize, y: usize) {
        if x < self.width && y < self.height {
            self.black[y * self.width + x] = true;
        }
    }

    /// Fills a rectangle with black, clipped to the picture.
    pub(crate) fn fill(&mut self, x: usize, y: usize, width: usize, height: usize) {
        for row in y..y.saturating_add(height).min(self.height) {
            for column in x..x.saturating_add(width).min(self.width) {
                self.black[row * self.width + column] = true;
            }
        }
    }

    /// Each dot becomes a `width_factor` x `height_factor` block.
    pub(crate) fn scaled(&self, width_factor: usize, height_factor: usize) -> Self {
        let mut scaled = Self::blank(self.width * width_factor, self.height * height_factor);
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    scaled.fill(
                        x * width_factor,
                        y * height_factor,
                        width_factor,
                        height_factor,
                    );
                }
            }
        }
        scaled
    }

    /// The black dots' coordinates.
    pub(crate) fn black_dots(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.black
            .iter()
            .enumerate()
            .filter(|(_, black)| **black)
            .map(|(index, _)| (index % self.width.max(1), index / self.width.max(1)))
    }
}
