//! The station's monitor: an agenda the data centre's answer carries is checked (signed by a
//! root the station trusts, for this counter), recorded in the ledger's contact log, and
//! each item handed to the service it names, in the same contact. The items run concurrently
//! where they can (a key renewal goes before the reconciliation whose lease certifies the new
//! key), and each one's failure leaves the others done; the log keeps what became of each.
//!
//! The station adds its own pending work (purchases in doubt, offline pieces unreported,
//! refills not yet credited) when it polls, which it does only after a quiet spell with no
//! other contact, or after it was offline.

use std::sync::atomic::Ordering;

use reqwest::Method;

use super::{CounterLink, local};
use crate::link::LinkError;
use crate::link::updates::Builds;
use crate::protocol::agenda::{Agenda, AgendaResponse, StationState, Work};
use crate::psd::Psd;
use crate::psd::ledger::contact_log::ContactEntryKind;

/// An agenda as the station received it: checked, with its signed bytes for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedAgenda {
    pub agenda: Agenda,
    pub bytes: Vec<u8>,
}

/// The station's own pending work, found at a poll.
#[derive(Clone, Copy, Debug, Default)]
struct LocalWork {
    reconcile: bool,
    credit: bool,
}

/// What became of one item of work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemOutcome {
    pub work: &'static str,
    /// What was done, or why it failed.
    pub result: Result<String, String>,
}

impl CounterLink {
    /// Asks the data centre's monitor for this station's agenda (the fallback poll), and
    /// shows whether it answered. A counter the data centre refuses (revoked or locked) drops
    /// its lease: it issues nothing offline from then on.
    pub async fn poll(&self, psd: &Psd) -> Result<ReceivedAgenda, LinkError> {
        // What it holds, as of now: the first poll of a process is its first statement.
        self.state_station(psd).await;
        let answer: Result<AgendaResponse, LinkError> = self
            .signed(Method::GET, "/contact/v1/agenda", None, "")
            .await;
        self.after_contact(psd, answer.as_ref().map(|_| ())).await;
        if answer.is_ok() {
            self.offline_since_poll.store(false, Ordering::Relaxed);
        }
        let agenda = answer?.agenda;
        let identity = self.identity().await?;
        let received = self.check_agenda(&agenda, &identity.1.counter_id)?;
        // The poll's answer carries the same agenda in its header too: it is carried out
        // once, by whoever polled, not a second time by the monitor waiting for agendas.
        let mut waiting = self
            .agenda_waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if waiting.as_ref().is_some_and(|w| w.bytes == received.bytes) {
            *waiting = None;
        }
        Ok(received)
    }

    /// Whether the station's monitor should poll now: nothing heard for `poll_after_ms`, or
    /// the link was offline since the last poll (its own pending work is due).
    pub fn poll_due(&self, poll_after_ms: i64) -> bool {
        self.offline_since_poll.load(Ordering::Relaxed) || self.quiet_ms() >= poll_after_ms
    }

    /// What the station itself has pending: purchases in doubt or offline pieces unreported
    /// (a reconciliation), refills not yet credited.
    async fn local_work(&self, psd: &Psd) -> Result<LocalWork, LinkError> {
        let ledger = psd.ledger();
        let device_id = psd.device_id();
        let through = ledger
            .link_state(device_id)
            .await
            .map_err(local)?
            .map_or(0, |state| state.head.through_serial);
        let unreported = ledger.unreported(device_id, through).await.map_err(local)?;
        let doubts = ledger.doubts().await.map_err(local)?;
        let credits = ledger.pending_credits(device_id).await.map_err(local)?;
        Ok(LocalWork {
            reconcile: !doubts.is_empty() || unreported.pieces > 0,
            credit: !credits.is_empty(),
        })
    }

    /// How long since the data centre last answered anything, in ms.
    pub fn quiet_ms(&self) -> i64 {
        self.clock
            .now_unix_ms()
            .saturating_sub(self.last_answer_unix_ms.load(Ordering::Relaxed))
    }

    /// The next agenda an answer carried that was not handed on before; waits for one.
    pub async fn next_agenda(&self) -> ReceivedAgenda {
        loop {
            let notified = self.agenda_arrived.notified();
            if let Some(received) = self.take_agenda() {
                return received;
            }
            notified.await;
        }
    }

