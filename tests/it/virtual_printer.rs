//! The virtual printer, end to end: ESC/POS bytes (from the `escpos` crate and by hand) are
//! rendered, encoded as PNG, and read back with the independent `rxing` decoder.

use std::cell::RefCell;
use std::rc::Rc;

use datamatrix::data::EncodationType;
use datamatrix::{DataMatrixBuilder, SymbolSize};
use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{JustifyMode, PageCode, Protocol};
use postcounter::print::virtual_printer::{
    Bitmap, Rendered, VirtualPrinter, VirtualPrinterErrorKind, render,
};
use postcounter::scan::{decode_png, find_data_matrix};
use proptest::prelude::*;

const PAPER_80MM_DOTS: u32 = 576;
const PAPER_58MM_DOTS: u32 = 384;

/// Collects what the `escpos` crate sends.
#[derive(Clone, Default)]
struct MemoryDriver(Rc<RefCell<Vec<u8>>>);

impl Driver for MemoryDriver {
    fn name(&self) -> String {
        "memory".to_owned()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// The bytes the `escpos` crate emits for `build`, with `page_code` selected at init.
fn escpos_bytes(
    page_code: PageCode,
    build: impl FnOnce(&mut Printer<MemoryDriver>) -> escpos::errors::Result<()>,
) -> Vec<u8> {
    let driver = MemoryDriver::default();
    let options = PrinterOptions::new(Some(page_code), None, 48);
    let mut printer = Printer::new(driver.clone(), Protocol::default(), Some(options));
    printer.init().expect("init");
    build(&mut printer).expect("escpos commands");
    printer.print().expect("flush");
    driver.0.borrow().clone()
}

fn render_ok(bytes: &[u8], paper_width_dots: u32) -> Rendered {
    render(bytes, paper_width_dots).unwrap_or_else(|error| panic!("render failed: {error}"))
}

fn lines_of(bytes: &[u8]) -> Vec<String> {
    render_ok(bytes, PAPER_80MM_DOTS).text_lines
}

fn bitmap_of(bytes: &[u8]) -> Bitmap {
    render_ok(bytes, PAPER_80MM_DOTS).bitmap
}

/// (left, top, right, bottom) of the black dots, inclusive.
fn black_box(bitmap: &Bitmap) -> (u32, u32, u32, u32) {
    let mut bounds = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..bitmap.height {
        for x in 0..bitmap.width {
            if bitmap.luma(x, y) == Bitmap::BLACK {
                bounds = (
                    bounds.0.min(x),
                    bounds.1.min(y),
                    bounds.2.max(x),
                    bounds.3.max(y),
                );
            }
        }
    }
    assert!(bounds.0 != u32::MAX, "nothing was printed");
    bounds
}

/// Deterministic pseudo-random bytes (xorshift64), so failures reproduce.
fn pseudo_random_bytes(seed: u64, count: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// `GS v 0` bytes for a Data Matrix of `payload`, `module_dots` per module.
fn raster_data_matrix(payload: &[u8], size: SymbolSize, module_dots: usize) -> Vec<u8> {
    let symbol = DataMatrixBuilder::new()
        .with_encodation_types(EncodationType::Ascii | EncodationType::Base256)
        .with_symbol_list(size)
        .encode(payload)
        .expect("payload fits the symbol");
    let bitmap = symbol.bitmap();
    let (width_dots, height_dots) = (bitmap.width() * module_dots, bitmap.height() * module_dots);
    let row_bytes = width_dots.div_ceil(8);
    let mut data = vec![0u8; row_bytes * height_dots];
    for (module_x, module_y) in bitmap.pixels() {
        for y in module_y * module_dots..(module_y + 1) * module_dots {
            for x in module_x * module_dots..(module_x + 1) * module_dots {
                data[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let mut bytes = vec![0x1D, b'v', b'0', 0];
    bytes.extend_from_slice(&(row_bytes as u16).to_le_bytes());
    bytes.extend_from_slice(&(height_dots as u16).to_le_bytes());
    bytes.extend(data);
    bytes
}

/// A receipt-like job around a symbol: text above, the symbol centred, text below, a cut.
fn receipt_around(symbol_bytes: &[u8]) -> Vec<u8> {
    let mut bytes = b"\x1b@\x1ba\x01US POSTAGE\n$0.78\n\x1bd\x01".to_vec();
    bytes.extend_from_slice(symbol_bytes);
    bytes.extend_from_slice(b"\x1bd\x02PSD 0001234\n\x1bd\x03\x1dV\x00");
    bytes
}

fn scan_rendered(bytes: &[u8]) -> Vec<u8> {
    let rendered = render_ok(bytes, PAPER_80MM_DOTS);
    let png_bytes = rendered.bitmap.to_png().expect("PNG encodes");
    let image = decode_png(&png_bytes).expect("PNG decodes");
    find_data_matrix(&image).unwrap_or_else(|error| panic!("scan failed: {error}"))
}

#[test]
fn lines_written_with_the_escpos_crate_come_back_as_text_lines() {
    let bytes = escpos_bytes(PageCode::PC437, |printer| {
        printer
            .justify(JustifyMode::CENTER)?
            .bold(true)?
            .writeln("US POSTAGE")?
            .bold(false)?
            .size(2, 2)?
            .writeln("$0.78")?
            .size(1, 1)?
            .justify(JustifyMode::LEFT)?
            .writeln("First-Class Mail Letter")?
            .feeds(3)?
            .print_cut()?;
        Ok(())
    });
    let rendered = render_ok(&bytes, PAPER_80MM_DOTS);
    assert_eq!(
        rendered.text_lines,
        ["US POSTAGE", "$0.78", "First-Class Mail Letter"]
    );
    assert_eq!(rendered.cuts, 1);
    assert_eq!(rendered.bitmap.width, PAPER_80MM_DOTS);
}

#[test]
fn pc437_upper_half_characters_print_as_their_unicode_characters() {
    let bytes = escpos_bytes(PageCode::PC437, |printer| {
        printer.writeln("Café £5 ½ ░▒▓ ±")?;
        Ok(())
    });
    assert!(bytes.contains(&0x82), "é is 0x82 in PC437");
    assert_eq!(lines_of(&bytes), ["Café £5 ½ ░▒▓ ±"]);
    assert_eq!(lines_of(b"\x1bt\x00\x9c\x20\x81\n"), ["£ ü"]);
}

#[test]
fn wpc1252_upper_half_characters_print_as_their_unicode_characters() {
    let bytes = escpos_bytes(PageCode::WPC1252, |printer| {
        printer.writeln("€5 – naïve Ñ")?;
        Ok(())
    });
    assert!(bytes.contains(&0x80), "€ is 0x80 in WPC1252");
    assert_eq!(lines_of(&bytes), ["€5 – naïve Ñ"]);
}

#[test]
fn bold_text_prints_more_dots_than_regular_text() {
    let regular = bitmap_of(b"HELLO\n").black_dot_count();
    let bold = bitmap_of(b"\x1bE\x01HELLO\n").black_dot_count();
    assert!(bold > regular, "bold {bold} dots, regular {regular}");
}

#[test]
fn character_size_multiplies_the_printed_width_and_height() {
    let (left, top, right, bottom) = black_box(&bitmap_of(b"HH\n"));
    let big = render_ok(b"\x1d!\x12HH\n", PAPER_80MM_DOTS);
    let (big_left, big_top, big_right, big_bottom) = black_box(&big.bitmap);
    assert_eq!((big_right - big_left + 1), 2 * (right - left + 1));
    assert_eq!((big_bottom - big_top + 1), 3 * (bottom - top + 1));
    assert_eq!(big.text_lines, ["HH"]);
}

#[test]
fn justification_moves_a_line_to_the_centre_and_the_right() {
    let left_edge = |bytes: &[u8]| black_box(&render_ok(bytes, PAPER_80MM_DOTS).bitmap).0;
    let right_edge = |bytes: &[u8]| black_box(&render_ok(bytes, PAPER_80MM_DOTS).bitmap).2;
    assert!(left_edge(b"MM\n") < 12);
    let centre_left = left_edge(b"\x1ba\x01MM\n");
    assert!(
        (270..=290).contains(&centre_left),
        "centred line starts at {centre_left}"
    );
    assert!(right_edge(b"\x1ba2MM\n") >= PAPER_80MM_DOTS - 12);
}

#[test]
fn a_line_longer_than_the_paper_wraps_like_a_printer() {
    let text = "0123456789".repeat(5);
    let rendered = render_ok(format!("{text}\n").as_bytes(), PAPER_58MM_DOTS);
    // 384 dots hold 32 Font A cells.
    assert_eq!(rendered.text_lines, [&text[..32], &text[32..]]);
}

#[test]
fn a_raster_data_matrix_scans_back_to_its_payload() {
    for (seed, module_dots) in [(1, 4), (2, 5), (3, 6)] {
        let payload = pseudo_random_bytes(seed, 112);
        let symbol = raster_data_matrix(&payload, SymbolSize::Square40, module_dots);
        assert_eq!(
            scan_rendered(&receipt_around(&symbol)),
            payload,
            "{module_dots} dots/module"
        );
    }
}

#[test]
fn every_byte_value_survives_printing_and_scanning() {
    let all_bytes: Vec<u8> = (0..=255).collect();
    let mut scanned = Vec::new();
    for chunk in all_bytes.chunks(112) {
        let symbol = raster_data_matrix(chunk, SymbolSize::Square40, 4);
        scanned.extend(scan_rendered(&receipt_around(&symbol)));
    }
    assert_eq!(scanned, all_bytes);
}

#[test]
fn a_native_data_matrix_command_scans_back_to_its_payload() {
    let payload = pseudo_random_bytes(7, 112);
    let mut command = b"\x1d(k\x03\x006C\x05".to_vec();
    let store_length = (payload.len() + 3) as u16;
    command.extend_from_slice(b"\x1d(k");
    command.extend_from_slice(&store_length.to_le_bytes());
    command.extend_from_slice(b"6P0");
    command.extend_from_slice(&payload);
    command.extend_from_slice(b"\x1d(k\x03\x006Q0");
    assert_eq!(scan_rendered(&receipt_around(&command)), payload);
}

#[test]
fn the_escpos_crate_data_matrix_command_prints_a_readable_symbol() {
    let bytes = escpos_bytes(PageCode::PC437, |printer| {
        printer
            .data_matrix("US POSTAGE $0.78 2026-07-12")?
            .feeds(2)?;
        Ok(())
    });
    assert_eq!(scan_rendered(&bytes), b"US POSTAGE $0.78 2026-07-12");
}

#[test]
fn a_code_128_barcode_prints_bars_and_its_text_below() {
    let rendered = render_ok(
        b"\x1dh\x50\x1dw\x02\x1dH\x02\x1dk\x49\x09{BABC-123",
        PAPER_80MM_DOTS,
    );
    assert_eq!(rendered.text_lines, ["ABC-123"]);
    assert_eq!(rendered.bitmap.height, 80 + 24);
    // Start B, 7 characters and the check: 11 modules each; the stop 13; 2 dots per module.
    // The symbol begins and ends with a bar, so the black extent is the whole symbol.
    let (left, _, right, _) = black_box(&rendered.bitmap);
    assert_eq!(right - left + 1, 2 * (11 * 9 + 13));
}

#[test]
fn print_job_writes_both_files_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jobs_dir = dir.path().join("jobs");
    std::fs::create_dir(&jobs_dir).expect("jobs dir");
    std::fs::write(jobs_dir.join("job-000002.escpos"), b"earlier").expect("earlier job");
    let mut printer = VirtualPrinter::new(&jobs_dir, PAPER_80MM_DOTS);
    let names: Vec<String> = [b"ONE\n".as_slice(), b"TWO\n", b"THREE\n"]
        .iter()
        .map(|job| {
            let files = printer.print_job(job).expect("job prints");
            assert_eq!(
                std::fs::read(&files.escpos_path).expect("escpos file"),
                *job
            );
            let png = std::fs::read(&files.png_path).expect("png file");
            let image = decode_png(&png).expect("a PNG");
            assert_eq!(image.width, PAPER_80MM_DOTS);
            files
                .png_path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["job-000001.png", "job-000003.png", "job-000004.png"]
    );
    assert_eq!(
        std::fs::read(jobs_dir.join("job-000002.escpos")).expect("kept"),
        b"earlier"
    );
    let mut second_printer = VirtualPrinter::new(&jobs_dir, PAPER_80MM_DOTS);
    let files = second_printer.print_job(b"FOUR\n").expect("job prints");
    assert!(files.escpos_path.ends_with("job-000005.escpos"));
    let error = printer.print_job(b"\x1bZ").expect_err("bad job");
    assert_eq!(error.kind(), VirtualPrinterErrorKind::BadJob);
    assert!(!jobs_dir.join("job-000006.escpos").exists());
}

/// Fragments of real commands, so random jobs reach deep into the parsers.
fn command_fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..8),
        Just(b"\x1b@".to_vec()),
        Just(b"\x1bt\x10".to_vec()),
        Just(b"\x1d!\x77".to_vec()),
        Just(b"\x1ba\x01".to_vec()),
        Just(b"\x1dv0\x03\x02\x00\x03\x00".to_vec()),
        Just(b"\x1dk\x49\x05{B".to_vec()),
        Just(b"\x1d(k\x03\x006Q0".to_vec()),
        Just(b"\x1d(k\x05\x006P0".to_vec()),
        Just(b"\x1dVA".to_vec()),
        Just(b"ABC\n".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_byte_soup_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = render(&bytes, PAPER_58MM_DOTS);
    }

    #[test]
    fn random_command_soup_never_panics(
        fragments in proptest::collection::vec(command_fragment(), 0..24),
    ) {
        let _ = render(&fragments.concat(), PAPER_58MM_DOTS);
    }
}
