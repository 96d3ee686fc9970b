//! A withdrawal authorization: the data centre retires embedded PSD `psd_id` and lets it give
//! its descending register back, from the register state the counter reported. The PSD
//! applies it once: its descending register goes to zero and it issues nothing more; then
//! the counter reports the PSD's zeroed registers, and only then does the data centre credit
//! the account with what was withdrawn, so the value is never in two places.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 2 | 4 | PSD id |
//! | 6 | 8 | control total at withdrawal, mills |
//! | 14 | 8 | descending register withdrawn, mills |
//! | 22 | 8 | issued, unix ms (the data centre's clock) |

use super::{Fields, GrantError, RootSigner, open, seal};
use crate::keys::Trust;
use crate::money::Money;

const KIND: u8 = 3;
const BODY_LEN: usize = 4 + 8 + 8 + 8;
const WHAT: &str = "withdrawal authorization";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawalAuthorization {
    pub psd_id: u32,
    pub control_total: Money,
    pub descending: Money,
    pub issued_unix_ms: i64,
}

impl WithdrawalAuthorization {
    pub fn sign(&self, signer: &RootSigner) -> Vec<u8> {
        let mut body = Vec::with_capacity(BODY_LEN);
        body.extend_from_slice(&self.psd_id.to_be_bytes());
        body.extend_from_slice(&self.control_total.mills().to_be_bytes());
        body.extend_from_slice(&self.descending.mills().to_be_bytes());
        body.extend_from_slice(&self.issued_unix_ms.to_be_bytes());
        seal(KIND, &body, signer)
    }

    pub fn open(bytes: &[u8], trust: &Trust) -> Result<WithdrawalAuthorization, GrantError> {
        let body = Fields(open(WHAT, KIND, BODY_LEN, bytes, trust)?);
        Ok(WithdrawalAuthorization {
            psd_id: body.u32_at(0),
            control_total: Money::from_mills(body.i64_at(4)),
            descending: Money::from_mills(body.i64_at(12)),
            issued_unix_ms: body.i64_at(20),
        })
    }
}
