//! When the embedded PSD may issue for a counter whose vendor cannot be reached: a pure
//! function of the limits, what the ledger says of the link, and the clock, so every rule
//! is tested without a network.
//!
//! Three limits bound what a counter can issue that its vendor has not seen: the postage
//! not yet reported, the age of the oldest unreported piece (how long an outage may go on),
//! and the inspection window, how long ago the vendor last acknowledged the embedded PSD's
//! ledger at all. A counter that has never reached its vendor does not issue offline.

use crate::money::Money;
use crate::psd::ledger::{LinkState, Unreported};

pub const DAY_MS: i64 = 86_400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfflineLimits {
    /// The most postage the embedded PSD may have issued unreported.
    pub max_value: Money,
    /// The oldest unreported piece may be this many days old.
    pub max_days: i64,
    /// The vendor must have acknowledged the ledger within this many days.
    pub inspection_window_days: i64,
}

/// Why the embedded PSD may not issue `postage` now, or `None` if it may.
pub fn offline_refusal(
    limits: &OfflineLimits,
    link: Option<&LinkState>,
    unreported: &Unreported,
    postage: Money,
    now_unix_ms: i64,
) -> Option<String> {
    let Some(link) = link else {
        return Some(
            "this counter has never reached its vendor, so it may not issue offline".into(),
        );
    };
    let since_inspection_ms = now_unix_ms.saturating_sub(link.reconciled_unix_ms);
    if since_inspection_ms > limits.inspection_window_days.saturating_mul(DAY_MS) {
        return Some(format!(
            "the embedded PSD's ledger has not reached the vendor for {} days (the inspection window is {} days)",
            since_inspection_ms / DAY_MS,
            limits.inspection_window_days
        ));
    }
    if let Some(oldest) = unreported.oldest_unix_ms {
        let age_ms = now_unix_ms.saturating_sub(oldest);
        if age_ms > limits.max_days.saturating_mul(DAY_MS) {
            return Some(format!(
                "the oldest piece issued offline is {} days old (offline issuing is allowed for {} days)",
                age_ms / DAY_MS,
                limits.max_days
            ));
        }
    }
    let at_risk = unreported.postage.mills().saturating_add(postage.mills());
    if at_risk > limits.max_value.mills() {
        return Some(format!(
            "{postage} more would bring the postage issued offline to {} (at most {})",
            Money::from_mills(at_risk),
            limits.max_value
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger_chain::ChainHead;

    const NOW: i64 = 1_800_000_000_000;

    fn limits() -> OfflineLimits {
        OfflineLimits {
            max_value: Money::from_mills(10_000),
            max_days: 3,
            inspection_window_days: 30,
        }
    }

    fn link(reconciled_days_ago: i64) -> LinkState {
        LinkState {
            head: ChainHead::EMPTY,
            reconciled_unix_ms: NOW - reconciled_days_ago * DAY_MS,
            last_contact_unix_ms: NOW - reconciled_days_ago * DAY_MS,
        }
    }

    fn unreported(postage_mills: i64, oldest_days_ago: Option<i64>) -> Unreported {
        Unreported {
            pieces: u32::from(postage_mills > 0),
            postage: Money::from_mills(postage_mills),
            oldest_unix_ms: oldest_days_ago.map(|days| NOW - days * DAY_MS),
        }
    }

    #[test]
    fn within_every_limit_the_embedded_psd_issues() {
        let refusal = offline_refusal(
            &limits(),
            Some(&link(29)),
            &unreported(9_220, Some(2)),
            Money::from_mills(780),
            NOW,
        );
        assert_eq!(refusal, None);
    }

    #[test]
    fn each_limit_stops_offline_issuing_and_says_which() {
        let cases = [
            (None, unreported(0, None), 780, "never reached its vendor"),
            (
                Some(link(31)),
                unreported(0, None),
                780,
                "inspection window is 30 days",
            ),
            (
                Some(link(1)),
                unreported(780, Some(4)),
                780,
                "allowed for 3 days",
            ),
            (
                Some(link(1)),
                unreported(9_230, Some(1)),
                780,
                "at most $10.00",
            ),
        ];
        for (link, unreported, postage, expected) in cases {
            let refusal = offline_refusal(
                &limits(),
                link.as_ref(),
                &unreported,
                Money::from_mills(postage),
                NOW,
            )
            .unwrap_or_default();
            assert!(refusal.contains(expected), "{refusal:?} lacks {expected:?}");
        }
    }
}
