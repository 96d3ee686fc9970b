//! A gate: a station that admits event tickets. It checks a ticket's code with the events
//! key and revocation list it last fetched from the data centre, so a forged, altered or
//! refunded ticket is refused even offline, then redeems it against the central record. A
//! gate that cannot reach the data centre queues the scan (shown as queued, not admitted)
//! and refuses a second scan of a ticket in its own queue; `gate sync` sends the queue, and
//! the data centre reports the tickets another gate admitted first.
//!
//! ```text
//! <data dir>/gate/            mode 0700
//!   events-key.json           the key and revocation list, as last fetched (0600)
//!   queue.jsonl               scans not yet redeemed, one JSON line each, synced as written
//! ```

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use p256::ecdsa::VerifyingKey;

use crate::file_lock::FileLock;
use crate::keys::key_file::{Placement, write_file_atomically};
use crate::protocol::events::{GateScan, RevocationsResponse};
use crate::tickets::event_code::EventTicketCode;

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is damaged ({reason}): fetch the events key again with the gate online")]
    Damaged { path: PathBuf, reason: String },
}

/// Why a gate refuses a ticket before asking the data centre.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    NotSigned(String),
    #[error("ticket {ticket_id} ({seat}) is refunded or reissued: not admitted")]
    Revoked { ticket_id: u64, seat: String },
    #[error(
        "ticket {ticket_id} ({seat}) was scanned at this gate already at {at}, while offline: not admitted twice"
    )]
    QueuedAlready {
        ticket_id: u64,
        seat: String,
        at: String,
    },
    #[error(
        "this gate has never fetched the events key: it checks no ticket until it reaches the data centre once"
    )]
    NoKey,
    #[error(
        "ticket {ticket_id} is for event {found}, and this gate admits to {event}: not admitted"
    )]
    WrongEvent {
        ticket_id: u64,
        found: String,
        event: String,
    },
}

pub struct Gate {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GateError + '_ {
    move |source| GateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Gate {
    pub fn open(data_dir: &Path) -> Result<Gate, GateError> {
        let dir = data_dir.join("gate");
        crate::private_files::private_dir(&dir).map_err(io(&dir))?;
        Ok(Gate { dir })
    }

    fn keys_path(&self) -> PathBuf {
        self.dir.join("events-key.json")
    }

    fn queue_path(&self) -> PathBuf {
        self.dir.join("queue.jsonl")
    }

    /// Keeps the key and revocation list the data centre answered.
    pub fn save_keys(&self, keys: &RevocationsResponse) -> Result<(), GateError> {
        let path = self.keys_path();
        let text = serde_json::to_vec(keys).map_err(|e| GateError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_file_atomically(&path, &text, 0o600, Placement::Replace).map_err(|e| GateError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })
    }

    /// The key and revocation list last fetched, if any.
    pub fn keys(&self) -> Result<Option<RevocationsResponse>, GateError> {
        let path = self.keys_path();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| GateError::Damaged {
                    path,
                    reason: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// `code`'s ticket, if the events key signed it for `event` and it is not revoked or
    /// queued here.
    pub fn check(
        &self,
        keys: Option<&RevocationsResponse>,
        (code, event): (&str, &str),
    ) -> Result<Result<EventTicketCode, Refusal>, GateError> {
        let Some(keys) = keys else {
            return Ok(Err(Refusal::NoKey));
        };
        let key = crate::hex::decode(&keys.key)
            .and_then(|bytes| VerifyingKey::from_sec1_bytes(&bytes).ok())
            .ok_or_else(|| GateError::Damaged {
                path: self.keys_path(),
                reason: "the key is not a P-256 point".into(),
            })?;
        let fields = match EventTicketCode::verify(code, &key) {
            Ok(fields) => fields,
            Err(error) => return Ok(Err(Refusal::NotSigned(error.to_string()))),
        };
        let (ticket_id, seat) = (fields.ticket_id, fields.seat.clone());
        if fields.event_id != event {
            let (found, event) = (fields.event_id.clone(), event.to_string());
            return Ok(Err(Refusal::WrongEvent {
                ticket_id,
                found,
                event,
            }));
        }
        if keys
            .revoked
            .iter()
            .any(|r| r.ticket_id == ticket_id && fields.version <= r.version)
        {
            return Ok(Err(Refusal::Revoked { ticket_id, seat }));
        }
        for queued in self.queued()? {
            if let Ok((earlier, _)) = EventTicketCode::read(&queued.code)
                && earlier.ticket_id == ticket_id
            {
                let at = crate::clock::format_unix_ms(queued.scanned_unix_ms);
                return Ok(Err(Refusal::QueuedAlready {
                    ticket_id,
                    seat,
                    at,
                }));
            }
        }
        Ok(Ok(fields))
    }

    /// The queue's lock: an append and the rewrite after a sync take turns, so no scan
    /// appended while a sync runs is lost.
    fn queue_lock(&self) -> Result<FileLock, GateError> {
        FileLock::take(&self.dir).map_err(io(&self.dir))
    }

    /// The sync's own lock, if no other sync holds it: two syncs at once would each drop
    /// what the other sent.
    pub fn try_sync_lock(&self) -> Result<Option<FileLock>, GateError> {
        let dir = self.dir.join("sync");
        crate::private_files::private_dir(&dir).map_err(io(&dir))?;
        FileLock::try_take(&dir).map_err(io(&dir))
    }

    /// Appends `scan` to the queue, synced before it returns.
    pub fn queue(&self, scan: &GateScan) -> Result<(), GateError> {
        let _lock = self.queue_lock()?;
        let path = self.queue_path();
        let mut line = serde_json::to_vec(scan).map_err(|e| GateError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .map_err(io(&path))?;
        file.write_all(&line)
            .and_then(|()| file.sync_all())
            .map_err(io(&path))
    }

    /// The scans waiting to be redeemed, oldest first.
    pub fn queued(&self) -> Result<Vec<GateScan>, GateError> {
        let path = self.queue_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&path)(e)),
        };
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                serde_json::from_str(line).map_err(|e| GateError::Damaged {
                    path: path.clone(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    /// Drops the first `count` queued scans, which the data centre has answered.
    pub fn forget_first(&self, count: usize) -> Result<(), GateError> {
        let _lock = self.queue_lock()?;
        let path = self.queue_path();
        let rest: Vec<GateScan> = self.queued()?.into_iter().skip(count).collect();
        let mut text = Vec::new();
        for scan in &rest {
            text.extend(serde_json::to_vec(scan).map_err(|e| GateError::Damaged {
                path: path.clone(),
                reason: e.to_string(),
            })?);
            text.push(b'\n');
        }
        write_file_atomically(&path, &text, 0o600, Placement::Replace).map_err(|e| GateError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })
    }
}
