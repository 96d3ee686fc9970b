//! Where a printer is, as the configuration names it: `virtual`, `file:PATH`,
//! `usb:PATH`, `serial:PATH[,BAUD[,FLOW]]` or `tcp:HOST[:PORT]`. Parsed when the settings
//! load, so a misspelt transport stops start-up with its file and key instead of failing at
//! the first print.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::serial_port::{FlowControl, SUPPORTED_BAUD_RATES};

/// A serial printer's rate when the setting names none (the common factory setting).
pub const DEFAULT_SERIAL_BAUD: u32 = 9600;

/// A configured printer transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportSetting {
    /// The virtual printer: each job kept as ESC/POS bytes and a PNG in the data directory.
    Virtual,
    /// A write-only device or file: jobs are appended, no status can be heard.
    File(PathBuf),
    /// A USB printer class device, such as `/dev/usb/lp0`, asked its status before a job.
    Usb(PathBuf),
    /// A serial port at a rate (9600 unless given) and flow control (`rts-cts` unless
    /// given), 8N1, asked its status before a job.
    Serial {
        path: PathBuf,
        baud: u32,
        flow: FlowControl,
    },
    /// A network printer, `HOST` or `HOST:PORT` (9100 when left out).
    Tcp(String),
}

impl FromStr for TransportSetting {
    type Err = String;

    fn from_str(text: &str) -> Result<TransportSetting, String> {
        let refused = || {
            format!(
                "{text:?} is not accepted: expected virtual, file:PATH, usb:PATH (such as usb:/dev/usb/lp0), serial:PATH[,BAUD[,FLOW]] (such as serial:/dev/ttyS0,38400,rts-cts) or tcp:HOST[:PORT]"
            )
        };
        if text == "virtual" {
            Ok(TransportSetting::Virtual)
        } else if let Some(path) = text.strip_prefix("file:") {
            (!path.is_empty())
                .then(|| TransportSetting::File(PathBuf::from(path)))
                .ok_or_else(refused)
        } else if let Some(path) = text.strip_prefix("usb:") {
            (!path.is_empty())
                .then(|| TransportSetting::Usb(PathBuf::from(path)))
                .ok_or_else(refused)
        } else if let Some(serial) = text.strip_prefix("serial:") {
            parse_serial(serial).map_err(|reason| format!("{}: {reason}", refused()))
        } else if let Some(address) = text.strip_prefix("tcp:") {
            (!address.is_empty() && !address.contains(char::is_whitespace))
                .then(|| TransportSetting::Tcp(address.to_string()))
                .ok_or_else(refused)
        } else {
            Err(refused())
        }
    }
}

/// `PATH[,BAUD[,FLOW]]`.
fn parse_serial(text: &str) -> Result<TransportSetting, String> {
    let mut parts = text.split(',');
    let path = parts.next().filter(|path| !path.is_empty());
    let path = path.ok_or("the device path is empty")?;
    let baud = match parts.next() {
        None => DEFAULT_SERIAL_BAUD,
        Some(baud) => baud
            .parse()
            .ok()
            .filter(|baud| SUPPORTED_BAUD_RATES.contains(baud))
            .ok_or_else(|| format!("{baud:?} is not a baud rate of {SUPPORTED_BAUD_RATES:?}"))?,
    };
    let flow = match parts.next() {
        None => FlowControl::RtsCts,
        Some(flow) => flow.parse()?,
    };
    if let Some(extra) = parts.next() {
        return Err(format!("{extra:?} follows the flow control"));
    }
    Ok(TransportSetting::Serial {
        path: PathBuf::from(path),
        baud,
        flow,
    })
}

/// The setting as it is written in the configuration.
impl fmt::Display for TransportSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportSetting::Virtual => write!(f, "virtual"),
            TransportSetting::File(path) => write!(f, "file:{}", path.display()),
            TransportSetting::Usb(path) => write!(f, "usb:{}", path.display()),
            TransportSetting::Serial { path, baud, flow } => {
                write!(f, "serial:{},{baud},{}", path.display(), flow.name())
            }
            TransportSetting::Tcp(address) => write!(f, "tcp:{address}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_parses_and_writes_back_as_given() {
        for text in [
            "virtual",
            "file:/dev/usb/lp0",
            "usb:/dev/usb/lp0",
            "serial:/dev/ttyS0,38400,xon-xoff",
            "serial:/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0,9600,none",
            "tcp:192.0.2.7",
            "tcp:printer:9101",
        ] {
            let setting: TransportSetting = text.parse().unwrap();
            assert_eq!(setting.to_string(), text);
        }
    }

    #[test]
    fn a_serial_port_defaults_to_9600_with_hardware_flow_control() {
        let setting: TransportSetting = "serial:/dev/ttyUSB0".parse().unwrap();
        assert_eq!(setting.to_string(), "serial:/dev/ttyUSB0,9600,rts-cts");
        for (text, quoted) in [
            ("serial:/dev/ttyS0,9601", "\"9601\""),
            ("serial:/dev/ttyS0,9600,dtr", "\"dtr\""),
            ("serial:/dev/ttyS0,9600,none,x", "\"x\""),
        ] {
            let error = text.parse::<TransportSetting>().unwrap_err();
            assert!(error.contains(quoted), "{error}");
            assert!(error.contains("serial:PATH[,BAUD[,FLOW]]"), "{error}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_forms_accepted() {
        for text in [
            "Virtual",
            "lpt:/dev/lp0",
            "file:",
            "usb:",
            "serial:",
            "tcp:",
            "tcp:a b",
        ] {
            let error = text.parse::<TransportSetting>().unwrap_err();
            assert!(error.contains("expected virtual, file:PATH"), "{error}");
            assert!(error.starts_with(&format!("{text:?}")), "{error}");
        }
    }
}
