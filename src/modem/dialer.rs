//! The station's modem: dials the data centre when no Internet endpoint answers, and carries
//! the API's requests over the call (see [`super::http_line`]). A call is placed with `ATZ`,
//! the configured init string and `ATDT<number>`; `BUSY`, `NO CARRIER`, `NO ANSWER` and `NO
//! DIALTONE` are tried again after a back-off that doubles, up to the configured attempts. A
//! call stays up for the requests that follow, and is hung up (`+++`, `ATH`) after a quiet
//! spell or when the Internet is back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::ResultCode;
use super::http_line::{LineError, Message, read_message, write_message};
use crate::serial_port::{FlowControl, SerialPort};

/// `[link.modem]`, as the link uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModemSettings {
    /// The modem's serial device, e.g. `/dev/ttyS0`.
    pub device: String,
    /// The data centre's number, dialed with `ATDT`.
    pub number: String,
    /// Sent after `ATZ` (e.g. `AT&F E0 V1`); empty: none.
    pub init: String,
    /// The serial line's rate to the modem (the line rate is the modems' own).
    pub baud: u32,
    /// Dial attempts per call.
    pub attempts: u32,
    /// The pause after the first failed dial; it doubles after each.
    pub backoff: Duration,
    /// How long a dial may ring before it is given up.
    pub answer_timeout: Duration,
}

/// Why no answer came over the modem.
#[derive(Debug, thiserror::Error)]
pub enum ModemError {
    #[error("the modem {device}: {reason}")]
    Device { device: String, reason: String },
    #[error("dialing {number} failed {attempts} time(s), last: {last}")]
    NotConnected {
        number: String,
        attempts: u32,
        last: String,
    },
    #[error("the call: {0}")]
    Line(#[from] LineError),
}

impl ModemError {
    /// Whether the request may have reached the data centre (sent on a call that then
    /// failed): only then can it have acted on it.
    pub fn maybe_delivered(&self) -> bool {
        matches!(self, ModemError::Line(_))
    }
}

/// A call in progress.
struct Call {
    port: SerialPort,
    pending: Vec<u8>,
    rate_bps: u32,
}

/// The station's modem, one call at a time.
pub struct Modem {
    settings: ModemSettings,
    call: Mutex<Option<Call>>,
    /// Whether the modem was reset since this process opened it (see [`reset_line`]).
    reset: std::sync::atomic::AtomicBool,
    /// The messages' bytes sent and received over calls, for the measurements.
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
}

impl Modem {
    pub fn new(settings: ModemSettings) -> Modem {
        Modem {
            settings,
            call: Mutex::new(None),
            reset: std::sync::atomic::AtomicBool::new(false),
            bytes_sent: AtomicU64::new(0),
            bytes_received: AtomicU64::new(0),
        }
    }

    pub fn settings(&self) -> &ModemSettings {
        &self.settings
    }

    /// Sends `request` and reads its answer, dialing first when no call is up. A call that
    /// fails is hung up; the next exchange dials again. Blocking: run it off the runtime.
    pub fn exchange(&self, request: &Message, timeout: Duration) -> Result<Message, ModemError> {
        let mut slot = self.call.lock().unwrap_or_else(PoisonError::into_inner);
        // A call the line dropped since the last exchange is dialed again, before anything
        // is sent on it.
        if slot.as_mut().is_some_and(dropped) {
            log::warn!(
                "the modem call to {} dropped; dialing again",
                self.settings.number
            );
            *slot = None;
        }
        if slot.is_none() {
            *slot = Some(self.dial()?);
        }
        let Some(call) = slot.as_mut() else {
            return Err(self.device_error("no call after dialing"));
        };
        let deadline = Instant::now() + timeout;
        let answer = write_message(&mut call.port, request, deadline)
            .and_then(|()| read_message(&mut call.port, &mut call.pending, deadline));
        match &answer {
            Ok(answer) => {
                self.bytes_sent
                    .fetch_add(request.to_bytes().len() as u64, Ordering::Relaxed);
                self.bytes_received
                    .fetch_add(answer.to_bytes().len() as u64, Ordering::Relaxed);
            }
            Err(_) => {
                if let Some(mut call) = slot.take() {
                    reset_line(&mut call.port, &mut call.pending);
                }
            }
        }
        Ok(answer?)
    }

    /// The bytes of the messages exchanged so far: (sent, received).
    pub fn bytes_exchanged(&self) -> (u64, u64) {
        (
            self.bytes_sent.load(Ordering::Relaxed),
            self.bytes_received.load(Ordering::Relaxed),
        )
    }

    /// The line rate of the call in progress, if one is up.
    pub fn connected_rate_bps(&self) -> Option<u32> {
        self.call
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|call| call.rate_bps)
    }

