//! The real counter binary on a pseudo-terminal of its own, driven as a clerk's keyboard
//! would drive it.
//!
//! The child must have this pseudo-terminal as its controlling terminal, not merely as its
//! stdin and stdout: crossterm reads keys from stdin when it is a tty, but it takes the
//! window size from `/dev/tty` (the controlling terminal), falling back to stdout only when
//! there is none. Run from a clerk's shell, the counter would otherwise draw for the size of
//! the shell's window. Making a controlling terminal needs `setsid()` in the child, which
//! std offers only through an `unsafe` `pre_exec`; the `setsid --ctty` program (util-linux)
//! does it instead and then execs the counter in place, so the child's pid is the
//! counter's, which [`PtySession::confirm_counter_pid`] checks before memory is read.
//!
//! Every wait is bounded and its error shows what the screen held and the counter's stderr;
//! the child is killed when the session is dropped.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{Winsize, tcsetwinsize};

use super::args::TerminalSize;
use super::memory::{MemoryUse, read_memory};
use super::screen_model::{ScreenModel, one_line};
use super::session_error::SessionError;

/// How much of the counter's stderr an error quotes, from its end.
const STDERR_TAIL_CHARS: usize = 2_000;

/// How to start a counter.
#[derive(Clone, Debug)]
pub struct Launch {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    /// The counter's working folder (so no `./postcounter.toml` of the caller applies) and
    /// where its stderr is kept.
    pub work_dir: PathBuf,
    pub size: TerminalSize,
    pub wait_timeout: Duration,
}

/// What one read of the terminal brought.
enum Output {
    /// Bytes, read at this moment.
    Bytes(Instant),
    Nothing,
    /// The counter closed its terminal: it has exited.
    Closed,
}

pub struct PtySession {
    child: Child,
    master: File,
    screen: ScreenModel,
    spawned_at: Instant,
    wait_timeout: Duration,
    stderr_path: PathBuf,
    reaped: bool,
}

impl PtySession {
    /// Starts the counter; `name` names its stderr file in the work folder.
    pub fn spawn(launch: &Launch, name: &str) -> Result<PtySession, SessionError> {
        let (master, slave) = open_pty(launch.size).map_err(SessionError::Pty)?;
        let stderr_path = launch.work_dir.join(format!("{name}.stderr"));
        let stderr = File::create(&stderr_path).map_err(SessionError::Io)?;
        let stdin = slave.try_clone().map_err(SessionError::Io)?;
        let mut command = Command::new("setsid");
        command
            .arg("--ctty")
            .arg(&launch.binary)
            .arg("--data-dir")
            .arg(&launch.data_dir)
            .current_dir(&launch.work_dir)
            .env("TERM", "xterm-256color")
            .env_remove("COLUMNS")
            .env_remove("LINES")
            .stdin(Stdio::from(stdin))
            .stdout(Stdio::from(slave))
            .stderr(Stdio::from(stderr));
        // The benchmark measures the defaults, not whatever this shell configures.
        for (variable, _) in std::env::vars_os() {
            if variable.to_string_lossy().starts_with("POSTCOUNTER_") {
                command.env_remove(variable);
            }
        }
        let spawned_at = Instant::now();
        let child = command.spawn().map_err(|source| SessionError::Spawn {
            program: "setsid (util-linux)".into(),
            source,
        })?;
        drop(command); // closes this side's copies of the slave
        Ok(PtySession {
            child,
            master,
            screen: ScreenModel::new(launch.size.columns, launch.size.rows),
            spawned_at,
            wait_timeout: launch.wait_timeout,
            stderr_path,
            reaped: false,
        })
    }

    pub fn spawned_at(&self) -> Instant {
        self.spawned_at
    }

    pub fn screen(&self) -> &ScreenModel {
        &self.screen
    }

    /// Checks that the child process is `binary` itself (not a wrapper that forked it).
    pub fn confirm_counter_pid(&self, binary: &Path) -> Result<(), SessionError> {
        let pid = self.child.id();
        let running = std::fs::read_link(format!("/proc/{pid}/exe")).map_err(SessionError::Io)?;
        let expected = binary.canonicalize().map_err(SessionError::Io)?;
        if running == expected {
            return Ok(());
        }
        Err(SessionError::NotTheCounter {
            pid,
            running: running.display().to_string(),
            expected: expected.display().to_string(),
        })
    }

    pub fn memory(&self) -> Result<MemoryUse, SessionError> {
        read_memory(self.child.id()).map_err(SessionError::Io)
    }

