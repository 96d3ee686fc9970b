//! `GS v 0 m xL xH yL yH d1...dk`: a raster bit image, the way the encoder prints a Data Matrix
//! on printers without a native 2-D code command.
//!
//! Rows are `xL + xH * 256` bytes, most significant bit first, 1 = black; `m` doubles the
//! width (1), the height (2) or both (3).

use super::dots::Dots;
use super::error::InterpretError;
use super::reader::ByteReader;

/// Reads the command after its `GS v 0` prefix and returns the image as printed (scaled).
/// `paper_width_dots` bounds the width: a real printer would refuse a wider image.
pub(crate) fn read_raster(
    reader: &mut ByteReader<'_>,
    command_offset: usize,
    paper_width_dots: usize,
) -> Result<Dots, InterpretError> {
    let header = reader.take(5, command_offset)?;
    let (width_factor, height_factor) = match header[0] {
        0 | 48 => (1, 1),
        1 | 49 => (2, 1),
        2 | 50 => (1, 2),
        3 | 51 => (2, 2),
        mode => {
            return Err(InterpretError::BadParameter {
                offset: command_offset,
                bytes: reader.since(command_offset),
                reason: format!("raster mode {mode} (accepted: 0-3 or '0'-'3')"),
            });
        }
    };
    let row_bytes = usize::from(header[1]) + usize::from(header[2]) * 256;
    let rows = usize::from(header[3]) + usize::from(header[4]) * 256;
    let width_dots = row_bytes * 8 * width_factor;
    if width_dots > paper_width_dots {
        return Err(InterpretError::BadParameter {
            offset: command_offset,
            bytes: reader.since(command_offset),
            reason: format!(
                "a raster {width_dots} dots wide does not fit the paper's {paper_width_dots} dots"
            ),
        });
    }
    let data = reader.take(row_bytes * rows, command_offset)?;
    let mut image = Dots::blank(row_bytes * 8, rows);
    for (index, byte) in data.iter().enumerate() {
        let (row, column_byte) = (index / row_bytes, index % row_bytes);
        for bit in 0..8 {
            if byte & (0x80 >> bit) != 0 {
                image.set(column_byte * 8 + bit, row);
            }
        }
    }
    Ok(image.scaled(width_factor, height_factor))
}
