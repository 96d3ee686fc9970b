//! A folder of its own for one benchmark run, removed when the run ends however it ends.
//!
//! The counters started here create keys, a PSD ledger and print jobs; none of that may
//! land in the station's real data folder, and none of it is worth keeping afterwards.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates a new, empty folder under the system's temporary folder; fails rather than
    /// reuse one that exists.
    pub fn create(prefix: &str) -> io::Result<ScratchDir> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path)?;
        Ok(ScratchDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Nothing to do about a folder that cannot be removed while unwinding or exiting.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_and_what_was_written_in_it_are_gone_after_the_run() {
        let scratch = ScratchDir::create("postcounter-scratch-test").unwrap();
        let path = scratch.path().to_path_buf();
        std::fs::create_dir(path.join("data")).unwrap();
        std::fs::write(path.join("data/ledger"), b"x").unwrap();
        drop(scratch);
        assert!(!path.exists());
    }
}
