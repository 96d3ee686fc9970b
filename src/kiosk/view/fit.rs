//! Text that must fit a width without cutting a word: a line too long for its panel is
//! shortened at a word boundary and ends in an ellipsis, and a notice is given as many rows
//! as its words need. Used wherever a line's length depends on data (product names,
//! reasons, messages), so that 80 columns never show half a word.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// `text` as it fits in `width` columns: unchanged when it fits, else cut after the last
/// whole word that leaves room for `…` (or mid-word only when the first word alone is
/// wider than the line).
pub(super) fn ellipsized(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let prefix: String = text.chars().take(room).collect();
    let next_is_break = text.chars().nth(room).is_some_and(char::is_whitespace);
    let whole_words = if next_is_break {
        prefix.as_str()
    } else {
        match prefix.rfind(char::is_whitespace) {
            Some(end) if !prefix[..end].trim().is_empty() => &prefix[..end],
            _ => prefix.as_str(),
        }
    };
    format!("{}…", whole_words.trim_end())
}

/// `lines` cut to `width` columns each: a span that would cross the edge is shortened at a
/// word boundary with an ellipsis, and the spans after it are dropped.
pub(super) fn lines(lines: Vec<Line<'_>>, width: u16) -> Vec<Line<'_>> {
    let width = usize::from(width);
    lines
        .into_iter()
        .map(|line| {
            if line.width() <= width {
                return line;
            }
            let mut used = 0;
            let mut spans = Vec::new();
            for span in line.spans {
                let length = span.content.chars().count();
                if used + length <= width {
                    used += length;
                    spans.push(span);
                    continue;
                }
                let room = width - used;
                if room > 1 {
                    let shortened = ellipsized(span.content.trim_end(), room);
                    spans.push(Span::styled(shortened, span.style));
                }
                break;
            }
            Line { spans, ..line }
        })
        .collect()
}

/// The inside width of a bordered panel drawn in `area`.
pub(super) fn inner_width(area: Rect) -> u16 {
    area.width.saturating_sub(2)
}

/// The rows `text` takes when wrapped at word boundaries into `width` columns.
pub(super) fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let mut rows = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        let needed = if used == 0 { length } else { used + 1 + length };
        if needed <= width {
            used = needed;
        } else {
            rows += 1 + (length.saturating_sub(1)) / width;
            used = (length - 1) % width + 1;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_after_a_whole_word() {
        assert_eq!(ellipsized("fits as it is", 13), "fits as it is");
        assert_eq!(
            ellipsized("does not fit in the box", 16),
            "does not fit in…"
        );
        assert_eq!(ellipsized("does not fit in the box", 15), "does not fit…");
        assert_eq!(ellipsized("Supercalifragilistic", 6), "Super…");
    }

    #[test]
    fn a_line_of_spans_is_cut_in_the_span_that_crosses_the_edge() {
        let line = Line::from(vec![
            Span::raw(" Scale  "),
            Span::raw("FAULT: memory failed"),
        ]);
        let fitted = lines(vec![line], 22);
        assert_eq!(fitted[0].to_string(), " Scale  FAULT: memory…");
        assert!(fitted[0].width() <= 22);
    }

    #[test]
    fn rows_count_words_as_the_paragraph_wraps_them() {
        assert_eq!(wrapped_rows("", 10), 1);
        assert_eq!(wrapped_rows("one two three", 13), 1);
        assert_eq!(wrapped_rows("one two three", 12), 2);
        assert_eq!(wrapped_rows("a abcdefghijkl", 5), 4);
    }
}
