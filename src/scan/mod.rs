//! Reading a Data Matrix back from a picture, the decoding half of `postcounter verify`.
//!
//! The decoder is `rxing`, independent of the `datamatrix` crate that encodes, so a round trip
//! proves the printed symbol, not our own assumptions. rxing returns *text*, which mangles binary
//! payloads (its Latin-1/UTF-8 guessing), so the payload is rebuilt here from the symbol's data
//! codewords (ASCII and Base256 encodation, ISO/IEC 16022 5.2.3 and 5.2.9); only a symbol using
//! another encodation falls back to rxing's text.

mod ticket_codes;

pub use ticket_codes::{find_code128, find_qr};

use rxing::common::HybridBinarizer;
use rxing::datamatrix::DataMatrixReader;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader};

/// A grayscale picture: one luma byte per pixel, row-major, 0 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumaImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// What kind of failure a `ScanError` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanErrorKind {
    /// The input is not a picture we can read.
    BadImage,
    /// The picture holds no readable Data Matrix.
    NoSymbol,
}

/// Why no payload could be read.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("not a readable PNG image ({0}); accepted: PNG of any colour type and bit depth")]
    Png(#[from] png::DecodingError),
    #[error("the image is empty ({width} x {height} pixels)")]
    EmptyImage { width: u32, height: u32 },
    #[error("the image's {actual} pixels do not match its size {width} x {height}")]
    SizeMismatch {
        width: u32,
        height: u32,
        actual: usize,
    },
    #[error("no {symbology} symbol found in the {width} x {height} image ({detail})")]
    NoSymbolFound {
        symbology: &'static str,
        width: u32,
        height: u32,
        detail: String,
    },
}

impl ScanError {
    pub fn kind(&self) -> ScanErrorKind {
        match self {
            Self::NoSymbolFound { .. } => ScanErrorKind::NoSymbol,
            Self::Png(_) | Self::EmptyImage { .. } | Self::SizeMismatch { .. } => {
                ScanErrorKind::BadImage
            }
        }
    }
}

/// Decodes a PNG of any colour type and bit depth into 8-bit luma; transparent pixels are
/// composited on white (paper).
pub fn decode_png(png_bytes: &[u8]) -> Result<LumaImage, ScanError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let frame = reader.next_frame(&mut buffer)?;
    let (width, height) = (frame.width, frame.height);
    if width == 0 || height == 0 {
        return Err(ScanError::EmptyImage { width, height });
    }
    let channels = frame.color_type.samples();
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for row in buffer[..frame.buffer_size()].chunks(frame.line_size) {
        for pixel in row[..width as usize * channels].chunks(channels) {
            pixels.push(pixel_luma(frame.color_type, pixel));
        }
    }
    Ok(LumaImage {
        width,
        height,
        pixels,
    })
}

/// Luma of one 8-bit pixel (ITU-R BT.601 weights), alpha composited on white.
fn pixel_luma(color_type: png::ColorType, pixel: &[u8]) -> u8 {
    let (luma, alpha) = match (color_type, pixel) {
        (png::ColorType::GrayscaleAlpha, [gray, alpha]) => (u32::from(*gray), u32::from(*alpha)),
        (png::ColorType::Rgb, [red, green, blue]) => (weighted(*red, *green, *blue), 255),
        (png::ColorType::Rgba, [red, green, blue, alpha]) => {
            (weighted(*red, *green, *blue), u32::from(*alpha))
        }
        (_, [gray, ..]) => (u32::from(*gray), 255),
        (_, []) => (255, 255),
    };
    ((luma * alpha + 255 * (255 - alpha)) / 255) as u8
}

fn weighted(red: u8, green: u8, blue: u8) -> u32 {
    (299 * u32::from(red) + 587 * u32::from(green) + 114 * u32::from(blue)) / 1000
}

/// Finds and decodes one Data Matrix in `image`, returning its exact payload bytes.
pub fn find_data_matrix(image: &LumaImage) -> Result<Vec<u8>, ScanError> {
    let (width, height) = (image.width, image.height);
    if width == 0 || height == 0 {
        return Err(ScanError::EmptyImage { width, height });
    }
    if image.pixels.len() != width as usize * height as usize {
        return Err(ScanError::SizeMismatch {
            width,
            height,
            actual: image.pixels.len(),
        });
    }
    // The detector finds a symbol among text; the pure mode reads a lone, unrotated symbol
    // that the detector can miss.
    let attempts = [
        DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true)),
        DecodeHints::default().with(rxing::DecodeHintValue::PureBarcode(true)),
    ];
    let mut detail = String::new();
    for hints in &attempts {
        let source = Luma8LuminanceSource::new(image.pixels.clone(), width, height)
            .map_err(|error| no_symbol(image, "Data Matrix", error.to_string()))?;
        let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        match DataMatrixReader.decode_with_hints(&mut bitmap, hints) {
            Ok(result) => {
                return Ok(payload_from_codewords(result.getRawBytes())
                    .unwrap_or_else(|| text_as_bytes(result.getText())));
            }
            Err(error) => detail = error.to_string(),
        }
    }
    Err(no_symbol(image, "Data Matrix", detail))
}