    fn take_agenda(&self) -> Option<ReceivedAgenda> {
        self.agenda_waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    /// An answer's agenda header: checked and kept for the monitor, unless it is the one
    /// seen last (a busy counter gets the same agenda on every answer until it is done).
    pub(super) fn receive_agenda(&self, hex: Option<&str>, counter_id: &str) {
        let Some(hex) = hex else { return };
        {
            let mut seen = self
                .agenda_seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if seen.as_deref() == Some(hex) {
                return;
            }
            *seen = Some(hex.to_string());
        }
        match self.check_agenda(hex, counter_id) {
            Ok(received) => {
                *self
                    .agenda_waiting
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(received);
                self.agenda_arrived.notify_one();
            }
            Err(error) => log::warn!("an agenda the station does not accept: {error}"),
        }
    }

    /// `hex` as an agenda signed by a root this station trusts, for this counter
    /// (`counter_id`).
    fn check_agenda(&self, hex: &str, counter_id: &str) -> Result<ReceivedAgenda, LinkError> {
        let bytes = crate::hex::decode(hex)
            .ok_or_else(|| LinkError::Protocol("an agenda that is not hex".into()))?;
        let trust = self
            .settings
            .keyring
            .trust()
            .map_err(|e| LinkError::Local(e.to_string()))?
            .ok_or_else(|| LinkError::Local("no trust held to check an agenda with".into()))?;
        let agenda = Agenda::open(&bytes, &trust)
            .map_err(|e| LinkError::Protocol(format!("the agenda: {e}")))?;
        if agenda.counter_id != counter_id {
            return Err(LinkError::Protocol(format!(
                "an agenda for counter {:?}, not this one",
                agenda.counter_id
            )));
        }
        Ok(ReceivedAgenda { agenda, bytes })
    }

    /// States what the station holds (its status list, its PSD's control total) in every
    /// request from now on.
    pub async fn state_station(&self, psd: &Psd) {
        let status_list = match self.settings.keyring.trust() {
            Ok(trust) => trust.and_then(|t| t.status.map(|status| status.number)),
            Err(e) => {
                log::warn!("reading the trust held: {e}");
                None
            }
        };
        let control_total_mills = match psd.state().await {
            Ok(state) => Some(state.registers.control_total.mills()),
            Err(e) => {
                log::warn!("reading the embedded PSD's registers: {e}");
                None
            }
        };
        let updates = Some(
            crate::link::updates::progress::handled_snapshot_version(&self.settings.data_dir)
                .unwrap_or(0),
        );
        self.client.state_station(&StationState {
            status_list,
            control_total_mills,
            updates,
        });
    }

    /// Records `received` in the contact log and does its items, with the station's own
    /// pending work when `with_local` (a poll); what became of each item is logged too. An
    /// empty agenda with nothing pending here leaves no trace: a quiet counter polls all day.
    pub async fn carry_out(
        &self,
        psd: &Psd,
        received: &ReceivedAgenda,
        with_local: bool,
    ) -> Result<Vec<ItemOutcome>, LinkError> {
        let ledger = psd.ledger();
        let own = if with_local {
            self.local_work(psd).await?
        } else {
            LocalWork::default()
        };
        if received.agenda.items.is_empty() && !own.reconcile && !own.credit {
            return Ok(Vec::new());
        }
        ledger
            .record_contact_entry(
                ContactEntryKind::Agenda,
                "",
                &received.bytes,
                self.clock.now_unix_ms(),
            )
            .await
            .map_err(local)?;
        let asked = |wanted: fn(&Work) -> bool| received.agenda.items.iter().any(wanted);
        let renew = asked(|w| matches!(w, Work::RenewCertificate { .. }));
        let reconcile = asked(|w| matches!(w, Work::Reconcile { .. })) || own.reconcile;
        let trust = asked(|w| matches!(w, Work::StatusList { .. }));
        let credit = asked(|w| matches!(w, Work::PendingCredit { .. })) || own.credit;
        let update = received.agenda.items.iter().find_map(|w| match w {
            Work::Update { snapshot_version } => Some(*snapshot_version),
            _ => None,
        });
        let keys_then_ledger = async {
            let mut outcomes = Vec::new();
            if renew {
                let result = self
                    .renew(psd)
                    .await
                    .map(|serial| format!("renewed the embedded PSD's key: certificate {serial}"));
                outcomes.push(outcome("renew-certificate", result));
            }
            if reconcile {
                outcomes.push(outcome("reconcile", self.reconcile_ledger(psd).await));
            }
            outcomes
        };
        let trust_refresh = async {
            trust.then_some(outcome(
                "status-list",
                self.refresh_trust().await.map(|trust| {
                    format!(
                        "trust refreshed: status list {}",
                        trust.status.map_or(0, |status| status.number)
                    )
                }),
            ))
        };
        let credits = async {
            credit.then_some(outcome(
                "pending-credit",
                self.settle_pending_credits(psd)
                    .await
                    .map(|credited| format!("{credited} pending refill(s) credited")),
            ))
        };
        let updates = async {
            match update {
                Some(version) => Some(outcome(
                    "update",
                    // A build's download goes on after the contact: it takes minutes.
                    self.check_updates_with(Some(version), Builds::Background)
                        .await
                        .map(|report| report.summary()),
                )),
                None => None,
            }
        };
        let (mut outcomes, trusted, credited, updated) =
            tokio::join!(keys_then_ledger, trust_refresh, credits, updates);
        outcomes.extend(trusted);
        outcomes.extend(credited);
        outcomes.extend(updated);
        for item in &outcomes {
            let (kind, detail) = match &item.result {
                Ok(done) => (ContactEntryKind::Done, done),
                Err(failed) => (ContactEntryKind::Failed, failed),
            };
            ledger
                .record_contact_entry(kind, item.work, detail.as_bytes(), self.clock.now_unix_ms())
                .await
                .map_err(local)?;
        }
        self.state_station(psd).await;
        Ok(outcomes)
    }
}

fn outcome<T: std::fmt::Display>(work: &'static str, result: Result<T, LinkError>) -> ItemOutcome {
    ItemOutcome {
        work,
        result: result
            .map(|done| done.to_string())
            .map_err(|e| e.to_string()),
    }
}
