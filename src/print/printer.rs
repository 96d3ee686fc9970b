//! A configured printer: a profile (what it can do) and where its jobs go.
//!
//! The transport string in the config chooses the output: `virtual` keeps each job's exact
//! ESC/POS bytes and a PNG rendered from them in a folder (the default, so a fresh machine
//! prints without hardware), `file:PATH` writes to a device such as `/dev/usb/lp0`, and
//! `tcp:HOST[:PORT]` sends to a network printer (port 9100 by default).

use std::path::Path;

use super::device_transport::{DeviceLine, DeviceTransport};
use super::document::Document;
use super::encoder::encode;
use super::error::PrintError;
use super::profile::{PrinterProfile, ProfileError};
use super::status::PrinterStatus;
use super::transport::{
    FileTransport, TcpTransport, Transport, TransportError, TransportErrorKind,
};
use super::transport_setting::TransportSetting;
use super::virtual_printer::{
    JobFiles, VirtualPrinter, VirtualPrinterError, VirtualPrinterErrorKind,
};

/// Where a printer's jobs go.
enum Output {
    Virtual(VirtualPrinter),
    Device(Box<dyn Transport + Send>),
}

pub struct Printer {
    pub profile: PrinterProfile,
    output: Output,
    description: String,
}

/// What a printed job left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintedJob {
    pub escpos_len_bytes: usize,
    /// The capture and its rendering, for the virtual printer.
    pub files: Option<JobFiles>,
}

impl PrintedJob {
    /// The files the job left, as text: the ESC/POS capture, then its PNG.
    pub fn file_paths(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|f| {
                [
                    f.escpos_path.display().to_string(),
                    f.png_path.display().to_string(),
                ]
            })
            .collect()
    }
}

/// What the flow can react to when a job does not print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrinterErrorKind {
    Offline,
    Timeout,
    Denied,
    BadJob,
    Io,
}

#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Encode(#[from] PrintError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Virtual(#[from] VirtualPrinterError),
}

impl PrinterError {
    pub fn kind(&self) -> PrinterErrorKind {
        match self {
            PrinterError::Profile(_) | PrinterError::Encode(_) => PrinterErrorKind::BadJob,
            PrinterError::Transport(error) => match error.kind() {
                TransportErrorKind::Offline | TransportErrorKind::BadAddress => {
                    PrinterErrorKind::Offline
                }
                TransportErrorKind::Timeout => PrinterErrorKind::Timeout,
                TransportErrorKind::Denied => PrinterErrorKind::Denied,
                TransportErrorKind::Io => PrinterErrorKind::Io,
            },
            PrinterError::Virtual(error) => match error.kind() {
                VirtualPrinterErrorKind::BadJob => PrinterErrorKind::BadJob,
                VirtualPrinterErrorKind::Io => PrinterErrorKind::Io,
            },
        }
    }
}

/// A profile by embedded name, or from a file when the name is a path.
pub fn load_profile(name: &str) -> Result<PrinterProfile, ProfileError> {
    if name.ends_with(".toml") || name.contains('/') {
        PrinterProfile::load_file(Path::new(name))
    } else {
        PrinterProfile::embedded(name)
    }
}

impl Printer {
    /// Opens `transport` with the profile `profile_name`; virtual jobs go to `virtual_dir`.
    pub fn open(
        profile_name: &str,
        transport: &TransportSetting,
        virtual_dir: &Path,
    ) -> Result<Printer, PrinterError> {
        let profile = load_profile(profile_name)?;
        let (output, description) = match transport {
            TransportSetting::Virtual => {
                let printer = VirtualPrinter::new(virtual_dir.to_path_buf(), profile.dots_per_line);
                (
                    Output::Virtual(printer),
                    format!("virtual printer in {}", virtual_dir.display()),
                )
            }
            TransportSetting::File(path) => (
                Output::Device(Box::new(FileTransport::device(path.clone()))),
                format!("device {}", path.display()),
            ),
            TransportSetting::Usb(path) => (
                Output::Device(Box::new(DeviceTransport::new(
                    path.clone(),
                    DeviceLine::Usb,
                ))),
                format!("USB printer {}", path.display()),
            ),
            TransportSetting::Serial { path, baud, flow } => (
                Output::Device(Box::new(DeviceTransport::new(
                    path.clone(),
                    DeviceLine::Serial {
                        baud: *baud,
                        flow: *flow,
                    },
                ))),
                format!("serial printer {} at {baud} baud", path.display()),
            ),
            TransportSetting::Tcp(address) => (
                Output::Device(Box::new(TcpTransport::new(address))),
                format!("network printer {address}"),
            ),
        };
        Ok(Printer {
            profile,
            output,
            description,
        })
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// The printer's real-time status where its transport can hear one (network, serial and
    /// USB printers); `None` for the virtual printer, write-only files and silent printers.
    pub fn status(&mut self) -> Result<Option<PrinterStatus>, PrinterError> {
        match &mut self.output {
            Output::Virtual(_) => Ok(None),
            Output::Device(transport) => Ok(transport.status()?),
        }
    }

    /// Encodes `document` for this printer's profile and sends it as one job.
    pub fn print(&mut self, document: &Document) -> Result<PrintedJob, PrinterError> {
        let bytes = encode(document, &self.profile)?;
        self.send(&bytes)
    }

    /// Sends bytes already encoded for this printer (a reprint sends the same bytes again).
    pub fn send(&mut self, bytes: &[u8]) -> Result<PrintedJob, PrinterError> {
        let files = match &mut self.output {
            Output::Virtual(printer) => Some(printer.print_job(bytes)?),
            Output::Device(transport) => {
                transport.send(bytes)?;
                None
            }
        };
        Ok(PrintedJob {
            escpos_len_bytes: bytes.len(),
            files,
        })
    }
}
