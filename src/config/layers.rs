//! The layers, each over the one before, merged by the `config` crate: the embedded
//! defaults, `/etc/postcounter/postcounter.toml`, `./postcounter.toml`, the file named by
//! `POSTCOUNTER_CONFIG` and then by `--config`, the `POSTCOUNTER_*` environment, and flags.
//!
//! Every key a layer may set is a key of the embedded defaults (or one of the few optional
//! ones), so a key that is not is refused before anything is read, naming the file (or
//! variable) that set it: a typo in a kiosk's config must stop start-up, not be ignored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Environment, File, FileFormat, Map, Value, ValueKind};

use super::ConfigError;

pub(super) const DEFAULTS: &str = include_str!("../../postcounter.default.toml");
const ENV_PREFIX: &str = "POSTCOUNTER";
/// Keys a layer may set that the embedded defaults leave out.
const OPTIONAL_KEYS: [&str; 1] = ["rates_dir"];

/// Every layer merged, each value remembering where it came from.
pub(super) fn merged(
    explicit_file: Option<&Path>,
    overrides: &[(&str, String)],
    environment: &HashMap<String, String>,
) -> Result<config::Config, ConfigError> {
    let defaults = default_table()?;
    let mut builder =
        config::Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
    for (path, required) in files(explicit_file, environment) {
        if required && !path.is_file() {
            return Err(ConfigError {
                source_name: path.display().to_string(),
                reason: "no such file (a file named by --config or POSTCOUNTER_CONFIG must exist)"
                    .into(),
            });
        }
        builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(required));
    }
    builder = builder.add_source(
        Environment::with_prefix(ENV_PREFIX)
            .prefix_separator("_")
            .separator("__")
            .source(Some(variables_of_settings(environment, &defaults))),
    );
    for (key, value) in overrides {
        builder = builder
            .set_override(*key, value.clone())
            .map_err(|e| error("a flag", e))?;
    }
    let layers = builder.build().map_err(|e| error("configuration", e))?;
    refuse_unknown_keys(&layers, &defaults)?;
    Ok(layers)
}

/// The files in layer order, and whether each must exist: a file named on purpose must, so a
/// kiosk does not start on the defaults because of a typo in its path.
fn files(
    explicit_file: Option<&Path>,
    environment: &HashMap<String, String>,
) -> Vec<(PathBuf, bool)> {
    let mut files = vec![
        (PathBuf::from("/etc/postcounter/postcounter.toml"), false),
        (PathBuf::from("postcounter.toml"), false),
    ];
    if let Some(from_env) = environment.get("POSTCOUNTER_CONFIG") {
        files.push((PathBuf::from(from_env), true));
    }
    files.extend(explicit_file.map(|path| (path.to_path_buf(), true)));
    files
}

/// Only the variables that name a setting: other programs' `POSTCOUNTER_*` variables (and
/// `POSTCOUNTER_CONFIG` itself) are not ours to refuse.
fn variables_of_settings(
    variables: &HashMap<String, String>,
    defaults: &Map<String, Value>,
) -> Map<String, String> {
    let prefix = format!("{ENV_PREFIX}_");
    variables
        .iter()
        .filter(|(name, _)| {
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.split("__").next())
                .map(str::to_ascii_lowercase)
                .is_some_and(|top| {
                    defaults.contains_key(&top) || OPTIONAL_KEYS.contains(&top.as_str())
                })
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// The embedded defaults' table: the keys every layer may set.
fn default_table() -> Result<Map<String, Value>, ConfigError> {
    let defaults = config::Config::builder()
        .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
        .build()
        .map_err(|e| error("embedded defaults", e))?;
    match defaults.cache.kind {
        ValueKind::Table(table) => Ok(table),
        _ => Err(ConfigError {
            source_name: "embedded defaults".into(),
            reason: "not a table of settings".into(),
        }),
    }
}

/// Refuses the first key that no default names, with the layer that set it.
fn refuse_unknown_keys(
    layers: &config::Config,
    defaults: &Map<String, Value>,
) -> Result<(), ConfigError> {
    let ValueKind::Table(merged) = &layers.cache.kind else {
        return Err(ConfigError {
            source_name: "configuration".into(),
            reason: "the layers do not merge into a table of settings".into(),
        });
    };
    let unknown = first_unknown("", merged, defaults);
    match unknown {
        None => Ok(()),
        Some((key, origin)) => Err(ConfigError {
            source_name: origin,
            reason: format!(
                "unknown key `{key}` (every key is listed, with what it does, in postcounter.default.toml)"
            ),
        }),
    }
}

/// The path and origin of a key in `merged` that `known` has no place for.
fn first_unknown(
    prefix: &str,
    merged: &Map<String, Value>,
    known: &Map<String, Value>,
) -> Option<(String, String)> {
    let mut keys: Vec<&String> = merged.keys().collect();
    keys.sort();
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let value = &merged[key];
        match known.get(key) {
            None if prefix.is_empty() && OPTIONAL_KEYS.contains(&key.as_str()) => {}
            None => {
                let origin = value.origin().unwrap_or("a flag").to_string();
                return Some((path, origin));
            }
            Some(default) => {
                if let (ValueKind::Table(inner), ValueKind::Table(known_inner)) =
                    (&value.kind, &default.kind)
                    && let Some(found) = first_unknown(&path, inner, known_inner)
                {
                    return Some(found);
                }
            }
        }
    }
    None
}

/// The settings read from `layers`; a value that is not accepted is reported with the layer
/// that set it.
pub(super) fn settings<T: serde::de::DeserializeOwned>(
    layers: config::Config,
) -> Result<T, ConfigError> {
    let merged = layers.cache.clone();
    layers.try_deserialize().map_err(|e| {
        let key = match &e {
            config::ConfigError::At { key: Some(key), .. }
            | config::ConfigError::Type { key: Some(key), .. } => Some(key.as_str()),
            _ => None,
        };
        let origin = key.and_then(|key| origin_of(&merged, key));
        error(origin.unwrap_or("configuration"), e)
    })
}

/// Where the value at the dotted `key` came from: a file, the environment; `None` for the
/// embedded defaults or a key not found.
fn origin_of<'v>(merged: &'v Value, key: &str) -> Option<&'v str> {
    let mut value = merged;
    for segment in key.split('.') {
        let ValueKind::Table(table) = &value.kind else {
            return None;
        };
        value = table.get(segment)?;
    }
    value.origin()
}

/// A `config` error as the operator reads it: where, then what.
pub(super) fn error(source_name: &str, error: config::ConfigError) -> ConfigError {
    ConfigError {
        source_name: source_name.to_string(),
        reason: error.to_string().trim().to_string(),
    }
}
