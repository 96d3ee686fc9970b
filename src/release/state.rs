//! What a station knows of its software releases, as plain data with its transitions: which
//! release runs, which one a rollback returns to, which one waits to be switched in, which
//! one is on trial and until when, which ones failed and are never taken again, and a
//! supervisor's postponements. The store ([`super::store`]) reads and writes it whole.
//!
//! `current: None` means the build installed on the machine (the one started by hand or by
//! the operating system); a release is only ever run when it is newer than that build.
//!
//! The record is read by the installed build (the launcher) and written by releases newer
//! than it, so it takes fields it does not know rather than refusing them.

use serde::{Deserialize, Serialize};

use super::version::ReleaseVersion;

/// A switched-in release that has not yet passed its health check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    pub version: ReleaseVersion,
    /// It must start, open its ledger and reach the data centre before this moment.
    pub deadline_unix_ms: i64,
}

/// A release that failed its health check, with why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub version: ReleaseVersion,
    pub reason: String,
    pub at_unix_ms: i64,
}

/// How often the waiting release was put off since the last switch, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Postponement {
    pub version: ReleaseVersion,
    pub times: u32,
    pub until_unix_ms: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Releases {
    pub current: Option<ReleaseVersion>,
    pub previous: Option<ReleaseVersion>,
    pub staged: Option<ReleaseVersion>,
    pub trial: Option<Trial>,
    pub refused: Vec<Refusal>,
    pub postponed: Option<Postponement>,
}

/// Why a supervisor's postponement was not taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostponeRefused {
    #[error("no release is waiting to be installed")]
    NothingStaged,
    #[error(
        "release {version} was postponed {times} time(s) already, the most allowed: it installs at the next quiet moment"
    )]
    LimitReached { version: ReleaseVersion, times: u32 },
}

impl Releases {
    /// The release the launcher runs: the current one, when it is newer than the installed
    /// build (a build installed since takes precedence).
    pub fn release_to_run(&self, installed: ReleaseVersion) -> Option<ReleaseVersion> {
        self.current.filter(|current| *current > installed)
    }

    /// The version that runs: the current release, else the installed build's.
    pub fn running(&self, installed: ReleaseVersion) -> ReleaseVersion {
        self.current
            .map_or(installed, |current| current.max(installed))
    }

    /// Whether `candidate` is worth fetching: newer than what runs and what waits, and never
    /// one that failed here.
    pub fn wants(&self, candidate: ReleaseVersion, installed: ReleaseVersion) -> bool {
        candidate > self.running(installed)
            && self.staged.is_none_or(|staged| candidate > staged)
            && !self.refused.iter().any(|r| r.version == candidate)
    }

    /// A verified release's files are in place: it waits for a quiet moment.
    pub fn stage(&mut self, version: ReleaseVersion) {
        self.staged = Some(version);
    }

    /// The staged release, unless a postponement holds it back at `now_unix_ms`, or a
    /// release is on trial (switching then would make an unproven release the one a
    /// rollback returns to).
    pub fn due(&self, now_unix_ms: i64) -> Option<ReleaseVersion> {
        if self.trial.is_some() {
            return None;
        }
        let staged = self.staged?;
        // A postponement holds whatever waits: a newer release published meanwhile does
        // not overrule the supervisor.
        let held = self
            .postponed
            .as_ref()
            .is_some_and(|p| now_unix_ms < p.until_unix_ms);
        (!held).then_some(staged)
    }

    /// Switches the due release in: it becomes current, on trial until `now + health_ms`,
    /// and the release it replaces is kept to return to. A staged release no newer than the
    /// build installed meanwhile is dropped instead.
    pub fn switch(
        &mut self,
        now_unix_ms: i64,
        health_ms: i64,
        installed: ReleaseVersion,
    ) -> Option<ReleaseVersion> {
        let version = self.due(now_unix_ms)?;
        if version <= installed {
            self.staged = None;
            self.postponed = None;
            return None;
        }
        self.staged = None;
        self.postponed = None;
        self.previous = self.current;
        self.current = Some(version);
        self.trial = Some(Trial {
            version,
            deadline_unix_ms: now_unix_ms.saturating_add(health_ms),
        });
        Some(version)
    }

