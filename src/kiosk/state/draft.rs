//! The piece being entered: the text of each field as typed, and what has been checked.

use crate::address::{Place, RecipientError, ZipCode, recipient_lines, town_line_abroad};
use crate::customs::{ContentCategory, CustomsItem};
use crate::rates::{Destination, Dimensions, ExtraService, Quote, Shape};
use crate::weight::Weight;

/// Where the weight came from: a stable scale reading or the clerk's keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightSource {
    Scale,
    Manual,
}

/// The text field that takes typed characters on the piece screens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DraftField {
    #[default]
    Weight,
    /// A parcel's length, width and height.
    Dimensions,
    /// The destination: a ZIP code, or a country's code or name.
    Zip,
    RecipientName,
    RecipientStreet,
    /// The town and postal code of an address abroad.
    RecipientTown,
    /// The service list has the focus: digits toggle extra services.
    Services,
    /// The insured piece's declared value.
    DeclaredValue,
    /// The customs item being entered.
    CustomsDescription,
    CustomsQuantity,
    CustomsValue,
    CustomsWeight,
    CustomsOrigin,
}

/// Where the piece goes, once the clerk's text is known to name a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftDestination {
    /// A ZIP code the directory was asked about (its place, when it knows it).
    Zip { zip: ZipCode, place: Option<Place> },
    /// A country of the country list in force.
    Country { code: String, name: String },
}

impl DraftDestination {
    /// The destination as the rates take it.
    pub fn rates(&self) -> Destination {
        match self {
            DraftDestination::Zip { zip, .. } => Destination::Domestic(zip.clone()),
            DraftDestination::Country { code, .. } => Destination::International {
                country: code.clone(),
            },
        }
    }
}

/// The customs declaration being entered: the items so far and the item being typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomsDraft {
    /// `None` until the clerk chooses one (←/→).
    pub category: Option<ContentCategory>,
    pub items: Vec<CustomsItem>,
    pub description: String,
    pub quantity: String,
    pub value: String,
    pub weight: String,
    pub origin: String,
}

impl CustomsDraft {
    /// Whether the item fields are all empty (Enter then finishes the declaration).
    pub fn item_is_empty(&self) -> bool {
        [
            &self.description,
            &self.quantity,
            &self.value,
            &self.weight,
            &self.origin,
        ]
        .iter()
        .all(|field| field.trim().is_empty())
    }
}

/// The piece being entered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub focus: DraftField,
    pub weight_text: String,
    pub weight: Option<(Weight, WeightSource)>,
    pub shape: Option<Shape>,
    pub dimensions_text: String,
    pub dimensions: Option<Dimensions>,
    pub zip_text: String,
    /// Countries whose name matches the letters typed in the destination field.
    pub country_matches: Vec<String>,
    pub destination: Option<DraftDestination>,
    pub recipient_name: String,
    pub recipient_street: String,
    pub recipient_town: String,
    pub quote: Option<Quote>,
    pub selected_offer: usize,
    pub extras: Vec<ExtraService>,
    pub declared_value_text: String,
    pub customs: CustomsDraft,
}

impl Draft {
    /// Nothing typed or chosen for a piece (a scale's reading aside: a pan left empty).
    pub fn is_blank(&self) -> bool {
        [
            &self.weight_text,
            &self.dimensions_text,
            &self.zip_text,
            &self.recipient_name,
            &self.recipient_street,
            &self.recipient_town,
            &self.declared_value_text,
        ]
        .iter()
        .all(|text| text.is_empty())
            && self.destination.is_none()
            && self.customs == CustomsDraft::default()
    }

    /// Whether the piece goes abroad: its destination is a country, or the destination field
    /// holds letters (a ZIP code has none).
    pub fn abroad(&self) -> bool {
        match &self.destination {
            Some(DraftDestination::Country { .. }) => true,
            Some(DraftDestination::Zip { .. }) => false,
            None => self.zip_text.chars().any(char::is_alphabetic),
        }
    }

    /// The label's recipient lines as typed: name and street, and abroad the town line.
    pub fn recipient(&self) -> Result<Vec<String>, RecipientError> {
        let mut lines = recipient_lines(&self.recipient_name, &self.recipient_street)?;
        if self.abroad() {
            lines.extend(town_line_abroad(&self.recipient_town, !lines.is_empty())?);
        }
        Ok(lines)
    }
}
