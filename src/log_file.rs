//! The station's and the vendor's log: one line per event in `<data dir>/log/postcounter.log`,
//! never on the screen (the counter owns the terminal, and a stray line would tear its frame).
//!
//! Events go through `tracing` (the vendor opens one span per request, so every line of its
//! handling carries the request's id); modules that write `log::info!(...)` are bridged in.
//! Lines are sanitized (no control characters) and carry a UTC time; each is written with one
//! `write_all`, so lines from several threads never interleave. The file rolls over at UTC
//! midnight: yesterday's becomes `postcounter.log.YYYY-MM-DD`, and files older than
//! [`KEEP_DAYS`] are removed. Files are owner-only (a log names counters, PSDs and accounts);
//! card numbers never reach a log line: the payment code keeps only the last four digits in
//! anything it formats.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::date::Date;

/// Rolled-over files kept, one per day.
pub const KEEP_DAYS: i32 = 14;
const FILE_NAME: &str = "postcounter.log";

/// The log file of a data directory.
pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("log").join(FILE_NAME)
}

/// The current file, and the UTC day its lines belong to.
struct RollingFile {
    path: PathBuf,
    file: File,
    day: Date,
}

impl RollingFile {
    fn open(path: &Path, day: Date) -> std::io::Result<RollingFile> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(crate::private_files::PRIVATE_FILE_MODE)
            .open(path)?;
        Ok(RollingFile {
            path: path.to_path_buf(),
            file,
            day,
        })
    }

    /// Writes `line`, rolling over first when `today` is past the file's day.
    fn write_line(&mut self, line: &[u8], today: Date) -> std::io::Result<()> {
        if today != self.day {
            self.roll_over(today)?;
        }
        self.file.write_all(line)
    }

    fn roll_over(&mut self, today: Date) -> std::io::Result<()> {
        let rolled = self
            .path
            .with_file_name(format!("{FILE_NAME}.{}", self.day));
        std::fs::rename(&self.path, &rolled)?;
        *self = RollingFile::open(&self.path, today)?;
        if let Some(dir) = self.path.parent() {
            remove_older_than(dir, today.add_days(-KEEP_DAYS));
        }
        Ok(())
    }
}

/// Removes rolled-over files of days before `oldest_kept`.
fn remove_older_than(dir: &Path, oldest_kept: Date) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(day) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&format!("{FILE_NAME}.")))
            .and_then(|day| Date::parse(day).ok())
        else {
            continue;
        };
        if day < oldest_kept {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn today_utc() -> Date {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    Date::from_unix_seconds(seconds)
}

/// `tracing`'s writer: each event is formatted into one of these, then written whole.
#[derive(Clone)]
struct LogWriter(Arc<Mutex<RollingFile>>);

/// One event's line, written to the file when the formatter is done with it.
struct LineWriter<'a> {
    log: &'a Mutex<RollingFile>,
    line: Vec<u8>,
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            log: &self.0,
            line: Vec::with_capacity(256),
        }
    }
}

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter<'_> {
    fn drop(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = sanitized(&self.line);
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        // A full disk must not stop a sale: the ledger, not the log, is the record.
        let _ = log.write_line(line.as_bytes(), today_utc());
    }
}

/// `line` without control characters (an escape sequence in a message must not reach an
/// operator's terminal), ending in one newline.
fn sanitized(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut clean: String = text
        .trim_end_matches('\n')
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    clean.push('\n');
    clean
}

/// Sends `tracing` events and the `log` facade's lines to the data directory's log file from
/// now on. Only the first call in a process takes effect; later ones (tests) keep the first
/// file.
pub fn start(data_dir: &Path, level: log::LevelFilter) -> std::io::Result<PathBuf> {
    let path = log_path(data_dir);
    // The error names the path: "File exists" alone does not say which file is in the way.
    let at = |place: &Path, e: std::io::Error| {
        std::io::Error::new(
            e.kind(),
            format!(
                "cannot open the log file {}: {}: {e}",
                path.display(),
                place.display()
            ),
        )
    };
    if let Some(parent) = path.parent() {
        crate::private_files::private_dir(parent).map_err(|e| at(parent, e))?;
    }
    let file = RollingFile::open(&path, today_utc()).map_err(|e| at(&path, e))?;
    let max_level = match level {
        log::LevelFilter::Off => tracing_subscriber::filter::LevelFilter::OFF,
        log::LevelFilter::Error => tracing_subscriber::filter::LevelFilter::ERROR,
        log::LevelFilter::Warn => tracing_subscriber::filter::LevelFilter::WARN,
        log::LevelFilter::Info => tracing_subscriber::filter::LevelFilter::INFO,
        log::LevelFilter::Debug => tracing_subscriber::filter::LevelFilter::DEBUG,
        log::LevelFilter::Trace => tracing_subscriber::filter::LevelFilter::TRACE,
    };
    // Already set (a second start in one process): the first file stays.
    let _ = tracing_subscriber::fmt()
        .with_writer(LogWriter(Arc::new(Mutex::new(file))))
        .with_ansi(false)
        .with_max_level(max_level)
        .finish()
        .try_init();
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_file_that_cannot_be_opened_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let in_the_way = log_path(dir.path()).parent().unwrap().to_path_buf();
        std::fs::write(&in_the_way, b"not a folder").unwrap();
        let error = start(dir.path(), log::LevelFilter::Info).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(&format!("{}:", in_the_way.display())),
            "{message}"
        );
    }

    #[test]
    fn a_line_loses_its_control_characters_and_ends_in_one_newline() {
        assert_eq!(sanitized(b"a\x1b[2Jb\nc\n"), "a [2Jb c\n");
        assert_eq!(sanitized("caf\u{e9} \u{9b}x".as_bytes()), "caf\u{e9}  x\n");
    }

    #[test]
    fn the_file_rolls_over_at_midnight_and_keeps_two_weeks_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let day = Date::parse("2026-12-01").unwrap();
        let stale = dir.path().join(format!("{FILE_NAME}.2026-11-01"));
        std::fs::write(&stale, b"old\n").unwrap();
        let mut file = RollingFile::open(&path, day).unwrap();
        file.write_line(b"first\n", day).unwrap();
        file.write_line(b"second\n", day.add_days(1)).unwrap();
        let rolled = dir.path().join(format!("{FILE_NAME}.2026-12-01"));
        assert_eq!(std::fs::read_to_string(&rolled).unwrap(), "first\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second\n");
        assert!(!stale.exists(), "a file past {KEEP_DAYS} days is removed");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
