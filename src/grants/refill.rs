//! A refill authorization: the data centre charged an account (or a card) for `amount` and
//! lets embedded PSD `psd_id` credit it once, under refill id `refill_id` (the counter's own
//! id for the request, carried as its SHA-256), from the register state the counter reported
//! (`control_total_before`). The PSD credits it only if its control total is that, and only
//! once per refill id, so a retried, duplicated, reordered or replayed authorization credits
//! once, and one for another PSD or another register state credits nothing.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 2 | 4 | PSD id |
//! | 6 | 32 | SHA-256 of the refill id |
//! | 38 | 8 | control total before, mills |
//! | 46 | 8 | amount, mills |
//! | 54 | 8 | issued, unix ms (the data centre's clock) |

use sha2::{Digest, Sha256};

use super::{Fields, GrantError, RootSigner, open, seal};
use crate::keys::Trust;
use crate::money::Money;

const KIND: u8 = 1;
const BODY_LEN: usize = 4 + 32 + 8 + 8 + 8;
const WHAT: &str = "refill authorization";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefillAuthorization {
    pub psd_id: u32,
    pub refill_digest: [u8; 32],
    pub control_total_before: Money,
    pub amount: Money,
    pub issued_unix_ms: i64,
}

/// The SHA-256 a refill id travels as.
pub fn refill_digest(refill_id: &str) -> [u8; 32] {
    Sha256::digest(refill_id.as_bytes()).into()
}

impl RefillAuthorization {
    pub fn sign(&self, signer: &RootSigner) -> Vec<u8> {
        let mut body = Vec::with_capacity(BODY_LEN);
        body.extend_from_slice(&self.psd_id.to_be_bytes());
        body.extend_from_slice(&self.refill_digest);
        body.extend_from_slice(&self.control_total_before.mills().to_be_bytes());
        body.extend_from_slice(&self.amount.mills().to_be_bytes());
        body.extend_from_slice(&self.issued_unix_ms.to_be_bytes());
        seal(KIND, &body, signer)
    }

    /// The authorization in `bytes`, if the data centre signed it.
    pub fn open(bytes: &[u8], trust: &Trust) -> Result<RefillAuthorization, GrantError> {
        let body = Fields(open(WHAT, KIND, BODY_LEN, bytes, trust)?);
        let mut refill_digest = [0u8; 32];
        refill_digest.copy_from_slice(&body.0[4..36]);
        let authorization = RefillAuthorization {
            psd_id: body.u32_at(0),
            refill_digest,
            control_total_before: Money::from_mills(body.i64_at(36)),
            amount: Money::from_mills(body.i64_at(44)),
            issued_unix_ms: body.i64_at(52),
        };
        if authorization.amount.mills() <= 0 || authorization.control_total_before.is_negative() {
            return Err(GrantError::Malformed {
                what: WHAT,
                reason: format!("an amount of {}", authorization.amount),
            });
        }
        Ok(authorization)
    }

    /// Refuses this authorization for any PSD, refill or register state but the given ones.
    pub fn check_for(
        &self,
        psd_id: u32,
        refill_id: &str,
        control_total: Money,
    ) -> Result<(), GrantError> {
        let refuse = |reason: String| Err(GrantError::NotForThis { what: WHAT, reason });
        if self.psd_id != psd_id {
            return refuse(format!("it is for PSD {}, not {psd_id}", self.psd_id));
        }
        if self.refill_digest != refill_digest(refill_id) {
            return refuse(format!("it is not for refill {refill_id:?}"));
        }
        if self.control_total_before != control_total {
            return refuse(format!(
                "it was granted at a control total of {}, and the PSD's is {control_total}",
                self.control_total_before
            ));
        }
        Ok(())
    }
}
