//! Where a printer is, as the configuration names it: `virtual`, `file:PATH` or
//! `tcp:HOST[:PORT]`. Parsed when the settings load, so a misspelt transport stops start-up
//! with its file and key instead of failing at the first print.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A configured printer transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportSetting {
    /// The virtual printer: each job kept as ESC/POS bytes and a PNG in the data directory.
    Virtual,
    /// A device file, such as `/dev/usb/lp0`.
    File(PathBuf),
    /// A network printer, `HOST` or `HOST:PORT` (9100 when left out).
    Tcp(String),
}

impl FromStr for TransportSetting {
    type Err = String;

    fn from_str(text: &str) -> Result<TransportSetting, String> {
        let refused = || {
            format!(
                "{text:?} is not accepted: expected virtual, file:PATH (such as file:/dev/usb/lp0) or tcp:HOST[:PORT]"
            )
        };
        if text == "virtual" {
            Ok(TransportSetting::Virtual)
        } else if let Some(path) = text.strip_prefix("file:") {
            (!path.is_empty())
                .then(|| TransportSetting::File(PathBuf::from(path)))
                .ok_or_else(refused)
        } else if let Some(address) = text.strip_prefix("tcp:") {
            (!address.is_empty() && !address.contains(char::is_whitespace))
                .then(|| TransportSetting::Tcp(address.to_string()))
                .ok_or_else(refused)
        } else {
            Err(refused())
        }
    }
}

/// The setting as it is written in the configuration.
impl fmt::Display for TransportSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportSetting::Virtual => write!(f, "virtual"),
            TransportSetting::File(path) => write!(f, "file:{}", path.display()),
            TransportSetting::Tcp(address) => write!(f, "tcp:{address}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_parses_and_writes_back_as_given() {
        for text in [
            "virtual",
            "file:/dev/usb/lp0",
            "tcp:192.0.2.7",
            "tcp:printer:9101",
        ] {
            let setting: TransportSetting = text.parse().unwrap();
            assert_eq!(setting.to_string(), text);
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_forms_accepted() {
        for text in ["Virtual", "usb:/dev/lp0", "file:", "tcp:", "tcp:a b"] {
            let error = text.parse::<TransportSetting>().unwrap_err();
            assert!(error.contains("expected virtual, file:PATH"), "{error}");
            assert!(error.starts_with(&format!("{text:?}")), "{error}");
        }
    }
}
