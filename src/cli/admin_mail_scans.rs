//! `postcounter admin mail-scans FILE`: the postal service's scan file, as it reaches the
//! data centre, judged against what the data centre issued and what its counters reported
//! (see `vendor_system::mail_scans`). The file holds one scanned indicium per line in hex
//! (the 112 bytes a label's Data Matrix holds), optionally followed by the mail piece's id
//! (its Intelligent Mail barcode): copies are counted by mail piece id, so the same piece
//! scanned again, or a file given again, counts once, and lines without an id count as one
//! sighting together (without ids a copy cannot be told from a second scan). Blank lines
//! and lines starting with `#` are skipped. A file with any other line is refused whole, quoting it,
//! and nothing of it is recorded. Without a file, the scans awaiting a report are judged
//! again.

use super::output::out;
use std::path::Path;

use crate::clock::Clock;
use crate::config::Config;
use crate::indicium::{INDICIUM_LEN, Indicium};
use crate::keys::KeyStore;
use crate::vendor_system::from_config::keys_dir;
use crate::vendor_system::keys::status_list_in_step;
use crate::vendor_system::mail_scans::{Finding, MailScanReport, Scan, check_mail_scans};
use crate::vendor_system::store::VendorStore;

/// The most scan lines one file may hold (about 25 MB of hex).
const SCANS_MAX: usize = 100_000;
/// What names a sighting of a line without a mail piece id (all such count as one).
const UNNAMED_SIGHTING: &str = "unnamed";
/// The longest mail piece id taken (an Intelligent Mail barcode is 31 digits).
const PIECE_ID_MAX_CHARS: usize = 64;

pub async fn run(
    config: &Config,
    store: &VendorStore,
    file: Option<&Path>,
    facility: &str,
) -> anyhow::Result<MailScanReport> {
    let scans = match file {
        Some(file) => {
            let bytes =
                std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            parse_scans(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        }
        None => Vec::new(),
    };
    let keys = KeyStore::open(&keys_dir(&config.data_dir))?;
    let clock = Clock::system();
    let mut trust = keys.trust(store.psd_certificates(None).await?)?;
    trust.status = Some(status_list_in_step(store, &keys, &clock).await?);
    let facility: String = super::terminal_safe(facility).chars().take(60).collect();
    Ok(check_mail_scans(store, &trust, &scans, &facility, clock.now_unix_ms()).await?)
}

/// The scans of a scan file, or the first line that is not one.
pub fn parse_scans(file: &[u8]) -> Result<Vec<Scan>, String> {
    let text = std::str::from_utf8(file).map_err(|e| {
        format!(
            "not a text file (byte {} is not UTF-8); each line holds one indicium as {} hex digits",
            e.valid_up_to(),
            INDICIUM_LEN * 2
        )
    })?;
    let mut scans = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let number = index + 1;
        let refused_at = |text: &str, why: String| {
            let shown: String = super::terminal_safe(text).chars().take(40).collect();
            format!(
                "line {number}: {shown:?} is not a scanned indicium ({why}); each line holds one indicium as {} hex digits, then optionally the mail piece's id",
                INDICIUM_LEN * 2
            )
        };
        let refused = |why: String| refused_at(line, why);
        let mut fields = line.split_whitespace();
        let hex = fields.next().unwrap_or_default();
        let piece_id = fields.next();
        if fields.next().is_some() {
            return Err(refused("more than two fields".into()));
        }
        let indicium = crate::hex::decode(hex).ok_or_else(|| refused("not hex".into()))?;
        Indicium::from_bytes(&indicium).map_err(|e| refused(e.to_string()))?;
        let sighting = match piece_id {
            Some(id)
                if id.len() <= PIECE_ID_MAX_CHARS && id.chars().all(|c| c.is_ascii_graphic()) =>
            {
                format!("piece {id}")
            }
            Some(id) => {
                return Err(refused_at(
                    id,
                    format!(
                        "a mail piece id is at most {PIECE_ID_MAX_CHARS} printable ASCII characters"
                    ),
                ));
            }
            None => UNNAMED_SIGHTING.to_string(),
        };
        if scans.len() == SCANS_MAX {
            return Err(format!("more than {SCANS_MAX} scans; split the file"));
        }
        scans.push(Scan { indicium, sighting });
    }
    Ok(scans)
}

/// The run's summary, then every scan that is not plainly paid.
pub fn print_report(report: &MailScanReport) -> Result<(), super::output::OutputError> {
    let findings = [
        Finding::Paid,
        Finding::AwaitingReport,
        Finding::Refunded,
        Finding::Unpaid,
        Finding::Invalid,
        Finding::NotIssued,
    ];
    let counts: Vec<String> = findings
        .iter()
        .map(|finding| {
            let count = report
                .outcomes
                .iter()
                .filter(|outcome| outcome.verdict.finding == *finding)
                .count();
            format!("{} {count}", finding.name().replace('_', " "))
        })
        .collect();
    let again = report.outcomes.len() - report.given;
    out!(
        "{} scans judged ({} from the file, {again} awaiting a report judged again): {}",
        report.outcomes.len(),
        report.given,
        counts.join(", ")
    )?;
    for (index, outcome) in report.outcomes.iter().enumerate() {
        let copies = if outcome.seen_count > 1 {
            format!(
                " (seen on {} mail pieces: a copied label?)",
                outcome.seen_count
            )
        } else {
            String::new()
        };
        let judged_again = index >= report.given;
        if outcome.verdict.finding == Finding::Paid && copies.is_empty() && !judged_again {
            continue;
        }
        out!(
            "  {} {}: {}{}{copies}",
            outcome.serial_text,
            outcome.postage,
            outcome.verdict.finding.name().replace('_', " "),
            if outcome.verdict.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", outcome.verdict.detail)
            }
        )?;
    }
    for counter in &report.locked {
        out!("counter {counter} locked: postage in the mail that was never paid for")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::indicium::specimen::specimen_bytes;

    #[test]
    fn a_scan_file_is_read_whole_or_refused_at_its_first_bad_line() {
        let (_, bytes) = specimen_bytes(3, 780, Date::parse("2026-12-06").unwrap()).unwrap();
        let line = crate::hex::encode(&bytes);
        let good = format!("# facility 94107\n\n{line} 9202190000000000000001\n  {line}  \n");
        let scans = parse_scans(good.as_bytes()).unwrap();
        let sightings: Vec<&str> = scans.iter().map(|s| s.sighting.as_str()).collect();
        assert_eq!(sightings, ["piece 9202190000000000000001", "unnamed"]);
        assert!(scans.iter().all(|scan| scan.indicium == bytes));
        let short = format!("{line}\n{}\n", &line[..200]);
        let refused = parse_scans(short.as_bytes()).unwrap_err();
        assert!(refused.starts_with("line 2: "), "{refused}");
        assert!(refused.contains("224 hex digits"), "{refused}");
        let refused = parse_scans("zz\u{1b}[2J\n".as_bytes()).unwrap_err();
        assert!(
            refused.contains("not hex") && !refused.contains('\u{1b}'),
            "{refused}"
        );
        let refused = parse_scans(&[b'a', 0xff, b'\n']).unwrap_err();
        assert!(refused.contains("not a text file (byte 1"), "{refused}");
        let refused = parse_scans(format!("{line} a b\n").as_bytes()).unwrap_err();
        assert!(refused.contains("more than two fields"), "{refused}");
        let refused = parse_scans(format!("{line} IMB-\u{e9}\n").as_bytes()).unwrap_err();
        assert!(refused.contains("\"IMB-\u{e9}\" is not"), "{refused}");
    }
}
