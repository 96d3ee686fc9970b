//! Grants: what the data centre signs for a station, so that the station can act alone and
//! still create nothing. A refill authorization ([`refill`]) lets an embedded PSD credit
//! funds the data centre charged for, once; an offline lease ([`lease`]) lets it issue while
//! the data centre cannot be reached, until a time and up to a value. A withdrawal
//! authorization ([`withdrawal`]) lets a PSD give its descending register back.
//!
//! Each is a fixed binary message signed by a root generation of the data centre, checked
//! by the station with the [`Trust`] it holds; a station has no key that could sign one.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | kind: 1 refill authorization, 2 offline lease, 3 withdrawal authorization, 4 contact agenda ([`crate::protocol::agenda`]), 5 service keys ([`service_keys`]) |
//! | 1 | 1 | format version (1) |
//! | 2 | n | the grant's own fields (see each module) |
//! | 2+n | 4 | the signing root's generation, big-endian |
//! | 6+n | 64 | signature r‖s (ECDSA P-256, SHA-256) over every byte before it |

pub mod lease;
pub mod refill;
pub mod service_keys;
pub mod withdrawal;

use p256::ecdsa::signature::{Signer as _, Verifier};
use p256::ecdsa::{Signature, SigningKey};

use crate::keys::Trust;

pub use lease::OfflineLease;
pub use refill::RefillAuthorization;
pub use service_keys::ServiceKeys;
pub use withdrawal::WithdrawalAuthorization;

const FORMAT_VERSION: u8 = 1;
const TRAILER_LEN: usize = 4 + 64;

/// Why a grant is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("not a {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("the {what} is not signed by the data centre (root generation {generation})")]
    NotSigned { what: &'static str, generation: u32 },
    #[error("the {what} does not apply here: {reason}")]
    NotForThis { what: &'static str, reason: String },
}

/// The signing root: its generation and private key (only the data centre has one).
pub struct RootSigner<'a> {
    pub generation: u32,
    pub key: &'a SigningKey,
}

/// `body` of `kind`, signed.
pub(crate) fn seal(kind: u8, body: &[u8], signer: &RootSigner) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(2 + body.len() + TRAILER_LEN);
    bytes.extend_from_slice(&[kind, FORMAT_VERSION]);
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&signer.generation.to_be_bytes());
    let signature: Signature = signer.key.sign(&bytes);
    bytes.extend_from_slice(&signature.to_bytes());
    bytes
}

/// The root generation that signed `grant`, read from its trailer without checking anything:
/// to know whether the trust held reaches it before opening it.
pub fn signing_generation(grant: &[u8]) -> Option<u32> {
    let at = grant.len().checked_sub(TRAILER_LEN)?;
    let bytes: [u8; 4] = grant.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

/// The body of a grant of `kind` with `body_len` bytes, if a root `trust` reaches signed it.
fn open<'b>(
    what: &'static str,
    kind: u8,
    body_len: usize,
    bytes: &'b [u8],
    trust: &Trust,
) -> Result<&'b [u8], GrantError> {
    let malformed = |reason: String| GrantError::Malformed { what, reason };
    if bytes.len() != 2 + body_len + TRAILER_LEN {
        return Err(malformed(format!(
            "{} bytes, expected {}",
            bytes.len(),
            2 + body_len + TRAILER_LEN
        )));
    }
    if bytes[0] != kind || bytes[1] != FORMAT_VERSION {
        return Err(malformed(format!(
            "kind {} version {}, expected kind {kind} version {FORMAT_VERSION}",
            bytes[0], bytes[1]
        )));
    }
    let at = 2 + body_len;
    let generation = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let not_signed = || GrantError::NotSigned { what, generation };
    let root = trust
        .root(generation)
        .map_err(|e| malformed(e.to_string()))?
        .ok_or_else(not_signed)?;
    let signature = Signature::from_slice(&bytes[at + 4..]).map_err(|_| not_signed())?;
    root.verify(&bytes[..at + 4], &signature)
        .map_err(|_| not_signed())?;
    Ok(&bytes[2..at])
}