pub(crate) fn no_symbol(image: &LumaImage, symbology: &'static str, detail: String) -> ScanError {
    ScanError::NoSymbolFound {
        symbology,
        width: image.width,
        height: image.height,
        detail,
    }
}

/// Text from an encodation we do not rebuild: Latin-1 when it fits (the Data Matrix default
/// character set), UTF-8 otherwise.
fn text_as_bytes(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_else(|| text.as_bytes().to_vec())
}

/// The payload of data codewords that use only ASCII and Base256 encodation; `None` when the
/// symbol uses anything else (C40, Text, X12, EDIFACT, ECI, FNC1, macros, ...).
fn payload_from_codewords(codewords: &[u8]) -> Option<Vec<u8>> {
    const PAD: u8 = 129;
    const LATCH_BASE256: u8 = 231;
    const UPPER_SHIFT: u8 = 235;
    let mut payload = Vec::new();
    let mut upper_shift = false;
    let mut index = 0;
    while let Some(&codeword) = codewords.get(index) {
        index += 1;
        match codeword {
            1..=128 => {
                let byte = codeword - 1;
                payload.push(if upper_shift { byte + 128 } else { byte });
                upper_shift = false;
            }
            PAD => return Some(payload),
            130..=229 => payload.extend_from_slice(format!("{:02}", codeword - 130).as_bytes()),
            LATCH_BASE256 if !upper_shift => {
                index = read_base256(codewords, index, &mut payload)?;
            }
            UPPER_SHIFT if !upper_shift => upper_shift = true,
            _ => return None,
        }
    }
    (!upper_shift).then_some(payload)
}

/// Reads a Base256 field whose length codeword is at `index`; returns the index after it.
fn read_base256(codewords: &[u8], index: usize, payload: &mut Vec<u8>) -> Option<usize> {
    // Codeword positions are 1-based for the randomizing: the codeword at index i is at i + 1.
    let field = |at: usize| Some(unrandomize_255(*codewords.get(at)?, at + 1));
    let first = usize::from(field(index)?);
    let (count, data_start) = match first {
        0 => (codewords.len().checked_sub(index + 1)?, index + 1),
        1..=249 => (first, index + 1),
        _ => (
            250 * (first - 249) + usize::from(field(index + 1)?),
            index + 2,
        ),
    };
    for at in data_start..data_start + count {
        payload.push(field(at)?);
    }
    Some(data_start + count)
}

/// Undoes the 255-state randomizing of the codeword at 1-based `position` (ISO/IEC 16022 B.2).
fn unrandomize_255(codeword: u8, position: usize) -> u8 {
    let pseudo_random = (149 * position) % 255 + 1;
    ((usize::from(codeword) + 256 - pseudo_random) % 256) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use datamatrix::DataMatrixBuilder;
    use datamatrix::data::EncodationType;

    fn codewords_of(payload: &[u8]) -> Vec<u8> {
        DataMatrixBuilder::new()
            .with_encodation_types(EncodationType::Ascii | EncodationType::Base256)
            .encode(payload)
            .expect("payload fits")
            .data_codewords()
            .to_vec()
    }

    #[test]
    fn every_byte_value_survives_the_codeword_decoder() {
        let payload: Vec<u8> = (0..=255).collect();
        for chunk in payload.chunks(100) {
            assert_eq!(
                payload_from_codewords(&codewords_of(chunk)).as_deref(),
                Some(chunk)
            );
        }
    }

    #[test]
    fn digits_and_ascii_text_survive_the_codeword_decoder() {
        let payload = b"US POSTAGE 0123456789 $0.78";
        assert_eq!(
            payload_from_codewords(&codewords_of(payload)).as_deref(),
            Some(&payload[..])
        );
    }

    #[test]
    fn a_c40_latch_is_left_to_the_text_fallback() {
        assert_eq!(payload_from_codewords(&[230, 1, 2]), None);
    }

    #[test]
    fn a_grey_rgba_pixel_on_white_becomes_lighter() {
        assert_eq!(pixel_luma(png::ColorType::Rgba, &[0, 0, 0, 255]), 0);
        assert_eq!(pixel_luma(png::ColorType::Rgba, &[0, 0, 0, 0]), 255);
        assert_eq!(pixel_luma(png::ColorType::Rgb, &[255, 255, 255]), 255);
    }
    #[test]
    fn an_rgb_png_is_read_as_luma() {
        let mut png_bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut png_bytes, 2, 1);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().expect("header");
        writer
            .write_image_data(&[0, 0, 0, 255, 255, 255])
            .expect("data");
        writer.finish().expect("finish");
        assert_eq!(decode_png(&png_bytes).expect("decodes").pixels, [0, 255]);
    }

    #[test]
    fn unreadable_images_and_images_without_a_symbol_are_told_apart() {
        let not_png = decode_png(b"GIF89a").expect_err("not a PNG");
        assert_eq!(not_png.kind(), ScanErrorKind::BadImage);
        let mut pixels = vec![255; 200 * 100];
        pixels[50 * 200..51 * 200].fill(0);
        let lined_paper = LumaImage {
            width: 200,
            height: 100,
            pixels,
        };
        let error = find_data_matrix(&lined_paper).expect_err("no symbol");
        assert_eq!(error.kind(), ScanErrorKind::NoSymbol);
        assert!(error.to_string().contains("no Data Matrix"), "{error}");
    }
}
