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
                // From the counter's start, on its monotonic clock: a clock set at boot
                // moves no deadline.
                trial_ends: Instant::now() + health_check,
                told_due: None,
                told_missed: false,
                told_error: None,
                launcher: crate::release::launcher_pid(),
            };
            let supervised = crate::release::supervised();
            if supervised {
                crate::release::screen_beats();
            }
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

impl Edge {
    /// Puts the waiting release off, as `updates postpone` does, off the screen's threads.
    pub(super) fn postpone_release(&self) {
        let edge = self.clone();
        tokio::task::spawn_blocking(move || {
            let config = &edge.station.config;
            let now = Clock::system().now_unix_ms();
            let max = config.updates.postpone_max;
            let result = crate::release::postpone(&config.data_dir, &config.updates, now)
                .map(|held| {
                    let until = crate::release::postponement_text(&held, max);
                    format!("update {} postponed {until}", held.version)
                })
                .map_err(|e| e.to_string());
            edge.send(Action::ReleasePostponed(result));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::state::Trial;

    fn v(text: &str) -> ReleaseVersion {
        text.parse().unwrap()
    }

    fn watch(on_trial_as: Option<&str>, trial_ends: Instant) -> ReleaseWatch {
        ReleaseWatch {
            running: v(on_trial_as.unwrap_or("0.1.0")),
            on_trial_as: on_trial_as.map(v),
            trial_ends,
            told_due: None,
            told_missed: false,
            told_error: None,
            launcher: None,
        }
    }

    #[test]
    fn a_due_release_is_told_once_and_only_when_newer_than_what_runs() {
        let mut watch = watch(None, Instant::now());
        let mut releases = Releases::default();
        assert_eq!(watch.look(Ok(releases.clone())), vec![]);
        releases.stage(v("0.1.0"));
        assert_eq!(watch.look(Ok(releases.clone())), vec![], "not newer");
        releases.stage(v("0.2.0"));
        assert_eq!(
            watch.look(Ok(releases.clone())),
            vec![Action::ReleaseDue(Some("0.2.0".into()))]
        );
        assert_eq!(watch.look(Ok(releases.clone())), vec![], "told already");
        releases
            .postpone(Clock::system().now_unix_ms(), 60_000, 3)
            .unwrap();
        assert_eq!(watch.look(Ok(releases)), vec![Action::ReleaseDue(None)]);
    }

    #[test]
    fn a_trial_past_its_deadline_is_missed_and_a_late_pass_is_told() {
        let ended = Instant::now() - Duration::from_secs(1);
        let mut watch = watch(Some("0.2.0"), ended);
        let on_trial = Releases {
            current: Some(v("0.2.0")),
            trial: Some(Trial {
                version: v("0.2.0"),
                deadline_unix_ms: 0,
            }),
            ..Releases::default()
        };
        assert_eq!(
            watch.look(Ok(on_trial.clone())),
            vec![Action::HealthCheckMissed]
        );
        assert_eq!(watch.look(Ok(on_trial.clone())), vec![]);
        let passed = Releases {
            trial: None,
            ..on_trial
        };
        assert_eq!(
            watch.look(Ok(passed.clone())),
            vec![Action::HealthCheckPassed]
        );
        assert_eq!(watch.look(Ok(passed)), vec![]);
    }

    #[test]
    fn a_launcher_that_is_not_this_process_parent_is_gone() {
        let mut watch = watch(None, Instant::now());
        watch.launcher = Some(std::os::unix::process::parent_id());
        assert_eq!(watch.look(Ok(Releases::default())), vec![]);
        // Process 0 is never a parent.
        watch.launcher = Some(0);
        assert_eq!(
            watch.look(Ok(Releases::default())),
            vec![Action::LauncherGone]
        );
        assert_eq!(watch.look(Ok(Releases::default())), vec![], "told once");
    }
}
