//! `[updates]`: how the counter takes a new release of itself (see [`crate::release`]). The
//! numbers are checked when the settings load: a health check too short to start a counter
//! in would roll back every release, and a quiet time of zero would leave a clerk's screen
//! between two keys.

use serde::Deserialize;

use super::ConfigError;
use super::values::number_or_text;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    /// A release on trial must pass its health check within this many seconds.
    #[serde(deserialize_with = "number_or_text")]
    pub health_check_s: u64,
    /// The start screen left alone this long is a quiet moment to switch releases.
    #[serde(deserialize_with = "number_or_text")]
    pub quiet_s: u64,
    /// How many times a supervisor may postpone one release, and by how long each time.
    #[serde(deserialize_with = "number_or_text")]
    pub postpone_max: u32,
    #[serde(deserialize_with = "number_or_text")]
    pub postpone_minutes: u64,
}

/// Each setting's accepted range, inclusive.
const HEALTH_CHECK_S: (u64, u64) = (10, 86_400);
const QUIET_S: (u64, u64) = (1, 3_600);
const POSTPONE_MAX: (u64, u64) = (0, 100);
const POSTPONE_MINUTES: (u64, u64) = (1, 24 * 60);

impl UpdateSettings {
    /// Refuses a setting outside its range, quoting it and the range.
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        let settings = [
            (
                "updates.health_check_s",
                self.health_check_s,
                HEALTH_CHECK_S,
            ),
            ("updates.quiet_s", self.quiet_s, QUIET_S),
            (
                "updates.postpone_max",
                u64::from(self.postpone_max),
                POSTPONE_MAX,
            ),
            (
                "updates.postpone_minutes",
                self.postpone_minutes,
                POSTPONE_MINUTES,
            ),
        ];
        for (key, value, (lowest, highest)) in settings {
            if !(lowest..=highest).contains(&value) {
                return Err(ConfigError {
                    source_name: "configuration".into(),
                    reason: format!("{key} = {value} is not accepted: from {lowest} to {highest}"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_settings_outside_their_range_are_refused_with_the_range() {
        let defaults = UpdateSettings {
            health_check_s: 300,
            quiet_s: 30,
            postpone_max: 3,
            postpone_minutes: 60,
        };
        assert!(defaults.check().is_ok());
        let error = UpdateSettings {
            health_check_s: 0,
            ..defaults.clone()
        }
        .check()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration: updates.health_check_s = 0 is not accepted: from 10 to 86400"
        );
        let error = UpdateSettings {
            quiet_s: 0,
            ..defaults.clone()
        }
        .check()
        .unwrap_err();
        assert!(error.to_string().contains("updates.quiet_s = 0"), "{error}");
        assert!(
            UpdateSettings {
                quiet_s: 1,
                ..defaults
            }
            .check()
            .is_ok()
        );
    }
}
