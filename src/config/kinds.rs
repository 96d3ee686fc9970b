//! The kinds of device a counter may be configured with, each parsed from its text when the
//! settings load (see [`super::values::parsed`]).

use std::str::FromStr;

/// Where weights come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleKind {
    /// The clerk types every weight.
    None,
    /// An Avery Weigh-Tronix NCI scale on a serial line.
    Nci,
    /// A USB HID point-of-sale scale on a hidraw device.
    HidPos,
    /// A Mettler Toledo MT-SICS scale on a serial line.
    MtSics,
}

impl FromStr for ScaleKind {
    type Err = String;

    fn from_str(text: &str) -> Result<ScaleKind, String> {
        match text {
            "none" => Ok(ScaleKind::None),
            "nci" => Ok(ScaleKind::Nci),
            "hid-pos" => Ok(ScaleKind::HidPos),
            "mt-sics" => Ok(ScaleKind::MtSics),
            _ => Err(format!(
                "{text:?} is not accepted: expected none, nci, hid-pos or mt-sics"
            )),
        }
    }
}

/// What takes cash at a self-service kiosk. No acceptor driver is built in yet, so a kiosk
/// takes card and account only; a clerk's counter always takes cash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CashAcceptorKind {
    None,
}

impl FromStr for CashAcceptorKind {
    type Err = String;

    fn from_str(text: &str) -> Result<CashAcceptorKind, String> {
        match text {
            "none" => Ok(CashAcceptorKind::None),
            _ => Err(format!(
                "{text:?} is not accepted: expected none (no cash acceptor driver is built in: a self-service kiosk takes card and account)"
            )),
        }
    }
}

/// Who processes card payments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardGatewayKind {
    /// The data centre validates the counter and the card and charges it, before anything
    /// is issued (claim 6); the payment is credited to the counter's account.
    DataCentre,
    /// The built-in test gateway at the counter: documented test numbers, no real money.
    Test,
}

impl FromStr for CardGatewayKind {
    type Err = String;

    fn from_str(text: &str) -> Result<CardGatewayKind, String> {
        match text {
            "data-centre" => Ok(CardGatewayKind::DataCentre),
            "test" => Ok(CardGatewayKind::Test),
            _ => Err(format!(
                "{text:?} is not accepted: expected data-centre (the data centre validates and charges the card) or test (the built-in test gateway at the counter)"
            )),
        }
    }
}

/// Who charges the cards a data centre takes for its counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VendorGatewayKind {
    /// The built-in test gateway: it approves and declines by documented test card numbers,
    /// and no money moves, so every approval credits an account with nothing behind it.
    Test,
    /// No cards: card payments and purchases with a card are refused.
    None,
}

impl FromStr for VendorGatewayKind {
    type Err = String;

    fn from_str(text: &str) -> Result<VendorGatewayKind, String> {
        match text {
            "test" => Ok(VendorGatewayKind::Test),
            "none" => Ok(VendorGatewayKind::None),
            _ => Err(format!(
                "{text:?} is not accepted: expected test (the built-in test gateway: no money moves) or none (no card payments)"
            )),
        }
    }
}

/// What each processing server of a `vendor serve` signs through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CryptoModuleKind {
    /// PSD keys in the data centre's key store, shared by every processing server.
    Software,
    /// A PKCS#11 token per processing server (labelled with its name), keys made inside.
    Pkcs11,
}

impl FromStr for CryptoModuleKind {
    type Err = String;

    fn from_str(text: &str) -> Result<CryptoModuleKind, String> {
        match text {
            "software" => Ok(CryptoModuleKind::Software),
            "pkcs11" => Ok(CryptoModuleKind::Pkcs11),
            _ => Err(format!(
                "{text:?} is not accepted: expected software (key files in the data centre's key store) or pkcs11 (a token per processing server, see vendor.pkcs11_library)"
            )),
        }
    }
}
