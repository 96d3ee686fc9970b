//! Customs declarations: what a piece that leaves the country with goods holds.
//!
//! The Universal Postal Union's forms list, for each item, its contents, quantity, value,
//! weight and country of origin, with a category (gift, documents, commercial sample,
//! returned goods, merchandise, other). USPS prints the short form (CN 22, PS Form 2976)
//! below $400 of declared value and the long one (CN 23, PS Form 2976-A) from $400. A
//! declaration is checked whole when it is made, by the same code on the counter and at the
//! data centre: every field present and within bounds, a description specific enough for a
//! customs officer (a bare "gift" or "merchandise" is refused, as USPS refuses it), and
//! items that weigh no more than the piece. Text is kept to printable ASCII, since it
//! reaches the label printer and the screen.

mod category;

use std::fmt;

pub use category::ContentCategory;

use crate::money::Money;
use crate::weight::Weight;

/// From this declared value, the long form (CN 23) is needed.
pub const CN23_FROM_VALUE: Money = Money::from_mills(400_000);
/// The most items one declaration lists (USPS's electronic form takes 30; a label has room
/// for fewer, and a CN 23 continues on its own sheet).
pub const MAX_ITEMS: usize = 20;
/// The longest item description.
pub const MAX_DESCRIPTION_CHARS: usize = 48;
/// The most of one item.
pub const MAX_QUANTITY: u32 = 9_999;

/// Descriptions that say nothing about the contents, refused on their own.
const VAGUE_DESCRIPTIONS: &[&str] = &[
    "gift",
    "gifts",
    "goods",
    "merchandise",
    "items",
    "stuff",
    "various",
    "misc",
    "miscellaneous",
    "sample",
    "samples",
    "parts",
    "personal items",
    "personal effects",
];

/// One line of a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomsItem {
    pub description: String,
    pub quantity: u32,
    /// The value of all `quantity` pieces together.
    pub value: Money,
    /// The weight of all `quantity` pieces together.
    pub weight: Weight,
    /// The country of origin: a two-letter code (`US`, `CN`).
    pub origin: String,
}

/// A declaration, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomsDeclaration {
    pub category: ContentCategory,
    pub items: Vec<CustomsItem>,
}

/// Which form the declaration is printed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomsForm {
    Cn22,
    Cn23,
}

impl fmt::Display for CustomsForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            CustomsForm::Cn22 => "CN 22",
            CustomsForm::Cn23 => "CN 23",
        })
    }
}

/// A declaration or item refused; the message quotes the input and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomsError {
    #[error(
        "customs item {input:?} is not accepted ({reason}): expected DESCRIPTION:QUANTITY:VALUE:WEIGHT:ORIGIN, like \"Wool sweater:1:$45:1lb 2oz:US\""
    )]
    Item { input: String, reason: String },
    #[error(
        "customs category {input:?} is not accepted: expected gift, documents, commercial-sample, returned-goods, merchandise or other"
    )]
    Category { input: String },
    #[error(
        "{origin:?} is not a country of origin the country list knows: use its two-letter ISO code, like US, GB or CN"
    )]
    Origin { origin: String },
    #[error("a customs declaration lists 1 to {MAX_ITEMS} items, not {count}")]
    ItemCount { count: usize },
    #[error("the customs items weigh {items}, more than the piece's {piece}")]
    Heavier { items: Weight, piece: Weight },
    #[error("the customs items' values do not add up to an amount")]
    TooValuable,
    #[error(
        "{description:?} is declared at $0.00: goods have a value (only documents may be $0.00)"
    )]
    ZeroValue { description: String },
}

