//! A release's version (`MAJOR.MINOR.PATCH`, numbers only) and the platform a build runs on.
//! The data centre refuses to publish a release whose version does not read this way, and a
//! station compares versions as numbers (0.10.0 is newer than 0.9.0), never as text.

use std::fmt;
use std::str::FromStr;

/// `0.2.0`: three numbers, compared in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReleaseVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl ReleaseVersion {
    /// The version this build was made as (`Cargo.toml`).
    pub fn of_this_build() -> ReleaseVersion {
        // The manifest's version is three numbers, checked by a unit test below.
        env!("CARGO_PKG_VERSION").parse().unwrap_or(ReleaseVersion {
            major: 0,
            minor: 0,
            patch: 0,
        })
    }
}

impl FromStr for ReleaseVersion {
    type Err = String;

    fn from_str(text: &str) -> Result<ReleaseVersion, String> {
        let refused = || {
            format!(
                "{text:?} is not a release version: expected three numbers like 0.2.0 (MAJOR.MINOR.PATCH)"
            )
        };
        let mut numbers = text.split('.').map(|part| {
            let digits =
                !part.is_empty() && part.len() <= 9 && part.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| part.parse::<u32>().ok()).flatten()
        });
        let (Some(Some(major)), Some(Some(minor)), Some(Some(patch)), None) = (
            numbers.next(),
            numbers.next(),
            numbers.next(),
            numbers.next(),
        ) else {
            return Err(refused());
        };
        Ok(ReleaseVersion {
            major,
            minor,
            patch,
        })
    }
}

impl fmt::Display for ReleaseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl serde::Serialize for ReleaseVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReleaseVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The platform this build runs on, as a release names it: `x86_64-linux`, `aarch64-linux`.
pub fn this_platform() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// Whether `text` reads as a platform name: an architecture and an OS, lower case.
pub fn is_platform(text: &str) -> bool {
    let mut parts = text.splitn(2, '-');
    let plain = |part: Option<&str>| {
        part.is_some_and(|p| {
            !p.is_empty()
                && p.len() <= 32
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
    };
    plain(parts.next()) && plain(parts.next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers() {
        let v = |text: &str| text.parse::<ReleaseVersion>().unwrap();
        assert!(v("0.10.0") > v("0.9.0"));
        assert!(v("1.0.0") > v("0.99.99"));
        assert_eq!(v("0.2.0").to_string(), "0.2.0");
        assert_eq!(serde_json::to_string(&v("0.2.1")).unwrap(), r#""0.2.1""#);
    }

    #[test]
    fn other_version_texts_are_refused_with_what_is_accepted() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "v1.2.3",
            "1.2.x",
            "1..3",
            "1.2.-3",
            "1.2.3-rc1",
            "9999999999.0.0",
        ] {
            let error = bad.parse::<ReleaseVersion>().unwrap_err();
            assert!(error.contains("MAJOR.MINOR.PATCH"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn this_build_has_a_release_version_and_a_platform() {
        assert_eq!(
            ReleaseVersion::of_this_build().to_string(),
            env!("CARGO_PKG_VERSION")
        );
        assert!(is_platform(&this_platform()), "{}", this_platform());
        assert!(is_platform("x86_64-linux"));
        for bad in ["", "linux", "x86_64-", "X86-linux", "x86 64-linux", "a-b/c"] {
            assert!(!is_platform(bad), "{bad:?}");
        }
    }
}
