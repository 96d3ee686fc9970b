//! The supervisor PIN gate on disk: how many wrong PINs were typed in a row and until when
//! the gate is closed, in `<data dir>/supervisor-pin-gate` (owner-only, written atomically).
//! The flow keeps the gate in the app's monotonic clock; this file keeps it in wall-clock
//! time, so a counter restarted during a lockout is still locked and one restarted after
//! two wrong PINs has one attempt left, not three.

use std::path::{Path, PathBuf};

use super::state::PinGate;
use crate::keys::key_file::{Placement, write_file_atomically};

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("supervisor-pin-gate")
}

/// Keeps `wrong_pins` and a lock of `locked_for_ms` more from `now_unix_ms`.
pub fn save(
    data_dir: &Path,
    wrong_pins: u32,
    locked_for_ms: u64,
    now_unix_ms: i64,
) -> Result<(), String> {
    let locked_until_unix_ms = if locked_for_ms == 0 {
        0
    } else {
        now_unix_ms.saturating_add(i64::try_from(locked_for_ms).unwrap_or(i64::MAX))
    };
    let text = format!("{wrong_pins} {locked_until_unix_ms}\n");
    let path = path(data_dir);
    write_file_atomically(&path, text.as_bytes(), 0o600, Placement::Replace)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The gate as kept, for an app whose clock reads `now_ms` at wall-clock `now_unix_ms`: a
/// missing file is an open gate; an unreadable one is refused, never read as open.
pub fn load(data_dir: &Path, now_ms: u64, now_unix_ms: i64) -> Result<PinGate, String> {
    let path = path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(PinGate::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let bad = || format!("{}: not a PIN gate: {:?}", path.display(), text.trim());
    let (wrong, until) = text.trim().split_once(' ').ok_or_else(bad)?;
    let wrong_pins: u32 = wrong.parse().map_err(|_| bad())?;
    let locked_until_unix_ms: i64 = until.parse().map_err(|_| bad())?;
    let left_ms = u64::try_from(locked_until_unix_ms.saturating_sub(now_unix_ms)).unwrap_or(0);
    Ok(PinGate {
        wrong_pins,
        locked_until_ms: (left_ms > 0).then(|| now_ms.saturating_add(left_ms)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_kept_is_still_closed_after_a_restart_and_open_once_it_ran_out() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path(), 0, 1_000).unwrap(), PinGate::default());
        save(dir.path(), 0, 60_000, 1_000_000).unwrap();
        let restarted = load(dir.path(), 5, 1_010_000).unwrap();
        assert_eq!(restarted.locked_until_ms, Some(5 + 50_000));
        assert_eq!(
            load(dir.path(), 5, 1_060_001).unwrap().locked_until_ms,
            None
        );
        save(dir.path(), 2, 0, 2_000_000).unwrap();
        assert_eq!(
            load(dir.path(), 0, 2_000_001).unwrap(),
            PinGate {
                wrong_pins: 2,
                locked_until_ms: None
            }
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(path(dir.path()), "two 0").unwrap();
        assert!(
            load(dir.path(), 0, 0)
                .unwrap_err()
                .contains("not a PIN gate")
        );
    }
}
