//! The real binary in a real pseudo-terminal: a tmux session the test types into and reads
//! the screen of, for the counter's end-to-end tests.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    session: String,
}

impl Tmux {
    pub fn start(data_dir: &Path) -> Tmux {
        Tmux::start_with(data_dir, "", "main")
    }

    /// Starts the counter with `environment` (shell assignments) in a session named `name`.
    pub fn start_with(data_dir: &Path, environment: &str, name: &str) -> Tmux {
        let session = format!("postcounter-e2e-{name}-{}", std::process::id());
        let program = format!(
            "{environment} {} --data-dir {} 2>{}/stderr.log",
            env!("CARGO_BIN_EXE_postcounter"),
            data_dir.display(),
            data_dir.parent().unwrap().display()
        );
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "100",
                "-y",
                "30",
                &program,
            ])
            .status()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(status.success());
        Tmux { session }
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = Command::new("tmux")
                .args(["send-keys", "-t", &self.session, key])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }

    pub fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Quits the counter (Ctrl+Q) and waits (bounded) until it has exited, so every print
    /// it started has finished: the runtime's shutdown waits for its blocking tasks.
    #[allow(dead_code)] // not every test binary that shares this module quits this way
    pub fn quit(&self) {
        self.keys(&["C-q"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let alive = Command::new("tmux")
                .args(["has-session", "-t", &self.session])
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap()
                .success();
            if !alive {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the counter did not exit; the screen shows:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// From a fresh counter: a 1 oz letter to 90210 on its first service, in the basket.
    #[allow(dead_code)] // not every test binary that shares this module sells a letter
    pub fn basket_a_letter_to_90210(&self) {
        self.wait_for("Weigh the piece");
        self.keys(&["1oz", "Enter"]);
        self.wait_for("Where is it going?");
        self.keys(&["90210", "Enter"]);
        self.wait_for("Beverly Hills");
        self.keys(&["Enter"]);
        self.wait_for("Basket: 1 piece(s)");
    }

    /// Waits (bounded) until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}
