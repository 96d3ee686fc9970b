//! The vendor's open sessions (see [`super::session`]), in the memory of the process that
//! opened them.
//!
//! Nothing of value depends on a session surviving: a vendor restarted, or a request sent
//! to another vendor process, is answered `session_expired`, and the counter opens a new
//! session and sends the request again under the same idempotency key. Keeping sessions out
//! of the store is what makes them cheap: a request in a session costs one map lookup and
//! one HMAC, with no signature check and no read of the store before its own transaction
//! (every transaction checks that the counter is still active).
//!
//! A session refuses a replay by its sequence numbers: each may be used once, and one more
//! than [`REPLAY_WINDOW`] behind the highest seen is refused, so requests a counter sends
//! side by side may arrive in either order.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::hex;
use crate::protocol::OpenSessionResponse;
use crate::protocol::session::{
    self, SESSION_LIFETIME_MS, SessionCredentials, SessionId, SessionKey,
};
use crate::protocol::signature::SignedRequest;
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::store::idempotency::replayed_nonce;
use crate::vendor_system::store::void_refill::SignedNonce;

/// Sessions one counter may hold at once; opening another ends its oldest.
pub const MAX_SESSIONS_PER_COUNTER: usize = 4;
/// How far behind the highest sequence number a request may arrive.
pub const REPLAY_WINDOW: u64 = 64;
/// How far ahead of the highest a sequence number may jump: a counter counts up by one, and
/// a number near the top of the range would leave its session no numbers to use.
pub const MAX_JUMP: u64 = 1 << 20;

/// The sequence numbers of one session seen so far: the highest, and which of the
/// [`REPLAY_WINDOW`] below it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayWindow {
    highest: u64,
    /// Bit `i` is set when `highest - i` was seen.
    seen: u64,
}

impl ReplayWindow {
    /// Takes `sequence`; false when it was used before or is too old to tell.
    pub fn accept(&mut self, sequence: u64) -> bool {
        if sequence == 0 {
            return false;
        }
        if sequence > self.highest.saturating_add(MAX_JUMP) {
            return false;
        }
        if sequence > self.highest {
            let shift = sequence - self.highest;
            self.seen = if shift >= REPLAY_WINDOW {
                0
            } else {
                self.seen << shift
            };
            self.seen |= 1;
            self.highest = sequence;
            return true;
        }
        let behind = self.highest - sequence;
        if behind >= REPLAY_WINDOW || self.seen & (1 << behind) != 0 {
            return false;
        }
        self.seen |= 1 << behind;
        true
    }
}

struct Session {
    counter_id: String,
    key: SessionKey,
    opened_unix_ms: i64,
    replays: ReplayWindow,
}

#[derive(Default)]
pub struct SessionTable {
    sessions: Mutex<HashMap<SessionId, Session>>,
    /// The nonces of the signed openings, each until its timestamp can no longer pass.
    openings: Mutex<HashMap<(String, String), i64>>,
}

