//! The phone line's exchange: the two modems' command and data modes, ringing, answering,
//! hanging up, the faults armed for the next calls, and the bytes of a call paced at the
//! line rate (see [`super`]).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, poll};

use super::{Faults, LineSettings};
use crate::modem::ResultCode;
use crate::scale::pty::PseudoTerminal;
use crate::serial_port::timespec;

/// The guard time around `+++`.
const ESCAPE_GUARD: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Idle,
    Ringing {
        caller: usize,
        rings: u32,
        next_ring: Instant,
    },
    Connected,
}

struct End {
    terminal: PseudoTerminal,
    data_mode: bool,
    command: Vec<u8>,
    /// Bytes on their way to this end, paced at the line rate.
    incoming: VecDeque<u8>,
    /// The last byte either way at this end: the call's inactivity timer.
    last_byte_at: Instant,
    /// The last byte this end sent: the escape's guard time counts only what the end
    /// itself sends, as a modem's does.
    last_sent_at: Instant,
}

pub(super) struct Line {
    ends: [End; 2],
    settings: LineSettings,
    call: Call,
    /// Line bytes the pacing owes each end, as a fraction carried between ticks.
    credit: [f64; 2],
    last_tick: Instant,
    heard: Arc<Mutex<Vec<u8>>>,
}

impl Line {
    pub(super) fn new(
        terminals: [PseudoTerminal; 2],
        settings: LineSettings,
        heard: Arc<Mutex<Vec<u8>>>,
    ) -> Line {
        let now = Instant::now();
        let ends = terminals.map(|terminal| End {
            terminal,
            data_mode: false,
            command: Vec::new(),
            incoming: VecDeque::new(),
            last_byte_at: now,
            last_sent_at: now - ESCAPE_GUARD,
        });
        Line {
            ends,
            settings,
            call: Call::Idle,
            credit: [0.0; 2],
            last_tick: now,
            heard,
        }
    }

    pub(super) fn run(&mut self, faults: &Mutex<Faults>, stop: &AtomicBool) {
        let mut buffer = [0u8; 1024];
        while !stop.load(Ordering::Relaxed) {
            let readable = {
                let mut fds = [
                    PollFd::new(&self.ends[0].terminal.master, PollFlags::IN),
                    PollFd::new(&self.ends[1].terminal.master, PollFlags::IN),
                ];
                let _ = poll(&mut fds, Some(&timespec(TICK)));
                [0, 1].map(|i| fds[i].revents().contains(PollFlags::IN))
            };
            for side in [0, 1] {
                if readable[side] {
                    let Ok(count) = self.ends[side].terminal.master.read(&mut buffer) else {
                        return;
                    };
                    self.received(side, &buffer[..count], faults);
                }
            }
            self.tick(faults);
        }
    }

    fn received(&mut self, side: usize, bytes: &[u8], faults: &Mutex<Faults>) {
        let now = Instant::now();
        if self.ends[side].data_mode && self.call == Call::Connected {
            let guarded = now - self.ends[side].last_sent_at >= ESCAPE_GUARD;
            self.ends[side].last_sent_at = now;
            if bytes == b"+++" && guarded {
                self.ends[side].data_mode = false;
                self.say(side, &ResultCode::Ok);
                return;
            }
            self.ends[side].last_byte_at = now;
            self.ends[1 - side].incoming.extend(bytes);
            let mut heard = self.heard.lock().unwrap_or_else(PoisonError::into_inner);
            heard.extend_from_slice(bytes);
            return;
        }
        for &byte in bytes {
            match byte {
                b'\r' => {
                    let line = std::mem::take(&mut self.ends[side].command);
                    let text = String::from_utf8_lossy(&line).trim().to_ascii_uppercase();
                    if !text.is_empty() {
                        self.command(side, &text, faults);
                    }
                }
                b'\n' => {}
                _ if self.ends[side].command.len() < 256 => self.ends[side].command.push(byte),
                _ => {}
            }
        }
    }

    fn command(&mut self, side: usize, text: &str, faults: &Mutex<Faults>) {
        // A modem looks for `AT` and skips what came before it (a `+++` sent in command
        // mode, line noise).
        let Some(rest) = text.find("AT").map(|at| &text[at + 2..]) else {
            return self.say(side, &ResultCode::Error);
        };
        if let Some(dialed) = rest.strip_prefix('D') {
            let number: String = dialed.chars().filter(char::is_ascii_digit).collect();
            return self.dial(side, &number, faults);
        }
        match rest {
            "A" => self.answer(side),
            "H" | "H0" => {
                self.hang_up(Some(side));
                self.say(side, &ResultCode::Ok);
            }
            "O" | "O0" if self.call == Call::Connected => {
                self.ends[side].data_mode = true;
                self.say(side, &ResultCode::Connect(self.settings.rate_bps));
            }
            "O" | "O0" => self.say(side, &ResultCode::NoCarrier),
            _ => {
                if rest.starts_with('Z') {
                    self.hang_up(Some(side));
                }
                self.say(side, &ResultCode::Ok);
            }
        }
    }

