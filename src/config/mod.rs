//! Layered settings: embedded defaults < `/etc/postcounter/postcounter.toml` <
//! `./postcounter.toml` < the file named by `--config` < `POSTCOUNTER_*` environment < flags.
//!
//! Every layer is a TOML table merged key by key over the one below, and the result is read
//! with unknown keys refused, so a typo in a kiosk's config stops start-up with the file and
//! the key rather than being silently ignored. ZIP codes stay text everywhere ("02134" is not
//! the number 2134); environment values are text and numeric settings accept text.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Table;

use crate::money::Money;

mod values;

use values::{bool_or_text, list_or_text, money, number_or_text};

const DEFAULTS: &str = include_str!("../../postcounter.default.toml");
const ENV_PREFIX: &str = "POSTCOUNTER_";

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
    /// The embedded PSD's device id (its serial number).
    #[serde(deserialize_with = "number_or_text")]
    pub psd_id: u32,
    /// The embedded PSD's certificate serial, used when its key is first created.
    #[serde(deserialize_with = "number_or_text")]
    pub certificate_serial: u32,
    /// How many years a new PSD certificate is valid.
    #[serde(deserialize_with = "number_or_text")]
    pub certificate_validity_years: u32,
    /// An unused indicium may be voided this many days after its date of mailing.
    #[serde(deserialize_with = "number_or_text")]
    pub void_window_days: i32,
    /// Funds credited to a brand-new PSD so that a fresh install can sell at once.
    #[serde(deserialize_with = "money")]
    pub demo_refill: Money,
    /// A folder of rate files to use instead of the embedded tables.
    #[serde(default)]
    pub rates_dir: Option<PathBuf>,
    pub printer: PrinterSettings,
    pub receipt: ReceiptSettings,
    pub scale: ScaleSettings,
    pub counter: CounterSettings,
    pub vendor: VendorConfig,
    pub link: LinkConfig,
}

