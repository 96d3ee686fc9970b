//! The rate files of the update repository: what may be published (checked whole, with the
//! files already published, and ahead of its first day), and reading them back, checked
//! against the hashes targets lists, for the data centre to price with.

use super::metadata::{Current, hashes};
use super::{RepositoryError, UpdateRepository};
use crate::date::Date;
use crate::protocol::updates::{Published, RATES_PREFIX};
use crate::rates::RateBook;

/// A rate file the repository lists, read back and checked against its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateTarget {
    /// The rate file's own name (the target name without `rates-`).
    pub file_name: String,
    pub text: String,
}

impl UpdateRepository {
    /// A rate file as it may be published: UTF-8, named `*.toml`, checked whole and with the
    /// files already published, and published ahead: every table takes effect after today
    /// (the data centre's date), and a file it replaces had none in force yet. Stations learn
    /// of a publication at their next contact, and the data centre refuses a piece priced
    /// otherwise than it prices it, so a table in force at once would refuse sales meanwhile.
    pub(super) fn checked_rates(
        &self,
        current: &Current,
        file_name: &str,
        bytes: &[u8],
        now_unix_ms: i64,
    ) -> Result<Published, RepositoryError> {
        let refused = |why: String| Err(RepositoryError::refused(format!("{file_name:?} {why}")));
        let Ok(text) = std::str::from_utf8(bytes) else {
            return refused("is not UTF-8 text".into());
        };
        if !file_name.ends_with(".toml") {
            return refused("is not accepted: a rate file's name ends in .toml".into());
        }
        let today = crate::clock::day_of_unix_ms(now_unix_ms);
        let mut files = self.rate_files_of(current)?;
        if let Some(replaced) = files.iter().find(|f| f.file_name == file_name) {
            let book = RateBook::from_files(&[(&replaced.file_name, &replaced.text)])
                .map_err(|e| RepositoryError::corrupt(e.to_string()))?;
            let effective = earliest_effective(&book, file_name)?;
            if effective <= today {
                return refused(format!(
                    "is published already, in force since {effective}: publish changed tables under a new name, effective after today ({today})"
                ));
            }
        }
        files.retain(|f| f.file_name != file_name);
        let mut all: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.file_name.as_str(), f.text.as_str()))
            .collect();
        all.push((file_name, text));
        let checked =
            RateBook::from_files(&all).map_err(|e| RepositoryError::refused(e.to_string()))?;
        let effective = earliest_effective(&checked, file_name)?;
        if effective <= today {
            return refused(format!(
                "takes effect on {effective}: rate tables are published ahead, effective after today ({today}), so every counter holds them before they are in force"
            ));
        }
        Ok(Published::Rates {
            effective: effective.to_string(),
        })
    }

    /// Every rate file the current targets list, read back and checked against its hash.
    pub fn rate_files(&self) -> Result<Vec<RateTarget>, RepositoryError> {
        self.rate_files_of(&self.current()?)
    }

    /// The rate files `current` lists.
    pub fn rate_files_of(&self, current: &Current) -> Result<Vec<RateTarget>, RepositoryError> {
        let mut files = Vec::new();
        for (name, target) in &current.targets.signed.targets {
            let Some(file_name) = name.raw().strip_prefix(RATES_PREFIX) else {
                continue;
            };
            let hex = crate::hex::encode(&target.hashes.sha256);
            let path = self.targets_dir().join(format!("{hex}.{}", name.raw()));
            let bytes =
                std::fs::read(&path).map_err(|e| RepositoryError::io(&path, e.to_string()))?;
            if hashes(&bytes).sha256 != target.hashes.sha256 {
                return Err(RepositoryError::corrupt(format!(
                    "{} does not match the hash its targets metadata lists",
                    path.display()
                )));
            }
            let text = String::from_utf8(bytes).map_err(|_| {
                RepositoryError::corrupt(format!("{} is not UTF-8", path.display()))
            })?;
            files.push(RateTarget {
                file_name: file_name.to_string(),
                text,
            });
        }
        files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        Ok(files)
    }
}

/// What a checked rate file is published as: its earliest table's effective date.
pub(super) fn rates_published(
    book: &RateBook,
    file_name: &str,
) -> Result<Published, RepositoryError> {
    Ok(Published::Rates {
        effective: earliest_effective(book, file_name)?.to_string(),
    })
}

/// The first day any table of `file_name` in `book` takes effect.
fn earliest_effective(book: &RateBook, file_name: &str) -> Result<Date, RepositoryError> {
    let infos = book
        .price_tables()
        .iter()
        .map(|t| &t.info)
        .chain(book.service_tables().iter().map(|t| &t.info))
        .chain(book.dimensional_rules().iter().map(|r| &r.info))
        .chain(book.country_tables().iter().map(|c| &c.info));
    infos
        .filter(|info| info.file == file_name)
        .map(|info| info.effective)
        .min()
        .ok_or_else(|| RepositoryError::refused(format!("{file_name:?} holds no table")))
}