    /// Hangs up the call in progress, if any.
    pub fn hang_up(&self) {
        if let Some(mut call) = self
            .call
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            reset_line(&mut call.port, &mut call.pending);
        }
    }

    fn device_error(&self, reason: impl std::fmt::Display) -> ModemError {
        ModemError::Device {
            device: self.settings.device.clone(),
            reason: reason.to_string(),
        }
    }

    /// Places a call, trying again after busy, no carrier, no answer or no dial tone.
    fn dial(&self) -> Result<Call, ModemError> {
        let settings = &self.settings;
        let mut port = SerialPort::open(&settings.device, settings.baud, FlowControl::RtsCts)
            .map_err(|e| self.device_error(e))?;
        let mut pending = Vec::new();
        if !self.reset.swap(true, Ordering::Relaxed) {
            reset_line(&mut port, &mut pending);
        }
        let mut last = String::new();
        let mut pause = settings.backoff;
        for attempt in 1..=settings.attempts.max(1) {
            if attempt > 1 {
                std::thread::sleep(pause);
                pause = pause.saturating_mul(2);
            }
            port.discard_input().map_err(|e| self.device_error(e))?;
            pending.clear();
            let mut commands = vec!["ATZ".to_string()];
            if !settings.init.trim().is_empty() {
                commands.push(settings.init.trim().to_string());
            }
            for command in &commands {
                match self.command(&mut port, &mut pending, command, Duration::from_secs(3))? {
                    ResultCode::Ok => {}
                    other => {
                        return Err(self
                            .device_error(format!("{command} answered {}, not OK", other.text())));
                    }
                }
            }
            let dial = format!("ATDT{}", settings.number);
            match self.command(&mut port, &mut pending, &dial, settings.answer_timeout)? {
                ResultCode::Connect(rate_bps) => {
                    return Ok(Call {
                        port,
                        pending,
                        rate_bps,
                    });
                }
                other => {
                    log::warn!(
                        "dialing {} (attempt {attempt} of {}): {}",
                        settings.number,
                        settings.attempts,
                        other.text()
                    );
                    last = other.text();
                }
            }
        }
        Err(ModemError::NotConnected {
            number: settings.number.clone(),
            attempts: settings.attempts.max(1),
            last,
        })
    }

    /// Sends `command` and waits for its result code; a silent modem is an error.
    fn command(
        &self,
        port: &mut SerialPort,
        pending: &mut Vec<u8>,
        command: &str,
        timeout: Duration,
    ) -> Result<ResultCode, ModemError> {
        let deadline = Instant::now() + timeout;
        port.write_all_until(format!("{command}\r").as_bytes(), deadline)
            .map_err(|e| self.device_error(e))?;
        read_result(port, pending, deadline).map_err(|e| match e {
            LineError::TimedOut => self.device_error(format!("no answer to {command}")),
            other => ModemError::Line(other),
        })
    }
}

/// The next result code on the line; other lines (an echo of the command) are skipped.
/// Bytes after the result code's line stay in `pending` (the data after `CONNECT`).
pub fn read_result(
    port: &mut SerialPort,
    pending: &mut Vec<u8>,
    deadline: Instant,
) -> Result<ResultCode, LineError> {
    loop {
        while let Some(end) = pending.iter().position(|b| *b == b'\n' || *b == b'\r') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line);
            if let Some(code) = ResultCode::parse(&text) {
                // The line's other half of CR LF, if it came.
                if pending.first() == Some(&b'\n') {
                    pending.remove(0);
                }
                return Ok(code);
            }
        }
        let mut buffer = [0u8; 256];
        match port.read_until(&mut buffer, deadline)? {
            0 => return Err(LineError::TimedOut),
            count => pending.extend_from_slice(&buffer[..count]),
        }
    }
}

/// Whether the modem said `NO CARRIER` on `call` since its last exchange.
fn dropped(call: &mut Call) -> bool {
    let mut buffer = [0u8; 256];
    while let Ok(count @ 1..) = call.port.read_until(&mut buffer, Instant::now()) {
        call.pending.extend_from_slice(&buffer[..count]);
    }
    call.pending
        .windows(b"NO CARRIER".len())
        .any(|window| window == b"NO CARRIER")
}

/// Brings the modem back to command mode and hangs up whatever call it is in: `+++` between
/// guard times, then `ATH`. A process that died in a call left its modem connected (a real
/// modem drops the call with DTR; a simulated line cannot see DTR), so a modem is reset so
/// before its first use too. Whatever it answers is dropped.
pub fn reset_line(port: &mut SerialPort, pending: &mut Vec<u8>) {
    let guard = Duration::from_millis(350);
    // The escape counts only after a guard time of silence on the line, both ways: what
    // still arrives (the rest of a call's data) is read and dropped first, for a while.
    let mut buffer = [0u8; 512];
    for _ in 0..20 {
        match port.read_until(&mut buffer, Instant::now() + guard) {
            Ok(0) | Err(_) => break,
            Ok(_) => continue,
        }
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    if port.write_all_until(b"+++", deadline).is_err() {
        return;
    }
    std::thread::sleep(guard);
    let _ = port.write_all_until(b"ATH\r", deadline);
    let _ = read_result(port, pending, deadline);
    pending.clear();
    let _ = port.discard_input();
}
