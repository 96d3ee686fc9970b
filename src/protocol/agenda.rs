//! The contact's agenda: what the data centre's services have to do with a station, signed by
//! the data centre, carried on the answer to any contact the station makes (a purchase, a
//! reconciliation, a poll). The station's own monitor hands each item to its service, and its
//! ledger keeps the agenda and what became of each item, so an auditor sees what the data
//! centre asked and when.
//!
//! A station says what it holds in a request header, so the services can tell what it lacks:
//! ```text
//! Postcounter-Station: status-list=3; control-total-mills=200000; updates=7
//! ```
//! (`updates` is the snapshot version of the update repository the station handled whole:
//! its rate files installed and the build it wants staged; 0 for none.)
//! Keys it does not know are ignored (a newer station may say more); a value that is not a
//! number is refused. The answer carries the agenda as hex in `Postcounter-Agenda` when any
//! service has work (the poll `GET /contact/v1/agenda` always answers one). Its bytes are
//! sealed like a grant (see [`crate::grants`]), kind 4:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | kind 4, format version 1 |
//! | 2 | 1 | length n of the counter id (1 to 32) |
//! | 3 | n | the counter id, ASCII |
//! | 3+n | 8 | issued at, Unix ms, big-endian (the data centre's clock) |
//! | 11+n | 1 | item count m (0 to 16) |
//! | 12+n | 10 m | each item: service (1 byte), work (1 byte), argument (8 bytes, big-endian) |
//! | then | 68 | root generation (4) and ECDSA P-256 signature (64), as every grant |
//!
//! | service | work | argument | asks the station to |
//! |---|---|---|---|
//! | 3 keys | 1 renew certificate | the certificate's last day, days since 2000-01-01 | renew its embedded PSD's key |
//! | 3 keys | 2 status list | the list number in force | fetch the trust (status list, roots) |
//! | 4 funds | 1 pending credit | mills authorized and not yet credited | finish its pending refills |
//! | 2 postage | 1 reconcile | the last reconciliation, Unix ms (0: never) | report its ledger, renewing its lease |
//! | 6 software | 1 update | the repository's snapshot version | check the update repository (rate tables, software) |

use super::services::Service;
use crate::grants::{GrantError, RootSigner, open_any_length, seal};
use crate::keys::Trust;

/// The request header a station states what it holds in.
pub const STATION_HEADER: &str = "postcounter-station";
/// The answer header an agenda travels in.
pub const AGENDA_HEADER: &str = "postcounter-agenda";

/// `GET /contact/v1/agenda`: the station's agenda now, signed, as hex (no item: nothing due).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaResponse {
    pub agenda: String,
}

const KIND: u8 = 4;
const ITEM_LEN: usize = 10;
pub const MAX_ITEMS: usize = 16;
const MAX_COUNTER_ID_LEN: usize = 32;

/// What a station says it holds, for the services to compare with their own records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StationState {
    /// The number of the certificate status list it checks with.
    pub status_list: Option<u32>,
    /// Its embedded PSD's control total: every refill it has credited.
    pub control_total_mills: Option<i64>,
    /// The snapshot version of the update repository it handled whole (0: none yet).
    pub updates: Option<u64>,
}

impl StationState {
    pub fn to_header(&self) -> String {
        let mut parts = Vec::new();
        if let Some(number) = self.status_list {
            parts.push(format!("status-list={number}"));
        }
        if let Some(mills) = self.control_total_mills {
            parts.push(format!("control-total-mills={mills}"));
        }
        if let Some(version) = self.updates {
            parts.push(format!("updates={version}"));
        }
        parts.join("; ")
    }

