//! An offline lease: embedded PSD `psd_id` of counter `counter_id` may issue while its data
//! centre cannot be reached, until `not_after` and while the postage it has issued
//! unreported stays within `max_value`. Granted at each contact, to an active counter only;
//! a counter with no unexpired lease issues nothing offline.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 2 | 11 | counter id, ASCII (`C` and 10 hex digits) |
//! | 13 | 4 | PSD id |
//! | 17 | 8 | issued, unix ms (the data centre's clock) |
//! | 25 | 8 | not after, unix ms |
//! | 33 | 8 | maximum unreported postage, mills |

use super::{Fields, GrantError, RootSigner, open, seal};
use crate::keys::Trust;
use crate::money::Money;

const KIND: u8 = 2;
const COUNTER_ID_LEN: usize = 11;
const BODY_LEN: usize = COUNTER_ID_LEN + 4 + 8 + 8 + 8;
const WHAT: &str = "offline lease";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflineLease {
    pub counter_id: String,
    pub psd_id: u32,
    pub issued_unix_ms: i64,
    pub not_after_unix_ms: i64,
    pub max_value: Money,
}

impl OfflineLease {
    pub fn sign(&self, signer: &RootSigner) -> Result<Vec<u8>, GrantError> {
        if self.counter_id.len() != COUNTER_ID_LEN || !self.counter_id.is_ascii() {
            return Err(GrantError::Malformed {
                what: WHAT,
                reason: format!("counter id {:?}", self.counter_id),
            });
        }
        let mut body = Vec::with_capacity(BODY_LEN);
        body.extend_from_slice(self.counter_id.as_bytes());
        body.extend_from_slice(&self.psd_id.to_be_bytes());
        body.extend_from_slice(&self.issued_unix_ms.to_be_bytes());
        body.extend_from_slice(&self.not_after_unix_ms.to_be_bytes());
        body.extend_from_slice(&self.max_value.mills().to_be_bytes());
        Ok(seal(KIND, &body, signer))
    }

    /// The lease in `bytes`, if the data centre signed it.
    pub fn open(bytes: &[u8], trust: &Trust) -> Result<OfflineLease, GrantError> {
        let body = Fields(open(WHAT, KIND, BODY_LEN, bytes, trust)?);
        let counter_id = String::from_utf8(body.0[..COUNTER_ID_LEN].to_vec()).map_err(|_| {
            GrantError::Malformed {
                what: WHAT,
                reason: "the counter id is not text".into(),
            }
        })?;
        Ok(OfflineLease {
            counter_id,
            psd_id: body.u32_at(COUNTER_ID_LEN),
            issued_unix_ms: body.i64_at(COUNTER_ID_LEN + 4),
            not_after_unix_ms: body.i64_at(COUNTER_ID_LEN + 12),
            max_value: Money::from_mills(body.i64_at(COUNTER_ID_LEN + 20)),
        })
    }

    /// Refuses a lease granted to another counter or PSD.
    pub fn check_for(&self, counter_id: &str, psd_id: u32) -> Result<(), GrantError> {
        if self.counter_id != counter_id || self.psd_id != psd_id {
            return Err(GrantError::NotForThis {
                what: WHAT,
                reason: format!(
                    "it is for counter {} and PSD {}, not {counter_id} and {psd_id}",
                    self.counter_id, self.psd_id
                ),
            });
        }
        Ok(())
    }
}
