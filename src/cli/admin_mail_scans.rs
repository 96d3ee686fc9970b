//! `postcounter admin mail-scans FILE`: the postal service's scan file, as it reaches the
//! data centre, judged against what the data centre issued and what its counters reported
//! (see `vendor_system::mail_scans`). The file holds one scanned indicium per line in hex
//! (what `verify --json` shows and a label's Data Matrix holds); blank lines and lines
//! starting with `#` are skipped. A file with any other line is refused whole, quoting it,
//! and nothing of it is recorded. Without a file, the scans awaiting a report are judged
//! again.

use std::path::Path;

use crate::clock::Clock;
use crate::config::Config;
use crate::indicium::{INDICIUM_LEN, Indicium};
use crate::keys::KeyStore;
use crate::vendor_system::from_config::keys_dir;
use crate::vendor_system::keys::status_list_in_step;
use crate::vendor_system::mail_scans::{Finding, MailScanReport, check_mail_scans};
use crate::vendor_system::store::VendorStore;

/// The most scan lines one file may hold (about 25 MB of hex).
const SCANS_MAX: usize = 100_000;

pub async fn run(
    config: &Config,
    store: &VendorStore,
    file: Option<&Path>,
    facility: &str,
) -> anyhow::Result<MailScanReport> {
    let scans = match file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            parse_scans(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
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

/// The indicia of a scan file, or the first line that is not one.
pub fn parse_scans(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut scans = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let refused = |why: String| {
            let shown: String = super::terminal_safe(line).chars().take(40).collect();
            format!(
                "line {}: {shown:?} is not a scanned indicium ({why}); each line holds one indicium as {} hex digits",
                number + 1,
                INDICIUM_LEN * 2
            )
        };
        let bytes = crate::hex::decode(line).ok_or_else(|| refused("not hex".into()))?;
        Indicium::from_bytes(&bytes).map_err(|e| refused(e.to_string()))?;
        if scans.len() == SCANS_MAX {
            return Err(format!("more than {SCANS_MAX} scans; split the file"));
        }
        scans.push(bytes);
    }
    Ok(scans)
}

/// The run's summary, then every scan that is not plainly paid.
pub fn print_report(report: &MailScanReport) {
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
    println!(
        "{} scans judged: {}",
        report.outcomes.len(),
        counts.join(", ")
    );
    for outcome in &report.outcomes {
        let copies = if outcome.seen_count > 1 {
            format!(" (seen {} times: a copied label?)", outcome.seen_count)
        } else {
            String::new()
        };
        if outcome.verdict.finding == Finding::Paid && copies.is_empty() {
            continue;
        }
        println!(
            "  {} {}: {}{}{copies}",
            outcome.serial_text,
            outcome.postage,
            outcome.verdict.finding.name().replace('_', " "),
            if outcome.verdict.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", outcome.verdict.detail)
            }
        );
    }
    for counter in &report.locked {
        println!("counter {counter} locked: postage in the mail that was never paid for");
    }
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
        let good = format!("# facility 94107\n\n{line}\n  {line}  \n");
        assert_eq!(parse_scans(&good).unwrap(), vec![bytes.clone(), bytes]);
        let short = format!("{line}\n{}\n", &line[..200]);
        let refused = parse_scans(&short).unwrap_err();
        assert!(refused.starts_with("line 2: "), "{refused}");
        assert!(refused.contains("224 hex digits"), "{refused}");
        let refused = parse_scans("zz\u{1b}[2J\n").unwrap_err();
        assert!(
            refused.contains("not hex") && !refused.contains('\u{1b}'),
            "{refused}"
        );
    }
}