/// The counter's link to its vendor (see `link`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// Vendor base URLs; empty: the in-process vendor, or stand-alone (`vendor.in_process`).
    #[serde(deserialize_with = "list_or_text")]
    pub endpoints: Vec<String>,
    pub enrollment_code: String,
    pub counter_name: String,
    #[serde(deserialize_with = "number_or_text")]
    pub timeout_ms: u64,
    #[serde(deserialize_with = "number_or_text")]
    pub attempts: u32,
    #[serde(deserialize_with = "money")]
    pub offline_max_value: Money,
    #[serde(deserialize_with = "number_or_text")]
    pub offline_max_days: i64,
    #[serde(deserialize_with = "number_or_text")]
    pub inspection_window_days: i64,
    #[serde(deserialize_with = "number_or_text")]
    pub reconcile_interval_s: u64,
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
    /// With no `[link]` endpoints: run the vendor in-process on loopback (else stand-alone).
    #[serde(deserialize_with = "bool_or_text")]
    pub in_process: bool,
    /// The in-process vendor's central PSD and its certificate serial.
    #[serde(deserialize_with = "number_or_text")]
    pub local_psd_id: u32,
    #[serde(deserialize_with = "number_or_text")]
    pub local_certificate_serial: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterSettings {
    /// `counter` (a clerk) or `kiosk` (self-service).
    pub mode: String,
    #[serde(deserialize_with = "number_or_text")]
    pub done_timeout_s: u64,
    #[serde(deserialize_with = "number_or_text")]
    pub inactivity_timeout_s: u64,
    /// The card processor: `test` (the built-in test gateway, documented test numbers).
    pub card_gateway: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSettings {
    /// `none` (the clerk types weights) or `nci` (an Avery Weigh-Tronix NCI serial scale).
    pub kind: String,
    /// The serial device of an NCI scale, e.g. /dev/ttyUSB0.
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
    pub transport: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptSettings {
    pub header: Vec<String>,
    pub footer: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {reason}")]
pub struct ConfigError {
    pub source_name: String,
    pub reason: String,
}

/// Merges `upper` over `lower`, table by table.
fn merge(lower: &mut Table, upper: Table) {
    for (key, value) in upper {
        match (lower.get_mut(&key), value) {
            (Some(toml::Value::Table(below)), toml::Value::Table(above)) => merge(below, above),
            (_, value) => {
                lower.insert(key, value);
            }
        }
    }
}

fn parse_layer(source_name: &str, text: &str) -> Result<Table, ConfigError> {
    text.parse::<Table>().map_err(|e| ConfigError {
        source_name: source_name.to_string(),
        reason: e.to_string().trim().to_string(),
    })
}

/// `POSTCOUNTER_PRINTER__LABEL__TRANSPORT=tcp:...` becomes `printer.label.transport`.
fn environment_layer(variables: impl Iterator<Item = (String, String)>) -> Table {
    let mut layer = Table::new();
    for (name, value) in variables {
        let Some(path) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if path == "CONFIG" || path.is_empty() {
            continue;
        }
        let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
        merge(&mut layer, nested(&keys, value));
    }
    layer
}

/// `["printer", "label", "transport"]` and a value as nested one-key tables.
fn nested(keys: &[String], value: String) -> Table {
    let mut table = Table::new();
    match keys {
        [] => {}
        [last] => {
            table.insert(last.clone(), toml::Value::String(value));
        }
        [first, rest @ ..] => {
            table.insert(first.clone(), toml::Value::Table(nested(rest, value)));
        }
    }
    table
}

impl Config {
    /// `certificate_validity_years` in days; refused outside 1 to 20 years.
    pub fn certificate_validity_days(&self) -> Result<i32, String> {
        i32::try_from(self.certificate_validity_years)
            .ok()
            .filter(|years| (1..=20).contains(years))
            .map(|years| years * 365)
            .ok_or_else(|| {
                format!(
                    "certificate_validity_years {} is not accepted: expected 1 to 20",
                    self.certificate_validity_years
                )
            })
    }

    /// Loads every layer; `explicit_file` is `--config`, `overrides` are flag values as
    /// (dotted key, value) pairs.
    pub fn load(
        explicit_file: Option<&Path>,
        overrides: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        let mut merged = parse_layer("embedded defaults", DEFAULTS)?;
        let mut files = vec![
            (PathBuf::from("/etc/postcounter/postcounter.toml"), false),
            (PathBuf::from("postcounter.toml"), false),
        ];
        // A file named on purpose must exist: a kiosk must not start on the defaults
        // because of a typo in its path.
        if let Ok(from_env) = std::env::var("POSTCOUNTER_CONFIG") {
            files.push((PathBuf::from(from_env), true));
        }
        files.extend(explicit_file.map(|path| (path.to_path_buf(), true)));
        for (file, explicitly_named) in files {
            match std::fs::read_to_string(&file) {
                Ok(text) => merge(
                    &mut merged,
                    parse_layer(&file.display().to_string(), &text)?,
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicitly_named => {}
                Err(e) => {
                    return Err(ConfigError {
                        source_name: file.display().to_string(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        // Only variables that name a setting: other programs' POSTCOUNTER_* variables (and
        // POSTCOUNTER_CONFIG itself) are not ours to refuse.
        let known: Vec<String> = merged
            .keys()
            .cloned()
            .chain(["rates_dir".to_string()])
            .collect();
        let ours = std::env::vars().filter(|(name, _)| {
            name.strip_prefix(ENV_PREFIX)
                .and_then(|rest| rest.split("__").next())
                .is_some_and(|top| known.contains(&top.to_ascii_lowercase()))
        });
        merge(&mut merged, environment_layer(ours));
        let mut flags = Table::new();
        for (key, value) in overrides {
            merge(
                &mut flags,
                environment_layer(std::iter::once((
                    format!(
                        "{ENV_PREFIX}{}",
                        key.replace('.', "__").to_ascii_uppercase()
                    ),
                    value.clone(),
                ))),
            );
        }
        merge(&mut merged, flags);
        let mut config: Config = Config::deserialize(merged).map_err(|e| ConfigError {
            source_name: "configuration".into(),
            reason: e.to_string().trim().to_string(),
        })?;
        if config.data_dir.as_os_str().is_empty() {
            config.data_dir = default_data_dir();
        }
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

    #[test]
    fn the_embedded_defaults_load() {
        let defaults: Config = Config::deserialize(parse_layer("d", DEFAULTS).unwrap()).unwrap();
        assert_eq!(defaults.printer.label.transport, "virtual");
    }

    #[test]
    fn environment_keys_nest_and_zip_codes_stay_text() {
        let mut merged = parse_layer("d", DEFAULTS).unwrap();
        let env = [
            ("POSTCOUNTER_ORIGIN_ZIP".to_string(), "02134".to_string()),
            (
                "POSTCOUNTER_PRINTER__LABEL__TRANSPORT".to_string(),
                "tcp:127.0.0.1:9100".to_string(),
            ),
            ("POSTCOUNTER_PSD_ID".to_string(), "42".to_string()),
            ("OTHER".to_string(), "x".to_string()),
        ];
        merge(&mut merged, environment_layer(env.into_iter()));
        let config = Config::deserialize(merged).unwrap();
        assert_eq!(config.origin_zip, "02134");
        assert_eq!(config.psd_id, 42);
        assert_eq!(config.printer.label.transport, "tcp:127.0.0.1:9100");
    }

    #[test]
    fn a_switch_takes_a_boolean_or_its_text_and_refuses_anything_else() {
        let load = |value: &str| {
            let mut merged = parse_layer("d", DEFAULTS).unwrap();
            let env = [(
                "POSTCOUNTER_VENDOR__IN_PROCESS".to_string(),
                value.to_string(),
            )];
            merge(&mut merged, environment_layer(env.into_iter()));
            Config::deserialize(merged).map(|c| c.vendor.in_process)
        };
        assert!(load("true").unwrap());
        assert!(!load(" false ").unwrap());
        let err = load("no").unwrap_err().to_string();
        assert!(
            err.contains("\"no\" is not accepted: expected true or false"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        let mut merged = parse_layer("d", DEFAULTS).unwrap();
        merge(
            &mut merged,
            parse_layer("f", "orgin_zip = \"02134\"").unwrap(),
        );
        let err = Config::deserialize(merged).unwrap_err().to_string();
        assert!(err.contains("unknown field `orgin_zip`"), "{err}");
    }
}
