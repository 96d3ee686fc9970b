//! The options of `postcounter bench-tui`.

use std::fmt;
use std::str::FromStr;

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct TuiBenchArgs {
    /// Complete cash sales in the scripted session (a 1 oz letter to 90210, $0.78 each: the
    /// demo refill of $500 pays for 641).
    #[arg(long, default_value_t = 100)]
    pub sales: u32,
    /// Keypresses timed from the key to the finished frame (a digit, then Backspace, ...).
    #[arg(long, default_value_t = 200)]
    pub keypress_samples: u32,
    /// Draws of each screen at each size for the in-process render times.
    #[arg(long, default_value_t = 2000)]
    pub render_iterations: u32,
    /// Start-ups timed on a fresh data folder, and as many on a warm one.
    #[arg(long, default_value_t = 5)]
    pub starts: u32,
    /// The size of the pseudo-terminal the real counter runs in, COLUMNSxROWS.
    #[arg(long, default_value = "80x24")]
    pub size: TerminalSize,
    /// How long to wait for any one screen before giving up, in seconds.
    #[arg(long, default_value_t = 20)]
    pub wait_timeout_s: u64,
}

impl Default for TuiBenchArgs {
    fn default() -> TuiBenchArgs {
        TuiBenchArgs {
            sales: 100,
            keypress_samples: 200,
            render_iterations: 2000,
            starts: 5,
            size: TerminalSize {
                columns: 80,
                rows: 24,
            },
            wait_timeout_s: 20,
        }
    }
}

/// A terminal's size in character cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TerminalSize {
    pub columns: u16,
    pub rows: u16,
}

impl FromStr for TerminalSize {
    type Err = String;

    fn from_str(text: &str) -> Result<TerminalSize, String> {
        let refuse = || {
            format!(
                "{text:?} is not a terminal size: expected COLUMNSxROWS, e.g. 80x24 or 120x40, each 1 to 1000"
            )
        };
        let (columns, rows) = text.split_once(['x', 'X']).ok_or_else(refuse)?;
        let cells = |n: &str| {
            n.trim()
                .parse::<u16>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
        };
        Ok(TerminalSize {
            columns: cells(columns).ok_or_else(refuse)?,
            rows: cells(rows).ok_or_else(refuse)?,
        })
    }
}

impl fmt::Display for TerminalSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.columns, self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_is_columns_by_rows() {
        assert_eq!(
            "120x40".parse(),
            Ok(TerminalSize {
                columns: 120,
                rows: 40
            })
        );
    }

    #[test]
    fn a_size_without_both_numbers_is_refused_with_the_input_quoted() {
        for bad in ["80", "80x", "x24", "0x24", "80x24x2", "wide"] {
            let error = bad.parse::<TerminalSize>().unwrap_err();
            assert!(error.contains(&format!("{bad:?}")), "{error}");
        }
    }
}