    /// A release on trial starts again (its counter was closed before its check passed):
    /// its health check is counted from this start.
    pub fn restart_trial(&mut self, now_unix_ms: i64, health_ms: i64) {
        if let Some(trial) = &mut self.trial {
            trial.deadline_unix_ms = now_unix_ms.saturating_add(health_ms);
        }
    }

    /// `version` passed its health check: it stays.
    pub fn healthy(&mut self, version: ReleaseVersion) -> bool {
        let on_trial = self.trial.as_ref().is_some_and(|t| t.version == version);
        if on_trial {
            self.trial = None;
        }
        on_trial
    }

    /// The release on trial failed: it is refused from now on and the one before it runs
    /// again. Returns the refused version.
    pub fn roll_back(&mut self, reason: String, now_unix_ms: i64) -> Option<ReleaseVersion> {
        let trial = self.trial.take()?;
        self.refused.push(Refusal {
            version: trial.version,
            reason,
            at_unix_ms: now_unix_ms,
        });
        self.current = self.previous.take();
        Some(trial.version)
    }

    /// A supervisor puts the staged release off by `for_ms` (from now, or from the end of
    /// the postponement that holds), at most `max_times` times.
    pub fn postpone(
        &mut self,
        now_unix_ms: i64,
        for_ms: i64,
        max_times: u32,
    ) -> Result<&Postponement, PostponeRefused> {
        let version = self.staged.ok_or(PostponeRefused::NothingStaged)?;
        // Counted from the last switch, whichever release waits: the bound is the station's.
        let (times, held_until) = self
            .postponed
            .as_ref()
            .map_or((0, now_unix_ms), |p| (p.times, p.until_unix_ms));
        if times >= max_times {
            return Err(PostponeRefused::LimitReached { version, times });
        }
        // A postponement while one holds adds to it: pressing twice is twice as long.
        Ok(self.postponed.insert(Postponement {
            version,
            times: times + 1,
            until_unix_ms: held_until.max(now_unix_ms).saturating_add(for_ms),
        }))
    }

    /// A build at least as new as these releases was installed: they are never run again,
    /// and a trial of one of them ends (nothing would pass or fail it).
    pub fn forget_older_than(&mut self, installed: ReleaseVersion) {
        let older = |version: &Option<ReleaseVersion>| version.is_some_and(|v| v <= installed);
        if older(&self.current) {
            self.current = None;
            self.trial = None;
        }
        if older(&self.previous) {
            self.previous = None;
        }
    }

