//! When the embedded PSD may issue for a counter whose data centre cannot be reached: only
//! under an offline lease the data centre granted at a contact, until the lease's end and
//! within its value. A pure function of the lease, what the ledger says is unreported, and
//! the ledger's clock (which never reads earlier than its time floor), so every rule is
//! tested without a network or a clock.
//!
//! The station grants itself nothing: a counter that never reached its data centre, or was
//! revoked or locked at its last contact, holds no lease and issues nothing offline; one that
//! stops reporting keeps its lease only until it runs out.

use crate::money::Money;
use crate::psd::ledger::{StoredLease, Unreported};

pub const DAY_MS: i64 = 86_400_000;

/// Why the embedded PSD may not issue `postage` now, or `None` if it may.
pub fn offline_refusal(
    lease: Option<&StoredLease>,
    unreported: &Unreported,
    postage: Money,
    now_unix_ms: i64,
) -> Option<String> {
    let Some(lease) = lease else {
        return Some(
            "the data centre has granted this counter no offline lease (it grants one at each contact to an active counter whose embedded PSD is neither locked nor retired)".into(),
        );
    };
    if now_unix_ms > lease.not_after_unix_ms {
        let hours = now_unix_ms.saturating_sub(lease.not_after_unix_ms) / 3_600_000;
        return Some(format!(
            "the offline lease ran out {hours} h ago; the counter must reach its data centre for a new one"
        ));
    }
    let at_risk = unreported.postage.mills().saturating_add(postage.mills());
    if at_risk > lease.max_value.mills() {
        return Some(format!(
            "{postage} more would bring the postage issued offline to {} (the lease allows at most {})",
            Money::from_mills(at_risk),
            lease.max_value
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn lease(ends_in_hours: i64) -> StoredLease {
        StoredLease {
            bytes: Vec::new(),
            issued_unix_ms: NOW - 3_600_000,
            not_after_unix_ms: NOW + ends_in_hours * 3_600_000,
            max_value: Money::from_mills(10_000),
        }
    }

    fn unreported(postage_mills: i64) -> Unreported {
        Unreported {
            pieces: u32::from(postage_mills > 0),
            postage: Money::from_mills(postage_mills),
            oldest_unix_ms: (postage_mills > 0).then_some(NOW - DAY_MS),
        }
    }

    #[test]
    fn within_an_unexpired_lease_the_embedded_psd_issues() {
        let refusal = offline_refusal(
            Some(&lease(5)),
            &unreported(9_220),
            Money::from_mills(780),
            NOW,
        );
        assert_eq!(refusal, None);
    }

    #[test]
    fn no_lease_an_expired_lease_or_its_value_stops_offline_issuing_and_says_which() {
        let cases = [
            (None, 0, "granted this counter no offline lease"),
            (Some(lease(-2)), 0, "ran out 2 h ago"),
            (Some(lease(5)), 9_230, "the lease allows at most $10.00"),
        ];
        for (lease, unreported_mills, expected) in cases {
            let refusal = offline_refusal(
                lease.as_ref(),
                &unreported(unreported_mills),
                Money::from_mills(780),
                NOW,
            )
            .unwrap_or_default();
            assert!(refusal.contains(expected), "{refusal:?} lacks {expected:?}");
        }
    }
}
