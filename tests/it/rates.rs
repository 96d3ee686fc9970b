//! Rate tables, zones and quotes, through the public API and the shipped data.

use std::path::Path;
use std::sync::LazyLock;

use postcounter::address::ZipCode;
use postcounter::date::Date;
use postcounter::money::Money;
use postcounter::rates::limits::billable_weight;
use postcounter::rates::quote::price_in;
use postcounter::rates::table::Prices;
use postcounter::rates::{
    Destination, Dimensions, ExtraService, ExtraServices, MailPiece, Product, Quote, QuoteError,
    QuoteRequest, RateBook, RateFileErrorKind, Shape, Zone, zone_between,
};
use postcounter::weight::Weight;
use proptest::prelude::*;

const INVALID: &str = "tests/fixtures/rates/invalid";

pub(crate) fn book() -> RateBook {
    RateBook::embedded().expect("the shipped rate files load")
}

pub(crate) fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

pub(crate) fn zip(text: &str) -> ZipCode {
    ZipCode::parse(text).unwrap()
}

pub(crate) fn piece(weight: &str, shape: Shape, dimensions: Option<&str>) -> MailPiece {
    MailPiece {
        weight: Weight::parse(weight).unwrap(),
        shape,
        dimensions: dimensions.map(|d| Dimensions::parse(d).unwrap()),
    }
}

pub(crate) fn domestic(piece: MailPiece, from: &str, to: &str, on: &str) -> QuoteRequest {
    QuoteRequest {
        piece,
        origin: zip(from),
        destination: Destination::Domestic(zip(to)),
        date: date(on),
    }
}

pub(crate) fn quote(book: &RateBook, request: &QuoteRequest) -> Quote {
    book.quote(request).unwrap()
}

pub(crate) fn offered(quote: &Quote, product: Product) -> Option<Money> {
    quote
        .offers
        .iter()
        .find(|o| o.product == product)
        .map(|o| o.postage)
}

pub(crate) fn reason(quote: &Quote, product: Product) -> &str {
    let found = quote.excluded.iter().find(|e| e.product == product);
    &found
        .unwrap_or_else(|| panic!("{product} is not excluded: {quote:?}"))
        .reason
}

#[test]
fn every_shipped_rate_file_loads_from_the_folder_and_from_the_binary() {
    let from_folder = RateBook::load_dir(Path::new("rates")).unwrap();
    let embedded = book();
    assert_eq!(from_folder.price_tables(), embedded.price_tables());
    assert_eq!(from_folder.service_tables(), embedded.service_tables());
    let files: Vec<_> = std::fs::read_dir("rates")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files.len(),
        postcounter::rates::book::EMBEDDED_FILES.len(),
        "every shipped file is embedded"
    );
    assert!(
        embedded
            .price_tables()
            .iter()
            .all(|t| !t.info.source.is_empty())
    );
}

#[test]
fn the_valid_fixtures_load() {
    let book = RateBook::load_dir(Path::new("tests/fixtures/rates/valid")).unwrap();
    assert_eq!(book.price_tables().len(), 2);
    assert_eq!(book.dimensional_rules().len(), 2);
}

