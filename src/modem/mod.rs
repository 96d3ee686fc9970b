//! Dial-up modems: the station's backup link to its data centre when no Internet endpoint
//! answers (claims 5, 6, 15-18), and the data centre's remote access server answering calls.
//!
//! A modem on a serial line speaks Hayes AT commands in command mode (`ATZ` reset, an init
//! string, `ATDT<number>` dial, `ATA` answer on `RING`, `+++` then `ATH` hang up) and answers
//! with result codes (`OK`, `CONNECT 33600`, `NO CARRIER`, `BUSY`, `NO DIALTONE`, `NO
//! ANSWER`). After `CONNECT` the line is a byte stream, and the same HTTP/1.1 API runs over
//! it ([`http_line`]): no PPP. [`dialer`] places the station's calls with back-off and a
//! retry limit; [`simulator`] is a phone line between two pseudo-terminals for the tests and
//! for trying the product by hand.

pub mod compression;
pub mod dialer;
pub mod http_line;
pub mod simulator;

/// A Hayes result code, as a modem prints it on a line of its own (verbal form, `ATV1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResultCode {
    Ok,
    /// Connected, at this line rate in bit/s (0 when the modem did not say).
    Connect(u32),
    Ring,
    NoCarrier,
    Error,
    NoDialtone,
    Busy,
    NoAnswer,
}

impl ResultCode {
    /// The result code on `line`, if it is one.
    pub fn parse(line: &str) -> Option<ResultCode> {
        let line = line.trim();
        Some(match line {
            "OK" => ResultCode::Ok,
            "RING" => ResultCode::Ring,
            "NO CARRIER" => ResultCode::NoCarrier,
            "ERROR" => ResultCode::Error,
            "NO DIALTONE" | "NO DIAL TONE" => ResultCode::NoDialtone,
            "BUSY" => ResultCode::Busy,
            "NO ANSWER" => ResultCode::NoAnswer,
            "CONNECT" => ResultCode::Connect(0),
            _ => {
                let rate = line.strip_prefix("CONNECT ")?;
                let digits: String = rate.chars().take_while(char::is_ascii_digit).collect();
                ResultCode::Connect(digits.parse().ok()?)
            }
        })
    }

    /// The code as the modem prints it, without the line ending.
    pub fn text(&self) -> String {
        match self {
            ResultCode::Ok => "OK".into(),
            ResultCode::Connect(0) => "CONNECT".into(),
            ResultCode::Connect(rate) => format!("CONNECT {rate}"),
            ResultCode::Ring => "RING".into(),
            ResultCode::NoCarrier => "NO CARRIER".into(),
            ResultCode::Error => "ERROR".into(),
            ResultCode::NoDialtone => "NO DIALTONE".into(),
            ResultCode::Busy => "BUSY".into(),
            ResultCode::NoAnswer => "NO ANSWER".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_codes_read_back_what_they_print() {
        for code in [
            ResultCode::Ok,
            ResultCode::Connect(33_600),
            ResultCode::Connect(0),
            ResultCode::Ring,
            ResultCode::NoCarrier,
            ResultCode::Error,
            ResultCode::NoDialtone,
            ResultCode::Busy,
            ResultCode::NoAnswer,
        ] {
            assert_eq!(ResultCode::parse(&code.text()), Some(code));
        }
        assert_eq!(
            ResultCode::parse("CONNECT 33600/ARQ/V34"),
            Some(ResultCode::Connect(33_600))
        );
        assert_eq!(ResultCode::parse("ATDT5551234"), None);
    }
}
