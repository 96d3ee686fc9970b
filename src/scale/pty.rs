//! A pseudo-terminal pair, so that simulated devices sit behind a real terminal device.
//!
//! The simulator holds the master side; the driver under test opens the slave path
//! (`/dev/pts/N`) exactly as it opens a USB serial adapter, configures it with termios and
//! reads it with timeouts. The slave is opened here too and kept open for the pair's lifetime:
//! on Linux the master reads EIO whenever no slave is open, which would make the simulator
//! see a hang-up each time a driver closes and reopens the device.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, poll};

use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{self, OptionalActions};

use crate::serial_port::timespec;

#[derive(Debug)]
pub struct PseudoTerminal {
    /// The device side: what the simulated scale reads and writes.
    pub master: File,
    /// Held open so the master never sees a hang-up between two driver sessions.
    pub slave_keepalive: File,
    /// The path a driver opens, like `/dev/pts/3`.
    pub slave_path: String,
}

impl PseudoTerminal {
    /// Opens a new pair whose slave is already raw (no echo, no CR/LF translation), as a
    /// serial device is; a driver will set its own mode anyway.
    pub fn open() -> io::Result<PseudoTerminal> {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let slave_path = ptsname(&master, Vec::new())?
            .into_string()
            .map_err(|_| io::Error::other("the pseudo-terminal's name is not UTF-8"))?;
        let flags =
            rustix::fs::OFlags::RDWR | rustix::fs::OFlags::NOCTTY | rustix::fs::OFlags::CLOEXEC;
        let slave = rustix::fs::open(slave_path.as_str(), flags, rustix::fs::Mode::empty())?;
        let mut settings = termios::tcgetattr(&slave)?;
        settings.make_raw();
        termios::tcsetattr(&slave, OptionalActions::Now, &settings)?;
        Ok(PseudoTerminal {
            master: File::from(master),
            slave_keepalive: File::from(slave),
            slave_path,
        })
    }
}

/// A simulated line-protocol device on its own thread: it reads command lines (ended by CR;
/// LF is ignored, so CR LF works too) from the master side of a fresh pseudo-terminal and
/// writes whatever `respond` returns. Dropping it stops the thread. The NCI and MT-SICS
/// simulators are both this loop with their own answers.
#[derive(Debug)]
pub(crate) struct LineDevice {
    path: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How often the device thread checks that it should stop.
const STOP_POLL: Duration = Duration::from_millis(20);

impl LineDevice {
    /// Starts the device; a command line longer than `max_line_bytes` is noise and dropped.
    pub(crate) fn start(
        name: &str,
        max_line_bytes: usize,
        respond: impl FnMut(&[u8]) -> Option<Vec<u8>> + Send + 'static,
    ) -> io::Result<LineDevice> {
        let terminal = PseudoTerminal::open()?;
        let path = terminal.slave_path.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || serve_lines(terminal, &thread_stop, max_line_bytes, respond))?;
        Ok(LineDevice {
            path,
            stop,
            thread: Some(thread),
        })
    }

    /// The device path to give the driver, like `/dev/pts/3`.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }
}

impl Drop for LineDevice {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // A panicked device thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

fn serve_lines(
    terminal: PseudoTerminal,
    stop: &AtomicBool,
    max_line_bytes: usize,
    mut respond: impl FnMut(&[u8]) -> Option<Vec<u8>>,
) {
    // The slave stays open until the thread ends: see `PseudoTerminal`.
    let PseudoTerminal {
        mut master,
        slave_keepalive: _slave_keepalive,
        ..
    } = terminal;
    let mut line = Vec::new();
    let mut buffer = [0u8; 64];
    while !stop.load(Ordering::Relaxed) {
        let mut fds = [PollFd::new(&master, PollFlags::IN)];
        if !matches!(poll(&mut fds, Some(&timespec(STOP_POLL))), Ok(n) if n > 0) {
            continue;
        }
        let Ok(count) = master.read(&mut buffer) else {
            return;
        };
        for &byte in &buffer[..count] {
            match byte {
                b'\r' => {
                    if let Some(reply) = respond(&line)
                        && master
                            .write_all(&reply)
                            .and_then(|()| master.flush())
                            .is_err()
                    {
                        return;
                    }
                    line.clear();
                }
                b'\n' => {}
                _ if line.len() >= max_line_bytes => line.clear(),
                _ => line.push(byte),
            }
        }
    }
}
