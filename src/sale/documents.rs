//! The printed documents of a sale: a label per indicium and the customer's receipt.

use crate::address::ZipCode;
use crate::config::LabelSettings;
use crate::customs::CustomsDeclaration;
use crate::indicium::Indicium;
use crate::indicium::layout::parse_indicium_serial_text;
use crate::money::Money;
use crate::print::PrintError;
use crate::print::label::{LabelContent, LabelTracking};
use crate::print::receipt::{ReceiptContent, ReceiptItem, Tender};
use crate::print::symbol::DataMatrixSymbol;
use crate::rates::{Destination, ExtraService, Product};
use crate::tracking::{MailerId, TrackingNumber, tracking_of};

use crate::rates::PricedPiece;

/// The label for one issued indicium, from the counter's return address to
/// `recipient_lines` (name and street, already standardized; may be empty) above the city
/// line of the destination ZIP, with its service markings and, for a tracked piece, its
/// tracking barcode.
pub fn label_content(
    piece: &PricedPiece,
    recipient_lines: &[String],
    (indicium, indicium_bytes): (&Indicium, &[u8]),
    settings: &LabelSettings,
) -> Result<LabelContent, PrintError> {
    let data = &indicium.data;
    let (tracking, tracking_note) =
        match tracking_of(piece, settings.mailer_id, data.device_id, data.piece_serial) {
            Ok(Some(number)) => (label_tracking(piece, &number), None),
            Ok(None) => (None, None),
            Err(missing) => (None, Some(format!("NO TRACKING BARCODE: {missing}"))),
        };
    let mut to_lines = recipient_lines.to_vec();
    match &piece.request.destination {
        Destination::Domestic(zip) => to_lines.push(city_line(zip)),
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
        from_lines: return_address(piece, settings),
        to_lines,
        service_markings: piece
            .request
            .extras
            .iter()
            .filter_map(|service| service_marking(*service))
            .map(str::to_string)
            .collect(),
        tracking,
        tracking_note,
        customs_lines: piece
            .request
            .customs
            .as_ref()
            .map(CustomsDeclaration::label_lines)
            .unwrap_or_default(),
    })
}

/// The configured return address, or the origin's city line when none is configured.
fn return_address(piece: &PricedPiece, settings: &LabelSettings) -> Vec<String> {
    if !settings.return_address.is_empty() {
        return settings.return_address.clone();
    }
    vec![city_line(&piece.request.origin)]
}

/// `BEVERLY HILLS CA 90210`: the last line of a domestic address (the ZIP alone when the
/// directory does not know its place).
fn city_line(zip: &ZipCode) -> String {
    let place = zip
        .place()
        .map(|p| format!("{} {} ", p.city, p.state))
        .unwrap_or_default();
    format!("{place}{zip}").to_uppercase()
}

/// What an extra service prints on the label.
fn service_marking(service: ExtraService) -> Option<&'static str> {
    match service {
        ExtraService::CertifiedMail => Some("CERTIFIED MAIL"),
        ExtraService::ReturnReceipt => Some("RETURN RECEIPT REQUESTED"),
        ExtraService::SignatureConfirmation => Some("SIGNATURE CONFIRMATION"),
        ExtraService::Insurance => Some("INSURED"),
        ExtraService::CertificateOfMailing => None,
    }
}

/// The IMpb block of a domestic tracked piece (mail abroad is tracked by its own barcodes).
fn label_tracking(piece: &PricedPiece, number: &TrackingNumber) -> Option<LabelTracking> {
    let Destination::Domestic(zip) = &piece.request.destination else {
        return None;
    };
    let extras = &piece.request.extras;
    let banner = if extras.contains(&ExtraService::CertifiedMail) {
        "USPS CERTIFIED MAIL"
    } else if extras.contains(&ExtraService::SignatureConfirmation) {
        "USPS SIGNATURE TRACKING #"
    } else {
        "USPS TRACKING #"
    };
    Some(LabelTracking {
        banner: banner.to_string(),
        elements: number.barcode_elements(zip.zip5()),
        human_readable: number.human_readable(),
    })
}

/// How a sale was paid, and the receipt's fixed lines.
#[derive(Clone, Debug)]
pub struct ReceiptSale {
    /// The sale's id, printed as its transaction number.
    pub transaction: String,
    pub tenders: Vec<Tender>,
    /// `None` when nothing was paid in cash.
    pub change: Option<Money>,
    pub header_lines: Vec<String>,
    pub footer_lines: Vec<String>,
    /// The mailer id of the pieces' tracking numbers.
    pub mailer_id: MailerId,
}

/// The receipt for pieces paid together: each piece with where it goes, its extra services
/// (insurance with the declared value) and its customs form, then the payment.
pub fn receipt_content(pieces: &[(PricedPiece, String)], sale: ReceiptSale) -> ReceiptContent {
    let mut items = Vec::new();
    for (piece, serial) in pieces {
        let mut notes = piece_notes(piece);
        if let Some(tracking) = tracking_of_serial(piece, sale.mailer_id, serial) {
            notes.push(format!("tracking {tracking}"));
        }
        items.push(ReceiptItem {
            description: piece.description(),
            quantity: 1,
            amount: piece.offer.postage,
            notes,
        });
        for (service, fee) in &piece.extras {
            let notes = match (service, piece.request.declared_value) {
                (ExtraService::Insurance, Some(value)) => vec![format!("declared value {value}")],
                _ => Vec::new(),
            };
            items.push(ReceiptItem {
                description: format!("  {}", service.name()),
                quantity: 1,
                amount: *fee,
                notes,
            });
        }
    }
    let total = Money::checked_sum(pieces.iter().map(|(p, _)| p.total)).unwrap_or(Money::ZERO);
    ReceiptContent {
        header_lines: sale.header_lines,
        issued_at: None,
        transaction: sale.transaction,
        items,
        total,
        tenders: sale.tenders,
        change: sale.change,
        indicium_serials: pieces.iter().map(|(_, serial)| serial.clone()).collect(),
        footer_lines: sale.footer_lines,
        open_drawer: false,
    }
}

/// The tracking number of the piece printed as `serial` (`20000001-0000007`), if tracked.
fn tracking_of_serial(
    piece: &PricedPiece,
    mailer: MailerId,
    serial: &str,
) -> Option<TrackingNumber> {
    let (device_id, piece_serial) = parse_indicium_serial_text(serial)?;
    tracking_of(piece, mailer, device_id, piece_serial)
        .ok()
        .flatten()
}

/// Where a piece goes (a domestic one: its ZIP and place) and its customs form.
fn piece_notes(piece: &PricedPiece) -> Vec<String> {
    let mut notes = Vec::new();
    if let Destination::Domestic(zip) = &piece.request.destination {
        let place = zip
            .place()
            .map(|p| format!(" {} {}", p.city, p.state))
            .unwrap_or_default();
        notes.push(format!("to {zip}{place}"));
    }
    if let Some(customs) = &piece.request.customs {
        let value = customs
            .total_value()
            .map(|v| format!(", declared {v}"))
            .unwrap_or_default();
        notes.push(format!("customs {}{value}", customs.form()));
    }
    notes
}
