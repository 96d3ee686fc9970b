//! The label preview box: the Data Matrix in block characters with the label's text beside
//! it, in the theme's paper and ink (a label is black on white whatever the screen's theme).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::sanitized;
use crate::kiosk::preview::LabelPreview;
use crate::kiosk::style::Theme;

/// Columns of label text beside the symbol.
const TEXT_COLUMNS: u16 = 24;

/// The fewest rows worth drawing a preview in: a 40x40 symbol in Braille (11 rows) with
/// its border.
pub(super) const MIN_HEIGHT: u16 = 13;

/// How the symbol is drawn: half blocks when they fit, Braille otherwise.
#[derive(Clone, Copy)]
enum Drawing {
    HalfBlocks,
    Braille,
}

impl Drawing {
    /// The drawing that fits `width` x `height` (border included), with its size in cells;
    /// worked out from the symbol's size, so nothing is drawn to decide.
    fn fitting(preview: &LabelPreview, width: u16, height: u16) -> (Drawing, u16, u16) {
        let side = u16::try_from(preview.side_with_quiet_zone_modules()).unwrap_or(u16::MAX);
        let (half_width, half_height) = (side, side.div_ceil(2));
        if half_width + TEXT_COLUMNS + 3 <= width && half_height + 2 <= height {
            (Drawing::HalfBlocks, half_width, half_height)
        } else {
            (Drawing::Braille, side.div_ceil(2), side.div_ceil(4))
        }
    }
}

/// Rows the preview takes within `width` x `height` (border included); never more than
/// `height`.
pub(super) fn preferred_height(preview: &LabelPreview, width: u16, height: u16) -> u16 {
    let (_, _, symbol_rows) = Drawing::fitting(preview, width, height);
    let text_rows = u16::try_from(preview.text_lines.len()).unwrap_or(u16::MAX);
    (symbol_rows.max(text_rows) + 2).min(height)
}

pub(super) fn render(frame: &mut Frame, area: Rect, preview: &LabelPreview, theme: &Theme) {
    let block = super::panel(theme).title(format!(" Label {} ", sanitized(&preview.serial)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (drawing, symbol_width, _) = Drawing::fitting(preview, area.width, area.height);
    let rows = match drawing {
        Drawing::HalfBlocks => preview.half_block_rows(),
        Drawing::Braille => preview.braille_rows(),
    };
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
