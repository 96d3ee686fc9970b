//! The rendered job as a grayscale picture, and its PNG encoding (8-bit grayscale).

/// A rendered job: white paper (255), black dots (0), row-major, one byte per dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Bitmap {
    /// The luma at (x, y); white outside the picture.
    pub fn luma(&self, x: u32, y: u32) -> u8 {
        if x >= self.width || y >= self.height {
            return Self::WHITE;
        }
        self.pixels[y as usize * self.width as usize + x as usize]
    }

    /// How many dots are black.
    pub fn black_dot_count(&self) -> usize {
        self.pixels
            .iter()
            .filter(|luma| **luma == Self::BLACK)
            .count()
    }

    /// The picture as PNG bytes (8-bit grayscale).
    pub fn to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut png_bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut png_bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(png_bytes)
    }
}