const EXPECTED_ERRORS: &[(&str, RateFileErrorKind, &str)] = &[
    (
        "country-group-out-of-range.toml",
        RateFileErrorKind::Invalid,
        "country-group-out-of-range.toml: table \"notice_123\": country DE: pmi group 21 is not between 1 and 20",
    ),
    (
        "country-without-max-weight.toml",
        RateFileErrorKind::Invalid,
        "country-without-max-weight.toml: table \"notice_123\": country CA: pmei has a group and no pmei_max_lb",
    ),
    (
        "duplicate-product-and-date.toml",
        RateFileErrorKind::Duplicate,
        "duplicate-product-and-date.toml: table \"postcard_again\": fcm-postcard already has a table effective 2026-07-12 (duplicate-product-and-date.toml, table \"postcard\")",
    ),
    (
        "float-price.toml",
        RateFileErrorKind::Syntax,
        "float-price.toml: table \"fcm_postcard\": line 8: invalid type: floating point `0.65`, expected i64",
    ),
    (
        "float-weight.toml",
        RateFileErrorKind::Syntax,
        "float-weight.toml: table \"media_mail\": line 8: invalid type: floating point `16.0`, expected a string",
    ),
    (
        "group-key-out-of-range.toml",
        RateFileErrorKind::Invalid,
        "group-key-out-of-range.toml: table \"priority_mail_international\": row 1: unknown key \"g21\" (priority-intl is priced by price group: keys are g1 to g20)",
    ),
    (
        "insurance-tiers-not-increasing.toml",
        RateFileErrorKind::Invalid,
        "insurance-tiers-not-increasing.toml: table \"insurance\": tier 2 max_value $50.00 is not above the previous tier's $50.00",
    ),
    (
        "insurance-without-tiers.toml",
        RateFileErrorKind::Invalid,
        "insurance-without-tiers.toml: table \"insurance\": insurance is priced by declared value: give `tiers` and no `price`",
    ),
    (
        "missing-effective-date.toml",
        RateFileErrorKind::Invalid,
        "missing-effective-date.toml: table \"fcm_postcard\": no effective date",
    ),
    (
        "missing-source.toml",
        RateFileErrorKind::Invalid,
        "missing-source.toml: table \"fcm_postcard\": no source",
    ),
    (
        "not-toml.toml",
        RateFileErrorKind::Syntax,
        "not-toml.toml: line 3: unclosed table, expected `]`",
    ),
    (
        "price-decreases-with-weight.toml",
        RateFileErrorKind::Invalid,
        "price-decreases-with-weight.toml: table \"ground_advantage\": row 3 z4 price $10.50 is below a lighter row's $10.60",
    ),
    (
        "price-not-positive.toml",
        RateFileErrorKind::Invalid,
        "price-not-positive.toml: table \"media_mail\": row 2 price 0 mills is not positive",
    ),
    (
        "row-not-increasing.toml",
        RateFileErrorKind::Invalid,
        "row-not-increasing.toml: table \"priority_mail\": row 3 max 2 lb is not above the previous row's 2 lb",
    ),
    (
        "superseded-before-effective.toml",
        RateFileErrorKind::Invalid,
        "superseded-before-effective.toml: table \"fcm_postcard\": superseded_on 2026-01-18 is not after the effective date 2026-07-12",
    ),
    (
        "unknown-key.toml",
        RateFileErrorKind::Syntax,
        "unknown-key.toml: table \"fcm_postcard\": line 9: unknown field `colour`, expected one of `product`, `postage`, `effective`, `superseded_on`, `status`, `source`, `note`, `price`, `rows`",
    ),
    (
        "unknown-product.toml",
        RateFileErrorKind::Syntax,
        "unknown-product.toml: table \"parcel_post\": line 4: \"parcel-post\" is not a product: expected one of fcm-letter, fcm-postcard, fcm-large-envelope, fcmi-letter, fcmi-postcard, ground-advantage, priority, priority-express, media-mail, priority-flat-rate-envelope, priority-flat-rate-legal-envelope, priority-flat-rate-padded-envelope, priority-flat-rate-small-box, priority-flat-rate-medium-box, priority-flat-rate-large-box, priority-express-flat-rate-envelope, priority-express-flat-rate-legal-envelope, priority-express-flat-rate-padded-envelope, priority-flat-rate-large-box-apo, fcmi-large-envelope, fcpis, priority-intl, priority-express-intl, priority-intl-flat-rate-envelope, priority-intl-flat-rate-small-box, priority-intl-flat-rate-medium-box, priority-intl-flat-rate-large-box, priority-express-intl-flat-rate-envelope",
    ),
    (
        "weight-without-unit.toml",
        RateFileErrorKind::Syntax,
        "weight-without-unit.toml: table \"media_mail\": line 8: \"16\" is not a weight (\"16\" has no unit (oz, lb, g or kg)): expected a number and a unit, like 2oz, 1.5 oz, 1/2 oz, 3lb 4oz, 250g or 1.2kg",
    ),
    (
        "wrong-schema.toml",
        RateFileErrorKind::Invalid,
        "wrong-schema.toml: schema \"usps-retail/1\" is not supported (expected \"postcounter-rates/1\")",
    ),
    (
        "zone-key-out-of-range.toml",
        RateFileErrorKind::Invalid,
        "zone-key-out-of-range.toml: table \"priority_mail\": row 1: unknown key \"z10\" (priority is priced by zone: keys are z1 to z9)",
    ),
    (
        "zoned-product-with-one-price.toml",
        RateFileErrorKind::Invalid,
        "zoned-product-with-one-price.toml: table \"priority_mail\": priority is priced by weight and zone: give `rows` (z1 to z9) and no `price`",
    ),
];

