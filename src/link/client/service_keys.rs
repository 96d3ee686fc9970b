//! The data centre's service keys as the client holds them: fetched from the public route
//! (see [`crate::protocol::security`]), taken only when a root the station trusts signed
//! their announcement, and fetched again when the announcement runs out.

use std::sync::{Arc, PoisonError};

use reqwest::Method;

use super::VendorClient;
use crate::grants::ServiceKeys;
use crate::keys::Trust;
use crate::link::LinkError;
use crate::protocol::keys::ServiceKeysResponse;
use crate::protocol::security::SERVICE_KEYS_PATH;

impl VendorClient {
    /// The service keys held, if any.
    pub fn held_service_keys(&self) -> Option<Arc<ServiceKeys>> {
        self.service_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether service keys are held and their announcement still holds at `now_unix_ms`.
    pub fn holds_current_service_keys(&self, now_unix_ms: i64) -> bool {
        self.held_service_keys()
            .is_some_and(|keys| keys.current_at(now_unix_ms))
    }

    /// Drops the keys held: an answer did not pass under them (altered, or the data centre
    /// has new keys), so the next contact fetches them again.
    pub(super) fn forget_service_keys(&self) {
        *self
            .service_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Uses `keys` (already verified) for every request from now on.
    pub fn use_service_keys(&self, keys: ServiceKeys) {
        *self
            .service_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(keys));
    }

    /// The data centre's announcement of its service keys, unchecked.
    pub async fn service_keys_answer(&self) -> Result<ServiceKeysResponse, LinkError> {
        let reply = self
            .send(Method::GET, SERVICE_KEYS_PATH, None, b"", None)
            .await?;
        super::parse_reply(&reply)
    }

    /// Fetches the service keys, checks them against `trust` (or, with none, against the
    /// roots the answer names: a tool on the data centre's own side), and uses them.
    pub async fn fetch_service_keys(
        &self,
        trust: Option<&Trust>,
    ) -> Result<ServiceKeys, LinkError> {
        let answer = self.service_keys_answer().await?;
        let roots = answer.roots().map_err(LinkError::Protocol)?;
        let keys = open_announcement(&answer, trust.unwrap_or(&roots), self.clock.now_unix_ms())?;
        self.use_service_keys(keys.clone());
        Ok(keys)
    }
}

/// The keys `answer` announces, if a root `trust` reaches signed them and the announcement
/// still holds at `now_unix_ms` (an old one, replayed, could bring back keys since retired).
pub fn open_announcement(
    answer: &ServiceKeysResponse,
    trust: &Trust,
    now_unix_ms: i64,
) -> Result<ServiceKeys, LinkError> {
    let bytes = crate::hex::decode(&answer.announcement)
        .ok_or_else(|| LinkError::Protocol("a service keys announcement that is not hex".into()))?;
    let keys = ServiceKeys::open(&bytes, trust)
        .map_err(|e| LinkError::Protocol(format!("the data centre's service keys: {e}")))?;
    if !keys.current_at(now_unix_ms) {
        return Err(LinkError::Protocol(format!(
            "the data centre's service keys were announced to hold until {} ms, before this station's clock ({now_unix_ms} ms): an old announcement is not taken",
            keys.not_after_unix_ms
        )));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grants::RootSigner;
    use p256::ecdsa::SigningKey;
    use p256::elliptic_curve::Generate;

    fn announced(root: &SigningKey, not_after_unix_ms: i64) -> ServiceKeysResponse {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let keys = ServiceKeys {
            key_id: 7,
            answer_key: *key.verifying_key(),
            payload_key: key
                .verifying_key()
                .to_sec1_point(false)
                .as_bytes()
                .try_into()
                .unwrap(),
            issued_unix_ms: not_after_unix_ms - 1_000,
            not_after_unix_ms,
        };
        let signer = RootSigner {
            generation: 1,
            key: root,
        };
        let trust = Trust::anchored(*root.verifying_key());
        ServiceKeysResponse::of(&keys.sign(&signer), &trust).unwrap()
    }

    #[test]
    fn an_announcement_is_taken_only_under_the_root_and_before_it_runs_out() {
        let root = SigningKey::generate_from_rng(&mut rand::rng());
        let trust = Trust::anchored(*root.verifying_key());
        let current = announced(&root, 2_000);
        assert_eq!(
            open_announcement(&current, &trust, 1_999).unwrap().key_id,
            7
        );
        // The same announcement replayed after it ran out: old keys are not brought back.
        let old = open_announcement(&current, &trust, 2_000).unwrap_err();
        assert!(old.to_string().contains("old announcement"), "{old}");
        // Another root's (a man in the middle's own keys), whatever its roots say.
        let stranger = SigningKey::generate_from_rng(&mut rand::rng());
        let forged = announced(&stranger, 2_000);
        assert!(open_announcement(&forged, &trust, 1_000).is_err());
        assert_eq!(forged.roots().unwrap().anchor, *stranger.verifying_key());
    }
}
