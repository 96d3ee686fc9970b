//! A tiny terminal: the counter's output bytes decoded into a grid of characters, so the
//! benchmark can wait for what a clerk would see.
//!
//! Searching the raw byte stream for a text is not enough: ratatui sends only the cells that
//! changed, each run after a cursor move, so a title that stays put is never sent again and a
//! changed word may arrive in pieces. This model handles exactly what ratatui's crossterm
//! backend emits (cursor moves `CSI row;col H`, colours and attributes `CSI … m`, which it
//! ignores, clears, the alternate screen, cursor show/hide) plus carriage return and line
//! feed; any other escape sequence is skipped. Every character takes one cell: the counter
//! draws no double-width characters, and ratatui moves the cursor after any it would.
//!
//! It also tells where a frame ends. ratatui ends every `draw` by hiding the cursor (or
//! showing it, when the view places it), after all of that frame's cells, so a cursor
//! show/hide marks a complete frame; text is only judged at such a boundary. A cursor
//! position query (`CSI 6n`) is answered, as a terminal would, through [`take_replies`].
//!
//! [`take_replies`]: ScreenModel::take_replies

const ESC: u8 = 0x1b;

/// The grid a terminal of `width` x `height` would show, fed with the bytes written to it.
#[derive(Clone, Debug)]
pub struct ScreenModel {
    width: u16,
    height: u16,
    cells: Vec<char>,
    row: u16,
    column: u16,
    /// The start of an escape sequence or a UTF-8 character cut off at the end of a chunk.
    pending: Vec<u8>,
    frames_completed: u64,
    /// A cell was written since the last frame end: a frame is being drawn.
    drawing: bool,
    replies: Vec<u8>,
}

impl ScreenModel {
    pub fn new(width: u16, height: u16) -> ScreenModel {
        ScreenModel {
            width,
            height,
            cells: vec![' '; usize::from(width) * usize::from(height)],
            row: 0,
            column: 0,
            pending: Vec::new(),
            frames_completed: 0,
            drawing: false,
            replies: Vec::new(),
        }
    }