    fn dial(&mut self, side: usize, number: &str, faults: &Mutex<Faults>) {
        let mut armed = faults.lock().unwrap_or_else(PoisonError::into_inner);
        let fault = if armed.no_dialtone > 0 {
            armed.no_dialtone -= 1;
            Some(ResultCode::NoDialtone)
        } else if self.call != Call::Idle || armed.busy > 0 {
            armed.busy = armed
                .busy
                .saturating_sub(u32::from(self.call == Call::Idle));
            Some(ResultCode::Busy)
        } else if armed.no_carrier > 0 {
            armed.no_carrier -= 1;
            Some(ResultCode::NoCarrier)
        } else if number != self.settings.number {
            Some(ResultCode::NoAnswer)
        } else {
            None
        };
        drop(armed);
        match fault {
            Some(code) => self.say(side, &code),
            None => {
                self.call = Call::Ringing {
                    caller: side,
                    rings: 0,
                    next_ring: Instant::now(),
                }
            }
        }
    }

    fn answer(&mut self, side: usize) {
        match self.call {
            Call::Ringing { caller, .. } if caller != side => {
                self.call = Call::Connected;
                let now = Instant::now();
                for end in [0, 1] {
                    self.ends[end].data_mode = true;
                    self.ends[end].last_byte_at = now;
                    self.ends[end].last_sent_at = now - ESCAPE_GUARD;
                    self.ends[end].incoming.clear();
                    self.say(end, &ResultCode::Connect(self.settings.rate_bps));
                }
            }
            _ => self.say(side, &ResultCode::NoCarrier),
        }
    }

    /// Ends the call; the other end of `by` (both ends when the line drops) hears it.
    fn hang_up(&mut self, by: Option<usize>) {
        let was = std::mem::replace(&mut self.call, Call::Idle);
        for end in [0, 1] {
            self.ends[end].data_mode = false;
            self.ends[end].incoming.clear();
        }
        let in_call = match was {
            Call::Idle => false,
            Call::Ringing { caller, .. } => by != Some(caller),
            Call::Connected => true,
        };
        if in_call {
            for end in [0, 1].into_iter().filter(|end| Some(*end) != by) {
                self.say(end, &ResultCode::NoCarrier);
            }
        }
    }

    fn tick(&mut self, faults: &Mutex<Faults>) {
        let now = Instant::now();
        if let Call::Ringing {
            caller,
            rings,
            next_ring,
        } = self.call
            && now >= next_ring
        {
            if rings >= self.settings.max_rings {
                self.call = Call::Idle;
                self.say(caller, &ResultCode::NoAnswer);
            } else {
                self.say(1 - caller, &ResultCode::Ring);
                self.call = Call::Ringing {
                    caller,
                    rings: rings + 1,
                    next_ring: now + self.settings.ring_interval,
                };
            }
        }
        if self.call == Call::Connected {
            let dropped = std::mem::take(
                &mut faults
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .drop_call,
            );
            let idle = self
                .ends
                .iter()
                .all(|end| now - end.last_byte_at > self.settings.idle_limit);
            if dropped || idle {
                self.hang_up(None);
            }
        }
        self.pace(now);
    }

    /// Delivers queued line bytes at the line rate.
    fn pace(&mut self, now: Instant) {
        let elapsed = now - self.last_tick;
        self.last_tick = now;
        let bytes_per_s = f64::from(self.settings.rate_bps) / 8.0;
        for end in [0, 1] {
            if self.ends[end].incoming.is_empty() {
                self.credit[end] = 0.0;
                continue;
            }
            self.credit[end] += elapsed.as_secs_f64() * bytes_per_s;
            let count = (self.credit[end] as usize).min(self.ends[end].incoming.len());
            if count == 0 {
                continue;
            }
            let chunk: Vec<u8> = self.ends[end].incoming.drain(..count).collect();
            self.credit[end] -= count as f64;
            self.ends[end].last_byte_at = now;
            if write_all(&mut self.ends[end].terminal.master, &chunk).is_err() {
                return;
            }
        }
    }

    fn say(&mut self, end: usize, code: &ResultCode) {
        let text = format!("\r\n{}\r\n", code.text());
        let _ = write_all(&mut self.ends[end].terminal.master, text.as_bytes());
    }
}

fn write_all(master: &mut File, bytes: &[u8]) -> io::Result<()> {
    master.write_all(bytes)?;
    master.flush()
}
