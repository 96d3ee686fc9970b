//! A network printer simulator that records every byte it receives on a real TCP socket.
//!
//! Tests of the TCP transport (and later end-to-end tests of a sale) need a printer that
//! speaks the real protocol, raw bytes on a socket, rather than a mock of our own trait. It
//! listens on 127.0.0.1 on a free port, serves one connection at a time like a real raw-port
//! printer, and keeps each connection's bytes as one job. It answers real-time status
//! queries (`DLE EOT n`) at the start of a connection as a printer does, from a state a test
//! sets (`set_status`: paper out, cover open); a connection that only asked is not a job.

use std::io::{self, Read, Write};

use super::status::PrinterStatus;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a blocked read wakes up to see whether the simulator is stopping.
const POLL_INTERVAL_MS: u64 = 50;

#[derive(Default)]
struct Recording {
    /// Every byte received, across connections, in arrival order.
    bytes: Vec<u8>,
    /// The bytes of each connection that has been closed by the client.
    jobs: Vec<Vec<u8>>,
    /// What the printer answers to `DLE EOT`.
    status: PrinterStatus,
    /// Status queries answered so far.
    status_queries: usize,
}

/// A recording raw-port printer on 127.0.0.1; stops when dropped.
pub struct RecordingPrinter {
    address: SocketAddr,
    recording: Arc<(Mutex<Recording>, Condvar)>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RecordingPrinter {
    /// Binds 127.0.0.1 on a free port and starts accepting connections.
    pub fn start() -> io::Result<RecordingPrinter> {
        RecordingPrinter::start_on("127.0.0.1:0")
    }

    /// Binds `address` (e.g. 127.0.0.1:9100) and starts accepting connections.
    pub fn start_on(address: &str) -> io::Result<RecordingPrinter> {
        let listener = TcpListener::bind(address)?;
        let address = listener.local_addr()?;
        let recording = Arc::new((Mutex::new(Recording::default()), Condvar::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = {
            let recording = Arc::clone(&recording);
            let stopping = Arc::clone(&stopping);
            thread::spawn(move || serve(listener, &recording, &stopping))
        };
        Ok(RecordingPrinter {
            address,
            recording,
            stopping,
            thread: Some(thread),
        })
    }

    /// Where to connect, e.g. for `TcpTransport::new(&printer.address().to_string())`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// What the printer will answer to status queries from now on (run out of paper, open
    /// the cover, or back to ready).
    pub fn set_status(&self, status: PrinterStatus) {
        self.lock().status = status;
    }

    /// How many status queries were answered.
    pub fn status_queries(&self) -> usize {
        self.lock().status_queries
    }

    /// Every byte received so far.
    pub fn received(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// The completed jobs (closed connections) so far.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.lock().jobs.clone()
    }

    /// Waits until at least `count` jobs are complete or `timeout_ms` passes, then returns
    /// the jobs completed by then.
    pub fn wait_for_jobs(&self, count: usize, timeout_ms: u64) -> Vec<Vec<u8>> {
        let (mutex, condvar) = &*self.recording;
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        let mut recording = mutex.lock().unwrap_or_else(PoisonError::into_inner);
        while recording.jobs.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            recording = condvar
                .wait_timeout(recording, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        recording.jobs.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recording> {
        self.recording
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for RecordingPrinter {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept call; failing to connect means the thread has already ended.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_millis(200));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: TcpListener, recording: &(Mutex<Recording>, Condvar), stopping: &AtomicBool) {
    for connection in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = connection else { continue };
        let job = record_connection(stream, recording, stopping);
        let (mutex, condvar) = recording;
        if !job.is_empty() {
            mutex
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .jobs
                .push(job);
        }
        condvar.notify_all();
    }
}

fn record_connection(
    mut stream: TcpStream,
    recording: &(Mutex<Recording>, Condvar),
    stopping: &AtomicBool,
) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(POLL_INTERVAL_MS)));
    let mut job = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return job,
            Ok(len) => {
                let mut received = &chunk[..len];
                if job.is_empty() {
                    received = answer_status_queries(&mut stream, received, recording);
                }
                job.extend_from_slice(received);
                let (mutex, _) = recording;
                mutex
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .bytes
                    .extend_from_slice(&chunk[..len]);
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                if stopping.load(Ordering::SeqCst) {
                    return job;
                }
            }
            Err(_) => return job,
        }
    }
}

/// Answers the `DLE EOT n` queries at the start of `received` (nothing else has come on this
/// connection yet) and returns the rest, which is print data.
fn answer_status_queries<'a>(
    stream: &mut TcpStream,
    mut received: &'a [u8],
    recording: &(Mutex<Recording>, Condvar),
) -> &'a [u8] {
    while let [0x10, 0x04, n, rest @ ..] = received {
        let (mutex, _) = recording;
        let answer = {
            let mut recording = mutex.lock().unwrap_or_else(PoisonError::into_inner);
            recording.status_queries += 1;
            recording.status.answer_to(*n)
        };
        // A client that stopped listening is not the printer's problem.
        let _ = stream.write_all(&[answer]);
        received = rest;
    }
    received
}
