//! A counter whose data centre is gone, for the tests of the embedded PSD on its own: a
//! separate `vendor serve` enrolls the counter, certifies and refills its embedded PSD and
//! grants it a generous offline lease at its first start, and is then stopped. The counter's
//! later commands (run with [`OfflineCounter::env`]) find nothing listening at its data
//! centre's address and issue on the embedded PSD, under that lease.

use std::path::Path;
use std::process::Command;

use super::vendor::{StoreKind, VendorFixture};
use super::vendor_process::VendorProcess;
use postcounter::clock::Clock;
use postcounter::money::Money;

pub struct OfflineCounter {
    /// The settings every command of this counter runs with.
    pub env: Vec<(String, String)>,
    _fixture: VendorFixture,
}

impl OfflineCounter {
    /// Prepares the counter in `data_dir` with `refill` (e.g. `"5000.00"`) on its embedded
    /// PSD and a 30-day lease of the same value, then stops its data centre.
    pub fn prepare(runtime: &tokio::runtime::Runtime, data_dir: &Path, refill: &str) -> Self {
        Self::prepare_leased(runtime, data_dir, refill, "720")
    }

    /// [`OfflineCounter::prepare`] with a lease of `lease_hours`.
    pub fn prepare_leased(
        runtime: &tokio::runtime::Runtime,
        data_dir: &Path,
        refill: &str,
        lease_hours: &str,
    ) -> Self {
        let fixture = runtime
            .block_on(VendorFixture::create(StoreKind::Sqlite))
            .unwrap();
        let amount: Money = refill.parse().unwrap();
        let code = "offline-counter";
        runtime.block_on(async {
            let now = Clock::system().now_unix_ms();
            fixture
                .store
                .credit_account("A1", "offline-counter", amount, now)
                .await
                .unwrap();
            fixture.enroll(&[code]).await;
        });
        let lease = [
            ("POSTCOUNTER_VENDOR__LEASE_MAX_VALUE", refill),
            ("POSTCOUNTER_VENDOR__LEASE_HOURS", lease_hours),
        ];
        let mut vendor = VendorProcess::spawn_configured(
            fixture.dir.path(),
            &fixture.location,
            "127.0.0.1:0",
            &lease,
        );
        let env: Vec<(String, String)> = [
            ("POSTCOUNTER_LINK__ENDPOINTS", vendor.url.as_str()),
            ("POSTCOUNTER_LINK__ENROLLMENT_CODE", code),
            ("POSTCOUNTER_LINK__FIRST_REFILL", refill),
            ("POSTCOUNTER_LINK__TIMEOUT_MS", "300"),
            ("POSTCOUNTER_LINK__ATTEMPTS", "1"),
        ]
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
        let counter = OfflineCounter {
            env,
            _fixture: fixture,
        };
        let first = counter
            .command(data_dir)
            .args(["psd", "reconcile"])
            .output()
            .unwrap();
        assert!(first.status.success(), "{first:?}");
        vendor.kill();
        counter
    }

    /// `postcounter --data-dir DATA_DIR` with this counter's settings.
    pub fn command(&self, data_dir: &Path) -> Command {
        self.settings(Command::new(env!("CARGO_BIN_EXE_postcounter")), data_dir)
    }

    /// [`OfflineCounter::command`] under `faketime OFFSET` (e.g. `"+2h"`, `"-1d"`): the
    /// process's wall clock moved, as a clerk or an attacker moves the system clock.
    pub fn command_at(&self, data_dir: &Path, offset: &str) -> Command {
        let mut command = Command::new("faketime");
        command
            .args(["-f", offset, env!("CARGO_BIN_EXE_postcounter")])
            // Timers and timeouts keep the real monotonic clock.
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        self.settings(command, data_dir)
    }

    fn settings(&self, mut command: Command, data_dir: &Path) -> Command {
        command.arg("--data-dir").arg(data_dir);
        command.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }
}
