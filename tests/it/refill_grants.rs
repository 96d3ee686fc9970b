//! Funds telemetering at the PSD: a refill authorization the data centre signed is credited
//! exactly once, whatever the network does to it. 10,000 randomized steps against a real
//! ledger mix new refills, the counter asking again under the same refill id (as the link does
//! after a lost answer), authorizations delivered late, twice or out of order, and forgeries
//! (another PSD, another refill id, a flipped byte, a key that is not the data centre's root).
//! A model of what the data centre charged says what each step must do; at the end every
//! charged refill is credited once and the control total is exactly what was charged.

use crate::common;

use std::collections::BTreeMap;

use common::{letter, open_psd, signer};
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use postcounter::grants::refill::refill_digest;
use postcounter::grants::{RefillAuthorization, RootSigner};
use postcounter::money::Money;
use postcounter::psd::Psd;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const STEPS: u32 = 10_000;

/// An authorization on its way to the PSD, and the refill id the counter credits it under.
#[derive(Clone)]
struct InFlight {
    bytes: Vec<u8>,
    refill_id: String,
    control_total_before: Money,
}

/// The data centre's side: what it charged, and its root.
struct DataCentre {
    generation: u32,
    root: SigningKey,
    charged: BTreeMap<String, Money>,
}

impl DataCentre {
    fn authorize(&self, psd_id: u32, refill_id: &str, control_total_before: Money) -> InFlight {
        InFlight {
            bytes: self.sign_with(&self.root, psd_id, refill_id, control_total_before),
            refill_id: refill_id.to_string(),
            control_total_before,
        }
    }

    fn sign_with(
        &self,
        key: &SigningKey,
        psd_id: u32,
        refill_id: &str,
        control_total_before: Money,
    ) -> Vec<u8> {
        RefillAuthorization {
            psd_id,
            refill_digest: refill_digest(refill_id),
            control_total_before,
            amount: self.charged[refill_id],
            issued_unix_ms: 0,
        }
        .sign(&RootSigner {
            generation: self.generation,
            key,
        })
    }
}

async fn control_total(psd: &Psd) -> Money {
    psd.state().await.unwrap().registers.control_total
}

/// Delivers `flight` and checks the PSD did what the model says: credit a refill not yet
/// credited whose authorization names the control total now, answer a credited one as a
/// replay, refuse the rest, and change nothing when it refuses or replays.
async fn deliver(
    psd: &Psd,
    trust: &postcounter::keys::Trust,
    flight: &InFlight,
    credited: &mut BTreeMap<String, Money>,
    charged: &BTreeMap<String, Money>,
) {
    let before = control_total(psd).await;
    let outcome = psd
        .apply_refill(&flight.bytes, &flight.refill_id, trust)
        .await;
    let after = control_total(psd).await;
    if credited.contains_key(&flight.refill_id) {
        assert!(
            outcome.unwrap().replayed,
            "{} credited again",
            flight.refill_id
        );
        assert_eq!(after, before);
    } else if flight.control_total_before == before {
        let outcome = outcome.unwrap();
        assert!(!outcome.replayed);
        let amount = charged[&flight.refill_id];
        assert_eq!(after, before.checked_add(amount).unwrap());
        credited.insert(flight.refill_id.clone(), amount);
    } else {
        let error = outcome.unwrap_err();
        assert!(
            error.to_string().contains("ask the data centre again"),
            "{error}"
        );
        assert_eq!(after, before);
    }
}

/// A forgery of `flight` (`variant` 0 to 3; `at` picks the flipped byte): each must be
/// refused and change nothing.
async fn forge(
    psd: &Psd,
    trust: &postcounter::keys::Trust,
    centre: &DataCentre,
    flight: &InFlight,
    (variant, at): (u32, usize),
) {
    let psd_id = psd.device_id();
    let (bytes, refill_id) = match variant {
        0 => (
            centre.sign_with(
                &centre.root,
                psd_id + 1,
                &flight.refill_id,
                flight.control_total_before,
            ),
            flight.refill_id.clone(),
        ),
        1 => (flight.bytes.clone(), format!("{}-other", flight.refill_id)),
        2 => {
            let mut bytes = flight.bytes.clone();
            let at = at % bytes.len();
            bytes[at] ^= 0x01;
            (bytes, flight.refill_id.clone())
        }
        _ => {
            let stranger = SigningKey::generate_from_rng(&mut rand::rng());
            (
                centre.sign_with(
                    &stranger,
                    psd_id,
                    &flight.refill_id,
                    flight.control_total_before,
                ),
                flight.refill_id.clone(),
            )
        }
    };
    let before = psd.state().await.unwrap().registers;
    assert!(
        psd.apply_refill(&bytes, &refill_id, trust).await.is_err(),
        "forgery {variant} credited"
    );
    assert_eq!(psd.state().await.unwrap().registers, before);
}

