//! SoftHSM2 tokens of a test's own: a configuration file pointing at a token folder in a
//! temporary directory, initialized with `softhsm2-util`, so tests never touch the machine's
//! tokens. The library reads `SOFTHSM2_CONF` when it is loaded, so the tokens are used by
//! child processes (`postcounter ...`, `pkcs11-tool`) given [`SoftHsm::env`].

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's `softhsm2` package puts the PKCS#11 library.
pub const LIBRARY: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const USER_PIN: &str = "475912";

pub struct SoftHsm {
    /// Holds the tokens; removed when the test ends.
    _dir: tempfile::TempDir,
    pub conf: PathBuf,
    pub pin_file: PathBuf,
}

impl SoftHsm {
    /// Tokens labelled `labels`, or `None` (with a note) when SoftHSM2 is not installed
    /// and CI is not set; under CI a missing SoftHSM2 fails the test.
    pub fn with_tokens(test: &str, labels: &[&str]) -> Option<SoftHsm> {
        if !Path::new(LIBRARY).exists() {
            assert!(
                !super::under_ci(),
                "CI is set but {LIBRARY} is missing: .ci/run installs softhsm2"
            );
            eprintln!("{test}: skipped: no SoftHSM2 (apt-get install softhsm2)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        for label in labels {
            let output = Command::new("softhsm2-util")
                .args(["--init-token", "--free", "--label", label])
                .args(["--so-pin", "10293847", "--pin", USER_PIN])
                .env("SOFTHSM2_CONF", &conf)
                .output()
                .unwrap();
            assert!(output.status.success(), "init token {label}: {output:?}");
        }
        let pin_file = dir.path().join("user.pin");
        std::fs::write(&pin_file, format!("{USER_PIN}\n")).unwrap();
        set_mode(&pin_file, 0o600);
        Some(SoftHsm {
            _dir: dir,
            conf,
            pin_file,
        })
    }

    /// What a process needs to find these tokens.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("SOFTHSM2_CONF".to_string(), self.conf.display().to_string())]
    }

    /// [`SoftHsm::env`] plus the settings that make `vendor serve` and `admin` sign in them.
    pub fn vendor_env(&self) -> Vec<(String, String)> {
        let mut env = self.env();
        for (key, value) in [
            ("POSTCOUNTER_VENDOR__CRYPTO_MODULE", "pkcs11"),
            ("POSTCOUNTER_VENDOR__PKCS11_LIBRARY", LIBRARY),
            (
                "POSTCOUNTER_VENDOR__PKCS11_PIN_FILE",
                self.pin_file.to_str().unwrap(),
            ),
        ] {
            env.push((key.to_string(), value.to_string()));
        }
        env
    }

    /// `pkcs11-tool` (OpenSC, an independent PKCS#11 client) on the token `label`, logged in.
    pub fn pkcs11_tool(&self, label: &str, args: &[&str]) -> std::process::Output {
        Command::new("pkcs11-tool")
            .args([
                "--module",
                LIBRARY,
                "--token-label",
                label,
                "--login",
                "--pin",
                USER_PIN,
            ])
            .args(args)
            .envs(self.env())
            .output()
            .unwrap()
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
