//! The real binary run as a script runs it: a data directory of its own, the embedded
//! defaults (no config file from the environment), output captured.

use std::path::Path;
use std::process::{Command, Output};

/// `postcounter --data-dir DATA_DIR ARGS...`, waited for.
pub fn postcounter(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("POSTCOUNTER_CONFIG")
        .output()
        .expect("the binary runs")
}

/// Captured bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
