//! Physical limits of each product, and dimensional weight.
//!
//! These are rules about the piece, not prices, so they are code rather than rate data: they
//! come from DMM 101 (as quoted in the source data's `[limits]` section) and change far less
//! often than prices. Letters: 3.5 oz and 11.5 x 6.125 x 0.25 in (at least 5 x 3.5 x 0.007
//! in); postcards: at most 6 x 4.25 x 0.016 in; flats: 13 oz and 15 x 12 x 0.75 in; everything
//! else: 70 lb and 108 in of length plus girth. International: large envelopes 15.994 oz,
//! First-Class Package International Service and the flat-rate envelopes and small box 4 lb,
//! the medium and large boxes 20 lb (Notice 123); a country may take less (rate data). Dimensional weight is priced from the rule in
//! force (a rate-data table, since its divisor changed on 2026-07-12).

use crate::rates::piece::{Dimensions, Inches, MailPiece, Shape};
use crate::rates::product::{Family, Product};
use crate::rates::service_table::DimensionalRule;
use crate::weight::Weight;

pub const MAX_WEIGHT: Weight = Weight::from_pounds(70);
pub const LETTER_MAX_WEIGHT: Weight = Weight::from_milli_ounces(3500);
pub const FLAT_MAX_WEIGHT: Weight = Weight::from_ounces(13);
/// First-Class Mail International large envelopes: 15.994 oz, as Notice 123 prints it.
pub const INTL_FLAT_MAX_WEIGHT: Weight = Weight::from_milli_ounces(15_994);
/// First-Class Package International Service, and the international flat-rate envelopes and
/// small box: 4 lb.
pub const INTL_SMALL_MAX_WEIGHT: Weight = Weight::from_pounds(4);
/// Priority Mail International medium and large flat-rate boxes: 20 lb.
pub const INTL_BOX_MAX_WEIGHT: Weight = Weight::from_pounds(20);
pub const LETTER_MAX_DIMENSIONS: Dimensions = Dimensions::from_sorted_thou(11_500, 6_125, 250);
pub const LETTER_MIN_DIMENSIONS: Dimensions = Dimensions::from_sorted_thou(5_000, 3_500, 7);
pub const POSTCARD_MAX_DIMENSIONS: Dimensions = Dimensions::from_sorted_thou(6_000, 4_250, 16);
pub const FLAT_MAX_DIMENSIONS: Dimensions = Dimensions::from_sorted_thou(15_000, 12_000, 750);
pub const MAX_LENGTH_PLUS_GIRTH_THOU: u64 = 108_000;

/// A dimensional weight is never taken above this.
const DIMENSIONAL_POUNDS_MAX: u128 = 1_000_000;

/// Thousandths of an inch cubed in one cubic inch.
const CUBIC_THOU_PER_CUBIC_INCH: u128 = 1_000_000_000;

/// The shapes a product takes. Priority Mail (Express) and the flat-rate envelopes take a
/// letter or flat as well as a parcel; boxes, Ground Advantage and Media Mail take parcels.
pub fn takes_shape(product: Product, shape: Shape) -> bool {
    use Product::*;
    match product {
        FcmLetter | FcmiLetter => shape == Shape::Letter,
        FcmPostcard | FcmiPostcard => shape == Shape::Postcard,
        FcmLargeEnvelope | FcmiLargeEnvelope => shape == Shape::LargeEnvelope,
        GroundAdvantage
        | MediaMail
        | FcpisPackage
        | PriorityFlatRateSmallBox
        | PriorityFlatRateMediumBox
        | PriorityFlatRateLargeBox
        | PriorityFlatRateLargeBoxApo
        | PriorityIntlFlatRateSmallBox
        | PriorityIntlFlatRateMediumBox
        | PriorityIntlFlatRateLargeBox => shape == Shape::Parcel,
        // An envelope holds a letter or a flat: a parcel is not an envelope's.
        PriorityFlatRateEnvelope
        | PriorityFlatRateLegalEnvelope
        | PriorityFlatRatePaddedEnvelope
        | PriorityExpressFlatRateEnvelope
        | PriorityExpressFlatRateLegalEnvelope
        | PriorityExpressFlatRatePaddedEnvelope
        | PriorityIntlFlatRateEnvelope
        | PriorityExpressIntlFlatRateEnvelope => {
            matches!(shape, Shape::Letter | Shape::LargeEnvelope)
        }
        _ => shape != Shape::Postcard,
    }
}

/// The inside of each kind of a flat-rate box (USPS's published sizes, rounded down to the
/// eighth; the medium box comes top- and side-loading): a parcel measured bigger than every
/// kind is in a box of its own.
pub fn flat_rate_box_insides(product: Product) -> &'static [Dimensions] {
    use Product::*;
    const SMALL: [Dimensions; 1] = [Dimensions::from_sorted_thou(8_625, 5_375, 1_625)];
    const MEDIUM: [Dimensions; 2] = [
        Dimensions::from_sorted_thou(11_000, 8_500, 5_500),
        Dimensions::from_sorted_thou(13_625, 11_875, 3_375),
    ];
    const LARGE: [Dimensions; 1] = [Dimensions::from_sorted_thou(12_000, 12_000, 5_500)];
    match product {
        PriorityFlatRateSmallBox | PriorityIntlFlatRateSmallBox => &SMALL,
        PriorityFlatRateMediumBox | PriorityIntlFlatRateMediumBox => &MEDIUM,
        PriorityFlatRateLargeBox | PriorityFlatRateLargeBoxApo | PriorityIntlFlatRateLargeBox => {
            &LARGE
        }
        _ => &[],
    }
}

