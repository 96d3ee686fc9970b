//! The edge's part in the counter's own updates (see [`crate::release`]): it tells the flow
//! when a verified release waits to be switched in (the flow leaves at a quiet moment), and
//! when this release, on trial, let its health check's deadline pass (or passed it late);
//! it marks this release healthy after its first contact with the data centre, and beats
//! for the launcher, which ends a counter on trial that stops beating.

use std::time::{Duration, Instant};

use super::Edge;
use crate::clock::Clock;
use crate::kiosk::action::Action;
use crate::release::{
    ReleaseError, ReleaseVersion, Releases, running_release, running_version, store,
};

/// How often the release record is read: a small file, and a switch waits for a quiet
/// moment anyway.
const WATCH_EVERY: Duration = Duration::from_secs(1);
/// A heartbeat for the launcher every this many looks.
const BEAT_EVERY: u64 = 5;

impl Edge {
    /// Watches the station's release record for as long as the counter runs, and beats for
    /// the launcher when it runs this counter.
    pub fn watch_release(&self) {
        let edge = self.clone();
        tokio::spawn(async move {
            let data_dir = edge.station.config.data_dir.clone();
            let health_check = Duration::from_secs(edge.station.config.updates.health_check_s);
            let mut watch = ReleaseWatch {
                running: running_version(),
                on_trial_as: running_release(),
                // From this process's start, on its monotonic clock: a clock set at boot
                // moves no deadline.
                trial_ends: Instant::now() + health_check,
                told_due: None,
                told_missed: false,
                told_error: None,
                launcher: crate::release::supervised().then(std::os::unix::process::parent_id),
            };
            let supervised = crate::release::supervised();
            for beat in 0_u64.. {
                if supervised
                    && beat % BEAT_EVERY == 0
                    && let Err(error) = store::heartbeat(&data_dir, beat)
                {
                    log::error!("the launcher's heartbeat: {error}");
                }
                let actions = watch.look(store::read(&data_dir));
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

/// What the watch has told the flow so far.
struct ReleaseWatch {
    running: ReleaseVersion,
    on_trial_as: Option<ReleaseVersion>,
    trial_ends: Instant,
    told_due: Option<ReleaseVersion>,
    told_missed: bool,
    told_error: Option<String>,
    /// The launcher's process id, when one runs this counter (taken at start).
    launcher: Option<u32>,
}

impl ReleaseWatch {
    /// The actions one reading of the record calls for.
    fn look(&mut self, record: Result<Releases, ReleaseError>) -> Vec<Action> {
        // A child outlives its parent under a new one (init or a subreaper).
        if let Some(launcher) = self.launcher
            && std::os::unix::process::parent_id() != launcher
        {
            self.launcher = None;
            log::error!(
                "the launcher (process {launcher}) is gone: the counter stops at its next quiet moment"
            );
            return vec![Action::LauncherGone];
        }
        let releases = match record {
            Ok(releases) => releases,
            Err(error) => {
                let text = error.to_string();
                if self.told_error.as_ref() != Some(&text) {
                    log::error!("the release record: {text}");
                    self.told_error = Some(text);
                }
                return Vec::new();
            }
        };
        self.told_error = None;
        let mut actions = Vec::new();
        let now = Clock::system().now_unix_ms();
        let due = releases.due(now).filter(|version| *version > self.running);
        if due != self.told_due {
            self.told_due = due;
            actions.push(Action::ReleaseDue(due.map(|v| v.to_string())));
        }
        let on_trial = releases
            .trial
            .as_ref()
            .is_some_and(|trial| Some(trial.version) == self.on_trial_as);
        if on_trial && !self.told_missed && Instant::now() >= self.trial_ends {
            self.told_missed = true;
            actions.push(Action::HealthCheckMissed);
        }
        if !on_trial && self.told_missed {
            // It passed after all (a contact late but before the quiet moment): it stays.
            self.told_missed = false;
            actions.push(Action::HealthCheckPassed);
        }
        actions
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