#[test]
fn refill_authorizations_credit_once_under_retries_duplicates_reorders_and_replays() {
    let seed: u64 = std::env::var("REFILL_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("REFILL_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    common::runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        let (keys, _) = signer(dir.path());
        let (generation, root) = keys.current_root().unwrap();
        let trust = keys.trust(Vec::new()).unwrap();
        let mut centre = DataCentre { generation, root, charged: BTreeMap::new() };
        let mut credited = BTreeMap::new();
        let mut in_flight: Vec<InFlight> = Vec::new();
        let mut issued = 0u32;
        for step in 0..STEPS {
            let choice = rng.random_range(0..100);
            if choice < 20 || in_flight.is_empty() {
                // A new refill: charged once, its authorization sent (and perhaps held up).
                let refill_id = format!("refill-{step}");
                centre.charged.insert(refill_id.clone(), Money::from_mills(rng.random_range(1..=50_000)));
                in_flight.push(centre.authorize(psd.device_id(), &refill_id, control_total(&psd).await));
            } else if choice < 55 {
                // One arrives, in any order; half the time a copy stays on the wire.
                // Mostly the newest (the answer to the request just made), else any.
                let index = if rng.random_bool(0.6) {
                    in_flight.len() - 1
                } else {
                    rng.random_range(0..in_flight.len())
                };
                let flight = if rng.random_bool(0.5) {
                    in_flight[index].clone()
                } else {
                    in_flight.swap_remove(index)
                };
                deliver(&psd, &trust, &flight, &mut credited, &centre.charged).await;
            } else if choice < 75 {
                // The counter asks again under a charged id: authorized at today's registers.
                let ids: Vec<&String> = centre.charged.keys().collect();
                let refill_id = ids[rng.random_range(0..ids.len())].clone();
                in_flight.push(centre.authorize(psd.device_id(), &refill_id, control_total(&psd).await));
            } else if choice < 95 {
                let flight = in_flight[rng.random_range(0..in_flight.len())].clone();
                let forgery = (rng.random_range(0..4), rng.random_range(0..usize::MAX));
                forge(&psd, &trust, &centre, &flight, forgery).await;
            } else if psd.state().await.unwrap().registers.descending >= Money::from_mills(780) {
                // Postage moves AR and DR, never the control total a refill is bound to.
                issued += 1;
                psd.issue(&letter(&format!("sale-{issued}"), 780)).await.unwrap();
            }
        }
        // What was charged and never credited is asked for once more, as the next contact does.
        let pending: Vec<String> = centre
            .charged
            .keys()
            .filter(|id| !credited.contains_key(*id))
            .cloned()
            .collect();
        for refill_id in &pending {
            let flight = centre.authorize(psd.device_id(), refill_id, control_total(&psd).await);
            deliver(&psd, &trust, &flight, &mut credited, &centre.charged).await;
        }
        assert_eq!(credited, centre.charged, "every charged refill credited exactly once");
        let total: i64 = centre.charged.values().map(|m| m.mills()).sum();
        assert_eq!(control_total(&psd).await, Money::from_mills(total));
        let audit = psd.audit().await.unwrap();
        assert!(audit.discrepancies.is_empty(), "{:?}", audit.discrepancies);
        eprintln!(
            "{STEPS} steps: {} refills charged, {} credited during the run, {} asked again at the end, {issued} pieces issued",
            centre.charged.len(),
            centre.charged.len() - pending.len(),
            pending.len()
        );
    });
}