    /// The state a header states; keys this build does not know are skipped.
    pub fn parse(text: &str) -> Result<StationState, String> {
        let mut state = StationState::default();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let refused = || {
                let quoted: String = part.chars().take(60).collect();
                format!(
                    "{STATION_HEADER} part {quoted:?} is not accepted: key=number, e.g. status-list=3; control-total-mills=200000"
                )
            };
            let (key, value) = part.split_once('=').ok_or_else(refused)?;
            match key.trim() {
                "status-list" => {
                    state.status_list = Some(value.trim().parse().map_err(|_| refused())?)
                }
                "control-total-mills" => {
                    let mills: i64 = value.trim().parse().map_err(|_| refused())?;
                    if mills < 0 {
                        return Err(refused());
                    }
                    state.control_total_mills = Some(mills);
                }
                "updates" => state.updates = Some(value.trim().parse().map_err(|_| refused())?),
                _ => {}
            }
        }
        Ok(state)
    }
}

/// One item of work a service has for a station.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    RenewCertificate { last_day: i32 },
    StatusList { number: u32 },
    PendingCredit { mills: i64 },
    Reconcile { last_unix_ms: i64 },
    Update { snapshot_version: u64 },
}

impl Work {
    pub fn service(self) -> Service {
        match self {
            Work::RenewCertificate { .. } | Work::StatusList { .. } => Service::Keys,
            Work::PendingCredit { .. } => Service::Funds,
            Work::Reconcile { .. } => Service::Postage,
            Work::Update { .. } => Service::Software,
        }
    }

    /// The work's name, for the ledger and the log.
    pub fn name(self) -> &'static str {
        match self {
            Work::RenewCertificate { .. } => "renew-certificate",
            Work::StatusList { .. } => "status-list",
            Work::PendingCredit { .. } => "pending-credit",
            Work::Reconcile { .. } => "reconcile",
            Work::Update { .. } => "update",
        }
    }

    fn code(self) -> (u8, u8, i64) {
        match self {
            Work::RenewCertificate { last_day } => (3, 1, i64::from(last_day)),
            Work::StatusList { number } => (3, 2, i64::from(number)),
            Work::PendingCredit { mills } => (4, 1, mills),
            Work::Reconcile { last_unix_ms } => (2, 1, last_unix_ms),
            // Snapshot versions stay far below 2^63.
            Work::Update { snapshot_version } => (6, 1, snapshot_version as i64),
        }
    }

    fn from_code(service: u8, work: u8, argument: i64) -> Option<Work> {
        Some(match (service, work) {
            (3, 1) => Work::RenewCertificate {
                last_day: i32::try_from(argument).ok()?,
            },
            (3, 2) => Work::StatusList {
                number: u32::try_from(argument).ok()?,
            },
            (4, 1) => Work::PendingCredit { mills: argument },
            (2, 1) => Work::Reconcile {
                last_unix_ms: argument,
            },
            (6, 1) => Work::Update {
                snapshot_version: u64::try_from(argument).ok()?,
            },
            _ => return None,
        })
    }
}

/// The data centre's agenda for one station at one contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agenda {
    pub counter_id: String,
    pub issued_unix_ms: i64,
    pub items: Vec<Work>,
}

impl Agenda {
    /// The agenda's bytes, signed by `signer`. The counter id and item count must be within
    /// the format's bounds: the data centre builds both.
    pub fn sign(&self, signer: &RootSigner) -> Result<Vec<u8>, GrantError> {
        let malformed = |reason: String| GrantError::Malformed {
            what: "contact agenda",
            reason,
        };
        let id = self.counter_id.as_bytes();
        if id.is_empty() || id.len() > MAX_COUNTER_ID_LEN || !self.counter_id.is_ascii() {
            return Err(malformed(format!("counter id {:?}", self.counter_id)));
        }
        if self.items.len() > MAX_ITEMS {
            return Err(malformed(format!("{} items", self.items.len())));
        }
        let mut body = Vec::with_capacity(10 + id.len() + ITEM_LEN * self.items.len());
        body.push(id.len() as u8);
        body.extend_from_slice(id);
        body.extend_from_slice(&self.issued_unix_ms.to_be_bytes());
        body.push(self.items.len() as u8);
        for item in &self.items {
            let (service, work, argument) = item.code();
            body.extend_from_slice(&[service, work]);
            body.extend_from_slice(&argument.to_be_bytes());
        }
        Ok(seal(KIND, &body, signer))
    }

