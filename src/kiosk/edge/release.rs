//! The edge's part in the counter's own updates (see [`crate::release`]): it tells the flow
//! when a verified release waits to be switched in (the flow leaves at a quiet moment), and
//! when this release, on trial, let its health check's deadline pass; and it marks this
//! release healthy after its first contact with the data centre.

use std::time::Duration;

use super::Edge;
use crate::clock::Clock;
use crate::kiosk::action::Action;
use crate::release::{ReleaseVersion, running_release, running_version, store};

/// How often the release record is read: a small file, and a switch waits for a quiet
/// moment anyway.
const WATCH_EVERY: Duration = Duration::from_secs(1);

impl Edge {
    /// Watches the station's release record for as long as the counter runs.
    pub fn watch_release(&self) {
        let edge = self.clone();
        tokio::spawn(async move {
            let data_dir = edge.station.config.data_dir.clone();
            let running = running_version();
            let on_trial_as = running_release();
            let mut told_due: Option<ReleaseVersion> = None;
            let mut told_missed = false;
            let mut told_error = None;
            loop {
                let now = Clock::system().now_unix_ms();
                let mut actions = Vec::new();
                match store::read(&data_dir) {
                    Ok(releases) => {
                        told_error = None;
                        let due = releases.due(now).filter(|version| *version > running);
                        if due != told_due {
                            told_due = due;
                            actions.push(Action::ReleaseDue(due.map(|v| v.to_string())));
                        }
                        let missed = releases.trial.as_ref().is_some_and(|trial| {
                            Some(trial.version) == on_trial_as && now >= trial.deadline_unix_ms
                        });
                        if missed && !told_missed {
                            told_missed = true;
                            actions.push(Action::HealthCheckMissed);
                        }
                    }
                    Err(error) => {
                        let text = error.to_string();
                        if told_error.as_ref() != Some(&text) {
                            log::error!("the release record: {text}");
                            told_error = Some(text);
                        }
                    }
                }
                for action in actions {
                    if edge.actions.send(action).is_err() {
                        return;
                    }
                }
                tokio::time::sleep(WATCH_EVERY).await;
            }
        });
    }
}

/// The data centre answered this counter: a release on trial has passed its health check
/// (it started, opened its ledger, and reached its data centre).
pub(super) fn contact_made(data_dir: &std::path::Path) {
    match crate::release::mark_healthy(data_dir) {
        Ok(true) => log::info!("release {} passed its health check", running_version()),
        Ok(false) => {}
        Err(error) => log::error!("the release record: {error}"),
    }
}