/// Why `product` cannot carry `piece` by the physical limits, if it cannot.
pub fn physical_limit(product: Product, piece: &MailPiece) -> Option<String> {
    if !takes_shape(product, piece.shape) {
        return Some(format!(
            "{} does not take a {}",
            product.name(),
            piece.shape.name()
        ));
    }
    let weight_limit = weight_limit(product);
    if piece.weight > weight_limit {
        return Some(format!(
            "{} is over the {weight_limit} limit of {}",
            piece.weight,
            product.name()
        ));
    }
    let dimensions = piece.dimensions?;
    let insides = flat_rate_box_insides(product);
    if !insides.is_empty() && !insides.iter().any(|inside| dimensions.fits_within(*inside)) {
        return Some(format!(
            "{dimensions} does not fit in the {} ({} inside)",
            product.name(),
            insides[0]
        ));
    }
    size_limit(product, dimensions)
}

/// The heaviest piece `product` takes (a destination country may take less).
pub fn weight_limit(product: Product) -> Weight {
    use Product::*;
    match product {
        FcmLetter | FcmiLetter => LETTER_MAX_WEIGHT,
        FcmLargeEnvelope => FLAT_MAX_WEIGHT,
        FcmiLargeEnvelope => INTL_FLAT_MAX_WEIGHT,
        FcpisPackage
        | PriorityIntlFlatRateEnvelope
        | PriorityIntlFlatRateSmallBox
        | PriorityExpressIntlFlatRateEnvelope => INTL_SMALL_MAX_WEIGHT,
        PriorityIntlFlatRateMediumBox | PriorityIntlFlatRateLargeBox => INTL_BOX_MAX_WEIGHT,
        _ => MAX_WEIGHT,
    }
}

fn size_limit(product: Product, dimensions: Dimensions) -> Option<String> {
    let (max, min) = match product {
        Product::FcmLetter | Product::FcmiLetter => {
            (LETTER_MAX_DIMENSIONS, Some(LETTER_MIN_DIMENSIONS))
        }
        Product::FcmPostcard | Product::FcmiPostcard => {
            (POSTCARD_MAX_DIMENSIONS, Some(LETTER_MIN_DIMENSIONS))
        }
        Product::FcmLargeEnvelope | Product::FcmiLargeEnvelope => (FLAT_MAX_DIMENSIONS, None),
        _ => {
            let length_plus_girth = dimensions.length_plus_girth_thou();
            return (length_plus_girth > MAX_LENGTH_PLUS_GIRTH_THOU).then(|| {
                format!(
                    "length plus girth {} in is over the {} in limit of {}",
                    Inches(length_plus_girth),
                    Inches(MAX_LENGTH_PLUS_GIRTH_THOU),
                    product.name()
                )
            });
        }
    };
    if !dimensions.fits_within(max) {
        return Some(format!(
            "{dimensions} is larger than the {max} limit of {}",
            product.name()
        ));
    }
    match min {
        Some(min) if !min.fits_within(dimensions) => Some(format!(
            "{dimensions} is smaller than the {min} minimum of {}",
            product.name()
        )),
        _ => None,
    }
}

/// Whether a product's price depends on dimensional weight.
pub fn uses_dimensional_weight(product: Product) -> bool {
    product.family() == Family::Zoned
}

/// The weight a parcel is priced at under `rule`: the greater of its actual weight and, when
/// it is larger than the rule's threshold, its volume divided by the divisor in whole pounds
/// (rounded up).
pub fn billable_weight(piece: &MailPiece, rule: &DimensionalRule) -> Weight {
    let Some(dimensions) = piece.dimensions else {
        return piece.weight;
    };
    let side = |thou: u64| {
        let thou = if rule.round_up_fractional_inches {
            thou.div_ceil(1000) * 1000
        } else {
            thou
        };
        u128::from(thou)
    };
    let volume_cubic_thou = side(dimensions.length_thou())
        * side(dimensions.width_thou())
        * side(dimensions.height_thou());
    if volume_cubic_thou <= u128::from(rule.threshold_cubic_in) * CUBIC_THOU_PER_CUBIC_INCH {
        return piece.weight;
    }
    let pounds = volume_cubic_thou.div_ceil(u128::from(rule.divisor) * CUBIC_THOU_PER_CUBIC_INCH);
    // Capped so an absurd size cannot overflow the weight; such a parcel is over every limit.
    let pounds = u64::try_from(pounds.min(DIMENSIONAL_POUNDS_MAX)).unwrap_or(0);
    let dimensional = Weight::from_pounds(pounds);
    piece.weight.max(dimensional)
}
