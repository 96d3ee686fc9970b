//! A 1-bit image in the exact layout of the ESC/POS `GS v 0` raster command.
//!
//! Keeping the image in the printer's own format (rows of bytes, most significant bit
//! leftmost, 1 = black) means the encoder copies it out without conversion and a reader of the
//! byte stream (the virtual printer, `verify`) can rebuild the same image from the bytes.

use super::PrintError;

/// The largest raster the encoder accepts, in dots, on either side. Real heads are at most a
/// few thousand dots wide; the bound keeps a bad size from allocating gigabytes.
pub const MAX_RASTER_SIDE_DOTS: u32 = 65_535;

/// A black-and-white image: `height_dots` rows of `bytes_per_row()` bytes each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raster {
    width_dots: u32,
    height_dots: u32,
    rows: Vec<u8>,
}

impl Raster {
    /// An all-white raster.
    pub fn blank(width_dots: u32, height_dots: u32) -> Result<Raster, PrintError> {
        check_size(width_dots, height_dots)?;
        let len = bytes_per_row(width_dots) * height_dots as usize;
        Ok(Raster {
            width_dots,
            height_dots,
            rows: vec![0; len],
        })
    }

    /// A raster from packed rows (MSB-first, 1 = black), as `GS v 0` carries them.
    pub fn from_rows(
        width_dots: u32,
        height_dots: u32,
        rows: Vec<u8>,
    ) -> Result<Raster, PrintError> {
        check_size(width_dots, height_dots)?;
        if rows.len() != bytes_per_row(width_dots) * height_dots as usize {
            return Err(PrintError::Raster {
                width_dots,
                height_dots,
                reason: "the row bytes do not match the size (rows of ceil(width / 8) bytes)",
            });
        }
        Ok(Raster {
            width_dots,
            height_dots,
            rows,
        })
    }

    pub fn width_dots(&self) -> u32 {
        self.width_dots
    }

    pub fn height_dots(&self) -> u32 {
        self.height_dots
    }

    pub fn bytes_per_row(&self) -> usize {
        bytes_per_row(self.width_dots)
    }

    /// The packed rows, top row first.
    pub fn rows(&self) -> &[u8] {
        &self.rows
    }

    /// The packed bytes of row `y` (panics past the last row: callers iterate within height).
    pub(crate) fn row_mut(&mut self, y: usize) -> &mut [u8] {
        let stride = self.bytes_per_row();
        &mut self.rows[y * stride..(y + 1) * stride]
    }

    /// Whether the dot at column `x`, row `y` is black; dots outside the image are white.
    pub fn is_black(&self, x: u32, y: u32) -> bool {
        if x >= self.width_dots || y >= self.height_dots {
            return false;
        }
        let index = y as usize * self.bytes_per_row() + (x / 8) as usize;
        self.rows[index] & (0x80 >> (x % 8)) != 0
    }

    /// Blackens the dots of a rectangle, clipped to the image.
    pub fn fill(&mut self, x: u32, y: u32, width_dots: u32, height_dots: u32) {
        let x_end = x.saturating_add(width_dots).min(self.width_dots);
        let y_end = y.saturating_add(height_dots).min(self.height_dots);
        let stride = self.bytes_per_row();
        for row in y..y_end {
            for column in x..x_end {
                self.rows[row as usize * stride + (column / 8) as usize] |= 0x80 >> (column % 8);
            }
        }
    }

    /// This image placed at `left_dots` inside a white band `width_dots` wide: how the encoder
    /// positions an image on the line without relying on `ESC a`. Works a byte at a time
    /// (a shift and two ORs per source byte): it runs for every label, inside issuance.
    pub fn placed_in(&self, width_dots: u32, left_dots: u32) -> Result<Raster, PrintError> {
        let mut band = Raster::blank(width_dots, self.height_dots)?;
        let source_stride = self.bytes_per_row();
        let band_stride = band.bytes_per_row();
        let shift = left_dots % 8;
        let byte_offset = (left_dots / 8) as usize;
        // Dots past the image's width (row padding) must not become black.
        let last_byte_mask = match self.width_dots % 8 {
            0 => 0xff,
            used => 0xffu8 << (8 - used),
        };
        for (source_row, band_row) in self
            .rows
            .chunks(source_stride.max(1))
            .zip(band.rows.chunks_mut(band_stride.max(1)))
        {
            for (index, &byte) in source_row.iter().enumerate() {
                let byte = if index + 1 == source_stride {
                    byte & last_byte_mask
                } else {
                    byte
                };
                if byte == 0 {
                    continue;
                }
                let at = byte_offset + index;
                if let Some(cell) = band_row.get_mut(at) {
                    *cell |= byte >> shift;
                }
                if shift > 0
                    && let Some(cell) = band_row.get_mut(at + 1)
                {
                    *cell |= byte << (8 - shift);
                }
            }
        }
        Ok(band)
    }
}

fn bytes_per_row(width_dots: u32) -> usize {
    width_dots.div_ceil(8) as usize
}

fn check_size(width_dots: u32, height_dots: u32) -> Result<(), PrintError> {
    let reason = if width_dots == 0 || height_dots == 0 {
        "both sides must be at least 1 dot"
    } else if width_dots > MAX_RASTER_SIDE_DOTS || height_dots > MAX_RASTER_SIDE_DOTS {
        "both sides must be at most 65535 dots"
    } else {
        return Ok(());
    };
    Err(PrintError::Raster {
        width_dots,
        height_dots,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leftmost_dot_is_the_most_significant_bit() {
        let raster = Raster::from_rows(10, 1, vec![0b1000_0000, 0b0100_0000]).expect("raster");
        assert!(raster.is_black(0, 0));
        assert!(!raster.is_black(1, 0));
        assert!(raster.is_black(9, 0));
    }

    #[test]
    fn rows_of_the_wrong_length_are_refused() {
        assert!(Raster::from_rows(9, 2, vec![0; 3]).is_err());
        assert!(Raster::blank(0, 5).is_err());
    }

    #[test]
    fn placing_an_image_shifts_its_dots_right() {
        let mut image = Raster::blank(3, 2).expect("raster");
        image.fill(0, 1, 1, 1);
        let band = image.placed_in(24, 13).expect("band");
        assert_eq!(band.bytes_per_row(), 3);
        assert!(band.is_black(13, 1));
        assert_eq!(band.rows().iter().map(|b| b.count_ones()).sum::<u32>(), 1);
    }

    proptest::proptest! {
        #[test]
        fn placing_matches_moving_every_dot_one_by_one(
            width in 1u32..40,
            height in 1u32..6,
            left in 0u32..30,
            seed in proptest::collection::vec(proptest::prelude::any::<u8>(), 240),
        ) {
            let stride = width.div_ceil(8) as usize;
            // Padding bits are set on purpose: they must not leak into the band.
            let rows: Vec<u8> = seed.iter().copied().cycle().take(stride * height as usize).collect();
            let image = Raster::from_rows(width, height, rows).expect("raster");
            let band_width = (width + left).div_ceil(8) * 8;
            let band = image.placed_in(band_width, left).expect("band");
            for y in 0..height {
                for x in 0..band_width {
                    let expected = x >= left && image.is_black(x - left, y);
                    proptest::prop_assert_eq!(band.is_black(x, y), expected, "dot {} {}", x, y);
                }
            }
        }
    }
}
