//! Printing: shipped profiles, profile errors, the ESC/POS bytes of labels and receipts, text
//! sanitizing, and the TCP transport against a recording printer.
//!
//! The byte streams are read back with a small parser of exactly the command set the encoder
//! documents: a stray control byte from text would show up as an unknown or extra command.

use std::path::Path;

use postcounter::date::Date;
use postcounter::money::Money;
use postcounter::print::card::CardLast4;
use postcounter::print::label::{INDICIUM_CLEAR_ZONE_MODULES, LabelContent, label_document};
use postcounter::print::receipt::{
    ReceiptContent, ReceiptItem, Tender, TenderKind, receipt_document,
};
use postcounter::print::sanitize::printed_len;
use postcounter::print::simulator::RecordingPrinter;
use postcounter::print::{
    Block, DataMatrixSymbol, PrinterProfile, TcpTransport, Transport, encode,
};

/// One command of the documented set, as a printer would read it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Command {
    Init,
    CodePage(u8),
    Justify(u8),
    Bold(u8),
    Size(u8),
    Text(Vec<u8>),
    Feed(u8),
    /// Bytes per row, rows, data.
    Raster(usize, usize, Vec<u8>),
    BarcodeSetting(u8, u8),
    Code128(Vec<u8>),
    /// `GS ( k` for Data Matrix (cn 54): function and parameters.
    TwoD(u8, Vec<u8>),
    DrawerKick(Vec<u8>),
    Cut,
}

fn parse(bytes: &[u8]) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let (command, len) = match rest {
            [0x1B, b'@', ..] => (Command::Init, 2),
            [0x1B, b't', n, ..] => (Command::CodePage(*n), 3),
            [0x1B, b'a', n, ..] => (Command::Justify(*n), 3),
            [0x1B, b'E', n, ..] => (Command::Bold(*n), 3),
            [0x1D, b'!', n, ..] => (Command::Size(*n), 3),
            [0x1B, b'd', n, ..] => (Command::Feed(*n), 3),
            [0x1B, b'p', ..] if rest.len() >= 5 => (Command::DrawerKick(rest[2..5].to_vec()), 5),
            [0x1D, b'V', b'A', 0, ..] => (Command::Cut, 4),
            [0x1D, b'v', b'0', 0, xl, xh, yl, yh, ..] => {
                let bytes_per_row = usize::from(*xl) + 256 * usize::from(*xh);
                let rows = usize::from(*yl) + 256 * usize::from(*yh);
                let len = 8 + bytes_per_row * rows;
                (
                    Command::Raster(bytes_per_row, rows, rest[8..len].to_vec()),
                    len,
                )
            }
            [0x1D, setting @ (b'H' | b'h' | b'w'), n, ..] => {
                (Command::BarcodeSetting(*setting, *n), 3)
            }
            [0x1D, b'k', 73, n, ..] => {
                let len = 4 + usize::from(*n);
                (Command::Code128(rest[4..len].to_vec()), len)
            }
            [0x1D, b'(', b'k', pl, ph, 54, function, ..] => {
                let len = 5 + usize::from(*pl) + 256 * usize::from(*ph);
                (Command::TwoD(*function, rest[7..len].to_vec()), len)
            }
            _ => {
                let text_len = rest
                    .iter()
                    .position(|&b| b < 0x20 || b == 0x7F)
                    .unwrap_or_else(|| panic!("text at {at} is not ended by LF"));
                assert_eq!(
                    rest[text_len],
                    b'\n',
                    "unknown command at byte {}",
                    at + text_len
                );
                (Command::Text(rest[..text_len].to_vec()), text_len + 1)
            }
        };
        commands.push(command);
        at += len;
    }
    commands
}

fn profile(name: &str) -> PrinterProfile {
    PrinterProfile::embedded(name).expect("shipped profile")
}

fn indicium_payload() -> Vec<u8> {
    (0..112u32).map(|i| (i * 37 + 11) as u8).collect()
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| line.to_string()).collect()
}

fn label_content() -> LabelContent {
    LabelContent {
        symbol: DataMatrixSymbol::encode(&indicium_payload()).expect("symbol"),
        postage: Money::parse("0.78").expect("money"),
        mailing_date: Date::parse("2026-07-12").expect("date"),
        origin_zip: "02134".to_string(),
        psd_serial: "PSD0000042".to_string(),
        class_marking: "FIRST-CLASS MAIL".to_string(),
        piece_serial: "000123".to_string(),
        from_lines: strings(&["POSTCOUNTER", "1 MAIN ST"]),
        to_lines: strings(&["JANE DOE", "ALLSTON MA 02134"]),
        customs_lines: Vec::new(),
        service_markings: Vec::new(),
        tracking: None,
        tracking_note: None,
    }
}

