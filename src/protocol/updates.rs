//! Software and rate updates: a TUF repository (The Update Framework, specification 1.0)
//! the data centre's `software` service hosts, and what a station reads from it. Rates and
//! software are not protected by the link: whatever carries them (TLS, a modem line, a copy
//! on a USB stick), a station takes only what the repository's metadata, signed by the data
//! centre's update keys, lists with its length and hash. A root key signs the keys of the
//! other roles; targets lists the files; snapshot pins the version of targets; timestamp,
//! re-signed daily, pins the snapshot, so a station that is served old metadata (a rollback),
//! metadata that stopped changing (a freeze) or roles of different versions (mix and match)
//! refuses it (TUF 5.3-5.6).
//!
//! The repository uses consistent snapshots: metadata by version (`3.targets.json`), targets
//! by hash (`<sha256>.rates-usps-retail-2026-07-12.toml`), so a station reading while the
//! data centre publishes sees one whole version or the other. Both are served at the paths
//! the OpenAPI document names under [`METADATA_PATH`] and [`TARGETS_PATH`], without request
//! authentication: python-tuf's `ngclient` or any other TUF client can check them.
//!
//! Each target says what it is in its `custom` field, under the key `postcounter`:
//!
//! ```json
//! {"postcounter": {"kind": "rates", "effective": "2027-01-18"}}
//! {"postcounter": {"kind": "software", "version": "0.2.0", "platform": "x86_64-linux"}}
//! ```

use serde::{Deserialize, Serialize};

/// Where the repository's metadata is served (`root.json`, `N.root.json`, `timestamp.json`,
/// `N.snapshot.json`, `N.targets.json`).
pub const METADATA_PATH: &str = "/software/v1/tuf/metadata/";
/// Where its targets are served, each as `<sha256 hex>.<target name>`.
pub const TARGETS_PATH: &str = "/software/v1/tuf/targets/";
/// The key of a target's `custom` object this project reads.
pub const CUSTOM_KEY: &str = "postcounter";
/// The prefix of a rate file's target name: `rates-` and the file's name.
pub const RATES_PREFIX: &str = "rates-";

/// Where a station fetches the repository's root the first time, from the keys service: its
/// answer is signed by the data centre like every key the station takes (later roots come
/// from the repository itself, each signed by the one before).
pub const UPDATE_ROOT_PATH: &str = "/keys/v1/update-root";

/// `GET /keys/v1/update-root`: the repository's current `root.json`, as its exact text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRootResponse {
    pub root_json: String,
}

/// What a target is, as its `custom` field says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Published {
    /// A rate file (`postcounter-rates/1`); `effective` is its earliest table's first day.
    Rates { effective: String },
    /// A build of the counter for one platform.
    Software { version: String, platform: String },
}

impl Published {
    /// The target name a published file goes by: `rates-<file name>`, or
    /// `postcounter-<version>-<platform>`.
    pub fn target_name(&self, file_name: &str) -> String {
        match self {
            Published::Rates { .. } => format!("{RATES_PREFIX}{file_name}"),
            Published::Software { version, platform } => {
                format!("postcounter-{version}-{platform}")
            }
        }
    }
}

/// Whether `name` is acceptable as a target name here: ASCII letters, digits, `.`, `-` and
/// `_`, not starting with a dot, at most 100 bytes (it becomes a file name on both ends).
pub fn is_target_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_metadata_round_trips_and_refuses_unknown_kinds() {
        let rates = Published::Rates {
            effective: "2027-01-18".into(),
        };
        let json = serde_json::to_string(&rates).unwrap();
        assert_eq!(json, r#"{"kind":"rates","effective":"2027-01-18"}"#);
        assert_eq!(serde_json::from_str::<Published>(&json).unwrap(), rates);
        assert!(serde_json::from_str::<Published>(r#"{"kind":"firmware"}"#).is_err());
        assert_eq!(
            rates.target_name("usps-retail-2027-01-18.toml"),
            "rates-usps-retail-2027-01-18.toml"
        );
    }

    #[test]
    fn target_names_are_plain_file_names() {
        assert!(is_target_name("rates-usps-retail-2026-07-12.toml"));
        assert!(is_target_name("postcounter-0.2.0-x86_64-linux"));
        for bad in [
            "",
            ".hidden",
            "a/b",
            "..",
            "a b",
            "ü.toml",
            &"x".repeat(101),
        ] {
            assert!(!is_target_name(bad), "{bad:?}");
        }
    }
}