    /// Writes `bytes` as typed keys; returns the moment just before they were written.
    pub fn send(&mut self, bytes: &[u8]) -> Result<Instant, SessionError> {
        let at = Instant::now();
        self.master.write_all(bytes).map_err(SessionError::Io)?;
        Ok(at)
    }

    /// Reads the counter's output until `done` holds for a completely drawn frame; returns
    /// when the bytes that completed it were read.
    pub fn wait_until(
        &mut self,
        waiting_for: &str,
        done: impl Fn(&ScreenModel) -> bool,
    ) -> Result<Instant, SessionError> {
        if self.screen.at_frame_end() && done(&self.screen) {
            return Ok(Instant::now());
        }
        let started = Instant::now();
        let deadline = started + self.wait_timeout;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(SessionError::Timeout {
                    waiting_for: waiting_for.into(),
                    waited_ms: started.elapsed().as_millis(),
                    screen: self.screen.one_line(),
                    stderr: self.stderr_tail(),
                });
            }
            match self.read_output(remaining)? {
                Output::Bytes(at) if self.screen.at_frame_end() && done(&self.screen) => {
                    return Ok(at);
                }
                Output::Bytes(_) | Output::Nothing => {}
                Output::Closed => {
                    return Err(SessionError::Exited {
                        waiting_for: waiting_for.into(),
                        screen: self.screen.one_line(),
                        stderr: self.stderr_tail(),
                    });
                }
            }
        }
    }

    /// Sends `quit_keys` and waits (bounded) for the counter to exit, reading what it
    /// writes meanwhile so that it never blocks on a full terminal.
    pub fn quit(mut self, quit_keys: &[u8]) -> Result<ExitStatus, SessionError> {
        self.send(quit_keys)?;
        let deadline = Instant::now() + self.wait_timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().map_err(SessionError::Io)? {
                self.reaped = true;
                return Ok(status);
            }
            if let Output::Closed = self.read_output(Duration::from_millis(20))? {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        Err(SessionError::Timeout {
            waiting_for: "the counter to exit after the quit key".into(),
            waited_ms: self.wait_timeout.as_millis(),
            screen: self.screen.one_line(),
            stderr: self.stderr_tail(),
        })
    }

    fn read_output(&mut self, timeout: Duration) -> Result<Output, SessionError> {
        let wait = Timespec {
            tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(timeout.subsec_nanos()),
        };
        let mut fds = [PollFd::new(&self.master, PollFlags::IN)];
        match poll(&mut fds, Some(&wait)) {
            Ok(0) => return Ok(Output::Nothing),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(Output::Nothing),
            Err(error) => return Err(SessionError::Io(error.into())),
        }
        let mut buffer = [0; 16 * 1024];
        match self.master.read(&mut buffer) {
            Ok(0) => Ok(Output::Closed),
            Ok(count) => {
                let at = Instant::now();
                self.screen.feed(&buffer[..count]);
                let replies = self.screen.take_replies();
                if !replies.is_empty() {
                    self.master.write_all(&replies).map_err(SessionError::Io)?;
                }
                Ok(Output::Bytes(at))
            }
            // Linux reports a pseudo-terminal whose other side is all closed as EIO.
            Err(error) if error.raw_os_error() == Some(rustix::io::Errno::IO.raw_os_error()) => {
                Ok(Output::Closed)
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => Ok(Output::Nothing),
            Err(error) => Err(SessionError::Io(error)),
        }
    }

    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr_path).unwrap_or_default();
        if text.trim().is_empty() {
            return String::new();
        }
        let skip = text.chars().count().saturating_sub(STDERR_TAIL_CHARS);
        let tail: String = text.chars().skip(skip).collect();
        format!("; the counter's stderr ends with: {}", one_line(&tail))
    }
}

impl Drop for PtySession {
    fn drop(&mut self) {
        if !self.reaped {
            // Already gone is fine; there is nothing else to do while dropping.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A pseudo-terminal of `size`: the master for this side, the slave for the counter.
fn open_pty(size: TerminalSize) -> io::Result<(File, File)> {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    tcsetwinsize(
        &master,
        Winsize {
            ws_row: size.rows,
            ws_col: size.columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )?;
    let slave_path = ptsname(&master, Vec::new())?;
    let flags = rustix::fs::OFlags::RDWR | rustix::fs::OFlags::NOCTTY | rustix::fs::OFlags::CLOEXEC;
    let slave = rustix::fs::open(slave_path.as_c_str(), flags, rustix::fs::Mode::empty())?;
    Ok((File::from(master), File::from(slave)))
}
