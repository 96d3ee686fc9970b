//! Layered settings: embedded defaults < `/etc/postcounter/postcounter.toml` <
//! `./postcounter.toml` < the file named by `--config` < `POSTCOUNTER_*` environment < flags,
//! merged by the `config` crate ([`layers`]).
//!
//! A key no default names stops start-up with the file and the key rather than being
//! silently ignored, and so does a kind that is not one of its choices (`scale.kind`,
//! `counter.mode`, a printer's transport): each is parsed into its enum here, not at first
//! use. ZIP codes stay text everywhere ("02134" is not the number 2134); environment values
//! are text, so numeric settings accept text too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::kiosk::state::Mode;
use crate::local_time::LocalTime;
use crate::money::Money;
use crate::print::TransportSetting;
use crate::rates::{RateBook, RateFileError};
use crate::tracking::MailerId;

mod kinds;
mod layers;
mod link;
mod tickets;
mod updates;
mod values;

pub use link::{LinkConfig, ModemConfig};
pub use tickets::TicketSettings;
pub use updates::UpdateSettings;

pub use kinds::{
    CardGatewayKind, CashAcceptorKind, CryptoModuleKind, ScaleKind, VendorGatewayKind,
};
use values::{money, number_or_text, parsed, parsed_mailer_id, time_zone};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where keys, the ledger and printed jobs live. Empty: the platform's data directory.
    #[serde(default)]
    pub data_dir: PathBuf,
    /// The counter's own ZIP code: the origin of the mail it prices.
    pub origin_zip: String,
    /// The vendor's postal license number, printed in every indicium.
    #[serde(deserialize_with = "number_or_text")]
    pub license_number: u32,
    /// An unused indicium may be voided this many days after its date of mailing.
    #[serde(deserialize_with = "number_or_text")]
    pub void_window_days: i32,
    /// Demo funds the in-process data centre credits its account once.
    #[serde(deserialize_with = "money")]
    pub demo_refill: Money,
    /// The counter's time zone: the date of mailing and the receipt's time are local.
    #[serde(deserialize_with = "time_zone")]
    pub time_zone: LocalTime,
    /// A folder of rate files that seeds the data centre's update repository at its first
    /// start, instead of the embedded tables (a counter never prices with it directly).
    #[serde(default)]
    pub rates_dir: Option<PathBuf>,
    pub printer: PrinterSettings,
    pub receipt: ReceiptSettings,
    pub label: LabelSettings,
    pub scale: ScaleSettings,
    pub counter: CounterSettings,
    pub tickets: TicketSettings,
    pub updates: UpdateSettings,
    pub vendor: VendorConfig,
    pub link: LinkConfig,
}