    /// Decodes `bytes`, which may end in the middle of a sequence or a character.
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut input = std::mem::take(&mut self.pending);
        input.extend_from_slice(bytes);
        let mut at = 0;
        while at < input.len() {
            match self.step(&input[at..]) {
                Some(used) => at += used,
                None => {
                    self.pending = input[at..].to_vec();
                    return;
                }
            }
        }
    }

    /// How many frames have been drawn completely so far.
    pub fn frames_completed(&self) -> u64 {
        self.frames_completed
    }

    /// At least one frame is complete and no later one has started.
    pub fn at_frame_end(&self) -> bool {
        self.frames_completed > 0 && !self.drawing && self.pending.is_empty()
    }

    pub fn contains(&self, text: &str) -> bool {
        self.rows().any(|row| row.contains(text))
    }

    /// The first row that holds `text`.
    pub fn row_containing(&self, text: &str) -> Option<String> {
        self.rows().find(|row| row.contains(text))
    }

    /// The whole screen, one line per row, without trailing blanks.
    pub fn text(&self) -> String {
        self.rows()
            .map(|row| row.trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The rows that show something, trimmed and joined with ` | `: a screen for an error
    /// message that must stay on one line.
    pub fn one_line(&self) -> String {
        one_line(&self.text())
    }

    /// Answers owed to the program (cursor position reports), to write back to it.
    pub fn take_replies(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.replies)
    }

    fn rows(&self) -> impl Iterator<Item = String> + '_ {
        self.cells
            .chunks(usize::from(self.width).max(1))
            .map(|row| row.iter().collect())
    }

    /// Handles one item at the start of `input`; returns the bytes it used, or `None` when
    /// the item is incomplete.
    fn step(&mut self, input: &[u8]) -> Option<usize> {
        match input[0] {
            ESC => self.escape(input),
            b'\r' => {
                self.column = 0;
                Some(1)
            }
            b'\n' => {
                self.row = (self.row + 1).min(self.height.saturating_sub(1));
                Some(1)
            }
            0x08 => {
                self.column = self.column.saturating_sub(1);
                Some(1)
            }
            byte if byte < 0x20 || byte == 0x7f => Some(1),
            _ => self.character(input),
        }
    }

    fn character(&mut self, input: &[u8]) -> Option<usize> {
        let length = match input[0] {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        let bytes = input.get(..length)?;
        let c = std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or('?');
        if self.row < self.height && self.column < self.width {
            let index = usize::from(self.row) * usize::from(self.width) + usize::from(self.column);
            self.cells[index] = c;
        }
        self.column = self.column.saturating_add(1);
        self.drawing = true;
        Some(length)
    }

    fn escape(&mut self, input: &[u8]) -> Option<usize> {
        match *input.get(1)? {
            b'[' => self.control_sequence(input),
            // Operating system command: up to BEL or ESC \ ; nothing the grid shows.
            b']' => {
                let end = input
                    .windows(2)
                    .position(|w| w[0] == 0x07 || w == [ESC, b'\\'])?;
                Some(end + if input[end] == 0x07 { 1 } else { 2 })
            }
            // Character set designations carry one more byte.
            b'(' | b')' => input.get(2).map(|_| 3),
            _ => Some(2),
        }
    }

    fn control_sequence(&mut self, input: &[u8]) -> Option<usize> {
        let final_at = 2 + input[2..].iter().position(|b| (0x40..=0x7e).contains(b))?;
        let parameters = std::str::from_utf8(&input[2..final_at]).unwrap_or("");
        let numbers: Vec<u16> = parameters
            .trim_start_matches('?')
            .split(';')
            .map(|n| n.parse().unwrap_or(0))
            .collect();
        let first = numbers.first().copied().unwrap_or(0);
        let at_least_one = |n: u16| n.max(1);
        match input[final_at] {
            b'H' | b'f' => {
                self.row = at_least_one(first) - 1;
                self.column = at_least_one(numbers.get(1).copied().unwrap_or(1)) - 1;
            }
            b'A' => self.row = self.row.saturating_sub(at_least_one(first)),
            b'B' => {
                self.row = (self.row + at_least_one(first)).min(self.height.saturating_sub(1));
            }
            b'C' => self.column = self.column.saturating_add(at_least_one(first)),
            b'D' => self.column = self.column.saturating_sub(at_least_one(first)),
            b'G' => self.column = at_least_one(first) - 1,
            b'J' => self.clear_screen(first),
            b'K' => self.clear_line(first),
            b'n' if first == 6 => {
                let report = format!("\x1b[{};{}R", self.row + 1, self.column + 1);
                self.replies.extend_from_slice(report.as_bytes());
            }
            b'h' | b'l' if parameters.starts_with('?') => {
                self.private_mode(first, input[final_at] == b'h');
            }
            _ => {}
        }
        Some(final_at + 1)
    }

    fn private_mode(&mut self, mode: u16, set: bool) {
        match mode {
            25 => {
                self.frames_completed += 1;
                self.drawing = false;
            }
            // Entering or leaving the alternate screen shows a blank page here.
            1049 | 1047 | 47 => {
                self.cells.fill(' ');
                if set {
                    self.row = 0;
                    self.column = 0;
                }
            }
            _ => {}
        }
    }

    fn clear_screen(&mut self, how: u16) {
        let length = self.cells.len();
        let cursor = self.cursor_index().min(length);
        match how {
            0 => self.cells[cursor..].fill(' '),
            1 => self.cells[..(cursor + 1).min(length)].fill(' '),
            _ => self.cells.fill(' '),
        }
    }

    fn clear_line(&mut self, how: u16) {
        if self.row >= self.height {
            return;
        }
        let start = usize::from(self.row) * usize::from(self.width);
        let end = start + usize::from(self.width);
        let cursor = self.cursor_index().min(end);
        match how {
            0 => self.cells[cursor..end].fill(' '),
            1 => self.cells[start..(cursor + 1).min(end)].fill(' '),
            _ => self.cells[start..end].fill(' '),
        }
    }

    fn cursor_index(&self) -> usize {
        usize::from(self.row) * usize::from(self.width) + usize::from(self.column.min(self.width))
    }
}

/// The non-blank lines of `text`, trimmed and joined with ` | `.
pub fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
#[path = "screen_model_tests.rs"]
mod tests;
