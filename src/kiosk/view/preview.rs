//! The label preview box: the Data Matrix in block characters with the label's text beside
//! it, in the theme's paper and ink (a label is black on white whatever the screen's theme).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::sanitized;
use crate::kiosk::preview::LabelPreview;
use crate::kiosk::style::Theme;

/// Columns of label text beside the symbol.
const TEXT_COLUMNS: u16 = 24;

/// The fewest rows worth drawing a preview in: a 40x40 symbol in Braille (11 rows) with
/// its border.
pub(super) const MIN_HEIGHT: u16 = 13;

/// Rows the preview takes within `width` x `height` (border included): half blocks when
/// they fit, Braille otherwise; never more than `height`.
pub(super) fn preferred_height(preview: &LabelPreview, width: u16, height: u16) -> u16 {
    let (rows, _) = symbol_rows(preview, width, height);
    let wanted = u16::try_from(rows.len().max(preview.text_lines.len())).unwrap_or(u16::MAX) + 2;
    wanted.min(height)
}

fn symbol_rows(preview: &LabelPreview, width: u16, height: u16) -> (Vec<String>, u16) {
    let half = preview.half_block_rows();
    let half_width = u16::try_from(half.first().map_or(0, |r| r.chars().count())).unwrap_or(0);
    let half_height = u16::try_from(half.len()).unwrap_or(u16::MAX);
    if half_width + TEXT_COLUMNS + 3 <= width && half_height + 2 <= height {
        (half, half_width)
    } else {
        let braille = preview.braille_rows();
        let braille_width =
            u16::try_from(braille.first().map_or(0, |r| r.chars().count())).unwrap_or(0);
        (braille, braille_width)
    }
}

pub(super) fn render(frame: &mut Frame, area: Rect, preview: &LabelPreview, theme: &Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" Label {} ", sanitized(&preview.serial)))
        .border_style(theme.base.border);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (rows, symbol_width) = symbol_rows(preview, area.width, area.height);
    let [symbol_area, _, text_area] = Layout::horizontal([
        Constraint::Length(symbol_width),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let ink_on_paper = theme.label_preview.ink;
    let symbol: Vec<Line> = rows
        .into_iter()
        .map(|row| Line::styled(row, ink_on_paper))
        .collect();
    frame.render_widget(Paragraph::new(symbol), symbol_area);
    let text: Vec<Line> = preview
        .text_lines
        .iter()
        .map(|line| Line::styled(sanitized(line), theme.base.text))
        .collect();
    frame.render_widget(Paragraph::new(text), text_area);
}