/// The postage vendor system, when this machine runs it (`vendor serve`, or in-process).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorConfig {
    /// Where `vendor serve` listens.
    pub listen: String,
    /// A `postgres://` URL, or a SQLite file; empty: `<data dir>/vendor/vendor.sqlite`.
    pub store: String,
    /// Connections in the store's pool.
    #[serde(deserialize_with = "number_or_text")]
    pub max_connections: u32,
    /// A PSD short of funds is topped up from its account by at least this much.
    #[serde(deserialize_with = "money")]
    pub top_up_step: Money,
    /// The in-process data centre's central PSD.
    #[serde(deserialize_with = "number_or_text")]
    pub local_psd_id: u32,
    /// How long key management certifies an embedded PSD's key.
    #[serde(deserialize_with = "number_or_text")]
    pub certificate_validity_days: i32,
    /// A key certificate with fewer days left is put on its station's agenda for renewal.
    #[serde(deserialize_with = "number_or_text")]
    pub certificate_renew_days: i32,
    /// How long an offline lease lasts, and the postage it allows unreported.
    #[serde(deserialize_with = "number_or_text")]
    pub lease_hours: u32,
    #[serde(deserialize_with = "money")]
    pub lease_max_value: Money,
    /// `vendor serve`'s TLS certificate chain and key (PEM files); empty: plain HTTP, which
    /// it serves on a loopback address only.
    pub tls_certificate: String,
    pub tls_key: String,
    /// What each processing server signs through: `software` or `pkcs11`.
    #[serde(deserialize_with = "parsed")]
    pub crypto_module: CryptoModuleKind,
    /// The PKCS#11 library (e.g. SoftHSM2's `/usr/lib/softhsm/libsofthsm2.so`), and the
    /// owner-only file holding the user PIN of every processing server's token.
    pub pkcs11_library: String,
    pub pkcs11_pin_file: String,
    /// Who charges the cards the data centre takes: `test` or `none`.
    #[serde(deserialize_with = "parsed")]
    pub card_gateway: VendorGatewayKind,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterSettings {
    /// `counter` (a clerk) or `kiosk` (self-service).
    #[serde(deserialize_with = "parsed")]
    pub mode: Mode,
    #[serde(deserialize_with = "number_or_text")]
    pub done_timeout_s: u64,
    #[serde(deserialize_with = "number_or_text")]
    pub inactivity_timeout_s: u64,
    /// The card processor: `test` (the built-in test gateway, documented test numbers).
    #[serde(deserialize_with = "parsed")]
    pub card_gateway: CardGatewayKind,
    /// What takes cash at a self-service kiosk: `none` (the kiosk takes card and account).
    #[serde(deserialize_with = "parsed")]
    pub cash_acceptor: CashAcceptorKind,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSettings {
    /// `none` (the clerk types weights), `nci`, `hid-pos` or `mt-sics`.
    #[serde(deserialize_with = "parsed")]
    pub kind: ScaleKind,
    /// The scale's device: a serial port (/dev/ttyUSB0) or a hidraw device (/dev/hidraw0).
    pub device: String,
    #[serde(deserialize_with = "number_or_text")]
    pub baud: u32,
    /// How often the scale is read for the live display.
    #[serde(deserialize_with = "number_or_text")]
    pub poll_interval_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSettings {
    pub label: PrinterSetting,
    pub receipt: PrinterSetting,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSetting {
    /// A profile name from `printers/` (embedded) or a path to a profile file.
    pub profile: String,
    /// `virtual`, `file:/dev/usb/lp0`, or `tcp:HOST:PORT` (port 9100 when left out).
    #[serde(deserialize_with = "parsed")]
    pub transport: TransportSetting,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptSettings {
    pub header: Vec<String>,
    pub footer: Vec<String>,
}

/// What every label carries besides the piece: the sender's address and the mailer id of
/// its tracking numbers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSettings {
    /// The counter's name and address, printed as the return address.
    pub return_address: Vec<String>,
    /// The USPS mailer id (six digits) in the tracking numbers of tracked pieces.
    #[serde(deserialize_with = "parsed_mailer_id")]
    pub mailer_id: MailerId,
}

#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {reason}")]
pub struct ConfigError {
    pub source_name: String,
    pub reason: String,
}

impl Config {
    /// The rate tables a counter prices with: those its data centre's update repository
    /// gave it, good until their signature's last day, else (before its first update) those
    /// built into the binary. Never `rates_dir`'s: a counter prices with nothing its data
    /// centre did not sign, and that folder only seeds a data centre's repository.
    pub fn rate_book(&self) -> Result<RateBook, RateFileError> {
        use crate::link::updates::{installed_rates_dir, installed_signed_until};
        let unreadable = |e: crate::link::updates::UpdateError| {
            let shown = self.data_dir.display().to_string();
            RateFileError::new(
                &shown,
                None,
                crate::rates::RateFileErrorKind::Io,
                e.to_string(),
            )
        };
        match installed_rates_dir(&self.data_dir).map_err(unreadable)? {
            Some(set) => {
                let last_day = installed_signed_until(&set).map_err(unreadable)?;
                Ok(RateBook::load_dir(&set)?.signed_until(last_day))
            }
            None => RateBook::embedded(),
        }
    }

    /// Loads every layer; `explicit_file` is `--config`, `overrides` are flag values as
    /// (dotted key, value) pairs.
    pub fn load(
        explicit_file: Option<&Path>,
        overrides: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        Config::load_from(explicit_file, overrides, &std::env::vars().collect())
    }

    /// [`load`](Self::load) with `environment` in place of the process's variables.
    fn load_from(
        explicit_file: Option<&Path>,
        overrides: &[(&str, String)],
        environment: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let merged = layers::merged(explicit_file, overrides, environment)?;
        let mut config: Config = layers::settings(merged)?;
        if config.data_dir.as_os_str().is_empty() {
            config.data_dir = default_data_dir();
        }
        config.updates.check()?;
        Ok(config)
    }
}

/// `$XDG_DATA_HOME/postcounter`, else `~/.local/share/postcounter`, else `./postcounter-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("postcounter");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/postcounter"),
        None => PathBuf::from("postcounter-data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(environment: &[(&str, &str)], file: Option<&str>) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let environment = environment
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_from(file.map(|_| path.as_path()), &[], &environment)
    }

    #[test]
    fn the_embedded_defaults_load() {
        let defaults = load(&[], None).unwrap();
        assert_eq!(defaults.printer.label.transport, TransportSetting::Virtual);
        assert_eq!(defaults.scale.kind, ScaleKind::None);
        assert_eq!(defaults.counter.mode, Mode::Counter);
    }

    #[test]
    fn environment_keys_nest_and_zip_codes_stay_text() {
        let config = load(
            &[
                ("POSTCOUNTER_ORIGIN_ZIP", "02134"),
                (
                    "POSTCOUNTER_PRINTER__LABEL__TRANSPORT",
                    "tcp:127.0.0.1:9100",
                ),
                ("POSTCOUNTER_LICENSE_NUMBER", "42"),
                ("POSTCOUNTER_LINK__ENDPOINTS", "http://a:1, http://b:2"),
                ("POSTCOUNTER_CONFIG_UNRELATED", "x"),
                ("OTHER", "x"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(config.origin_zip, "02134");
        assert_eq!(config.license_number, 42);
        assert_eq!(
            config.printer.label.transport,
            TransportSetting::Tcp("127.0.0.1:9100".into())
        );
        assert_eq!(config.link.endpoints, ["http://a:1", "http://b:2"]);
    }

    #[test]
    fn a_file_replaces_a_list_and_merges_a_table_key_by_key() {
        let config = load(
            &[],
            Some("[receipt]\nheader = [\"ONE LINE\"]\n[printer.receipt]\ntransport = \"file:/dev/usb/lp1\"\n"),
        )
        .unwrap();
        assert_eq!(config.receipt.header, ["ONE LINE"]);
        assert_eq!(config.printer.receipt.profile, "receipt-80mm");
        assert_eq!(
            config.printer.receipt.transport,
            TransportSetting::File("/dev/usb/lp1".into())
        );
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_file_and_name() {
        let err = load(&[], Some("orgin_zip = \"02134\"\n")).unwrap_err();
        assert!(err.source_name.ends_with("site.toml"), "{err}");
        assert!(err.reason.starts_with("unknown key `orgin_zip`"), "{err}");
        let nested = load(&[], Some("[printer.label]\ntransprt = \"virtual\"\n")).unwrap_err();
        assert!(
            nested
                .reason
                .starts_with("unknown key `printer.label.transprt`"),
            "{nested}"
        );
        let from_env = load(&[("POSTCOUNTER_SCALE__KINDE", "nci")], None).unwrap_err();
        assert_eq!(from_env.source_name, "the environment");
        assert!(
            from_env.reason.starts_with("unknown key `scale.kinde`"),
            "{from_env}"
        );
    }

    #[test]
    fn a_kind_outside_its_choices_stops_loading_with_the_key() {
        for (variable, value, expected) in [
            (
                "POSTCOUNTER_SCALE__KIND",
                "ncx",
                "expected none, nci, hid-pos or mt-sics",
            ),
            (
                "POSTCOUNTER_COUNTER__MODE",
                "clerk",
                "expected counter or kiosk",
            ),
            (
                "POSTCOUNTER_COUNTER__CARD_GATEWAY",
                "stripe",
                "expected data-centre",
            ),
            (
                "POSTCOUNTER_PRINTER__LABEL__TRANSPORT",
                "lpt:/dev/lp0",
                "expected virtual, file:PATH",
            ),
        ] {
            let err = load(&[(variable, value)], None).unwrap_err();
            assert_eq!(err.source_name, "the environment");
            let err = err.to_string();
            assert!(err.contains(&format!("{value:?} is not accepted")), "{err}");
            assert!(err.contains(expected), "{err}");
            let key = variable["POSTCOUNTER_".len()..]
                .replace("__", ".")
                .to_ascii_lowercase();
            assert!(err.contains(&format!("`{key}`")), "{err}");
        }
    }

    #[test]
    fn a_value_not_accepted_names_the_file_that_set_it() {
        let err = load(&[], Some("[link]\ntimeout_ms = \"soon\"\n")).unwrap_err();
        assert!(err.source_name.ends_with("site.toml"), "{err}");
        assert!(
            err.reason.contains("\"soon\" is not a whole number"),
            "{err}"
        );
        assert!(err.reason.contains("`link.timeout_ms`"), "{err}");
    }

    #[test]
    fn a_named_file_that_does_not_exist_stops_loading() {
        let missing = Path::new("/nonexistent/postcounter.toml");
        let err = Config::load_from(Some(missing), &[], &HashMap::new()).unwrap_err();
        assert_eq!(err.source_name, "/nonexistent/postcounter.toml");
        assert!(err.reason.starts_with("no such file"), "{err}");
    }
}
