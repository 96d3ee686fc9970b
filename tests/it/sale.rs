//! A sale through the real binary, from the command line to the printed bytes, and back
//! through `verify` as a postal inspector would check it.

use crate::common::cli::{postcounter, text};
use std::path::Path;
use std::process::{Command, Output};

use crate::common::offline_counter::OfflineCounter;
use postcounter::indicium::verify;
use postcounter::keys::Trust;
use postcounter::print::virtual_printer::render;
use postcounter::scan::{decode_png, find_data_matrix};

fn sell_one(data_dir: &Path) -> serde_json::Value {
    let output = postcounter(
        data_dir,
        &[
            "sell",
            "--weight",
            "2oz",
            "--to",
            "90210",
            "--json",
            "--extra",
            "certified-mail",
            "--product",
            "fcm-letter",
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let first = text(&output.stdout).lines().next().unwrap().to_string();
    serde_json::from_str(&first).unwrap()
}

#[test]
fn a_sales_escpos_bytes_render_to_a_png_that_decodes_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let sale = sell_one(&data_dir);
    // 2 oz metered letter $1.07 + Certified Mail $5.55 (tables effective 2026-07-12).
    assert_eq!(sale["postage_mills"], 6620);
    let escpos_path = sale["label_files"][0].as_str().unwrap();
    assert!(escpos_path.ends_with(".escpos"));

    // The capture, rendered as a printer would print it, scanned back.
    let escpos = std::fs::read(escpos_path).unwrap();
    let rendered = render(&escpos, 832).unwrap();
    let png = rendered.bitmap.to_png().unwrap();
    let bytes = find_data_matrix(&decode_png(&png).unwrap()).unwrap();
    assert_eq!(
        postcounter::hex::encode(&bytes),
        sale["indicium_hex"].as_str().unwrap()
    );

    // With what the station holds, and nothing else.
    let trust = Trust::load_dir(&data_dir.join("keys").join("trust")).unwrap();
    let verified = verify(&bytes, &trust).unwrap();
    assert_eq!(
        verified.indicium.data.serial_text(),
        sale["serial"].as_str().unwrap()
    );
    assert!(rendered.text_lines.iter().any(|l| l.contains("US POSTAGE")));
    assert!(rendered.text_lines.iter().any(|l| l.contains("$6.62")));
}

#[test]
fn verify_accepts_the_png_the_capture_and_hex_and_exits_non_zero_on_a_flipped_byte() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let sale = sell_one(&data_dir);
    let export = dir.path().join("public");
    assert!(
        postcounter(
            &data_dir,
            &["keys", "export", "--out", export.to_str().unwrap()]
        )
        .status
        .success()
    );
    assert!(
        !export.join("root.key.pem").exists(),
        "no private key is exported"
    );

    for file in sale["label_files"].as_array().unwrap() {
        let output = postcounter(
            &data_dir,
            &[
                "verify",
                "--keys",
                export.to_str().unwrap(),
                file.as_str().unwrap(),
            ],
        );
        assert!(
            output.status.success(),
            "{}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
        assert!(text(&output.stdout).starts_with("VALID indicium"));
    }
    let hex = sale["indicium_hex"].as_str().unwrap();
    let hex_file = dir.path().join("indicium.hex");
    std::fs::write(&hex_file, hex).unwrap();
    let output = postcounter(&data_dir, &["verify", "--json", hex_file.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (json["valid"].as_bool(), json["postage_mills"].as_i64()),
        (Some(true), Some(6620))
    );

    let mut bytes = hex::decode(hex);
    bytes[29] ^= 0x01; // the origin ZIP (bytes 27..30 of version 2)
    let forged = dir.path().join("forged.bin");
    std::fs::write(&forged, &bytes).unwrap();
    let output = postcounter(&data_dir, &["verify", forged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout).trim(),
        "INVALID: the signature does not match the indicium data (altered or forged)"
    );
}

#[test]
fn a_retried_sell_with_the_same_request_id_reprints_the_same_indicium() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let args = [
        "sell",
        "--weight",
        "1oz",
        "--to",
        "10001",
        "--request-id",
        "till-7-sale-1",
        "--json",
        "--no-receipt",
    ];
    let first = postcounter(&data_dir, &args);
    let second = postcounter(&data_dir, &args);
    let parse = |o: &Output| {
        serde_json::from_str::<serde_json::Value>(text(&o.stdout).lines().next().unwrap()).unwrap()
    };
    let (first, second) = (parse(&first), parse(&second));
    assert_eq!(first["indicium_hex"], second["indicium_hex"]);
    assert_eq!(second["replayed"], true);
    assert_eq!(
        first["serial"], "20000001-0000001",
        "the in-process vendor's PSD"
    );
    assert_eq!(first["offline"], false);
    let show = postcounter(&data_dir, &["admin", "psd-show", "20000001"]);
    let show = text(&show.stdout);
    assert!(show.contains("pieces 1\n"), "{show}");
    assert!(show.contains("the registers match the pieces"), "{show}");
}

#[test]
fn bad_input_is_refused_with_the_input_quoted_and_nothing_is_issued() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let cases: [(&[&str], &str); 7] = [
        (
            &["--weight", "2 stone", "--to", "90210"],
            "\"2 stone\" is not a weight",
        ),
        (
            &[
                "--weight",
                "4oz",
                "--to",
                "90210",
                "--product",
                "fcm-letter",
            ],
            "First-Class Mail Letter cannot carry this piece",
        ),
        (
            &["--weight", "1oz", "--to", "00000"],
            "ZIP code \"00000\" is not in the ZIP code directory",
        ),
        (
            &["--weight", "1oz", "--to", "90210", "--cash", "0.50"],
            "cash $0.50 does not cover the total $0.78",
        ),
        (
            &[
                "--weight",
                "1oz",
                "--to",
                "90210",
                "--label-serial",
                "LS 1;DROP",
            ],
            "label-stock serial \"LS 1;DROP\" is not accepted",
        ),
        (
            &["--weight", "1oz", "--to", "90210", "--date", "2020-01-01"],
            "the date of mailing 2020-01-01 is not accepted",
        ),
        (
            &["--weight", "1oz", "--to", "90210", "--quantity", "0"],
            "invalid value '0' for '--quantity",
        ),
    ];
    for (args, expected) in cases {
        let output = postcounter(&data_dir, &[&["sell"][..], args].concat());
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            text(&output.stderr).contains(expected),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    // Payment is settled before issuing, so none of them left a piece anywhere: the next
    // sale gets the central PSD's first serial, and the embedded PSD has issued nothing.
    assert_eq!(sell_one(&data_dir)["serial"], "20000001-0000001");
    let show = postcounter(&data_dir, &["psd", "show", "--json"]);
    let registers: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(registers["piece_count"], 0);
}

/// Three `sell` processes at once, 25 pieces each, each made by `command`.
fn spawn_sellers(command: impl Fn() -> Command) -> Vec<std::process::Child> {
    let sell = || {
        command()
            .args([
                "sell",
                "--weight",
                "1oz",
                "--to",
                "10001",
                "--quantity",
                "25",
                "--no-receipt",
                "--json",
            ])
            .env("POSTCOUNTER_PRINTER__LABEL__TRANSPORT", "file:/dev/null")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    vec![sell(), sell(), sell()]
}

#[test]
fn concurrent_sellers_and_auditors_never_lock_a_healthy_psd() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // The embedded PSD's own locking: a counter whose data centre is gone.
    let runtime = crate::common::runtime();
    let counter = OfflineCounter::prepare(&runtime, &data_dir, "200.00");
    let mut sellers = spawn_sellers(|| counter.command(&data_dir));
    // Every `psd show` opens the ledger and audits it while the sellers commit.
    let mut audits = 0;
    while sellers.iter_mut().any(|s| s.try_wait().unwrap().is_none()) {
        let show = postcounter(&data_dir, &["psd", "show", "--json"]);
        assert!(show.status.success(), "{}", text(&show.stderr));
        let state: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
        assert!(
            state["locked_reason"].is_null(),
            "locked: {}",
            state["locked_reason"]
        );
        audits += 1;
    }
    for mut seller in sellers {
        assert!(seller.wait().unwrap().success());
    }
    let show = postcounter(&data_dir, &["psd", "show", "--json"]);
    let state: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(state["piece_count"], 75, "after {audits} audits");
    assert!(state["locked_reason"].is_null());
    assert!(postcounter(&data_dir, &["psd", "audit"]).status.success());
}

#[test]
fn concurrent_sellers_each_with_an_in_process_vendor_share_one_central_psd() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // Three processes, three in-process vendors on one SQLite store, one central PSD.
    let mut sellers = spawn_sellers(|| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_postcounter"));
        command.arg("--data-dir").arg(&data_dir);
        command
    });
    for seller in &mut sellers {
        assert!(seller.wait().unwrap().success());
    }
    let show = postcounter(&data_dir, &["admin", "psd-show", "20000001"]);
    let show = text(&show.stdout);
    assert!(show.contains("pieces 75\n"), "{show}");
    assert!(show.contains("the registers match the pieces"), "{show}");
    // Nothing went to the fallback.
    let embedded = postcounter(&data_dir, &["psd", "show", "--json"]);
    let embedded: serde_json::Value = serde_json::from_slice(&embedded.stdout).unwrap();
    assert_eq!(embedded["piece_count"], 0);
}

mod hex {
    pub fn decode(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }
}

/// Issue 16: `postcounter ... | head` panicked on the closed pipe (exit 101), and a full
/// disk the same way. Now the command ends with a message and a non-zero exit: 141 (the
/// shell's code for a pipe closed under it) when the reader went away.
#[test]
fn a_closed_pipe_or_a_full_disk_ends_the_command_with_a_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let quote = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_postcounter"));
        command
            .args(["quote", "--weight", "1oz", "--to", "90210"])
            .env("POSTCOUNTER_DATA_DIR", dir.path())
            .stderr(std::process::Stdio::piped());
        command
    };
    // The reader is gone before the command writes its first line.
    let mut child = quote()
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let closed = child.wait_with_output().unwrap();
    let stderr = text(&closed.stderr);
    assert_eq!(closed.status.code(), Some(141), "{stderr}");
    assert!(
        stderr.contains("the output was closed before everything was written"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let full = quote()
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let stderr = text(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
