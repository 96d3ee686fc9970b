//! `postcounter verify FILE`: check an indicium as a postal inspector would.

use super::output::out;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::config::Config;
use crate::hex;
use crate::indicium::{VerifiedIndicium, verify};
use crate::keys::{AscendingRange, CertificateStatusList, Trust};
use crate::psd::Keyring;
use crate::rates::{ExtraServices, Product};
use crate::verify_input::{INPUT_MAX_BYTES, TicketCode, indicium_bytes, ticket_code};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// A PNG image, an ESC/POS capture, or the indicium bytes (binary or hex).
    file: PathBuf,
    /// A folder with the data centre's trust, as `postcounter keys export` writes it: the
    /// anchor root.pub.pem, root links (link-*.pem), PSD certificates (*.cert.pem) and the
    /// status list (status.pem) (default: the trust this station holds).
    #[arg(long, value_name = "DIR")]
    keys: Option<PathBuf>,
    /// A certificate status list (PEM) newer than the folder's, to check revocations with.
    #[arg(long, value_name = "FILE")]
    status: Option<PathBuf>,
    /// The events key (PEM, as `postcounter admin events-key` writes it), to check an event
    /// ticket's signature with (default: the key this station's gate last fetched).
    #[arg(long, value_name = "FILE")]
    events_key: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(config: &Config, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let keys_dir = args
        .keys
        .clone()
        .unwrap_or_else(|| Keyring::dir_in(&config.data_dir).join("trust"));
    let input = read_bounded(&args.file)?;
    // Not an indicium: perhaps a ticket (its QR code or Code 128, or its code as text).
    if indicium_bytes(&input).is_err()
        && let Ok((kind, code)) = ticket_code(&input)
    {
        return verify_ticket(config, args, &kind.to_string(), code);
    }
    let outcome = indicium_bytes(&input)
        .map_err(|e| e.to_string())
        .and_then(|(kind, bytes)| {
            let trust = trust(&keys_dir, args.status.as_deref()).map_err(|e| format!("{e:#}"))?;
            verify(&bytes, &trust)
                .map(|verified| (kind, verified))
                .map_err(|e| e.to_string())
        });
    match outcome {
        Ok((kind, verified)) => {
            if args.json {
                out!("{}", verified_json(&verified, &kind.to_string()))?;
            } else {
                print_fields(&verified, &kind.to_string())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            if args.json {
                out!(
                    "{}",
                    json!({ "valid": false, "reason": super::terminal_safe(&reason) })
                )?;
            } else {
                out!("INVALID: {}", super::terminal_safe(&reason))?;
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

/// The trust in `dir`, with the status list in `status` if it is newer and signed by a root
/// the trust reaches.
fn trust(dir: &Path, status: Option<&Path>) -> anyhow::Result<Trust> {
    let mut trust =
        Trust::load_dir(dir).with_context(|| format!("the trust in {}", dir.display()))?;
    if let Some(path) = status {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let list = CertificateStatusList::from_pem(&text)
            .with_context(|| format!("{}", path.display()))?;
        let mut given = Trust::anchored(trust.anchor);
        given.status = Some(list);
        trust
            .absorb(given)
            .with_context(|| format!("the status list in {}", path.display()))?;
    }
    Ok(trust)
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

fn print_fields(
    verified: &VerifiedIndicium,
    source: &str,
) -> Result<(), super::output::OutputError> {
    let data = &verified.indicium.data;
    out!("VALID indicium ({source})")?;
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
                "{} (valid {} to {}{})",
                data.certificate_serial,
                verified.certificate.valid_from,
                verified.certificate.valid_until,
                match verified.certificate.ascending {
                    AscendingRange::Any => String::new(),
                    range => format!(", {range}"),
                }
            ),
        ),
        ("label binding", hex::encode(&data.label_binding)),
        ("software id", format!("{:#06x}", data.software_id)),
        ("fingerprint", hex::encode(&verified.fingerprint)),
    ];
    for (name, value) in rows {
        out!("  {name:<20} {value}")?;
    }
    Ok(())
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

/// The events key to check event tickets with: `--events-key`, else the gate's last one.
fn events_key(
    config: &Config,
    args: &VerifyArgs,
) -> anyhow::Result<Option<p256::ecdsa::VerifyingKey>> {
    if let Some(path) = &args.events_key {
        return Ok(Some(crate::keys::key_file::read_public_key(path)?));
    }
    let Some(keys) = crate::gate::Gate::open(&config.data_dir)?.keys()? else {
        return Ok(None);
    };
    let key = crate::hex::decode(&keys.key)
        .and_then(|bytes| p256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes).ok())
        .context(
            "the gate's events key is damaged: fetch it again with `postcounter gate status`",
        )?;
    Ok(Some(key))
}

/// Checks a ticket as a third party can: an event ticket's signature with the events key, a
/// lottery ticket's check digit (its number shown as screens show it, last four digits).
fn verify_ticket(
    config: &Config,
    args: &VerifyArgs,
    kind: &str,
    code: TicketCode,
) -> anyhow::Result<ExitCode> {
    let (valid, said) = match code {
        TicketCode::Lottery(digits) => match crate::tickets::validation_number::ValidationNumber::parse(&digits) {
            Ok(number) => (true, format!("VALID lottery ticket {}: the check digit checks (its wager is looked up at the data centre: `postcounter lottery check`)", number.masked())),
            Err(error) => (false, format!("INVALID: {error}")),
        },
        TicketCode::Event(text) => match events_key(config, args)? {
            None => (false, "INVALID: no events key to check the signature with: give --events-key FILE (`postcounter admin events-key --out FILE`)".to_string()),
            Some(key) => match crate::tickets::event_code::EventTicketCode::verify(&text, &key) {
                Ok(t) => (true, format!(
                    "VALID event ticket {} version {}: {} seat {} ({}), issued {}",
                    t.ticket_id, t.version, t.event_id, t.seat, t.price_class,
                    crate::clock::format_unix_ms(t.issued_unix_ms)
                )),
                Err(error) => (false, format!("INVALID: {error}")),
            },
        },
    };
    let said = super::terminal_safe(&said);
    if args.json {
        out!(
            "{}",
            json!({ "valid": valid, "input": kind, "result": said })
        )?;
    } else {
        out!("{said} (from {kind})")?;
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