fn receipt_content() -> ReceiptContent {
    let money = |text| Money::parse(text).expect("money");
    ReceiptContent {
        header_lines: strings(&["POSTCOUNTER", "1 MAIN ST, BOSTON MA 02134"]),
        issued_at: Some("2026-12-06 09:14 EST".into()),
        transaction: "counter-0123456789abcdef-sale12".into(),
        items: vec![
            ReceiptItem {
                description: "FIRST-CLASS MAIL LETTER 1 OZ".to_string(),
                quantity: 3,
                amount: money("2.34"),
                notes: strings(&["to 90210 BEVERLY HILLS CA"]),
            },
            ReceiptItem {
                description: "PRIORITY MAIL EXPRESS INTERNATIONAL FLAT RATE ENVELOPE, TO UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND (PRICE GROUP 5)"
                    .to_string(),
                quantity: 1,
                amount: money("1234.50"),
                notes: strings(&["customs CN 23, declared $1200.00"]),
            },
        ],
        total: money("1236.84"),
        tenders: vec![
            Tender {
                kind: TenderKind::Card,
                card_last4: Some(CardLast4::from_card_number("4111 1111 1111 1234").expect("pan")),
                card_brand: Some("VISA".into()),
                approval_code: Some("A1B2C3".into()),
                ..Tender::cash(money("1200.00"))
            },
            Tender::cash(money("40.00")),
        ],
        change: Some(money("3.16")),
        indicium_serials: strings(&["PSD0000042-000123", "PSD0000042-000124"]),
        footer_lines: strings(&["THANK YOU"]),
        open_drawer: true,
    }
}

