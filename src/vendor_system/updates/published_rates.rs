//! The rate tables the data centre prices with: the rate files its update repository lists,
//! read again whenever the repository's `timestamp.json` is replaced (one `stat` per look), so a
//! table `admin publish-rates` adds is priced with by every vendor process on the folder
//! from the next purchase on, as stations are told of it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Instant, SystemTime};

use super::{RepositoryError, UpdateRepository};
use crate::rates::RateBook;

/// Which `timestamp.json` a set was read from: every write renames a new file into place, so
/// its inode changes even when the clock's grain hides the new modification time.
type Seen = Option<(u64, SystemTime)>;

struct Loaded {
    seen: Seen,
    snapshot_version: u64,
    book: Arc<RateBook>,
}

/// How often the repository is looked at: a publication is priced with within this.
const LOOK_EVERY_MS: u64 = 1_000;

/// The repository's rate tables, as of its current timestamp.
pub struct PublishedRates {
    repository: UpdateRepository,
    loaded: RwLock<Loaded>,
    /// When the repository was last looked at, in ms since `started`: a purchase costs no
    /// `stat` unless a second has passed.
    started: Instant,
    looked_ms: AtomicU64,
}

impl PublishedRates {
    /// The rate tables `repository` lists now; refused whole if any does not check.
    pub fn load(repository: UpdateRepository) -> Result<PublishedRates, RepositoryError> {
        let loaded = read(&repository)?;
        Ok(PublishedRates {
            repository,
            loaded: RwLock::new(loaded),
            started: Instant::now(),
            looked_ms: AtomicU64::new(0),
        })
    }

    pub fn repository(&self) -> &UpdateRepository {
        &self.repository
    }

    /// The tables in force in the repository now (as of a second ago at most).
    pub fn book(&self) -> Arc<RateBook> {
        self.reload_if_changed(false);
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .book
            .clone()
    }

    /// The version of the repository's snapshot: what a station that is up to date holds.
    /// Looked at every time (the monitor asks once per counter per half minute), so the
    /// contact that tells a station of new tables finds them here too.
    pub fn snapshot_version(&self) -> u64 {
        self.reload_if_changed(true);
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .snapshot_version
    }

    fn reload_if_changed(&self, now: bool) {
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let looked_ms = self.looked_ms.load(Ordering::Relaxed);
        if !now && looked_ms != 0 && now_ms.saturating_sub(looked_ms) < LOOK_EVERY_MS {
            return;
        }
        self.looked_ms.store(now_ms.max(1), Ordering::Relaxed);
        let seen = timestamp_seen(&self.repository);
        let known = self
            .loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .seen;
        if seen == known {
            return;
        }
        match read(&self.repository) {
            Ok(loaded) => *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = loaded,
            // The tables in hand were checked; the repository's new state is not, and the
            // administrator must hear of it on every look until it is mended.
            Err(e) => log::error!("the rate tables of the update repository: {e}"),
        }
    }
}

fn timestamp_seen(repository: &UpdateRepository) -> Seen {
    use std::os::unix::fs::MetadataExt;
    let path = repository.metadata_dir().join("timestamp.json");
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.ino(), metadata.modified().ok()?))
}

fn read(repository: &UpdateRepository) -> Result<Loaded, RepositoryError> {
    // Which file first: a change after it is seen at the next look.
    let seen = timestamp_seen(repository);
    let current = repository.current()?;
    let files = repository.rate_files_of(&current)?;
    let named: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.file_name.as_str(), f.text.as_str()))
        .collect();
    let book = RateBook::from_files(&named).map_err(|e| RepositoryError::corrupt(e.to_string()))?;
    Ok(Loaded {
        seen,
        snapshot_version: current.snapshot.signed.version.get(),
        book: Arc::new(book),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::updates::Published;
    use crate::rates::book::EMBEDDED_FILES;

    /// What `admin publish-rates` adds in another process is priced with from the next look
    /// (a second at most), with no restart.
    #[tokio::test]
    async fn a_published_table_is_priced_with_from_the_next_look() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let repository = UpdateRepository::at(&dir.path().join("updates"), &keys);
        repository
            .create_unless_exists(EMBEDDED_FILES, 0)
            .await
            .unwrap();
        let mut rates = PublishedRates::load(repository.clone()).unwrap();
        let before = rates.book().price_tables().len();

        let (_, text) = EMBEDDED_FILES[1];
        let staged = text.replace("effective = 2026-07-12", "effective = 2027-01-18");
        let published = Published::Rates {
            effective: String::new(),
        };
        // Another writer: a second handle on the same folder, as `admin` is.
        UpdateRepository::at(&dir.path().join("updates"), &keys)
            .publish("staged.toml", staged.as_bytes(), published, 1_000)
            .await
            .unwrap();
        // A purchase within the second of a look prices as before; the look a second later
        // finds the new tables (no sleep: the clock of looks is moved instead).
        let just_now = u64::try_from(rates.started.elapsed().as_millis()).unwrap();
        rates.looked_ms.store(just_now.max(1), Ordering::Relaxed);
        assert_eq!(rates.book().price_tables().len(), before);
        rates.started -= std::time::Duration::from_millis(LOOK_EVERY_MS + 1);
        let book = rates.book();
        assert_eq!(rates.snapshot_version(), 2);
        assert!(book.price_tables().len() > before);
        assert!(
            book.price_tables()
                .iter()
                .any(|t| t.info.file == "staged.toml")
        );
    }
}