    /// The releases whose files must be kept: the others are removed.
    pub fn kept(&self) -> Vec<ReleaseVersion> {
        [self.current, self.previous, self.staged]
            .into_iter()
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ReleaseVersion {
        text.parse().unwrap()
    }

    #[test]
    fn a_release_is_staged_switched_and_kept_once_healthy() {
        let installed = v("0.1.0");
        let mut releases = Releases::default();
        assert!(releases.wants(v("0.2.0"), installed));
        assert!(!releases.wants(v("0.1.0"), installed));
        releases.stage(v("0.2.0"));
        assert!(!releases.wants(v("0.2.0"), installed), "staged already");
        assert_eq!(releases.switch(1_000, 300, installed), Some(v("0.2.0")));
        assert_eq!(releases.current, Some(v("0.2.0")));
        assert_eq!(releases.previous, None);
        assert_eq!(releases.trial.as_ref().unwrap().deadline_unix_ms, 1_300);
        releases.restart_trial(2_000, 300);
        assert_eq!(releases.trial.as_ref().unwrap().deadline_unix_ms, 2_300);
        assert!(!releases.healthy(v("0.1.0")));
        assert!(releases.healthy(v("0.2.0")));
        assert_eq!(releases.trial, None);
        assert_eq!(releases.running(installed), v("0.2.0"));
        assert_eq!(
            releases.switch(3_000, 300, installed),
            None,
            "nothing staged"
        );
        releases.stage(v("0.3.0"));
        assert_eq!(
            releases.switch(3_000, 300, v("0.3.0")),
            None,
            "a build as new was installed meanwhile"
        );
        assert_eq!(releases.staged, None);
        assert_eq!(releases.current, Some(v("0.2.0")));
    }

    #[test]
    fn a_failed_release_is_rolled_back_and_never_taken_again() {
        let installed = v("0.1.0");
        let mut releases = Releases::default();
        releases.stage(v("0.2.0"));
        releases.switch(0, 10, installed);
        releases.stage(v("0.2.5"));
        assert_eq!(releases.due(5), None, "nothing switches during a trial");
        assert_eq!(releases.switch(5, 10, installed), None);
        releases.healthy(v("0.2.0"));
        releases.stage(v("0.3.0"));
        releases.switch(20, 10, installed);
        assert_eq!(releases.previous, Some(v("0.2.0")));
        assert_eq!(releases.kept(), vec![v("0.3.0"), v("0.2.0")]);
        let refused = releases.roll_back("exited with status 3".into(), 25);
        assert_eq!(refused, Some(v("0.3.0")));
        assert_eq!(releases.current, Some(v("0.2.0")));
        assert_eq!(releases.trial, None);
        assert!(!releases.wants(v("0.3.0"), installed));
        assert!(releases.wants(v("0.3.1"), installed));
        assert_eq!(releases.roll_back("again".into(), 30), None, "no trial");
        assert_eq!(releases.refused.len(), 1);
    }

    #[test]
    fn releases_no_newer_than_an_installed_build_are_forgotten_with_their_trial() {
        let mut releases = Releases::default();
        releases.stage(v("0.2.0"));
        releases.switch(0, 10, v("0.1.0"));
        releases.stage(v("0.3.0"));
        releases.forget_older_than(v("0.1.0"));
        assert_eq!(releases.current, Some(v("0.2.0")), "still newer");
        // The operating system installs 0.2.0 itself while 0.2.0 is on trial.
        releases.forget_older_than(v("0.2.0"));
        assert_eq!((releases.current, releases.trial.clone()), (None, None));
        assert_eq!(releases.due(20), Some(v("0.3.0")), "updates go on");
        // The first release rolled back returns to the installed build.
        releases.switch(20, 10, v("0.2.0"));
        assert_eq!(releases.roll_back("failed".into(), 25), Some(v("0.3.0")));
        assert_eq!((releases.current, releases.previous), (None, None));
    }

    #[test]
    fn postponements_are_bounded_and_hold_the_switch_until_they_run_out() {
        let mut releases = Releases::default();
        assert_eq!(
            releases.postpone(0, 100, 2),
            Err(PostponeRefused::NothingStaged)
        );
        releases.stage(v("0.2.0"));
        assert_eq!(releases.postpone(0, 100, 2).unwrap().times, 1);
        assert_eq!(
            releases.clone().postpone(10, 100, 2).unwrap().until_unix_ms,
            200,
            "a second one while the first holds adds to it"
        );
        assert_eq!(releases.due(50), None);
        let mut newer = releases.clone();
        newer.stage(v("0.3.0"));
        assert_eq!(newer.due(50), None, "a newer release is held as well");
        assert_eq!(newer.due(100), Some(v("0.3.0")));
        assert_eq!(releases.switch(50, 10, v("0.1.0")), None);
        assert_eq!(releases.due(100), Some(v("0.2.0")));
        let second = releases.postpone(100, 100, 2).unwrap();
        assert_eq!((second.times, second.until_unix_ms), (2, 200));
        assert_eq!(
            releases.postpone(150, 100, 2),
            Err(PostponeRefused::LimitReached {
                version: v("0.2.0"),
                times: 2
            })
        );
        assert_eq!(releases.switch(200, 10, v("0.1.0")), Some(v("0.2.0")));
        assert_eq!(releases.postponed, None);
    }
}
