//! A printer on a serial or USB device, simulated behind a pseudo-terminal.
//!
//! The device transport opens the terminal's path as it opens `/dev/ttyS0` or
//! `/dev/usb/lp0`. Like a real ESC/POS printer the simulator answers `DLE EOT n` wherever it
//! sees one, from a state a test sets (`set_status`: paper out, cover open), and keeps every
//! byte it receives, queries included, in arrival order. It can also stop taking bytes, as a
//! printer holding its busy line does, to exercise the transport's write deadline.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::status::PrinterStatus;
use crate::scale::PseudoTerminal;
use crate::serial_port::readable_before;

/// How often the simulator thread checks that it should stop.
const STOP_POLL: Duration = Duration::from_millis(20);

#[derive(Default)]
struct Device {
    received: Vec<u8>,
    status: PrinterStatus,
    status_queries: usize,
    /// Whether the printer has stopped reading (its buffer is full).
    busy: bool,
    /// The bytes of a `DLE EOT` split across two reads.
    partial_query: Vec<u8>,
}

/// A recording ESC/POS printer on a pseudo-terminal; stops when dropped.
pub struct DevicePrinterSimulator {
    path: String,
    device: Arc<Mutex<Device>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DevicePrinterSimulator {
    pub fn start() -> io::Result<DevicePrinterSimulator> {
        let terminal = PseudoTerminal::open()?;
        let path = terminal.slave_path.clone();
        let device = Arc::new(Mutex::new(Device::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (device, stop) = (Arc::clone(&device), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("printer-device".into())
                .spawn(move || serve(terminal, &device, &stop))?
        };
        Ok(DevicePrinterSimulator {
            path,
            device,
            stop,
            thread: Some(thread),
        })
    }

    /// The device path to configure, like `/dev/pts/4`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the printer answers to status queries from now on.
    pub fn set_status(&self, status: PrinterStatus) {
        self.lock().status = status;
    }

    /// Stops (or resumes) reading, as a printer whose buffer is full.
    pub fn set_busy(&self, busy: bool) {
        self.lock().busy = busy;
    }

    pub fn status_queries(&self) -> usize {
        self.lock().status_queries
    }

    /// Every byte received so far.
    pub fn received(&self) -> Vec<u8> {
        self.lock().received.clone()
    }

    /// Waits until `count` bytes have arrived or `timeout` passes; the bytes received by then.
    pub fn wait_for_bytes(&self, count: usize, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() >= deadline {
                return received;
            }
            std::thread::sleep(STOP_POLL);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Device> {
        lock(&self.device)
    }
}

fn lock(device: &Mutex<Device>) -> MutexGuard<'_, Device> {
    device.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for DevicePrinterSimulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(terminal: PseudoTerminal, device: &Mutex<Device>, stop: &AtomicBool) {
    let PseudoTerminal {
        mut master,
        slave_keepalive: _slave_keepalive,
        ..
    } = terminal;
    let mut chunk = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        if lock(device).busy {
            std::thread::sleep(STOP_POLL);
            continue;
        }
        if !matches!(
            readable_before(&master, Instant::now() + STOP_POLL),
            Ok(true)
        ) {
            continue;
        }
        let Ok(count) = master.read(&mut chunk) else {
            return;
        };
        let answers = take(device, &chunk[..count]);
        // A host that stopped listening is not the printer's problem.
        let _ = master.write_all(&answers).and_then(|()| master.flush());
    }
}

/// Records `bytes` and returns the answers to the `DLE EOT n` queries among them.
fn take(device: &Mutex<Device>, bytes: &[u8]) -> Vec<u8> {
    let mut device = lock(device);
    device.received.extend_from_slice(bytes);
    let mut answers = Vec::new();
    for &byte in bytes {
        let mut query = std::mem::take(&mut device.partial_query);
        query.push(byte);
        match query.as_slice() {
            [0x10] | [0x10, 0x04] => device.partial_query = query,
            [0x10, 0x04, n] => {
                device.status_queries += 1;
                answers.push(device.status.answer_to(*n));
            }
            _ if byte == 0x10 => device.partial_query = vec![0x10],
            _ => {}
        }
    }
    answers
}
