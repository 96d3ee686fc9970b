//! The postage label: the indicium top-right, then the addresses.
//!
//! The layout is a pure function to a [`Document`], so tests can check what is on the label
//! without decoding bytes, and the same label prints on any profile. ESC/POS standard mode
//! cannot set text beside an image, so the human-readable block sits right-aligned directly
//! under the symbol, forming one indicium in the top-right corner. The symbol's light quiet
//! zone is wider than the minimum one module, to keep the clear zone the postal rules ask
//! for (and to keep the symbol on a label narrower than the print head).

use crate::date::Date;
use crate::money::Money;

use super::document::TextStyle;
use super::{Align, DataMatrixSymbol, Document, PrinterProfile};

/// Light modules on every side of the indicium symbol.
pub const INDICIUM_CLEAR_ZONE_MODULES: u32 = 3;

/// Everything printed on a postage label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelContent {
    pub symbol: DataMatrixSymbol,
    pub postage: Money,
    pub mailing_date: Date,
    pub origin_zip: String,
    pub psd_serial: String,
    /// E.g. `FIRST-CLASS MAIL`, `PRIORITY MAIL`.
    pub class_marking: String,
    pub piece_serial: String,
    pub from_lines: Vec<String>,
    pub to_lines: Vec<String>,
    /// The customs declaration (CN 22 or CN 23 block) of a piece with goods abroad.
    pub customs_lines: Vec<String>,
    /// The extra services' markings (`CERTIFIED MAIL`, `RETURN RECEIPT REQUESTED`).
    pub service_markings: Vec<String>,
    /// The USPS tracking barcode of a tracked piece.
    pub tracking: Option<LabelTracking>,
    /// Why a tracked piece carries no tracking barcode.
    pub tracking_note: Option<String>,
}

/// The IMpb block of a label: its banner, the GS1-128 element strings and the number as
/// printed under the bars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelTracking {
    pub banner: String,
    pub elements: Vec<String>,
    pub human_readable: String,
}

/// Height of the tracking barcode: 0.75 in at 203 dpi (USPS asks for at least 0.75 in).
const TRACKING_BAR_HEIGHT_DOTS: u32 = 152;

/// The label document for `content` on the printer `profile`.
pub fn label_document(content: &LabelContent, profile: &PrinterProfile) -> Document {
    let right = TextStyle::default().aligned(Align::Right);
    let mut document = Document::new();
    document = document
        .data_matrix(
            content.symbol.clone(),
            Align::Right,
            profile.matrix_dots_per_module,
            INDICIUM_CLEAR_ZONE_MODULES,
        )
        .styled_line("US POSTAGE", right.bold())
        .styled_line(content.postage.to_string(), right.bold().size(2, 2))
        .styled_line(content.mailing_date.to_string(), right)
        .styled_line(format!("FROM {}", content.origin_zip), right)
        .styled_line(format!("PSD {}", content.psd_serial), right)
        .styled_line(content.class_marking.clone(), right.bold())
        .styled_line(format!("SERIAL {}", content.piece_serial), right)
        .feed(1);
    for marking in &content.service_markings {
        document = document.styled_line(marking.clone(), TextStyle::default().bold().size(1, 2));
    }
    document = document.feed(1);
    for line in &content.from_lines {
        document = document.line(line.clone());
    }
    document = document
        .feed(2)
        .styled_line("SHIP TO:", TextStyle::default().bold());
    let to_style = TextStyle::default().bold().size(1, 2);
    for line in &content.to_lines {
        document = document.styled_line(line.clone(), to_style);
    }
    let center = TextStyle::default().aligned(Align::Center);
    if let Some(tracking) = &content.tracking {
        document = document
            .feed(1)
            .styled_line(tracking.banner.clone(), center.bold())
            .gs1_128(
                tracking.elements.clone(),
                TRACKING_BAR_HEIGHT_DOTS,
                Align::Center,
            )
            .styled_line(tracking.human_readable.clone(), center.bold());
    }
    if let Some(note) = &content.tracking_note {
        document = document.feed(1).styled_line(note.clone(), center);
    }
    if !content.customs_lines.is_empty() {
        document = document.feed(1);
        for (index, line) in content.customs_lines.iter().enumerate() {
            let style = if index == 0 {
                TextStyle::default().bold()
            } else {
                TextStyle::default()
            };
            document = document.styled_line(line.clone(), style);
        }
    }
    document.feed(4).cut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::Block;

    #[test]
    fn the_symbol_comes_first_with_the_human_readable_block_right_aligned_under_it() {
        let content = LabelContent {
            symbol: DataMatrixSymbol::encode(&[7; 112]).expect("symbol"),
            postage: Money::from_mills(4_155),
            mailing_date: Date::from_ymd(2026, 7, 12).expect("date"),
            origin_zip: "02134".to_string(),
            psd_serial: "0401234".to_string(),
            class_marking: "PRIORITY MAIL".to_string(),
            piece_serial: "77".to_string(),
            from_lines: vec![],
            to_lines: vec!["JANE DOE".to_string()],
            customs_lines: vec![],
            service_markings: vec![],
            tracking: None,
            tracking_note: None,
        };
        let profile = PrinterProfile::embedded("label-4x6").expect("profile");
        let document = label_document(&content, &profile);
        let blocks = document.blocks();
        assert!(matches!(
            &blocks[0],
            Block::DataMatrix { align: Align::Right, dots_per_module: 6, quiet_zone_modules, .. }
                if *quiet_zone_modules == INDICIUM_CLEAR_ZONE_MODULES
        ));
        let right_lines: Vec<&str> = blocks[1..]
            .iter()
            .map_while(|block| match block {
                Block::Text { text, style } if style.align == Align::Right => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let expected = [
            "US POSTAGE",
            "$4.155",
            "2026-07-12",
            "FROM 02134",
            "PSD 0401234",
            "PRIORITY MAIL",
            "SERIAL 77",
        ];
        assert_eq!(right_lines, expected);
        assert_eq!(blocks.last(), Some(&Block::Cut));
    }
}
