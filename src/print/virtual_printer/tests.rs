//! Unit tests of the interpreter's rules: errors for what a printer would not print as
//! meant, and the paper's length after feeds. The end-to-end tests (escpos crate bytes, PNG,
//! scanning, job files) are in tests/virtual_printer.rs.

use super::{Bitmap, InterpretError, Rendered, render};

const RECEIPT_80MM_DOTS: u32 = 576;
const RECEIPT_58MM_DOTS: u32 = 384;

fn render_ok(bytes: &[u8], paper_width_dots: u32) -> Rendered {
    render(bytes, paper_width_dots).unwrap_or_else(|error| panic!("render failed: {error}"))
}

fn bitmap_of(bytes: &[u8]) -> Bitmap {
    render_ok(bytes, RECEIPT_80MM_DOTS).bitmap
}

fn rejection(bytes: &[u8]) -> InterpretError {
    render(bytes, RECEIPT_80MM_DOTS).expect_err("the printer rejects the job")
}

#[test]
fn a_byte_the_code_page_does_not_define_is_an_error() {
    let error = rejection(b"\x1bt\x10\x81\n");
    assert!(matches!(
        error,
        InterpretError::UnmappedCharacter {
            offset: 3,
            byte: 0x81,
            ..
        }
    ));
}

#[test]
fn feeds_and_line_spacing_lengthen_the_paper() {
    let short = bitmap_of(b"A\n").height;
    let fed = bitmap_of(b"A\n\x1bd\x04\x1bJ\x10").height;
    assert_eq!(short, 30);
    assert_eq!(fed, 30 + 4 * 30 + 16);
    let spaced = bitmap_of(b"\x1b3\x40A\nB\n").height;
    assert_eq!(spaced, 2 * 64);
}

#[test]
fn an_unknown_command_is_an_error_naming_its_offset_and_bytes() {
    let error = rejection(b"AB\n\x1bZ\x01");
    assert_eq!(
        error,
        InterpretError::UnknownCommand {
            offset: 3,
            bytes: vec![0x1B, b'Z']
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("offset 3") && message.contains("1B 5A"),
        "{message}"
    );
    let control = rejection(b"\x07");
    assert_eq!(
        control,
        InterpretError::UnknownCommand {
            offset: 0,
            bytes: vec![0x07]
        }
    );
}

#[test]
fn a_truncated_command_is_an_error_not_a_panic() {
    let truncated: [&[u8]; 6] = [
        b"\x1b",
        b"\x1bd",
        b"\x1dv0\x00\x02\x00\x02\x00\xff\xff\xff",
        b"\x1d(k\x10\x006P0abc",
        b"\x1dk\x49\x09{BAB",
        b"\x1bp\x00\x19",
    ];
    for bytes in truncated {
        let error = rejection(bytes);
        assert!(
            matches!(error, InterpretError::Truncated { offset: 0, .. }),
            "{error}"
        );
    }
}

#[test]
fn text_not_ended_by_a_line_feed_is_an_error() {
    let error = rejection(b"TOTAL $0.78");
    assert!(
        matches!(error, InterpretError::UnterminatedLine { pending } if pending == "TOTAL $0.78")
    );
    let before_image = render(b"X\x1dv0\x00\x01\x00\x01\x00\xff", RECEIPT_80MM_DOTS);
    assert!(matches!(
        before_image,
        Err(InterpretError::PendingText { offset: 1, .. })
    ));
}

#[test]
fn a_raster_wider_than_the_paper_is_refused() {
    let error = render(b"\x1dv0\x00\x31\x00\x01\x00", RECEIPT_58MM_DOTS).expect_err("392 > 384");
    assert!(
        matches!(error, InterpretError::BadParameter { offset: 0, .. }),
        "{error}"
    );
}

#[test]
fn cuts_and_drawer_kicks_are_counted() {
    let rendered = render_ok(
        b"\x1bp\x00\x19\xfaPAID\n\x1dVA\x10\x1bp\x01\x19\xfa\x1dV\x01",
        384,
    );
    assert_eq!((rendered.cuts, rendered.drawer_kicks), (2, 2));
    assert_eq!(rendered.text_lines, ["PAID"]);
}
