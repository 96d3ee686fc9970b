//! A pseudo-terminal pair, so that simulated devices sit behind a real terminal device.
//!
//! The simulator holds the master side; the driver under test opens the slave path
//! (`/dev/pts/N`) exactly as it opens a USB serial adapter, configures it with termios and
//! reads it with timeouts. The slave is opened here too and kept open for the pair's lifetime:
//! on Linux the master reads EIO whenever no slave is open, which would make the simulator
//! see a hang-up each time a driver closes and reopens the device.

use std::fs::File;
use std::io;

use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{self, OptionalActions};

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