/// The body of a message of `kind` whose length its own fields give (an agenda), if a root
/// `trust` reaches signed it.
pub(crate) fn open_any_length<'b>(
    what: &'static str,
    kind: u8,
    bytes: &'b [u8],
    trust: &Trust,
) -> Result<&'b [u8], GrantError> {
    let body_len =
        bytes
            .len()
            .checked_sub(2 + TRAILER_LEN)
            .ok_or_else(|| GrantError::Malformed {
                what,
                reason: format!("{} bytes, fewer than its signature takes", bytes.len()),
            })?;
    open(what, kind, body_len, bytes, trust)
}

/// Big-endian readers over a grant's body.
struct Fields<'b>(&'b [u8]);

impl Fields<'_> {
    fn u32_at(&self, at: usize) -> u32 {
        u32::from_be_bytes([self.0[at], self.0[at + 1], self.0[at + 2], self.0[at + 3]])
    }

    fn i64_at(&self, at: usize) -> i64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&self.0[at..at + 8]);
        i64::from_be_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::RootLink;
    use crate::money::Money;
    use p256::elliptic_curve::Generate;

    fn key() -> SigningKey {
        SigningKey::generate_from_rng(&mut rand::rng())
    }

    fn refill() -> RefillAuthorization {
        RefillAuthorization {
            psd_id: 10_000_001,
            refill_digest: refill::refill_digest("refill-1"),
            control_total_before: Money::from_mills(500_000),
            amount: Money::from_mills(100_000),
            issued_unix_ms: 1_780_000_000_000,
        }
    }

    #[test]
    fn a_grant_opens_only_under_a_root_the_trust_reaches_and_unaltered() {
        let root = key();
        let trust = Trust::anchored(*root.verifying_key());
        let signer = RootSigner {
            generation: 1,
            key: &root,
        };
        let bytes = refill().sign(&signer);
        assert_eq!(RefillAuthorization::open(&bytes, &trust).unwrap(), refill());
        let stranger = Trust::anchored(*key().verifying_key());
        assert!(matches!(
            RefillAuthorization::open(&bytes, &stranger),
            Err(GrantError::NotSigned { .. })
        ));
        for at in [2, 10, 40, 50, bytes.len() - 1] {
            let mut altered = bytes.clone();
            altered[at] ^= 1;
            assert!(
                RefillAuthorization::open(&altered, &trust).is_err(),
                "byte {at}"
            );
        }
        // A lease is not a refill, however it is signed.
        let lease = OfflineLease {
            counter_id: "C0123456789".into(),
            psd_id: 10_000_001,
            issued_unix_ms: 1,
            not_after_unix_ms: 2,
            max_value: Money::from_mills(3),
        }
        .sign(&signer)
        .unwrap();
        assert!(RefillAuthorization::open(&lease, &trust).is_err());
        assert!(OfflineLease::open(&lease, &trust).is_ok());
    }

    #[test]
    fn a_grant_by_a_rolled_over_root_opens_through_the_link() {
        let (old, new) = (key(), key());
        let mut trust = Trust::anchored(*old.verifying_key());
        let bytes = refill().sign(&RootSigner {
            generation: 2,
            key: &new,
        });
        assert!(
            RefillAuthorization::open(&bytes, &trust).is_err(),
            "no link yet"
        );
        let day = crate::date::Date::parse("2026-12-06").unwrap();
        trust
            .links
            .push(RootLink::issue(&old, 2, *new.verifying_key(), day).unwrap());
        assert!(RefillAuthorization::open(&bytes, &trust).is_ok());
    }

    #[test]
    fn a_refill_authorization_applies_only_to_its_psd_refill_and_register_state() {
        let authorization = refill();
        let total = Money::from_mills(500_000);
        assert!(
            authorization
                .check_for(10_000_001, "refill-1", total)
                .is_ok()
        );
        for (psd, id, control_total) in [
            (10_000_002, "refill-1", total),
            (10_000_001, "refill-2", total),
            (10_000_001, "refill-1", Money::from_mills(600_000)),
        ] {
            assert!(matches!(
                authorization.check_for(psd, id, control_total),
                Err(GrantError::NotForThis { .. })
            ));
        }
    }
}
