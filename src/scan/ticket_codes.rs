//! Reading a ticket's code back from a picture: an event ticket's QR code and a lottery
//! ticket's Code 128, both ASCII text, for `gate scan` and `postcounter verify`.

use rxing::common::HybridBinarizer;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader};

use super::{LumaImage, ScanError, no_symbol};

/// Finds and decodes one QR code in `image`: an event ticket's code is ASCII text. The
/// detector can take glyphs elsewhere on a receipt for finder patterns, and misses some
/// symbols of small modules that it reads at twice the size: the picture is tried whole,
/// then each block of it between blank bands (a receipt's lines), each as it is and doubled.
pub fn find_qr(image: &LumaImage) -> Result<String, ScanError> {
    if image.width == 0 || image.height == 0 {
        return Err(ScanError::EmptyImage {
            width: image.width,
            height: image.height,
        });
    }
    let mut detail = match read_qr(image) {
        Ok(text) => return Ok(text),
        Err(detail) => detail,
    };
    for block in blocks(image) {
        for picture in [&block, &doubled(&block)] {
            match read_qr(picture) {
                Ok(text) => return Ok(text),
                Err(error) => detail = error,
            }
        }
    }
    Err(no_symbol(image, "QR", detail))
}

/// One QR code read from the whole of `picture`, trying harder, then as a lone symbol.
fn read_qr(picture: &LumaImage) -> Result<String, String> {
    let harder = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true));
    let pure = DecodeHints::default().with(rxing::DecodeHintValue::PureBarcode(true));
    let mut detail = String::new();
    for hints in [&harder, &pure] {
        let source =
            Luma8LuminanceSource::new(picture.pixels.clone(), picture.width, picture.height)
                .map_err(|error| error.to_string())?;
        let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        match rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, hints) {
            Ok(result) => return Ok(result.getText().to_string()),
            Err(error) => detail = error.to_string(),
        }
    }
    Err(detail)
}

/// The parts of `image` between bands of at least 16 white rows, each with a white margin:
/// on a receipt, its blocks of lines and its symbols apart.
fn blocks(image: &LumaImage) -> Vec<LumaImage> {
    const GAP_ROWS: usize = 16;
    const MARGIN: usize = 16;
    let width = image.width as usize;
    let blank = |row: usize| {
        image.pixels[row * width..(row + 1) * width]
            .iter()
            .all(|&p| p > 128)
    };
    let height = image.height as usize;
    let mut spans = Vec::new();
    let (mut start, mut white_run) = (None, 0);
    for row in 0..=height {
        if row < height && !blank(row) {
            start.get_or_insert(row);
            white_run = 0;
            continue;
        }
        white_run += 1;
        if let Some(first) = start
            && (white_run >= GAP_ROWS || row == height)
        {
            spans.push((first, row + 1 - white_run));
            start = None;
        }
    }
    spans
        .into_iter()
        .filter(|(top, bottom)| bottom - top >= 42)
        .map(|(top, bottom)| {
            let rows = bottom - top + 2 * MARGIN;
            let mut pixels = vec![255u8; rows * width];
            pixels[MARGIN * width..(MARGIN + bottom - top) * width]
                .copy_from_slice(&image.pixels[top * width..bottom * width]);
            LumaImage {
                width: image.width,
                height: rows as u32,
                pixels,
            }
        })
        .collect()
}

/// `image` at twice its width and height, each pixel repeated.
fn doubled(image: &LumaImage) -> LumaImage {
    let (width, height) = (image.width as usize, image.height as usize);
    let mut pixels = Vec::with_capacity(width * height * 4);
    for row in image.pixels.chunks(width.max(1)) {
        let wide: Vec<u8> = row.iter().flat_map(|&p| [p, p]).collect();
        pixels.extend_from_slice(&wide);
        pixels.extend_from_slice(&wide);
    }
    LumaImage {
        width: image.width * 2,
        height: image.height * 2,
        pixels,
    }
}

/// Finds and decodes one Code 128 barcode in `image` (a lottery ticket's validation number).
pub fn find_code128(image: &LumaImage) -> Result<String, ScanError> {
    let source = Luma8LuminanceSource::new(image.pixels.clone(), image.width, image.height)
        .map_err(|error| no_symbol(image, "Code 128", error.to_string()))?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true));
    rxing::oned::Code128Reader
        .decode_with_hints(&mut bitmap, &hints)
        .map(|result| result.getText().to_string())
        .map_err(|error| no_symbol(image, "Code 128", error.to_string()))
}
