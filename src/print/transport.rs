//! Transports: the only part of printing that does IO, behind one small trait.
//!
//! A job is the complete byte stream of one document, sent in one call, so a failure is
//! all-or-nothing from the caller's view and the flow can decide to retry or reprint the same
//! indicium. Errors carry a [`TransportErrorKind`] the flow can react to (printer offline,
//! too slow, not allowed) without reading messages. The calls block: async callers run them
//! on a blocking thread.

use std::fs::OpenOptions;
use std::io::{self, Read, Write};

use super::status::{PrinterStatus, STATUS_QUERIES};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The raw-print port of network printers (JetDirect / AppSocket).
pub const DEFAULT_PRINTER_PORT: u16 = 9100;

/// Sends print jobs to a printer.
pub trait Transport {
    /// Sends one whole job; returns once the bytes are handed to the printer or the OS.
    fn send(&mut self, job: &[u8]) -> Result<(), TransportError>;

    /// Asks the printer's real-time status (`DLE EOT`); `None` when this transport cannot
    /// hear an answer (a write-only device).
    fn status(&mut self) -> Result<Option<PrinterStatus>, TransportError> {
        Ok(None)
    }
}

/// What went wrong, for the caller to react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// Nothing answers: connection refused or reset, host unreachable, device missing.
    Offline,
    /// The printer did not accept the bytes in time (paper out or a stuck buffer, often).
    Timeout,
    /// The OS refused access (device permissions).
    Denied,
    /// The printer address cannot be resolved or parsed.
    BadAddress,
    /// Any other IO error.
    Io,
}

/// A failed send, naming the printer and the step that failed.
#[derive(Debug, thiserror::Error)]
#[error("printer {target}: {action} failed: {source}")]
pub struct TransportError {
    kind: TransportErrorKind,
    target: String,
    action: &'static str,
    #[source]
    source: io::Error,
}

impl TransportError {
    pub(super) fn new(target: &str, action: &'static str, source: io::Error) -> TransportError {
        TransportError {
            kind: kind_of(&source),
            target: target.to_string(),
            action,
            source,
        }
    }

    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

pub(super) fn kind_of(error: &io::Error) -> TransportErrorKind {
    use io::ErrorKind as E;
    match error.kind() {
        E::ConnectionRefused
        | E::ConnectionReset
        | E::ConnectionAborted
        | E::NotConnected
        | E::BrokenPipe
        | E::HostUnreachable
        | E::NetworkUnreachable
        | E::NetworkDown
        | E::AddrNotAvailable
        | E::NotFound => TransportErrorKind::Offline,
        E::TimedOut | E::WouldBlock => TransportErrorKind::Timeout,
        E::PermissionDenied => TransportErrorKind::Denied,
        E::InvalidInput => TransportErrorKind::BadAddress,
        _ => TransportErrorKind::Io,
    }
}

/// A printer reached through a path: a device such as `/dev/usb/lp0`, or a capture file.
#[derive(Clone, Debug)]
pub struct FileTransport {
    path: PathBuf,
    create: bool,
}

impl FileTransport {
    /// A printer device. The device must exist: a missing `/dev/usb/lp0` means the printer is
    /// unplugged (Offline), and creating a plain file in its place would hide that.
    pub fn device(path: impl Into<PathBuf>) -> FileTransport {
        FileTransport {
            path: path.into(),
            create: false,
        }
    }

