//! `postcounter verify FILE`: check an indicium as a postal inspector would.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::config::Config;
use crate::hex;
use crate::indicium::{VerifiedIndicium, verify};
use crate::keys::key_file::read_public_key;
use crate::keys::store::read_certificate;
use crate::rates::{ExtraServices, Product};
use crate::station::Station;
use crate::verify_input::{INPUT_MAX_BYTES, indicium_bytes};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// A PNG image, an ESC/POS capture, or the indicium bytes (binary or hex).
    file: PathBuf,
    /// A folder with the trusted root.pub.pem and the PSD certificates (*.cert.pem), as
    /// written by `postcounter keys export` (default: this station's keys).
    #[arg(long, value_name = "DIR")]
    keys: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(config: &Config, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let keys_dir = args
        .keys
        .clone()
        .unwrap_or_else(|| Station::keys_dir(&config.data_dir));
    let input = read_bounded(&args.file)?;
    let outcome = indicium_bytes(&input)
        .map_err(|e| e.to_string())
        .and_then(|(kind, bytes)| {
            let (root, certificates) = trust(&keys_dir).map_err(|e| format!("{e:#}"))?;
            verify(&bytes, &root, &certificates)
                .map(|verified| (kind, verified))
                .map_err(|e| e.to_string())
        });
    match outcome {
        Ok((kind, verified)) => {
            if args.json {
                println!("{}", verified_json(&verified, &kind.to_string()));
            } else {
                print_fields(&verified, &kind.to_string());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            if args.json {
                println!(
                    "{}",
                    json!({ "valid": false, "reason": super::terminal_safe(&reason) })
                );
            } else {
                println!("INVALID: {}", super::terminal_safe(&reason));
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Reads at most [`INPUT_MAX_BYTES`]: a device or a pipe must not grow memory without end.
fn read_bounded(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut input = Vec::new();
    file.take(INPUT_MAX_BYTES + 1)
        .read_to_end(&mut input)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if input.len() as u64 > INPUT_MAX_BYTES {
        anyhow::bail!(
            "{} is larger than {INPUT_MAX_BYTES} bytes: not an indicium image or capture",
            path.display()
        );
    }
    Ok(input)
}

fn trust(
    dir: &Path,
) -> anyhow::Result<(p256::ecdsa::VerifyingKey, Vec<crate::keys::PsdCertificate>)> {
    let root = read_public_key(&dir.join("root.pub.pem"))?;
    let mut certificates = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.to_string_lossy().ends_with(".cert.pem") {
            certificates.push(read_certificate(&path)?);
        }
    }
    Ok((root, certificates))
}

fn product_name(code: u8) -> String {
    Product::from_code(code)
        .map(|p| p.name().to_string())
        .unwrap_or_else(|| format!("unknown ({code})"))
}

fn services(bits: u8) -> Vec<String> {
    ExtraServices::from_bits(bits)
        .map(|s| s.iter().map(|service| service.name().to_string()).collect())
        .unwrap_or_else(|| vec![format!("unknown bits {bits:#04x}")])
}

fn destination(verified: &VerifiedIndicium) -> String {
    match verified.indicium.data.destination_zip {
        Some(zip) => zip.to_string(),
        None => "not given".into(),
    }
}

/// The rate table's effective date; a version 1 indicium did not carry one.
fn rate_table(verified: &VerifiedIndicium) -> String {
    match verified.indicium.data.rate_table {
        Some(date) => format!("USPS retail of {date}"),
        None => "not carried (indicium version 1)".into(),
    }
}

fn print_fields(verified: &VerifiedIndicium, source: &str) {
    let data = &verified.indicium.data;
    println!("VALID indicium ({source})");
    let rows = [
        ("serial", data.serial_text()),
        ("postage", data.postage.to_string()),
        ("date of mailing", data.mailing_date.to_string()),
        ("rate category", product_name(data.rate_category)),
        ("extra services", services(data.extra_services).join(", ")),
        ("rate table", rate_table(verified)),
        ("origin ZIP", format!("{:05}", data.origin_zip5)),
        ("destination ZIP", destination(verified)),
        ("PSD (device id)", format!("{:08}", data.device_id)),
        ("license number", data.license_number.to_string()),
        ("ascending register", data.ascending_register.to_string()),
        ("descending register", data.descending_register.to_string()),
        ("piece serial", data.piece_serial.to_string()),
        (
            "certificate",
            format!(
                "{} (valid {} to {})",
                data.certificate_serial,
                verified.certificate.valid_from,
                verified.certificate.valid_until
            ),
        ),
        ("label binding", hex::encode(&data.label_binding)),
        ("software id", format!("{:#06x}", data.software_id)),
        ("fingerprint", hex::encode(&verified.fingerprint)),
    ];
    for (name, value) in rows {
        println!("  {name:<20} {value}");
    }
}

fn verified_json(verified: &VerifiedIndicium, source: &str) -> serde_json::Value {
    let data = &verified.indicium.data;
    json!({
        "valid": true,
        "source": source,
        "serial": data.serial_text(),
        "postage_mills": data.postage.mills(),
        "mailing_date": data.mailing_date.to_string(),
        "rate_category": data.rate_category,
        "product": product_name(data.rate_category),
        "extra_services": services(data.extra_services),
        "indicium_version": data.version(),
        "rate_table": data.rate_table.map(|date| date.to_string()),
        "origin_zip": format!("{:05}", data.origin_zip5),
        "destination_zip": destination(verified),
        "device_id": data.device_id,
        "license_number": data.license_number,
        "ascending_register_mills": data.ascending_register.mills(),
        "descending_register_mills": data.descending_register.mills(),
        "piece_serial": data.piece_serial,
        "certificate_serial": data.certificate_serial,
        "label_binding": hex::encode(&data.label_binding),
        "software_id": data.software_id,
        "fingerprint": hex::encode(&verified.fingerprint),
    })
}
