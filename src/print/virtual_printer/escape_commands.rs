//! The `ESC` and `DLE` commands: text mode, line spacing, feeds and the cash drawer.

use super::code_page::CodePage;
use super::error::InterpretError;
use super::interpreter::{DEFAULT_LINE_SPACING_DOTS, Interpreter};
use super::paper::Justification;

const ESC: u8 = 0x1B;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;

impl Interpreter<'_> {
    /// Everything after an `ESC` byte at `offset`.
    pub(crate) fn escape(&mut self, offset: usize) -> Result<(), InterpretError> {
        match self.reader.byte(offset)? {
            b'@' => self.initialize(),
            b't' => {
                let n = self.reader.byte(offset)?;
                self.mode.code_page = CodePage::from_escpos(n).ok_or_else(|| {
                    self.bad_parameter(
                        offset,
                        format!("code page {n} (accepted: 0 = PC437, 16 = WPC1252)"),
                    )
                })?;
            }
            b'a' => {
                self.mode.justification = match self.reader.byte(offset)? {
                    0 | b'0' => Justification::Left,
                    1 | b'1' => Justification::Center,
                    2 | b'2' => Justification::Right,
                    n => {
                        let reason = format!("justification {n} (accepted: 0-2 or '0'-'2')");
                        return Err(self.bad_parameter(offset, reason));
                    }
                };
            }
            // Only the lowest bit of n counts, as on Epson printers.
            b'E' => self.mode.style.bold = self.reader.byte(offset)? & 1 == 1,
            b'2' => self.mode.line_spacing_dots = DEFAULT_LINE_SPACING_DOTS,
            b'3' => self.mode.line_spacing_dots = usize::from(self.reader.byte(offset)?),
            b'd' => self.feed_lines(offset)?,
            b'J' => {
                let dots = self.reader.byte(offset)?;
                self.draw_pending_line()?;
                self.paper.feed(usize::from(dots))?;
            }
            b'p' => self.kick_drawer(offset)?,
            other => {
                return Err(InterpretError::UnknownCommand {
                    offset,
                    bytes: vec![ESC, other],
                });
            }
        }
        Ok(())
    }

    /// `ESC d n`: prints the pending line (which counts as the first of the n lines) and feeds.
    fn feed_lines(&mut self, offset: usize) -> Result<(), InterpretError> {
        let lines = usize::from(self.reader.byte(offset)?);
        let spacing_dots = self.mode.line_spacing_dots;
        if self.line.is_empty() {
            return self.paper.feed(lines * spacing_dots);
        }
        self.print_line()?;
        self.paper.feed(lines.saturating_sub(1) * spacing_dots)
    }

    /// `ESC p m t1 t2`: a pulse on drawer pin 2 (m = 0) or 5 (m = 1); nothing prints.
    fn kick_drawer(&mut self, offset: usize) -> Result<(), InterpretError> {
        let params = self.reader.take(3, offset)?;
        if !matches!(params[0], 0 | 1 | b'0' | b'1') {
            let reason = format!("drawer pin {} (accepted: 0, 1, '0', '1')", params[0]);
            return Err(self.bad_parameter(offset, reason));
        }
        self.drawer_kicks += 1;
        Ok(())
    }

    /// Everything after a `DLE` byte: only `DLE EOT n` (real-time status), which prints nothing.
    pub(crate) fn data_link_escape(&mut self, offset: usize) -> Result<(), InterpretError> {
        match self.reader.byte(offset)? {
            EOT => {
                let n = self.reader.byte(offset)?;
                if !(1..=4).contains(&n) {
                    let reason = format!("status request {n} (accepted: 1-4)");
                    return Err(self.bad_parameter(offset, reason));
                }
                Ok(())
            }
            other => Err(InterpretError::UnknownCommand {
                offset,
                bytes: vec![DLE, other],
            }),
        }
    }
}
