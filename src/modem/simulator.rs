//! A telephone line with a modem at each end, for tests and for trying the product by hand:
//! two pseudo-terminals, the station's and the data centre's, joined like a phone line. Each
//! end speaks Hayes commands (no echo, verbal result codes): `AT...` is `OK`, `ATD<number>`
//! rings the other end (`RING` every ring interval) until it sends `ATA`, then both get
//! `CONNECT 33600` and the line carries bytes both ways at the line rate (33.6 kbit/s by
//! default, so a test sees what a real call costs). `+++` after a guard time returns an end
//! to command mode; `ATH` hangs up and the other end gets `NO CARRIER`. A call idle for the
//! idle limit drops, as a modem's inactivity timer drops it.
//!
//! Faults are armed by the test (or typed at `postcounter simulate modem`): the next dials
//! answer `BUSY`, `NO CARRIER` or `NO DIALTONE`, or the call in progress drops.

mod line;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::scale::pty::PseudoTerminal;
use line::Line;

/// How the line behaves.
#[derive(Clone, Debug)]
pub struct LineSettings {
    /// The number that reaches the data centre's end.
    pub number: String,
    /// The line rate both modems connect at, in bit/s.
    pub rate_bps: u32,
    pub ring_interval: Duration,
    /// Rings before the dialing end gets `NO ANSWER`.
    pub max_rings: u32,
    /// A connected call with no byte either way for this long drops.
    pub idle_limit: Duration,
}

impl Default for LineSettings {
    fn default() -> LineSettings {
        LineSettings {
            number: "5550100".into(),
            rate_bps: 33_600,
            ring_interval: Duration::from_millis(500),
            max_rings: 6,
            idle_limit: Duration::from_secs(60),
        }
    }
}

/// Faults the next calls meet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    pub busy: u32,
    pub no_carrier: u32,
    pub no_dialtone: u32,
    /// Drop the call in progress.
    pub drop_call: bool,
}

/// The running line; dropping it hangs up and stops its thread.
pub struct PhoneLine {
    pub station_path: String,
    pub centre_path: String,
    faults: Arc<Mutex<Faults>>,
    /// Every byte a call carried, either way: what a wiretap on the line would read.
    heard: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PhoneLine {
    pub fn start(settings: LineSettings) -> io::Result<PhoneLine> {
        let ends = [PseudoTerminal::open()?, PseudoTerminal::open()?];
        let station_path = ends[0].slave_path.clone();
        let centre_path = ends[1].slave_path.clone();
        let faults = Arc::new(Mutex::new(Faults::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let (thread_faults, thread_stop) = (faults.clone(), stop.clone());
        let mut line = Line::new(ends, settings, heard.clone());
        let thread = std::thread::Builder::new()
            .name("phone-line".into())
            .spawn(move || line.run(&thread_faults, &thread_stop))?;
        Ok(PhoneLine {
            station_path,
            centre_path,
            faults,
            heard,
            stop,
            thread: Some(thread),
        })
    }

    /// Arms faults for the next calls (added to those armed already).
    pub fn arm(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.faults.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// What the calls so far carried, both ways, as a wiretap heard it.
    pub fn wiretap(&self) -> Vec<u8> {
        self.heard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for PhoneLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