    /// A capture file that jobs are appended to, created if missing.
    pub fn capture_file(path: impl Into<PathBuf>) -> FileTransport {
        FileTransport {
            path: path.into(),
            create: true,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Transport for FileTransport {
    fn send(&mut self, job: &[u8]) -> Result<(), TransportError> {
        let target = self.path.display().to_string();
        let mut file = OpenOptions::new()
            .append(true)
            .create(self.create)
            .open(&self.path)
            .map_err(|error| TransportError::new(&target, "open", error))?;
        file.write_all(job)
            .and_then(|()| file.flush())
            .map_err(|error| TransportError::new(&target, "write", error))?;
        // Character devices such as usblp do not implement fsync (EINVAL): the write itself
        // has reached the driver, which is all a device can promise.
        match file.sync_all() {
            Err(error) if error.kind() != io::ErrorKind::InvalidInput => {
                Err(TransportError::new(&target, "sync", error))
            }
            _ => Ok(()),
        }
    }
}

/// A network printer on a raw TCP port (9100 unless the address names another).
#[derive(Clone, Debug)]
pub struct TcpTransport {
    address: String,
    connect_timeout_ms: u64,
    write_timeout_ms: u64,
}

impl TcpTransport {
    pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 3_000;
    pub const DEFAULT_WRITE_TIMEOUT_MS: u64 = 10_000;

    /// `host`, `host:port`, `ip`, `ip:port` or `[ipv6]:port`; the port defaults to 9100.
    pub fn new(address: &str) -> TcpTransport {
        TcpTransport {
            address: with_default_port(address.trim()),
            connect_timeout_ms: Self::DEFAULT_CONNECT_TIMEOUT_MS,
            write_timeout_ms: Self::DEFAULT_WRITE_TIMEOUT_MS,
        }
    }

    pub fn with_timeouts(self, connect_timeout_ms: u64, write_timeout_ms: u64) -> TcpTransport {
        TcpTransport {
            connect_timeout_ms: connect_timeout_ms.max(1),
            write_timeout_ms: write_timeout_ms.max(1),
            ..self
        }
    }

    /// The address as it will be dialled, port included.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn connect(&self) -> Result<TcpStream, TransportError> {
        let resolve = |error| TransportError::new(&self.address, "address lookup", error);
        let addresses: Vec<SocketAddr> = self.address.to_socket_addrs().map_err(resolve)?.collect();
        let timeout = Duration::from_millis(self.connect_timeout_ms);
        let mut last_error = io::Error::new(io::ErrorKind::InvalidInput, "no address found");
        for address in addresses {
            match TcpStream::connect_timeout(&address, timeout) {
                Ok(stream) => return Ok(stream),
                Err(error) => last_error = error,
            }
        }
        Err(TransportError::new(&self.address, "connect", last_error))
    }
}

/// How long a network printer has to answer its status.
const STATUS_TIMEOUT_MS: u64 = 2_000;

impl Transport for TcpTransport {
    /// A raw-port printer answers `DLE EOT` on the same socket, in real time.
    fn status(&mut self) -> Result<Option<PrinterStatus>, TransportError> {
        let mut stream = self.connect()?;
        let failed = |action, error| TransportError::new(&self.address, action, error);
        let timeout = Some(Duration::from_millis(STATUS_TIMEOUT_MS));
        stream
            .set_write_timeout(timeout)
            .and_then(|()| stream.set_read_timeout(timeout))
            .map_err(|e| failed("status", e))?;
        stream
            .write_all(&STATUS_QUERIES)
            .and_then(|()| stream.flush())
            .map_err(|e| failed("status query", e))?;
        let mut answer = [0u8; 3];
        let mut read = 0;
        while read < answer.len() {
            match stream.read(&mut answer[read..]) {
                Ok(0) => break,
                Ok(len) => read += len,
                Err(error) if read == 0 && kind_of(&error) == TransportErrorKind::Timeout => {
                    // Silence: a printer without real-time status. Nothing is known.
                    return Ok(None);
                }
                Err(error) => return Err(failed("status answer", error)),
            }
        }
        let _ = stream.shutdown(Shutdown::Both);
        parse_status_answer(&self.address, &answer[..read]).map(Some)
    }

    fn send(&mut self, job: &[u8]) -> Result<(), TransportError> {
        let mut stream = self.connect()?;
        let write_error = |error| TransportError::new(&self.address, "write", error);
        stream
            .set_write_timeout(Some(Duration::from_millis(self.write_timeout_ms)))
            .map_err(write_error)?;
        stream.write_all(job).map_err(write_error)?;
        stream.flush().map_err(write_error)?;
        // Closing our side tells the printer the job is complete.
        stream.shutdown(Shutdown::Write).map_err(write_error)?;
        Ok(())
    }
}

/// The answer to [`STATUS_QUERIES`] read from `target`; bytes that are not ESC/POS status
/// fail as invalid data of the "status answer" step.
pub(super) fn parse_status_answer(
    target: &str,
    answer: &[u8],
) -> Result<PrinterStatus, TransportError> {
    PrinterStatus::parse(answer).map_err(|error| {
        let invalid = io::Error::new(io::ErrorKind::InvalidData, error.to_string());
        TransportError::new(target, "status answer", invalid)
    })
}

fn with_default_port(address: &str) -> String {
    if address.parse::<SocketAddr>().is_ok() {
        return address.to_string();
    }
    if let Ok(ip) = address.parse::<IpAddr>() {
        return SocketAddr::new(ip, DEFAULT_PRINTER_PORT).to_string();
    }
    match address.rsplit_once(':') {
        Some((_, port)) if port.parse::<u16>().is_ok() => address.to_string(),
        _ => format!("{address}:{DEFAULT_PRINTER_PORT}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_defaults_to_9100() {
        assert_eq!(
            TcpTransport::new("printer.local").address(),
            "printer.local:9100"
        );
        assert_eq!(TcpTransport::new("10.0.0.5").address(), "10.0.0.5:9100");
        assert_eq!(TcpTransport::new("::1").address(), "[::1]:9100");
        assert_eq!(
            TcpTransport::new("10.0.0.5:9101").address(),
            "10.0.0.5:9101"
        );
    }

    #[test]
    fn a_printer_that_is_not_listening_is_reported_offline() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("address").port()
        };
        let address = format!("127.0.0.1:{port}");
        let mut transport = TcpTransport::new(&address).with_timeouts(1_000, 1_000);
        let error = transport.send(b"\x1b@").expect_err("closed port");
        assert_eq!(error.kind(), TransportErrorKind::Offline);
        let start = format!("printer {address}: connect failed");
        assert!(error.to_string().starts_with(&start), "{error}");
    }

    #[test]
    fn a_missing_device_is_offline_and_not_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lp0");
        let error = FileTransport::device(&path)
            .send(b"x")
            .expect_err("missing");
        assert_eq!(error.kind(), TransportErrorKind::Offline);
        assert!(!path.exists());
    }

    #[test]
    fn a_capture_file_receives_every_job_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("capture.bin");
        let mut transport = FileTransport::capture_file(&path);
        transport.send(b"\x1b@one").expect("first");
        transport.send(b"two").expect("second");
        assert_eq!(std::fs::read(&path).expect("read"), b"\x1b@onetwo");
    }
}
