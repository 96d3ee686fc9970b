//! HTTP/1.1 over a modem line: after `CONNECT` the line is a byte stream, and the station and
//! the data centre exchange the API's requests and answers on it as on a TCP connection, one
//! at a time, each framed by `Content-Length` (no chunking). A line that drops in the middle
//! shows as the modem's `NO CARRIER` where a message should be, or as nothing before the
//! deadline.

use std::time::{Duration, Instant};

use crate::serial_port::SerialPort;

/// The most bytes a message's head may take, and its body (the API's own limit is 256 KiB).
const MAX_HEAD_BYTES: usize = 16 * 1024;
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// 9,600 bit/s with a start and a stop bit per byte: the slowest line a body is given time for.
const SLOWEST_LINE_BYTES_PER_S: u64 = 960;

/// Why no message came.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("nothing came on the line in time")]
    TimedOut,
    #[error("the line dropped (NO CARRIER)")]
    NoCarrier,
    #[error("the line's bytes are not an HTTP/1.1 message: {0}")]
    Malformed(String),
    #[error("the serial line: {0}")]
    Io(#[from] std::io::Error),
}

/// A request or an answer: its start line, its headers, its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub start: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Message {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The message's bytes on the line, with its `Content-Length`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("{}\r\n", self.start);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Sends `message` on the line.
pub fn write_message(
    port: &mut SerialPort,
    message: &Message,
    deadline: Instant,
) -> Result<(), LineError> {
    let bytes = message.to_bytes();
    // A long message gets the time the slowest line needs to carry it.
    let deadline = deadline.max(Instant::now() + time_to_carry(bytes.len()));
    port.write_all_until(&bytes, deadline)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut => LineError::TimedOut,
            _ => LineError::Io(e),
        })
}

