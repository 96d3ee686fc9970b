//! Walks a TOML table key by key, remembering the dotted path, so every complaint can name
//! the exact field (`status.stable`) and unknown keys are refused rather than ignored.
//!
//! serde's derive would read the files too, but its errors name neither the full path nor the
//! file, and a kiosk operator fixing a theme at the counter needs both.

use super::error::{OneOf, StyleFileError};

/// The fields of one table still to be read.
pub(crate) struct Fields<'a> {
    file: &'a str,
    prefix: String,
    table: toml::Table,
    known: &'static [&'static str],
}

impl<'a> Fields<'a> {
    /// The top-level table of `file`; `known` lists the keys it may have.
    pub(crate) fn root(file: &'a str, table: toml::Table, known: &'static [&'static str]) -> Self {
        Self {
            file,
            prefix: String::new(),
            table,
            known,
        }
    }

    /// The dotted path of `key` inside this table.
    pub(crate) fn path_of(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// An error about `key` of this table.
    pub(crate) fn invalid(&self, key: &str, reason: impl Into<String>) -> StyleFileError {
        StyleFileError::Invalid {
            file: self.file.to_owned(),
            key: self.path_of(key),
            reason: reason.into(),
        }
    }

    /// Removes and returns `key`, which must be present.
    pub(crate) fn required(&mut self, key: &str) -> Result<toml::Value, StyleFileError> {
        self.table
            .remove(key)
            .ok_or_else(|| self.invalid(key, "missing: every field must be given"))
    }

    /// Removes and returns `key` if present.
    pub(crate) fn optional(&mut self, key: &str) -> Option<toml::Value> {
        self.table.remove(key)
    }

    /// The required sub-table `key`, whose own keys should be among `known`.
    pub(crate) fn table(
        &mut self,
        key: &str,
        known: &'static [&'static str],
    ) -> Result<Fields<'a>, StyleFileError> {
        let value = self.required(key)?;
        self.as_table(key, value, known)
    }

    /// `value` (found at `key`) as a sub-table whose keys should be among `known`.
    pub(crate) fn as_table(
        &self,
        key: &str,
        value: toml::Value,
        known: &'static [&'static str],
    ) -> Result<Fields<'a>, StyleFileError> {
        match value {
            toml::Value::Table(table) => Ok(Fields {
                file: self.file,
                prefix: format!("{}.", self.path_of(key)),
                table,
                known,
            }),
            other => Err(self.invalid(key, format!("expected a table, found {}", article(&other)))),
        }
    }

    /// The keys not yet read, in alphabetical order (how toml keeps tables).
    pub(crate) fn remaining_keys(&self) -> Vec<String> {
        self.table.keys().cloned().collect()
    }

    /// Refuses the table if it has a key not in its list of known keys. Called before
    /// reading, so a misspelt key is reported as unknown rather than its intended
    /// spelling as missing.
    pub(crate) fn refuse_unknown(&self) -> Result<(), StyleFileError> {
        match self
            .table
            .keys()
            .find(|key| !self.known.contains(&key.as_str()))
        {
            None => Ok(()),
            Some(key) => Err(self.invalid(
                key,
                format!("unknown key: expected one of {}", OneOf(self.known)),
            )),
        }
    }
}

/// "a string", "an integer", ... for type complaints.
pub(crate) fn article(value: &toml::Value) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}