#[test]
fn each_broken_fixture_is_refused_with_its_exact_message() {
    for (file, kind, message) in EXPECTED_ERRORS {
        let text = std::fs::read_to_string(Path::new(INVALID).join(file)).unwrap();
        let error = RateBook::from_files(&[(file, &text)]).expect_err(file);
        assert_eq!(error.to_string(), *message);
        assert_eq!(error.kind(), *kind, "{file}");
    }
}

#[test]
fn every_broken_fixture_has_an_expected_message() {
    let mut files: Vec<String> = std::fs::read_dir(INVALID)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let expected: Vec<&str> = EXPECTED_ERRORS.iter().map(|(file, _, _)| *file).collect();
    assert_eq!(files, expected);
}

#[test]
fn a_folder_with_a_broken_file_is_refused_as_a_whole() {
    let error = RateBook::load_dir(Path::new(INVALID)).unwrap_err();
    // The first file in name order is the first refused.
    assert_eq!(error.file, "country-group-out-of-range.toml");
    let missing = RateBook::load_dir(Path::new("tests/fixtures/rates/no-such-folder")).unwrap_err();
    assert_eq!(missing.kind(), RateFileErrorKind::Io);
}

#[test]
fn a_product_twice_across_two_files_is_refused() {
    let text = std::fs::read_to_string("rates/usps-retail-2026-07-12.toml").unwrap();
    let error = RateBook::from_files(&[("a.toml", &text), ("b.toml", &text)]).unwrap_err();
    assert_eq!(error.kind(), RateFileErrorKind::Duplicate);
    assert!(error.to_string().starts_with("b.toml: table \""), "{error}");
    assert!(error.to_string().contains("(a.toml, table"), "{error}");
}

#[test]
fn a_one_ounce_letter_costs_the_metered_price_of_the_table_in_force() {
    let book = book();
    let letter = || piece("1oz", Shape::Letter, None);
    let in_2026 = quote(&book, &domestic(letter(), "02134", "90210", "2026-08-01"));
    let offer = in_2026
        .offers
        .iter()
        .find(|o| o.product == Product::FcmLetter)
        .unwrap();
    assert_eq!(
        (offer.postage, offer.stamped_postage),
        (Money::from_cents(78), Some(Money::from_cents(82)))
    );
    assert_eq!(offer.table_effective, date("2026-07-12"));
    let in_2025 = quote(&book, &domestic(letter(), "02134", "90210", "2025-08-01"));
    let offer = in_2025
        .offers
        .iter()
        .find(|o| o.product == Product::FcmLetter)
        .unwrap();
    assert_eq!(
        (offer.postage, offer.stamped_postage),
        (Money::from_cents(74), Some(Money::from_cents(78)))
    );
    let on_the_eve = quote(&book, &domestic(letter(), "02134", "90210", "2026-07-11"));
    assert_eq!(
        offered(&on_the_eve, Product::FcmLetter),
        Some(Money::from_cents(74))
    );
}

#[test]
fn before_the_first_table_a_product_is_excluded_naming_the_date() {
    let early = quote(
        &book(),
        &domestic(
            piece("1oz", Shape::Letter, None),
            "02134",
            "90210",
            "2024-01-02",
        ),
    );
    assert_eq!(
        reason(&early, Product::FcmLetter),
        "First-Class Mail Letter price has no table in force on 2024-01-02"
    );
}