    /// The agenda in `bytes`, if a root `trust` reaches signed it. Items of a kind this build
    /// does not know are refused rather than skipped: the data centre asked for them.
    pub fn open(bytes: &[u8], trust: &Trust) -> Result<Agenda, GrantError> {
        let what = "contact agenda";
        let body = open_any_length(what, KIND, bytes, trust)?;
        let malformed = |reason: &str| GrantError::Malformed {
            what,
            reason: reason.to_string(),
        };
        let (&id_len, rest) = body.split_first().ok_or_else(|| malformed("empty"))?;
        let id_len = usize::from(id_len);
        if id_len == 0 || id_len > MAX_COUNTER_ID_LEN || rest.len() < id_len + 9 {
            return Err(malformed("a counter id out of bounds"));
        }
        let counter_id = std::str::from_utf8(&rest[..id_len])
            .map_err(|_| malformed("a counter id that is not text"))?
            .to_string();
        let issued_unix_ms = i64_at(rest, id_len);
        let count = usize::from(rest[id_len + 8]);
        let items_bytes = &rest[id_len + 9..];
        if count > MAX_ITEMS || items_bytes.len() != count * ITEM_LEN {
            return Err(malformed("an item count that does not match its items"));
        }
        let items = items_bytes
            .chunks_exact(ITEM_LEN)
            .map(|item| {
                Work::from_code(item[0], item[1], i64_at(item, 2)).ok_or_else(|| {
                    malformed(&format!(
                        "work {} of service {} is not known to this station",
                        item[1], item[0]
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Agenda {
            counter_id,
            issued_unix_ms,
            items,
        })
    }
}

fn i64_at(bytes: &[u8], at: usize) -> i64 {
    let mut be = [0u8; 8];
    be.copy_from_slice(&bytes[at..at + 8]);
    i64::from_be_bytes(be)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;
    use p256::elliptic_curve::Generate;

    fn agenda() -> Agenda {
        Agenda {
            counter_id: "C0123456789".into(),
            issued_unix_ms: 1_780_000_000_000,
            items: vec![
                Work::RenewCertificate { last_day: 9800 },
                Work::StatusList { number: 4 },
                Work::PendingCredit { mills: 100_000 },
                Work::Reconcile { last_unix_ms: 0 },
            ],
        }
    }

    #[test]
    fn an_agenda_opens_with_the_root_that_signed_it_and_no_other() {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let bytes = agenda()
            .sign(&RootSigner {
                generation: 1,
                key: &key,
            })
            .unwrap();
        let trust = Trust::anchored(*key.verifying_key());
        assert_eq!(Agenda::open(&bytes, &trust).unwrap(), agenda());
        let other = SigningKey::generate_from_rng(&mut rand::rng());
        assert!(Agenda::open(&bytes, &Trust::anchored(*other.verifying_key())).is_err());
        for at in 0..bytes.len() - 64 {
            let mut tampered = bytes.clone();
            tampered[at] ^= 1;
            assert!(Agenda::open(&tampered, &trust).is_err(), "byte {at}");
        }
    }

    #[test]
    fn station_state_round_trips_and_refuses_what_is_not_a_number() {
        let state = StationState {
            status_list: Some(3),
            control_total_mills: Some(200_000),
            updates: Some(7),
        };
        assert_eq!(StationState::parse(&state.to_header()), Ok(state));
        assert_eq!(
            StationState::parse("software=2.0; status-list=7"),
            Ok(StationState {
                status_list: Some(7),
                control_total_mills: None,
                updates: None,
            })
        );
        for bad in [
            "status-list=x",
            "control-total-mills=-5",
            "status-list",
            "updates=-1",
        ] {
            let error = StationState::parse(bad).unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
    }
}
