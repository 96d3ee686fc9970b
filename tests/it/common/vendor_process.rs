//! `postcounter vendor serve` as a separate process, for the tests that need several
//! vendors on one store, or one that can be killed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::vendor::{StoreKind, VendorFixture};

pub struct VendorProcess {
    pub child: Child,
    pub url: String,
}

impl VendorProcess {
    /// Starts a vendor on a free loopback port over `store`, with the keys in `data_dir`,
    /// and waits until it listens.
    pub fn spawn(data_dir: &Path, store: &str) -> VendorProcess {
        VendorProcess::spawn_at(data_dir, store, "127.0.0.1:0")
    }

    /// [`VendorProcess::spawn`] listening on `listen`, for a vendor that must come back on
    /// the address its counters know.
    pub fn spawn_at(data_dir: &Path, store: &str, listen: &str) -> VendorProcess {
        VendorProcess::spawn_configured(data_dir, store, listen, &[])
    }

    /// [`VendorProcess::spawn_at`] with settings in the environment (`POSTCOUNTER_...`).
    pub fn spawn_configured(
        data_dir: &Path,
        store: &str,
        listen: &str,
        settings: &[(&str, &str)],
    ) -> VendorProcess {
        VendorProcess::spawn_with(data_dir, store, listen, settings, &[])
    }

    /// [`VendorProcess::spawn_configured`] with more arguments to `vendor serve`.
    pub fn spawn_with(
        data_dir: &Path,
        store: &str,
        listen: &str,
        settings: &[(&str, &str)],
        arguments: &[&str],
    ) -> VendorProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["vendor", "serve", "--listen", listen, "--store", store])
            .args(arguments)
            .envs(settings.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start postcounter vendor serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        // What the vendor said before it listened: its reason, if it stops instead.
        let mut said = Vec::new();
        let url = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the vendor stopped before it listened: {said:?}"))
                .expect("read the vendor's stderr");
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("an address")
                    .to_string();
            }
            said.push(line);
        };
        // Keep draining stderr so the vendor never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        VendorProcess { child, url }
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for VendorProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback address nothing listens on now, for a vendor that must come back on it.
pub fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// A data centre's store with one enrollment code for account A1, at 02134.
pub fn enrolled(runtime: &tokio::runtime::Runtime, code: &str) -> VendorFixture {
    let fixture = runtime
        .block_on(VendorFixture::create(StoreKind::Sqlite))
        .unwrap();
    runtime
        .block_on(fixture.store.create_enrollment(
            code,
            "A1",
            &postcounter::vendor_system::store::counters::check_location("02134").unwrap(),
            postcounter::clock::Clock::system().now_unix_ms() + 3_600_000,
        ))
        .unwrap();
    fixture
}
