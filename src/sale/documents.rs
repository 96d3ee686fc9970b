//! The printed documents of a sale: a label per indicium and the customer's receipt.

use crate::customs::CustomsDeclaration;
use crate::indicium::Indicium;
use crate::money::Money;
use crate::print::PrintError;
use crate::print::label::LabelContent;
use crate::print::receipt::{ReceiptContent, ReceiptItem, Tender};
use crate::print::symbol::DataMatrixSymbol;
use crate::rates::{Destination, Product};

use crate::rates::PricedPiece;

/// The label for one issued indicium, addressed to `recipient_lines` (name and street,
/// already standardized; may be empty) above the city line of the destination ZIP.
pub fn label_content(
    piece: &PricedPiece,
    recipient_lines: &[String],
    indicium: &Indicium,
    indicium_bytes: &[u8],
) -> Result<LabelContent, PrintError> {
    let data = &indicium.data;
    let mut to_lines = recipient_lines.to_vec();
    match &piece.request.destination {
        Destination::Domestic(zip) => {
            let place = zip
                .place()
                .map(|p| format!("{} {} ", p.city, p.state))
                .unwrap_or_default();
            to_lines.push(format!("{place}{zip}").to_uppercase());
        }
        // The country's name in capitals is the last line of an address abroad.
        Destination::International { country } => to_lines.push(
            piece
                .country_name
                .as_deref()
                .unwrap_or(country)
                .to_uppercase(),
        ),
    }
    Ok(LabelContent {
        symbol: DataMatrixSymbol::encode(indicium_bytes)?,
        postage: data.postage,
        mailing_date: data.mailing_date,
        origin_zip: piece.request.origin.zip5().to_string(),
        psd_serial: format!("{:08}", data.device_id),
        class_marking: Product::from_code(data.rate_category)
            .map(|p| p.marking().to_string())
            .unwrap_or_default(),
        piece_serial: data.serial_text(),
        from_lines: vec![format!("FROM: {}", piece.request.origin)],
        to_lines,
        customs_lines: piece
            .request
            .customs
            .as_ref()
            .map(CustomsDeclaration::label_lines)
            .unwrap_or_default(),
    })
}

/// The receipt for pieces paid together.
pub fn receipt_content(
    pieces: &[(PricedPiece, String)],
    tenders: Vec<Tender>,
    change: Money,
    header_lines: Vec<String>,
    footer_lines: Vec<String>,
) -> ReceiptContent {
    let mut items = Vec::new();
    for (piece, _) in pieces {
        items.push(ReceiptItem {
            description: piece.description(),
            quantity: 1,
            amount: piece.offer.postage,
        });
        for (service, fee) in &piece.extras {
            items.push(ReceiptItem {
                description: format!("  {}", service.name()),
                quantity: 1,
                amount: *fee,
            });
        }
    }
    let total = Money::checked_sum(pieces.iter().map(|(p, _)| p.total)).unwrap_or(Money::ZERO);
    ReceiptContent {
        header_lines,
        items,
        total,
        tenders,
        change,
        indicium_serials: pieces.iter().map(|(_, serial)| serial.clone()).collect(),
        footer_lines,
        open_drawer: false,
    }
}
