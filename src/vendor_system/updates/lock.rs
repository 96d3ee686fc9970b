//! The repository writers' lock: an exclusive `flock` on `<repository>/.lock`, so two
//! vendor processes (or a vendor and `admin`) never sign two versions of one role at once.
//! The lock goes with the process: a writer killed mid-way leaves it free, and the files it
//! wrote are whole (each one written atomically, the timestamp last).

use std::fs::{File, OpenOptions};
use std::path::Path;

use rustix::fs::{FlockOperation, flock};

use super::RepositoryError;

/// Held while writing; dropped, the lock is released.
pub struct WriteLock {
    _file: File,
}

impl WriteLock {
    /// Waits for the lock of the repository in `dir` (which must exist).
    pub fn take(dir: &Path) -> Result<WriteLock, RepositoryError> {
        let path = dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| RepositoryError::io(&path, e.to_string()))?;
        flock(&file, FlockOperation::LockExclusive)
            .map_err(|e| RepositoryError::io(&path, e.to_string()))?;
        Ok(WriteLock { _file: file })
    }
}
