//! Where the station and the data centre keep what an other local user must not read: the
//! data directory and every folder in it are owner-only (0700), and so are the databases
//! (0600), keys and PIN hashes. A file is created with its mode (never widened, then
//! narrowed), and what an earlier version left wider is tightened when it is opened.
//!
//! SQLite creates a database's `-wal` and `-shm` files with the database file's own mode,
//! so creating the database 0600 before SQLite opens it is what keeps those private too.

use std::fs::{self, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of every folder that holds the station's or the data centre's files.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of every database and secret file.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its missing parents) owner-only, or tightens it to owner-only.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR_MODE)
        .create(dir)?;
    tighten(dir, PRIVATE_DIR_MODE)
}

/// Tightens every folder directly inside `dir` to owner-only: the data directory's own
/// folders, whichever version made them (deeper folders are tightened by whoever opens them).
pub fn private_subfolders(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            tighten(&entry.path(), PRIVATE_DIR_MODE)?;
        }
    }
    Ok(())
}

/// Makes ready a database file at `path`: its folder owner-only, the file created 0600 if
/// missing, and the file and any `-wal` and `-shm` beside it tightened to 0600.
pub fn private_database(path: &Path) -> io::Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        private_dir(folder)?;
    }
    // Only a missing file is opened (to create it): closing a descriptor of a file this
    // process has open through SQLite would drop every POSIX lock SQLite holds on it, and
    // another process closing its last connection would then delete the live -wal and
    // -shm, losing every commit after (a second pool on the same store, such as the
    // committer's, did exactly that).
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_FILE_MODE)
        .open(path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let file = Path::new(&name);
        if file.exists() {
            tighten(file, PRIVATE_FILE_MODE)?;
        }
    }
    Ok(())
}

/// Makes a rename or a new name in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Takes every permission beyond `mode` away from `path`; never widens.
fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        fs::set_permissions(path, Permissions::from_mode(current & mode))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_databases_are_created_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("a/b/store.sqlite");
        private_database(&database).unwrap();
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);
        assert_eq!(mode(&database), 0o600);
    }

    #[test]
    fn what_an_earlier_version_left_open_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("psd");
        fs::create_dir(&folder).unwrap();
        fs::set_permissions(&folder, Permissions::from_mode(0o755)).unwrap();
        let database = folder.join("ledger.sqlite");
        let wal = folder.join("ledger.sqlite-wal");
        for file in [&database, &wal] {
            fs::write(file, b"").unwrap();
            fs::set_permissions(file, Permissions::from_mode(0o644)).unwrap();
        }
        private_database(&database).unwrap();
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&database), 0o600);
        assert_eq!(mode(&wal), 0o600);
    }
}
