//! The station's log: one line per event in `<data dir>/log/postcounter.log`, never on the
//! screen (the counter owns the terminal, and a stray line would tear its frame).
//!
//! It implements the `log` facade, so any module writes `log::info!(...)` without knowing
//! where the line goes. Lines are sanitized (no control characters) and carry a UTC time; the
//! file is opened in append mode and every line is written with one `write_all`, so lines
//! from several threads never interleave. Card numbers never reach a log line: the payment
//! code keeps only the last four digits in anything it formats.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::date::Date;

/// The log file of a data directory.
pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("log").join("postcounter.log")
}

struct FileLog {
    file: Mutex<File>,
    level: log::LevelFilter,
}

impl log::Log for FileLog {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let line = log_line(
            now.as_millis(),
            record.level(),
            record.target(),
            &record.args().to_string(),
        );
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A full disk must not stop a sale: the ledger, not the log, is the record.
        let _ = file.write_all(line.as_bytes());
    }

    fn flush(&self) {
        if let Ok(mut file) = self.file.lock() {
            let _ = file.flush();
        }
    }
}

/// One log line: `2026-11-21T22:53:14.123Z INFO postcounter::kiosk: message`.
pub fn log_line(unix_ms: u128, level: log::Level, target: &str, message: &str) -> String {
    let seconds = u64::try_from(unix_ms / 1000).unwrap_or(u64::MAX);
    let of_day = seconds % 86_400;
    let message: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z {level:<5} {target}: {message}\n",
        Date::from_unix_seconds(seconds),
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
        unix_ms % 1000,
    )
}

/// Sends the `log` facade's lines to the data directory's log file from now on. Only the
/// first call in a process takes effect; later ones (tests) keep the first file.
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
    // Owner-only: a log names counters, PSDs and accounts.
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(crate::private_files::PRIVATE_FILE_MODE)
        .open(&path)
        .map_err(|e| at(&path, e))?;
    let logger = FileLog {
        file: Mutex::new(file),
        level,
    };
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(level);
    }
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
    fn a_line_has_the_utc_time_level_target_and_a_message_without_control_characters() {
        // 2026-11-21 22:53:14.123 UTC
        let unix_ms = 1_795_301_594_123;
        let line = log_line(
            unix_ms,
            log::Level::Warn,
            "postcounter::kiosk",
            "a\x1b[2Jb\nc",
        );
        assert_eq!(
            line,
            "2026-11-21T22:53:14.123Z WARN  postcounter::kiosk: a [2Jb c\n"
        );
    }
}
