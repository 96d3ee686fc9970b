//! The tracking barcode of a Certified Mail letter, sold through the real binary, printed
//! by the virtual printer and read back from the label's picture by rxing's Code 128 reader
//! (independent of the encoder): GS1-128 with the routing ZIP and a tracking number whose
//! MOD 10 check digit is right, printed under the bars and on the receipt.

use crate::common::cli::postcounter;
use std::collections::HashMap;
use std::process::Output;

use postcounter::scan::decode_png;
use postcounter::tracking::check_digit_is_right;
use rxing::common::HybridBinarizer;
use rxing::oned::Code128Reader;
use rxing::{
    BinaryBitmap, DecodeHints, Luma8LuminanceSource, RXingResultMetadataType,
    RXingResultMetadataValue, Reader,
};

/// The files a `sell --json` printed, by kind: "label_files", "receipt_files".
fn files(output: &Output) -> HashMap<String, Vec<String>> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut found: HashMap<String, Vec<String>> = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in ["label_files", "receipt_files"] {
            if let Some(list) = value[key].as_array() {
                let paths = list.iter().map(|p| p.as_str().unwrap().to_string());
                found.entry(key.to_string()).or_default().extend(paths);
            }
        }
    }
    found
}

/// The Code 128 symbol of a label picture, as rxing reads it.
fn read_code128(png_path: &str) -> rxing::RXingResult {
    let image = decode_png(&std::fs::read(png_path).unwrap()).unwrap();
    let source = Luma8LuminanceSource::new(image.pixels, image.width, image.height).unwrap();
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    // AssumeGs1: an FNC1 after the first position is returned as GS (0x1D), as GS1 says.
    let hints = DecodeHints::default()
        .with(rxing::DecodeHintValue::TryHarder(true))
        .with(rxing::DecodeHintValue::AssumeGs1(true));
    Code128Reader
        .decode_with_hints(&mut bitmap, &hints)
        .expect("a Code 128 symbol on the label")
}

#[test]
fn a_certified_letters_tracking_barcode_decodes_to_a_number_whose_check_digit_is_right() {
    let dir = tempfile::tempdir().unwrap();
    let output = postcounter(
        &dir.path().join("data"),
        &[
            "sell",
            "--weight",
            "2oz",
            "--to",
            "90210",
            "--extra",
            "certified-mail",
            "--extra",
            "return-receipt",
            "--recipient-name",
            "Jane Doe",
            "--recipient-street",
            "350 5th Ave Apt 12",
            "--json",
        ],
    );
    let files = files(&output);
    let png = files["label_files"]
        .iter()
        .find(|f| f.ends_with(".png"))
        .unwrap();
    let result = read_code128(png);
    // GS1-128: FNC1 first (symbology identifier ]C1), then 420 + ZIP, FNC1 (GS), tracking.
    let symbology = result
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER);
    assert!(
        matches!(symbology, Some(RXingResultMetadataValue::SymbologyIdentifier(id)) if id == "]C1"),
        "{result:?}"
    );
    // As GS1 transmits it: the ]C1 identifier, then GS for each FNC1 after the first.
    let text = result
        .getText()
        .strip_prefix("]C1")
        .expect("a GS1-128 symbol");
    let (routing, tracking) = text
        .split_once('\u{1d}')
        .expect("an FNC1 between the elements");
    assert_eq!(routing, "42090210");
    assert_eq!(tracking.len(), 26, "{tracking}");
    // Channel 93 (six-digit mailer id), service type 147 (First-Class Mail, Certified Mail,
    // Return Receipt), the configured mailer id.
    assert!(tracking.starts_with("93147123456"), "{tracking}");
    assert!(check_digit_is_right(tracking), "{tracking}");
    // The same number, grouped by four, under the bars and on the receipt.
    let grouped: Vec<String> = tracking
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let grouped = grouped.join(" ");
    let label = String::from_utf8_lossy(&std::fs::read(png.replace(".png", ".escpos")).unwrap())
        .into_owned();
    assert!(label.contains(&grouped), "{grouped} not under the bars");
    assert!(label.contains("CERTIFIED MAIL") && label.contains("RETURN RECEIPT REQUESTED"));
    assert!(
        label.contains("JANE DOE") && label.contains("350 5TH AVE APT 12"),
        "{label}"
    );
    let receipt_file = files["receipt_files"]
        .iter()
        .find(|f| f.ends_with(".escpos"))
        .unwrap();
    let receipt = String::from_utf8_lossy(&std::fs::read(receipt_file).unwrap()).into_owned();
    assert!(
        receipt.contains(&format!("tracking {grouped}")),
        "{receipt}"
    );
}

#[test]
fn a_signature_on_ground_advantage_is_not_sold_while_its_tracking_code_is_unconfirmed() {
    let dir = tempfile::tempdir().unwrap();
    let output = postcounter(
        &dir.path().join("data"),
        &[
            "sell",
            "--weight",
            "2lb",
            "--shape",
            "parcel",
            "--to",
            "90210",
            "--product",
            "ground-advantage",
            "--extra",
            "signature-confirmation",
            "--json",
        ],
    );
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "nothing issued");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no confirmed USPS tracking service type for USPS Ground Advantage with Signature Confirmation: this combination cannot be sold until its code is known"),
        "{stderr}"
    );
}
