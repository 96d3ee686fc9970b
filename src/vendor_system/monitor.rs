//! The data centre's monitor: every contact a station makes (a purchase, a reconciliation, a
//! refill, a poll) passes through it, and it asks each service whether it has work for that
//! station now: key management (a certificate due for renewal, a status list newer than the
//! station's), funds (a credit authorized and not yet credited), postage (a reconciliation
//! due, which renews the offline lease), software (a newer snapshot of the update
//! repository: new rate tables or software). The answer carries what they said as a signed
//! [`Agenda`], so the station does it all in the same contact.
//!
//! Asking costs a read of the station's standing and a signature; a busy counter contacts
//! the data centre many times a second, so the agenda is kept per counter for
//! [`AGENDA_KEPT_MS`] (and for the same stated [`StationState`]), and dropped as soon as a
//! service does the station's work ([`Vendor::forget_agenda`]). Another process of a
//! scaled-out data centre sees the change at the latest when its own copy expires.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::error::VendorError;
use super::service::Vendor;
use crate::protocol::agenda::{Agenda, MAX_ITEMS, StationState, Work};

/// How long an agenda is kept for a counter before the services are asked again.
pub const AGENDA_KEPT_MS: i64 = 30_000;

/// A counter's agenda as last signed.
#[derive(Clone, Debug)]
pub struct SignedAgenda {
    pub items: Vec<Work>,
    /// The signed bytes, as hex: the header's value and the poll's answer.
    pub hex: Arc<str>,
}

struct Kept {
    state: StationState,
    signed_unix_ms: i64,
    agenda: Arc<SignedAgenda>,
}

/// The agendas kept, per counter.
#[derive(Default)]
pub struct Monitor {
    kept: Mutex<HashMap<String, Kept>>,
}

impl Monitor {
    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Vendor {
    /// The signed agenda for `counter_id`, which states `state`, at this contact.
    pub async fn agenda_for(
        &self,
        counter_id: &str,
        state: StationState,
    ) -> Result<Arc<SignedAgenda>, VendorError> {
        let now = self.clock.now_unix_ms();
        if let Some(kept) = self.monitor.kept().get(counter_id)
            && kept.state == state
            && (0..AGENDA_KEPT_MS).contains(&(now - kept.signed_unix_ms))
        {
            return Ok(kept.agenda.clone());
        }
        let items = self.pending_work(counter_id, state, now).await?;
        for item in &items {
            self.metrics
                .observe_agenda_item(item.service().name(), item.name());
        }
        let agenda = Agenda {
            counter_id: counter_id.to_string(),
            issued_unix_ms: now,
            items: items.clone(),
        };
        let bytes =
            self.with_root_signer(|signer| agenda.sign(signer).map_err(VendorError::storage))?;
        let signed = Arc::new(SignedAgenda {
            items,
            hex: crate::hex::encode(&bytes).into(),
        });
        self.monitor.kept().insert(
            counter_id.to_string(),
            Kept {
                state,
                signed_unix_ms: now,
                agenda: signed.clone(),
            },
        );
        Ok(signed)
    }

    /// The software service's work: the update repository has a newer snapshot than the
    /// station says it holds (a station that says nothing is an older build: left alone).
    fn software_work(&self, state: StationState) -> Option<Work> {
        let current = self.rates.snapshot_version();
        state
            .updates
            .filter(|held| *held < current)
            .map(|_| Work::Update {
                snapshot_version: current,
            })
    }

    /// A service did (part of) `counter_id`'s work: its next contact asks every service again.
    pub fn forget_agenda(&self, counter_id: &str) {
        self.monitor.kept().remove(counter_id);
    }

    /// What each service has for the station now, in the services' order.
    async fn pending_work(
        &self,
        counter_id: &str,
        state: StationState,
        now_unix_ms: i64,
    ) -> Result<Vec<Work>, VendorError> {
        let Some(standing) = self.store.standing(counter_id).await? else {
            // No embedded PSD yet (its first certificate is asked for at enrollment).
            return Ok(Vec::new());
        };
        let mut items = Vec::new();
        items.extend(self.postage_work(&standing, now_unix_ms));
        items.extend(self.keys_work(&standing, state).await?);
        items.extend(self.funds_work(&standing, state));
        items.extend(self.software_work(state));
        items.truncate(MAX_ITEMS);
        Ok(items)
    }
}
