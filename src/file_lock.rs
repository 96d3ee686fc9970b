//! An exclusive lock on a folder's `.lock` file (`flock`), for writers in different
//! processes that must take turns: the data centre's update repository (vendor processes and
//! `admin`), a station's installed updates (its counter screen and `updates check`). The lock
//! goes with the process: a writer killed mid-way leaves it free, and what it wrote is whole
//! or absent (each writer writes atomically).

use std::fs::{File, OpenOptions};
use std::path::Path;

use rustix::fs::{FlockOperation, flock};

/// Held while writing; dropped, the lock is released.
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits for the lock of the folder `dir` (which must exist). The wait is a blocking
    /// call: writers hold it for milliseconds.
    pub fn take(dir: &Path) -> std::io::Result<FileLock> {
        let file = open(dir)?;
        flock(&file, FlockOperation::LockExclusive)?;
        Ok(FileLock { _file: file })
    }

    /// The lock of `dir` if no one holds it; `None` if someone does (for work held for
    /// minutes, like a download, that a second comer skips rather than waits for).
    pub fn try_take(dir: &Path) -> std::io::Result<Option<FileLock>> {
        let file = open(dir)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(FileLock { _file: file })),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

fn open(dir: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))
}
