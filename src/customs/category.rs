//! Why the contents of a declared piece are sent: the category box of the CN 22 and CN 23.

use std::fmt;
use std::str::FromStr;

use super::CustomsError;

/// Why the contents are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContentCategory {
    Gift,
    Documents,
    CommercialSample,
    ReturnedGoods,
    Merchandise,
    Other,
}

impl ContentCategory {
    pub const ALL: &'static [ContentCategory] = &[
        ContentCategory::Gift,
        ContentCategory::Documents,
        ContentCategory::CommercialSample,
        ContentCategory::ReturnedGoods,
        ContentCategory::Merchandise,
        ContentCategory::Other,
    ];

    pub const fn slug(self) -> &'static str {
        match self {
            ContentCategory::Gift => "gift",
            ContentCategory::Documents => "documents",
            ContentCategory::CommercialSample => "commercial-sample",
            ContentCategory::ReturnedGoods => "returned-goods",
            ContentCategory::Merchandise => "merchandise",
            ContentCategory::Other => "other",
        }
    }

    /// As the form prints it.
    pub const fn name(self) -> &'static str {
        match self {
            ContentCategory::Gift => "Gift",
            ContentCategory::Documents => "Documents",
            ContentCategory::CommercialSample => "Commercial sample",
            ContentCategory::ReturnedGoods => "Returned goods",
            ContentCategory::Merchandise => "Merchandise",
            ContentCategory::Other => "Other",
        }
    }

    /// Whether the contents are goods (everything but documents).
    pub const fn is_goods(self) -> bool {
        !matches!(self, ContentCategory::Documents)
    }
}

impl FromStr for ContentCategory {
    type Err = CustomsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ContentCategory::ALL
            .iter()
            .copied()
            .find(|c| c.slug() == wanted)
            .ok_or_else(|| CustomsError::Category {
                input: s.to_string(),
            })
    }
}

impl fmt::Display for ContentCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