impl CustomsItem {
    /// An item from its fields, checked.
    pub fn new(
        description: &str,
        quantity: u32,
        value: Money,
        weight: Weight,
        origin: &str,
    ) -> Result<CustomsItem, String> {
        let description = description.trim();
        let length = description.chars().count();
        if length == 0 || length > MAX_DESCRIPTION_CHARS {
            return Err(format!(
                "the description has {length} characters: 1 to {MAX_DESCRIPTION_CHARS}"
            ));
        }
        if !description
            .chars()
            .all(|c| c.is_ascii_graphic() || c == ' ')
        {
            return Err("the description holds characters other than printable ASCII".into());
        }
        if VAGUE_DESCRIPTIONS.contains(&description.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{description:?} does not say what the contents are: name them, like \"wool sweater\" or \"paperback books\""
            ));
        }
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return Err(format!("quantity {quantity}: 1 to {MAX_QUANTITY}"));
        }
        if value < Money::ZERO {
            return Err(format!("value {value} is negative"));
        }
        if value.mills() % 10 != 0 {
            return Err(format!("value {value} is not in whole cents"));
        }
        if weight == Weight::ZERO {
            return Err("the weight is zero".into());
        }
        let origin = origin.trim().to_ascii_uppercase();
        if origin.len() != 2 || !origin.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "origin {origin:?} is not a two-letter country code like US"
            ));
        }
        Ok(CustomsItem {
            description: description.to_string(),
            quantity,
            value,
            weight,
            origin,
        })
    }

    /// `DESCRIPTION:QUANTITY:VALUE:WEIGHT:ORIGIN`, as `sell --customs-item` takes it. The
    /// fields are read from the right, so a description may hold a colon.
    pub fn parse(input: &str) -> Result<CustomsItem, CustomsError> {
        let fail = |reason: String| CustomsError::Item {
            input: input.to_string(),
            reason,
        };
        let mut fields = input.rsplitn(5, ':');
        let (Some(origin), Some(weight), Some(value), Some(quantity), Some(description)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(fail("it does not have five fields".into()));
        };
        let quantity = quantity
            .trim()
            .parse::<u32>()
            .map_err(|_| fail(format!("quantity {quantity:?} is not a whole number")))?;
        let value = value
            .trim()
            .parse::<Money>()
            .map_err(|e| fail(format!("value: {e}")))?;
        let weight = Weight::parse(weight).map_err(|e| fail(format!("weight: {}", e.reason)))?;
        CustomsItem::new(description, quantity, value, weight, origin).map_err(fail)
    }
}

impl CustomsDeclaration {
    /// A declaration of `items` for a piece weighing `piece_weight`.
    pub fn new(
        category: ContentCategory,
        items: Vec<CustomsItem>,
        piece_weight: Weight,
    ) -> Result<CustomsDeclaration, CustomsError> {
        if items.is_empty() || items.len() > MAX_ITEMS {
            return Err(CustomsError::ItemCount { count: items.len() });
        }
        if let Some(free) = items
            .iter()
            .find(|item| category.is_goods() && item.value == Money::ZERO)
        {
            return Err(CustomsError::ZeroValue {
                description: free.description.clone(),
            });
        }
        let declaration = CustomsDeclaration { category, items };
        declaration.total_value().ok_or(CustomsError::TooValuable)?;
        declaration.fits(piece_weight)?;
        Ok(declaration)
    }

    /// Refuses items that weigh more together than the piece they are in.
    pub fn fits(&self, piece_weight: Weight) -> Result<(), CustomsError> {
        let items = self
            .total_weight()
            .unwrap_or(Weight::from_picograms(u64::MAX));
        if items > piece_weight {
            return Err(CustomsError::Heavier {
                items,
                piece: piece_weight,
            });
        }
        Ok(())
    }

    /// The declared value of everything; `None` only if it overflows (refused by `new`).
    pub fn total_value(&self) -> Option<Money> {
        Money::checked_sum(self.items.iter().map(|item| item.value))
    }

    pub fn total_weight(&self) -> Option<Weight> {
        self.items
            .iter()
            .try_fold(Weight::ZERO, |sum, item| sum.checked_add(item.weight))
    }

    /// CN 22 below $400 of declared value, CN 23 from it.
    pub fn form(&self) -> CustomsForm {
        match self.total_value() {
            Some(value) if value < CN23_FROM_VALUE => CustomsForm::Cn22,
            _ => CustomsForm::Cn23,
        }
    }