impl SessionTable {
    /// Opens a session for `counter_id`, whose request signed with `nonce` the caller has
    /// authenticated, from the counter's ephemeral public key. Ended sessions are dropped
    /// here.
    ///
    /// The opening's nonce is kept here rather than in the store, so that opening writes
    /// nothing: a replayed opening is refused by this process, and one sent to another
    /// process would only open a session that nobody can use, for only the counter holds
    /// the secret half of the ephemeral key.
    pub fn open(
        &self,
        counter_id: &str,
        nonce: &SignedNonce,
        counter_public_key: &[u8],
        now_unix_ms: i64,
    ) -> Result<OpenSessionResponse, VendorError> {
        {
            let mut openings = self.openings.lock().unwrap_or_else(PoisonError::into_inner);
            openings.retain(|_, expires_unix_ms| now_unix_ms < *expires_unix_ms);
            let seen = openings.insert(
                (counter_id.to_string(), nonce.nonce.clone()),
                nonce.expires_unix_ms,
            );
            if seen.is_some() {
                return Err(replayed_nonce(counter_id));
            }
        }
        let (session_id, vendor_public_key, key) = session::accept(counter_id, counter_public_key)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|_, session| now_unix_ms < session.opened_unix_ms + SESSION_LIFETIME_MS);
        let mut own: Vec<(i64, SessionId)> = sessions
            .iter()
            .filter(|(_, session)| session.counter_id == counter_id)
            .map(|(id, session)| (session.opened_unix_ms, *id))
            .collect();
        own.sort_unstable();
        let excess = (own.len() + 1).saturating_sub(MAX_SESSIONS_PER_COUNTER);
        for (_, id) in own.into_iter().take(excess) {
            sessions.remove(&id);
        }
        sessions.insert(
            session_id,
            Session {
                counter_id: counter_id.to_string(),
                key,
                opened_unix_ms: now_unix_ms,
                replays: ReplayWindow::default(),
            },
        );
        Ok(OpenSessionResponse {
            session_id: hex::encode(&session_id),
            ephemeral_public_key: hex::encode(&vendor_public_key),
            expires_unix_ms: now_unix_ms + SESSION_LIFETIME_MS,
        })
    }

    /// The keys of session `id`, while it is open here: its answers are MACed under one.
    pub fn key(&self, id: &SessionId) -> Option<SessionKey> {
        let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.get(id).map(|session| session.key.clone())
    }

    /// The counter a request in a session comes from, once its MAC, timestamp and sequence
    /// number pass.
    pub fn authenticate(
        &self,
        credentials: &SessionCredentials,
        request: &SignedRequest,
        now_unix_ms: i64,
    ) -> Result<String, VendorError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let expired = || {
            VendorError::new(
                RefusalKind::SessionExpired,
                format!(
                    "session {} is not open at this vendor (expired, ended, or opened at another vendor process); open one with POST /contact/v1/sessions",
                    hex::encode(&credentials.session_id)
                ),
            )
        };
        let session = sessions
            .get_mut(&credentials.session_id)
            .ok_or_else(expired)?;
        if now_unix_ms >= session.opened_unix_ms + SESSION_LIFETIME_MS {
            sessions.remove(&credentials.session_id);
            return Err(expired());
        }
        session.key.verify(credentials, request, now_unix_ms)?;
        if !session.replays.accept(credentials.sequence) {
            return Err(VendorError::new(
                RefusalKind::Replayed,
                format!(
                    "sequence number {} of this session was used before or is over {REPLAY_WINDOW} behind; a replayed request is refused",
                    credentials.sequence
                ),
            ));
        }
        Ok(session.counter_id.clone())
    }

    /// How many sessions are open.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::session::{SessionOffer, parse_authorization};

    const NOW: i64 = 1_763_800_000_000;

    #[test]
    fn each_sequence_number_is_taken_once_in_any_order_within_the_window() {
        let mut window = ReplayWindow::default();
        assert!(!window.accept(0));
        assert!(window.accept(1));
        assert!(!window.accept(1));
        assert!(window.accept(5));
        assert!(window.accept(3), "a number skipped over arrives late");
        assert!(!window.accept(3));
        assert!(window.accept(2));
        assert!(window.accept(5 + REPLAY_WINDOW - 1));
        assert!(window.accept(5 + REPLAY_WINDOW + 1));
        assert!(!window.accept(5), "out of the window");
        assert!(
            window.accept(5 + REPLAY_WINDOW),
            "inside the window, never seen"
        );
        assert!(window.accept(1_000_000));
        assert!(!window.accept(1_000_000));
        assert!(!window.accept(u64::MAX), "a jump to the top of the range");
        assert!(window.accept(1_000_001), "and the session goes on");
    }

    fn request() -> SignedRequest<'static> {
        SignedRequest {
            method: "POST",
            path: "/postage/v1/voids",
            idempotency_key: Some("void-1"),
            body: b"{}",
            seal: None,
        }
    }

    fn fresh_nonce(now: i64) -> SignedNonce {
        SignedNonce {
            nonce: hex::encode(&rand::random::<[u8; 16]>()),
            expires_unix_ms: now + 600_000,
        }
    }

    /// A session opened in `table`: its id and the counter's key.
    fn open(table: &SessionTable, counter_id: &str, now: i64) -> (SessionId, SessionKey) {
        let offer = SessionOffer::new().unwrap();
        let opened = table
            .open(counter_id, &fresh_nonce(now), offer.public_key(), now)
            .unwrap();
        let id: SessionId = hex::decode(&opened.session_id).unwrap().try_into().unwrap();
        let vendor_public = hex::decode(&opened.ephemeral_public_key).unwrap();
        let key = offer.complete(counter_id, &id, &vendor_public).unwrap();
        (id, key)
    }

    fn send(
        table: &SessionTable,
        id: &SessionId,
        key: &SessionKey,
        sequence: u64,
        now: i64,
    ) -> Result<String, VendorError> {
        let header = key.authorization(id, &request(), now, sequence);
        table.authenticate(&parse_authorization(&header).unwrap(), &request(), now)
    }

    #[test]
    fn a_session_serves_its_counter_and_refuses_a_replay() {
        let table = SessionTable::default();
        let (id, key) = open(&table, "C0123456789", NOW);
        assert_eq!(send(&table, &id, &key, 1, NOW).unwrap(), "C0123456789");
        assert_eq!(send(&table, &id, &key, 2, NOW).unwrap(), "C0123456789");
        let replay = send(&table, &id, &key, 2, NOW).unwrap_err();
        assert_eq!(replay.kind(), RefusalKind::Replayed);
        assert!(replay.message().contains("replayed"), "{replay}");
    }

    #[test]
    fn a_replayed_opening_is_refused() {
        let table = SessionTable::default();
        let nonce = fresh_nonce(NOW);
        let offer = SessionOffer::new().unwrap();
        let open = || table.open("C0123456789", &nonce, offer.public_key(), NOW);
        open().unwrap();
        let replay = open().unwrap_err();
        assert_eq!(replay.kind(), RefusalKind::Replayed);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn an_ended_session_is_answered_session_expired() {
        let table = SessionTable::default();
        let (id, key) = open(&table, "C0123456789", NOW);
        let late = NOW + SESSION_LIFETIME_MS;
        let error = send(&table, &id, &key, 1, late).unwrap_err();
        assert_eq!(error.kind(), RefusalKind::SessionExpired);
        assert_eq!(table.len(), 0, "the ended session is dropped");
        let elsewhere = SessionTable::default();
        let error = send(&elsewhere, &id, &key, 1, NOW).unwrap_err();
        assert_eq!(error.kind(), RefusalKind::SessionExpired);
    }

    #[test]
    fn a_counter_holds_at_most_four_sessions_and_the_oldest_ends_first() {
        let table = SessionTable::default();
        let opened: Vec<_> = (0..5)
            .map(|i| open(&table, "C0123456789", NOW + i))
            .collect();
        let _other = open(&table, "C9876543210", NOW);
        assert_eq!(table.len(), MAX_SESSIONS_PER_COUNTER + 1);
        let (first_id, first_key) = &opened[0];
        let error = send(&table, first_id, first_key, 1, NOW + 10).unwrap_err();
        assert_eq!(error.kind(), RefusalKind::SessionExpired);
        for (id, key) in &opened[1..] {
            send(&table, id, key, 1, NOW + 10).unwrap();
        }
    }
}
