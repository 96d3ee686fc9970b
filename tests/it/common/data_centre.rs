//! A data centre as a separate `vendor serve` process over a fixture store, and counters
//! (the real binary, each in its own data directory) enrolled with it: for the tests that
//! drive the whole product from the command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::vendor::{StoreKind, VendorFixture};
use super::vendor_process::VendorProcess;

/// The data centre: its fixture (store, key folder) and its running `vendor serve`.
pub struct DataCentre {
    pub fixture: VendorFixture,
    pub process: VendorProcess,
}

impl DataCentre {
    pub fn start(runtime: &tokio::runtime::Runtime, codes: &[&str]) -> DataCentre {
        let fixture = runtime
            .block_on(VendorFixture::create(StoreKind::Sqlite))
            .unwrap();
        runtime.block_on(fixture.enroll(codes));
        let process = VendorProcess::spawn(fixture.dir.path(), &fixture.location);
        DataCentre { fixture, process }
    }

    /// `postcounter admin ...` or `keys export` on the data centre's machine.
    pub fn command(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(self.fixture.dir.path())
            .args(args)
            .env("POSTCOUNTER_VENDOR__STORE", &self.fixture.location)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        output
    }

    /// A counter in `data_dir` that enrolls here with `code` (one of [`DataCentre::start`]'s).
    pub fn counter(&self, data_dir: PathBuf, code: &str) -> Counter {
        Counter {
            data_dir,
            code: code.to_string(),
            endpoint: self.process.url.clone(),
        }
    }

    pub fn export(&self, out: &Path) {
        self.command(&["keys", "export", "--out", out.to_str().unwrap()]);
    }
}

/// A counter in its own data directory, linked to the data centre.
pub struct Counter {
    pub data_dir: PathBuf,
    pub code: String,
    pub endpoint: String,
}

impl Counter {
    pub fn command(&self, endpoint: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args)
            .env("POSTCOUNTER_LINK__ENDPOINTS", endpoint)
            .env("POSTCOUNTER_LINK__ENROLLMENT_CODE", &self.code)
            .env("POSTCOUNTER_LINK__TIMEOUT_MS", "500")
            .env("POSTCOUNTER_LINK__ATTEMPTS", "1")
            .env("POSTCOUNTER_PRINTER__LABEL__TRANSPORT", "file:/dev/null")
            .output()
            .unwrap()
    }

    pub fn reconcile(&self, extra: &[(&str, &str)]) -> String {
        let mut command = Command::new(env!("CARGO_BIN_EXE_postcounter"));
        command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["psd", "reconcile"])
            .env("POSTCOUNTER_LINK__ENDPOINTS", &self.endpoint)
            .env("POSTCOUNTER_LINK__ENROLLMENT_CODE", &self.code)
            .envs(extra.iter().copied());
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// Sells one letter with its data centre unreachable; the label's indicium, as a file.
    pub fn sell_offline(&self, dead_endpoint: &str, name: &str) -> (String, PathBuf) {
        let output = self.command(dead_endpoint, super::SELL_ONE_LETTER_JSON);
        assert!(output.status.success(), "{output:?}");
        let line = String::from_utf8(output.stdout).unwrap();
        let sold: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
        assert_eq!(sold["offline"], true, "{sold}");
        let path = self.data_dir.join(format!("{name}.hex"));
        std::fs::write(&path, sold["indicium_hex"].as_str().unwrap()).unwrap();
        (sold["serial"].as_str().unwrap().to_string(), path)
    }

    pub fn certificate_serial(&self) -> u64 {
        let output = self.command(&self.endpoint, &["psd", "show", "--json"]);
        let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        shown["certificate_serial"].as_u64().unwrap()
    }
}