#[test]
fn a_letter_over_three_and_a_half_ounces_is_excluded() {
    let book = book();
    let ok = quote(
        &book,
        &domestic(
            piece("3.5oz", Shape::Letter, None),
            "02134",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(
        offered(&ok, Product::FcmLetter),
        Some(Money::from_cents(165))
    );
    let heavy = quote(
        &book,
        &domestic(
            piece("3.6oz", Shape::Letter, None),
            "02134",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(offered(&heavy, Product::FcmLetter), None);
    assert_eq!(
        reason(&heavy, Product::FcmLetter),
        "3.6 oz is over the 3.5 oz limit of First-Class Mail Letter"
    );
}

#[test]
fn a_flat_over_thirteen_ounces_is_excluded() {
    let book = book();
    let ok = quote(
        &book,
        &domestic(
            piece("13oz", Shape::LargeEnvelope, None),
            "02134",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(
        offered(&ok, Product::FcmLargeEnvelope),
        Some(Money::from_cents(524))
    );
    let heavy = quote(
        &book,
        &domestic(
            piece("13.1oz", Shape::LargeEnvelope, None),
            "02134",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(
        reason(&heavy, Product::FcmLargeEnvelope),
        "13.1 oz is over the 13 oz limit of First-Class Mail Large Envelope"
    );
}

#[test]
fn a_two_ounce_flat_in_2025_is_excluded_because_its_price_was_not_confirmed() {
    let q = quote(
        &book(),
        &domestic(
            piece("2oz", Shape::LargeEnvelope, None),
            "02134",
            "90210",
            "2025-08-01",
        ),
    );
    assert_eq!(
        reason(&q, Product::FcmLargeEnvelope),
        "First-Class Mail Large Envelope has no confirmed price above 1 oz in the 2025-07-13 table (2 oz to price)"
    );
}

#[test]
fn a_seventy_pound_parcel_fits_a_flat_rate_box_and_seventy_point_one_fits_nothing() {
    let book = book();
    let at_limit = quote(
        &book,
        &domestic(
            piece("70lb", Shape::Parcel, None),
            "10001",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(
        offered(&at_limit, Product::PriorityFlatRateLargeBox),
        Some(Money::from_cents(3400))
    );
    assert_eq!(
        offered(&at_limit, Product::PriorityMail),
        Some(Money::from_mills(245_400))
    );
    let over = quote(
        &book,
        &domestic(
            piece("70.1lb", Shape::Parcel, None),
            "10001",
            "90210",
            "2026-08-01",
        ),
    );
    assert!(over.offers.is_empty(), "{over:?}");
    for product in [
        Product::PriorityMail,
        Product::GroundAdvantage,
        Product::MediaMail,
        Product::PriorityFlatRateLargeBox,
    ] {
        assert_eq!(
            reason(&over, product),
            format!("70 lb 1.6 oz is over the 70 lb limit of {}", product.name())
        );
    }
}

#[test]
fn zoned_prices_come_from_the_zone_between_the_zip_areas() {
    let q = quote(
        &book(),
        &domestic(
            piece("1lb", Shape::Parcel, None),
            "10001",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(q.zone, Zone::new(8));
    assert_eq!(
        offered(&q, Product::PriorityMail),
        Some(Money::from_cents(1695))
    );
    assert_eq!(
        offered(&q, Product::GroundAdvantage),
        Some(Money::from_cents(1290))
    );
    assert_eq!(
        offered(&q, Product::MediaMail),
        Some(Money::from_mills(4390))
    );
}

#[test]
fn a_cell_that_was_not_confirmed_excludes_the_product() {
    // The fixture prices zones 1, 4 and 8 only.
    let fixture = RateBook::load_dir(Path::new("tests/fixtures/rates/valid")).unwrap();
    let to_guam = quote(
        &fixture,
        &domestic(
            piece("10lb", Shape::Parcel, None),
            "10001",
            "96910",
            "2026-08-01",
        ),
    );
    assert_eq!(to_guam.zone, Zone::new(9));
    assert_eq!(
        reason(&to_guam, Product::PriorityMail),
        "Priority Mail has no confirmed Zone 9 price for 10 lb in the 2026-07-12 table"
    );
    let shipped = quote(
        &book(),
        &domestic(
            piece("10lb", Shape::Parcel, None),
            "10001",
            "96910",
            "2026-08-01",
        ),
    );
    assert_eq!(
        offered(&shipped, Product::PriorityMail),
        Some(Money::from_cents(12_155))
    );
}

#[test]
fn dimensional_weight_uses_the_divisor_of_the_rule_in_force() {
    let book = book();
    let light_box = piece("1lb", Shape::Parcel, Some("12 x 12 x 12.1 in"));
    let rule_2025 = book.dimensional_rule(date("2025-08-01")).unwrap();
    let rule_2026 = book.dimensional_rule(date("2026-08-01")).unwrap();
    // 1742.4 cubic inches / 166 = 10.5 -> 11 lb; from 2026 the 12.1 in side counts as 13 in:
    // 1872 / 139 = 13.5 -> 14 lb.
    assert_eq!(
        billable_weight(&light_box, rule_2025),
        Weight::from_pounds(11)
    );
    assert_eq!(
        billable_weight(&light_box, rule_2026),
        Weight::from_pounds(14)
    );
    let small_box = piece("1lb", Shape::Parcel, Some("12x12x12in"));
    assert_eq!(
        billable_weight(&small_box, rule_2026),
        Weight::from_pounds(1),
        "1728 cubic inches is not over"
    );
}

#[test]
fn dimensional_weight_raises_a_big_light_boxs_price() {
    let book = RateBook::load_dir(Path::new("tests/fixtures/rates/valid")).unwrap();
    let request = |on: &str, dims: Option<&str>| {
        domestic(piece("1lb", Shape::Parcel, dims), "02134", "02139", on)
    };
    let small = quote(&book, &request("2026-08-01", None));
    assert_eq!(
        offered(&small, Product::PriorityMail),
        Some(Money::from_cents(1100))
    );
    let big_2025 = quote(&book, &request("2025-08-01", Some("12 x 12 x 12.1 in")));
    let big_2026 = quote(&book, &request("2026-08-01", Some("12 x 12 x 12.1 in")));
    assert_eq!(
        offered(&big_2025, Product::PriorityMail),
        Some(Money::from_cents(2100)),
        "11 lb row"
    );
    assert_eq!(
        offered(&big_2026, Product::PriorityMail),
        Some(Money::from_cents(2400)),
        "14 lb row"
    );
    let offer = big_2026
        .offers
        .iter()
        .find(|o| o.product == Product::PriorityMail)
        .unwrap();
    assert_eq!(offer.billable_weight, Weight::from_pounds(14));
}

#[test]
fn a_parcel_over_108_inches_of_length_plus_girth_is_excluded() {
    let book = book();
    let at_limit = quote(
        &book,
        &domestic(
            piece("2lb", Shape::Parcel, Some("60x12x12in")),
            "02134",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(
        offered(&at_limit, Product::MediaMail),
        Some(Money::from_mills(5130))
    );
    let over = quote(
        &book,
        &domestic(
            piece("2lb", Shape::Parcel, Some("60.5x12x12in")),
            "02134",
            "90210",
            "2026-08-01",
        ),
    );
    assert_eq!(
        reason(&over, Product::MediaMail),
        "length plus girth 108.5 in is over the 108 in limit of Media Mail"
    );
}

#[test]
fn known_zip_pairs_fall_in_their_zones() {
    assert_eq!(
        zone_between(&zip("10001"), &zip("90210")),
        Ok(Zone::new(8).unwrap())
    );
    assert_eq!(
        zone_between(&zip("02134"), &zip("02139")),
        Ok(Zone::new(1).unwrap())
    );
    // New York to Cleveland: about 400 miles.
    assert_eq!(
        zone_between(&zip("10001"), &zip("44114")),
        Ok(Zone::new(4).unwrap())
    );
    // New York to Boston: about 190 miles.
    assert_eq!(
        zone_between(&zip("10001"), &zip("02134")),
        Ok(Zone::new(3).unwrap())
    );
    assert_eq!(
        zone_between(&zip("96910"), &zip("02134")),
        Ok(Zone::new(9).unwrap())
    );
    assert_eq!(Zone::new(4).unwrap().to_string(), "Zone 4");
    // APO/FPO/DPO: the gateway's zone (rates_international has the rest).
    assert_eq!(
        zone_between(&zip("02134"), &zip("09001")),
        zone_between(&zip("02134"), &zip("11430"))
    );
}

#[test]
fn an_unknown_zip_is_refused_quoting_it() {
    let error = book()
        .quote(&domestic(
            piece("1oz", Shape::Letter, None),
            "02134",
            "00000",
            "2026-08-01",
        ))
        .unwrap_err();
    assert_eq!(
        error,
        QuoteError::UnknownZip {
            zip: "00000".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "ZIP code \"00000\" is not in the ZIP code directory"
    );
}

#[test]
fn the_international_letter_is_only_for_a_country_destination() {
    let book = book();
    let abroad = |on: &str| QuoteRequest {
        piece: piece("1oz", Shape::Letter, None),
        origin: zip("02134"),
        destination: Destination::International {
            country: "CA".into(),
        },
        date: date(on),
    };
    let q = quote(&book, &abroad("2025-08-01"));
    let products: Vec<Product> = q.offers.iter().map(|o| o.product).collect();
    assert_eq!(products, [Product::FcmiLetter]);
    assert_eq!(q.offers[0].postage, Money::from_cents(170));
    assert_eq!(
        reason(&q, Product::FcmLetter),
        "First-Class Mail Letter is for domestic mail only"
    );
    // From 2026-07-12 the letter is priced by Canada's price group (group 1).
    let next_edition = quote(&book, &abroad("2026-08-01"));
    assert_eq!(
        offered(&next_edition, Product::FcmiLetter),
        Some(Money::from_cents(175))
    );
    let home = quote(
        &book,
        &domestic(
            piece("1oz", Shape::Letter, None),
            "02134",
            "90210",
            "2025-08-01",
        ),
    );
    assert_eq!(
        reason(&home, Product::FcmiLetter),
        "First-Class Mail International Letter is for international mail only"
    );
    let mut bad = abroad("2025-08-01");
    bad.destination = Destination::International {
        country: "US".into(),
    };
    assert_eq!(
        book.quote(&bad),
        Err(QuoteError::InvalidCountry { input: "US".into() })
    );
}

#[test]
fn a_destination_is_a_zip_code_or_a_country_code() {
    assert_eq!(
        Destination::parse("02134-1234"),
        Ok(Destination::Domestic(zip("02134-1234")))
    );
    assert_eq!(
        Destination::parse(" de "),
        Ok(Destination::International {
            country: "DE".into()
        })
    );
    for bad in ["US", "Canada", "0213", ""] {
        let error = Destination::parse(bad).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("{bad:?} is not a destination")),
            "{error}"
        );
    }
}

#[test]
fn extra_services_follow_the_product_rules() {
    use ExtraService::*;
    let none = None;
    assert!(
        ExtraServices::of(&[CertifiedMail])
            .check(Product::FcmLetter, none)
            .is_ok()
    );
    assert_eq!(
        ExtraServices::of(&[CertifiedMail]).check(Product::GroundAdvantage, none),
        Err("Certified Mail is not available with USPS Ground Advantage".into())
    );
    assert!(
        ExtraServices::of(&[ReturnReceipt])
            .check(Product::FcmLetter, none)
            .is_err()
    );
    assert!(
        ExtraServices::of(&[ReturnReceipt, CertifiedMail])
            .check(Product::FcmLetter, none)
            .is_ok()
    );
    let insured = |value: i64| {
        ExtraServices::of(&[ReturnReceipt, Insurance])
            .check(Product::PriorityMail, Some(Money::from_cents(value)))
    };
    assert!(
        insured(50_000).is_err(),
        "insurance of $500 does not qualify"
    );
    assert!(insured(50_001).is_ok());
    assert!(
        ExtraServices::of(&[Insurance])
            .check(Product::PriorityMail, none)
            .is_err()
    );
    assert!(
        ExtraServices::of(&[CertificateOfMailing])
            .check(Product::FcmiLetter, none)
            .is_err()
    );
}

#[test]
fn extra_services_are_priced_from_the_table_in_force() {
    let book = book();
    let on = date("2026-08-01");
    let price = |service, product| book.extra_service_price(service, product, on, None);
    assert_eq!(
        price(ExtraService::CertifiedMail, Product::FcmLetter),
        Ok(Money::from_cents(555))
    );
    assert_eq!(
        book.extra_service_price(
            ExtraService::CertifiedMail,
            Product::FcmLetter,
            date("2025-08-01"),
            None
        ),
        Ok(Money::from_cents(530))
    );
    assert_eq!(
        book.extra_service_price(
            ExtraService::SignatureConfirmation,
            Product::PriorityMail,
            date("2025-08-01"),
            None
        ),
        Err("Signature Confirmation price has no table in force on 2025-08-01".into())
    );
    assert!(price(ExtraService::CertifiedMail, Product::MediaMail).is_err());
}

#[test]
fn insurance_is_priced_by_declared_value_tier_and_refused_above_the_last() {
    let book = book();
    let insure = |cents| {
        book.extra_service_price(
            ExtraService::Insurance,
            Product::PriorityMail,
            date("2026-08-01"),
            Some(Money::from_cents(cents)),
        )
    };
    assert_eq!(insure(5_000), Ok(Money::from_cents(280)));
    assert_eq!(insure(5_001), Ok(Money::from_cents(350)));
    assert_eq!(insure(60_000), Ok(Money::from_cents(905)));
    assert_eq!(
        insure(60_001),
        Err("declared value $600.01 is over the highest insurance tier ($600.00) of the 2026-07-12 table".into())
    );
    assert!(
        book.extra_service_price(
            ExtraService::Insurance,
            Product::PriorityMail,
            date("2026-08-01"),
            None
        )
        .is_err()
    );
}

#[test]
fn product_and_service_codes_are_stable_and_unique() {
    assert_eq!(Product::FcmLetter.code(), 1);
    assert_eq!(Product::PriorityMail.code(), 7);
    assert_eq!(Product::PriorityMail.marking(), "PRIORITY MAIL");
    assert_eq!(Product::FcmiLetter.marking(), "FIRST-CLASS MAIL INTL");
    for product in Product::ALL {
        assert_eq!(Product::from_code(product.code()), Some(*product));
        assert_eq!(product.slug().parse::<Product>(), Ok(*product));
    }
    assert_eq!(Product::from_code(0), None);
    let error = "parcel".parse::<Product>().unwrap_err().to_string();
    assert!(
        error.starts_with("\"parcel\" is not a product: expected one of fcm-letter,"),
        "{error}"
    );
    let bits: u8 = ExtraService::ALL.iter().fold(0, |all, s| {
        assert_eq!(all & s.bit(), 0, "{s} shares a bit");
        all | s.bit()
    });
    assert_eq!(
        ExtraServices::from_bits(bits).map(|s| s.iter().count()),
        Some(ExtraService::ALL.len())
    );
    assert_eq!(ExtraServices::from_bits(0x80), None);
}

#[test]
fn dimensions_parse_in_any_order_and_refuse_what_is_not_inches() {
    let d = Dimensions::parse("4 x 12 x 10 in").unwrap();
    assert_eq!(
        (d.length_thou(), d.width_thou(), d.height_thou()),
        (12_000, 10_000, 4_000)
    );
    assert_eq!(Dimensions::parse("12x10x4in"), Ok(d));
    assert_eq!(d.to_string(), "12 x 10 x 4 in");
    assert_eq!(
        Dimensions::parse("30x20x10").unwrap_err().to_string(),
        "\"30x20x10\" is not a set of dimensions (no unit (in)): expected three lengths in inches, like 12x10x4in or 11.5 x 6.125 x 0.25 in"
    );
    for bad in [
        "12x10in",
        "12x10x0in",
        "1.2345x1x1in",
        "ax1x1in",
        "12x10x4cm",
    ] {
        assert!(Dimensions::parse(bad).is_err(), "{bad}");
    }
}

static SHIPPED: LazyLock<RateBook> = LazyLock::new(book);

/// Every ZIP with coordinates in the directory, for property tests.
static ZIPS_WITH_COORDINATES: LazyLock<Vec<ZipCode>> = LazyLock::new(|| {
    postcounter::address::directory::records()
        .iter()
        .filter(|r| r.lat_long.is_some_and(|(lat, _)| lat != 0.0))
        .map(|r| zip(r.zip5))
        .collect()
});

fn shape() -> impl Strategy<Value = Shape> {
    prop::sample::select(Shape::ALL.to_vec())
}

proptest! {
    #[test]
    fn price_never_decreases_with_weight_within_a_table_and_zone(
        a in 1u64..200_000, b in 1u64..200_000, zone in 1u8..=9,
    ) {
        let (lighter, heavier) = (Weight::from_milli_ounces(a.min(b)), Weight::from_milli_ounces(a.max(b)));
        let zone = Zone::new(zone);
        for table in SHIPPED.price_tables() {
            let zone = if matches!(table.prices, Prices::ByWeightAndZone(_)) { zone.map(postcounter::rates::Column::Zone) } else { None };
            if let (Ok(low), Ok(high)) = (price_in(table, lighter, zone), price_in(table, heavier, zone)) {
                prop_assert!(low <= high, "{}: {lighter} {low} > {heavier} {high}", table.info.name);
            }
        }
    }

    #[test]
    fn zones_are_symmetric(i in any::<prop::sample::Index>(), j in any::<prop::sample::Index>()) {
        let (a, b) = (i.get(&ZIPS_WITH_COORDINATES), j.get(&ZIPS_WITH_COORDINATES));
        prop_assert_eq!(zone_between(a, b), zone_between(b, a));
    }

    #[test]
    fn every_product_is_either_offered_or_excluded_once(
        milli_ounces in 1u64..1_200_000, shape in shape(), days in 0i32..800,
        sides in prop::option::of((1u64..40_000, 1u64..40_000, 1u64..40_000)),
    ) {
        let piece = MailPiece {
            weight: Weight::from_milli_ounces(milli_ounces),
            shape,
            dimensions: sides.map(|(a, b, c)| Dimensions::from_thou(a, b, c)),
        };
        let request = QuoteRequest { date: date("2025-07-01").add_days(days), ..domestic(piece, "02134", "94105", "2025-07-01") };
        let q = SHIPPED.quote(&request).unwrap();
        let mut products: Vec<Product> = q.offers.iter().map(|o| o.product).chain(q.excluded.iter().map(|e| e.product)).collect();
        products.sort();
        prop_assert_eq!(products, Product::ALL.to_vec());
        for offer in &q.offers {
            prop_assert!(offer.postage > Money::ZERO);
            prop_assert!(offer.billable_weight >= piece.weight);
            prop_assert!(offer.table_effective <= request.date);
        }
    }

    #[test]
    fn dimensions_round_trip_through_text(a in 1u64..100_000, b in 1u64..100_000, c in 1u64..100_000) {
        let dimensions = Dimensions::from_thou(a, b, c);
        prop_assert_eq!(Dimensions::parse(&dimensions.to_string()), Ok(dimensions));
    }

    #[test]
    fn zip_codes_round_trip_through_text(zip5 in "[0-9]{5}", plus4 in prop::option::of("[0-9]{4}")) {
        let text = match &plus4 { Some(p) => format!("{zip5}-{p}"), None => zip5.clone() };
        let parsed = ZipCode::parse(&text).unwrap();
        prop_assert_eq!(parsed.zip5(), zip5.as_str());
        prop_assert_eq!(parsed.plus4(), plus4.as_deref());
        prop_assert_eq!(ZipCode::parse(&parsed.to_string()), Ok(parsed));
    }

    #[test]
    fn service_flags_round_trip_through_the_indicium_byte(bits in 0u8..32) {
        let services = ExtraServices::from_bits(bits).unwrap();
        prop_assert_eq!(ExtraServices::of(&services.iter().collect::<Vec<_>>()), services);
        prop_assert_eq!(services.bits(), bits);
    }
}