/// Every text line's bytes, in order.
fn texts(commands: &[Command]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Text(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_shipped_printer_profile_loads_and_is_embedded() {
    let embedded = PrinterProfile::all_embedded().expect("shipped profiles are valid");
    let mut files = 0;
    for entry in std::fs::read_dir("printers").expect("printers folder") {
        let path = entry.expect("entry").path();
        let loaded = PrinterProfile::load_file(&path).expect("every printers/*.toml loads");
        assert!(
            embedded.contains(&loaded),
            "{} is not embedded",
            path.display()
        );
        assert_eq!(
            path.file_stem().and_then(|s| s.to_str()),
            Some(loaded.name.as_str())
        );
        files += 1;
    }
    assert_eq!(files, embedded.len());
}

/// Each broken fixture states the exact message it must fail with on its first line,
/// `# expect: <reason>`; the message is `<file>: <reason>`.
#[test]
fn each_broken_profile_fails_with_the_exact_message_its_fixture_states() {
    let mut checked = 0;
    for entry in std::fs::read_dir("tests/fixtures/printers/invalid").expect("fixtures") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8 name");
        let path = format!("tests/fixtures/printers/invalid/{name}");
        let text = std::fs::read_to_string(&path).expect("fixture");
        let reason = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "));
        let reason = reason.unwrap_or_else(|| panic!("{path} lacks its # expect: line"));
        let error = PrinterProfile::load_file(Path::new(&path)).expect_err(&path);
        assert_eq!(error.to_string(), format!("{path}: {reason}"));
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} broken fixtures");
}

#[test]
fn a_label_on_a_raster_printer_carries_the_symbol_as_a_line_wide_gs_v0_raster() {
    for name in ["receipt-80mm", "receipt-58mm", "label-4x6"] {
        let profile = profile(name);
        let bytes = encode(&label_document(&label_content(), &profile), &profile).expect("encode");
        let commands = parse(&bytes);
        assert!(
            !commands.iter().any(|c| matches!(c, Command::TwoD(..))),
            "{name}"
        );
        let rasters: Vec<_> = commands
            .iter()
            .filter_map(|c| match c {
                Command::Raster(bytes_per_row, rows, data) => Some((*bytes_per_row, *rows, data)),
                _ => None,
            })
            .collect();
        assert_eq!(rasters.len(), 1, "{name}");
        let (bytes_per_row, rows, data) = &rasters[0];
        let dots = profile.matrix_dots_per_module as usize;
        let side_modules = 40 + 2 * INDICIUM_CLEAR_ZONE_MODULES as usize;
        assert_eq!(*bytes_per_row * 8, profile.dots_per_line as usize, "{name}");
        assert_eq!(*rows, side_modules * dots, "{name}");
        let decoded = decode_right_aligned_symbol(data, *bytes_per_row, dots);
        assert_eq!(decoded, indicium_payload(), "{name}");
    }
}

/// Samples the centre of each module of a 40x40 symbol drawn flush right with the clear zone.
fn decode_right_aligned_symbol(data: &[u8], bytes_per_row: usize, dots: usize) -> Vec<u8> {
    let quiet = INDICIUM_CLEAR_ZONE_MODULES as usize;
    let left = bytes_per_row * 8 - (40 + 2 * quiet) * dots;
    let black = |x: usize, y: usize| data[y * bytes_per_row + x / 8] & (0x80 >> (x % 8)) != 0;
    let pixels: Vec<bool> = (0..40)
        .flat_map(|row| (0..40).map(move |column| (column, row)))
        .map(|(column, row)| {
            black(
                left + (quiet + column) * dots + dots / 2,
                (quiet + row) * dots + dots / 2,
            )
        })
        .collect();
    datamatrix::DataMatrix::decode(&pixels, 40).expect("the raster decodes")
}

#[test]
fn a_label_on_a_native_printer_sends_the_binary_payload_with_gs_paren_k() {
    let profile = profile("receipt-80mm-native-dm");
    let bytes = encode(&label_document(&label_content(), &profile), &profile).expect("encode");
    let commands = parse(&bytes);
    assert!(!commands.iter().any(|c| matches!(c, Command::Raster(..))));
    let two_d: Vec<_> = commands
        .iter()
        .filter_map(|c| match c {
            Command::TwoD(function, params) => Some((*function, params.clone())),
            _ => None,
        })
        .collect();
    let mut stored = vec![48];
    stored.extend(indicium_payload());
    assert_eq!(
        two_d,
        vec![
            (66, vec![0, 40, 40]),
            (67, vec![profile.matrix_dots_per_module as u8]),
            (80, stored),
            (81, vec![48]),
        ]
    );
}

const HOSTILE: &str =
    "EVIL\x1bp\x00\x19\u{fa}\x1b@\x1dV\x41\x00\x10\x04\x01\x7f\u{9b}2J\r\nDONE \u{202e}é€";

#[test]
fn hostile_text_never_reaches_the_printer_as_control_bytes() {
    let mut label = label_content();
    label.origin_zip = HOSTILE.to_string();
    label.psd_serial = HOSTILE.to_string();
    label.class_marking = HOSTILE.to_string();
    label.from_lines = vec![HOSTILE.to_string()];
    label.to_lines = vec![HOSTILE.to_string()];
    let mut receipt = receipt_content();
    receipt.header_lines = vec![HOSTILE.to_string()];
    receipt.items[0].description = HOSTILE.to_string();
    receipt.indicium_serials = vec![HOSTILE.to_string()];
    receipt.footer_lines = vec![HOSTILE.to_string()];
    receipt.open_drawer = false;
    for name in PrinterProfile::embedded_names() {
        let profile = profile(name);
        for document in [
            label_document(&label, &profile),
            receipt_document(&receipt, &profile),
        ] {
            let commands = parse(&encode(&document, &profile).expect("encode"));
            assert_eq!(commands.iter().filter(|c| **c == Command::Init).count(), 1);
            assert!(!commands.iter().any(|c| matches!(c, Command::DrawerKick(_))));
            for command in &commands {
                if let Command::Text(bytes) = command {
                    assert!(
                        bytes.iter().all(|&b| b >= 0x20 && b != 0x7F),
                        "{name}: {bytes:?}"
                    );
                    assert!(
                        bytes
                            .iter()
                            .all(|&b| profile.code_page.char_for(b).is_some())
                    );
                }
            }
        }
    }
}

#[test]
fn the_receipt_fits_the_line_on_58mm_and_80mm_paper() {
    for name in ["receipt-58mm", "receipt-80mm"] {
        let profile = profile(name);
        let columns = profile.chars_per_line();
        let document = receipt_document(&receipt_content(), &profile);
        for block in document.blocks() {
            if let Block::Text { text, style } = block {
                let cells = printed_len(text) * usize::from(style.width);
                assert!(
                    cells <= columns,
                    "{name}: {text:?} takes {cells} of {columns}"
                );
            }
        }
        let bytes = encode(&document, &profile).expect("encode");
        assert!(
            !bytes.windows(4).any(|w| w == b"4111"),
            "only the last 4 card digits"
        );
        let lines = texts(&parse(&bytes));
        assert!(
            lines.iter().any(|l| l.starts_with("VISA ****1234 ")),
            "{name}"
        );
        for expected in ["2026-12-06 09:14 EST", "APPROVAL A1B2C3", "CHANGE"] {
            assert!(
                lines.iter().any(|l| l.contains(expected)),
                "{name}: {expected}"
            );
        }
        // Nothing is cut: every word of the long description is printed, wrapped.
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        for word in ["IRELAND", "(PRICE", "GROUP", "5)", "sale12"] {
            assert!(
                words.iter().any(|w| w.ends_with(word)),
                "{name}: {word} in {lines:?}"
            );
        }
        let total = lines
            .iter()
            .find(|l| l.starts_with("TOTAL"))
            .expect("total line");
        assert_eq!(total.len(), columns, "{name}");
        assert!(total.ends_with(" $1236.84"), "{name}");
        assert!(
            lines
                .iter()
                .any(|l| l.len() == columns && l.ends_with(" $1234.50"))
        );
    }
}

#[test]
fn the_tcp_transport_delivers_each_job_byte_for_byte_to_the_recording_printer() {
    let printer = RecordingPrinter::start().expect("simulator");
    let profile = profile("receipt-80mm");
    let label = encode(&label_document(&label_content(), &profile), &profile).expect("label");
    let receipt = encode(&receipt_document(&receipt_content(), &profile), &profile).expect("r");
    let mut transport =
        TcpTransport::new(&printer.address().to_string()).with_timeouts(2_000, 5_000);
    transport.send(&label).expect("label sent");
    transport.send(&receipt).expect("receipt sent");
    assert_eq!(
        printer.wait_for_jobs(2, 5_000),
        vec![label.clone(), receipt.clone()]
    );
    assert_eq!(printer.received(), [label, receipt].concat());
}