/// Reads one message from the line; `pending` holds bytes read before (and keeps those read
/// past the message). Blank lines before a message (a modem's line endings) are skipped.
pub fn read_message(
    port: &mut SerialPort,
    pending: &mut Vec<u8>,
    deadline: Instant,
) -> Result<Message, LineError> {
    let head_end = loop {
        let start = pending.iter().position(|b| !matches!(b, b'\r' | b'\n'));
        pending.drain(..start.unwrap_or(pending.len()));
        if pending.starts_with(b"NO CARRIER") {
            return Err(LineError::NoCarrier);
        }
        if let Some(at) = find(pending, b"\r\n\r\n") {
            break at;
        }
        if pending.len() > MAX_HEAD_BYTES {
            return Err(LineError::Malformed(format!(
                "a head over {MAX_HEAD_BYTES} bytes"
            )));
        }
        fill(port, pending, deadline)?;
    };
    let head = String::from_utf8(pending[..head_end].to_vec())
        .map_err(|_| LineError::Malformed("a head that is not UTF-8".into()))?;
    pending.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .map(|line| {
            line.split_once(':')
                .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
                .ok_or_else(|| LineError::Malformed(format!("header line {line:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut message = Message {
        start,
        headers,
        body: Vec::new(),
    };
    let length: usize = match message.header("content-length") {
        None => 0,
        Some(text) => text
            .parse()
            .map_err(|_| LineError::Malformed(format!("Content-Length {text:?}")))?,
    };
    if length > MAX_BODY_BYTES {
        return Err(LineError::Malformed(format!(
            "a body of {length} bytes, over {MAX_BODY_BYTES}"
        )));
    }
    message
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("content-length"));
    // The deadline is for the message to come; each byte of its body that does come buys
    // the time the slowest line needs for it. A rate file of 130 KB takes half a minute at
    // 33.6 kbit/s and gets it, as it comes; a caller who trickles a large body in to hold
    // the line gets no more than the bytes he sends.
    let mut body_deadline = deadline;
    while pending.len() < length {
        let before = pending.len();
        fill(port, pending, body_deadline)?;
        body_deadline += time_to_carry(pending.len() - before);
    }
    message.body = pending.drain(..length).collect();
    Ok(message)
}

/// How long `bytes` take on the slowest line a message is given time for.
fn time_to_carry(bytes: usize) -> Duration {
    Duration::from_millis(
        u64::try_from(bytes)
            .unwrap_or(u64::MAX)
            .saturating_mul(1000)
            / SLOWEST_LINE_BYTES_PER_S,
    )
}

/// Appends what the line has to `pending`, waiting until `deadline`.
fn fill(port: &mut SerialPort, pending: &mut Vec<u8>, deadline: Instant) -> Result<(), LineError> {
    let mut buffer = [0u8; 4096];
    match port.read_until(&mut buffer, deadline)? {
        0 => Err(LineError::TimedOut),
        count => {
            pending.extend_from_slice(&buffer[..count]);
            Ok(())
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serial_port::FlowControl;
    use std::io::Write;
    use std::time::Duration;

    #[test]
    fn a_message_crosses_a_line_and_the_next_one_waits_its_turn() {
        let terminal = crate::scale::pty::PseudoTerminal::open().unwrap();
        let mut port = SerialPort::open(&terminal.slave_path, 115_200, FlowControl::None).unwrap();
        let message = Message {
            start: "POST /postage/v1/purchases HTTP/1.1".into(),
            headers: vec![("Idempotency-Key".into(), "sale-1".into())],
            body: b"{\"pieces\":[]}".to_vec(),
        };
        let mut master = terminal.master;
        let mut bytes = b"\r\n".to_vec();
        bytes.extend(message.to_bytes());
        bytes.extend(b"\r\nNO CARRIER\r\n");
        master.write_all(&bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut pending = Vec::new();
        let read = read_message(&mut port, &mut pending, deadline).unwrap();
        assert_eq!(read, message);
        assert_eq!(read.header("idempotency-key"), Some("sale-1"));
        assert!(matches!(
            read_message(&mut port, &mut pending, deadline),
            Err(LineError::NoCarrier)
        ));
    }

    /// A head announcing `length` bytes of body, then the body at `bytes_per_s`, read with a
    /// deadline 300 ms away: the read's outcome and how long it took.
    fn body_at(length: usize, bytes_per_s: u64) -> (Result<Message, LineError>, Duration) {
        let terminal = crate::scale::pty::PseudoTerminal::open().unwrap();
        let mut port = SerialPort::open(&terminal.slave_path, 115_200, FlowControl::None).unwrap();
        let mut master = terminal.master;
        let head = format!("POST /x HTTP/1.1\r\nContent-Length: {length}\r\n\r\n");
        master.write_all(head.as_bytes()).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let sender = std::thread::spawn(move || {
            let chunk = 64;
            let pause = Duration::from_secs_f64(chunk as f64 / bytes_per_s as f64);
            for _ in 0..length.div_ceil(chunk) {
                let ended = stopped.load(std::sync::atomic::Ordering::Relaxed);
                if ended || master.write_all(&vec![b'x'; chunk]).is_err() {
                    return;
                }
                std::thread::sleep(pause);
            }
        });
        let started = Instant::now();
        let read = read_message(
            &mut port,
            &mut Vec::new(),
            started + Duration::from_millis(300),
        );
        let took = started.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = sender.join();
        (read, took)
    }

    #[test]
    fn a_body_gets_the_time_its_bytes_need_and_a_trickle_gets_no_more() {
        // 4,200 bytes at 33.6 kbit/s: a second, past the 300 ms deadline, and read whole.
        let (read, _) = body_at(4_200, 4_200);
        assert_eq!(read.unwrap().body.len(), 4_200);
        // 100,000 bytes announced and trickled at 640 bytes a second: 300 ms and what the
        // bytes that came bought, not the 104 s the announced length would.
        let (read, took) = body_at(100_000, 640);
        assert!(matches!(read, Err(LineError::TimedOut)), "{read:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}