    /// The declaration as the label prints it, one line each.
    pub fn label_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("CUSTOMS DECLARATION {}", self.form()),
            format!("Category: {}", self.category),
        ];
        for item in &self.items {
            lines.push(format!(
                "{} x {}  {}  {}  origin {}",
                item.quantity, item.description, item.weight, item.value, item.origin
            ));
        }
        let (weight, value) = (self.total_weight(), self.total_value());
        if let (Some(weight), Some(value)) = (weight, value) {
            lines.push(format!("Total: {weight}  {value}"));
        }
        lines.push("I certify the particulars given in this declaration are correct".into());
        lines.push("and that it holds nothing dangerous or prohibited.".into());
        lines.push("Sender's signature and date: ____________________".into());
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_reads_from_the_right_so_a_description_may_hold_a_colon() {
        let item = CustomsItem::parse("Book: a novel:2:$30:1lb 4oz:gb").expect("item");
        assert_eq!(item.description, "Book: a novel");
        assert_eq!(item.quantity, 2);
        assert_eq!(item.value, Money::from_mills(30_000));
        assert_eq!(item.weight, Weight::from_ounces(20));
        assert_eq!(item.origin, "GB");
    }

    #[test]
    fn bad_items_are_refused_quoting_them_with_the_reason() {
        let reason = |text: &str| match CustomsItem::parse(text) {
            Err(CustomsError::Item { reason, .. }) => reason,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(reason("Sweater:1:$45:1lb"), "it does not have five fields");
        assert_eq!(
            reason("Sweater:x:$45:1lb:US"),
            "quantity \"x\" is not a whole number"
        );
        assert_eq!(reason("Sweater:0:$45:1lb:US"), "quantity 0: 1 to 9999");
        assert_eq!(
            reason("Sweater:1:$4.999:1lb:US"),
            "value $4.999 is not in whole cents"
        );
        assert!(reason("Gift:1:$45:1lb:US").contains("does not say what the contents are"));
        assert_eq!(
            reason("Sweater:1:$45:1lb:USA"),
            "origin \"USA\" is not a two-letter country code like US"
        );
        assert!(reason("Sweater:1:$45:12:US").starts_with("weight: "));
        assert_eq!(
            reason("Sweater\u{1b}[2J:1:$45:1lb:US"),
            "the description holds characters other than printable ASCII"
        );
    }

    #[test]
    fn the_form_is_cn22_below_400_dollars_and_cn23_from_it() {
        let item = |value: i64| {
            CustomsItem::new(
                "Wool sweater",
                1,
                Money::from_mills(value),
                Weight::from_ounces(8),
                "US",
            )
            .expect("item")
        };
        let piece = Weight::from_pounds(1);
        let small = CustomsDeclaration::new(ContentCategory::Gift, vec![item(399_990)], piece)
            .expect("declaration");
        assert_eq!(small.form(), CustomsForm::Cn22);
        let large = CustomsDeclaration::new(
            ContentCategory::Gift,
            vec![item(200_000), item(200_000)],
            piece,
        )
        .expect("declaration");
        assert_eq!(large.form(), CustomsForm::Cn23);
        let heavy = CustomsDeclaration::new(
            ContentCategory::Gift,
            vec![item(10), item(10), item(10)],
            piece,
        );
        assert_eq!(
            heavy,
            Err(CustomsError::Heavier {
                items: Weight::from_ounces(24),
                piece
            })
        );
        assert_eq!(
            CustomsDeclaration::new(ContentCategory::Gift, vec![], piece),
            Err(CustomsError::ItemCount { count: 0 })
        );
        assert!(matches!(
            CustomsDeclaration::new(ContentCategory::Gift, vec![item(0)], piece),
            Err(CustomsError::ZeroValue { .. })
        ));
        assert!(CustomsDeclaration::new(ContentCategory::Documents, vec![item(0)], piece).is_ok());
    }
}
