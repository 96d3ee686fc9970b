//! Heavy parcels, international mail by price group and country, and APO/FPO/DPO, through
//! the shipped tables. Expected prices are the data file's figures (Notice 123 of
//! 2026-07-12), written out so a wrong lookup cannot agree with itself.

use postcounter::rates::quote::price_in;
use postcounter::rates::{
    Column, CountryLookupError, Destination, PostageKind, PricingError, Product, QuoteError,
    QuoteRequest, SaleRequest, Shape, Zone, price_piece, zone_between,
};

use crate::rates::{book, date, domestic, offered, piece, quote, reason, zip};

fn abroad(piece: postcounter::rates::MailPiece, country: &str) -> QuoteRequest {
    QuoteRequest {
        piece,
        origin: zip("02134"),
        destination: Destination::International {
            country: country.into(),
        },
        date: date("2026-12-06"),
    }
}

fn dollars(text: &str) -> Option<postcounter::money::Money> {
    Some(text.parse().unwrap())
}

#[test]
fn a_fifteen_pound_parcel_to_zone_five_gets_priority_mail_and_ground_advantage() {
    let book = book();
    // Boston to Chicago: about 850 miles.
    let request = domestic(
        piece("15lb", Shape::Parcel, None),
        "02134",
        "60601",
        "2026-12-06",
    );
    let fifteen = quote(&book, &request);
    assert_eq!(fifteen.zone, Zone::new(5));
    assert_eq!(offered(&fifteen, Product::PriorityMail), dollars("$35.65"));
    assert_eq!(
        offered(&fifteen, Product::GroundAdvantage),
        dollars("$28.95")
    );
    assert_eq!(offered(&fifteen, Product::MediaMail), dollars("$14.71"));
    // 70 lb is the last row of every zoned table.
    let heaviest = domestic(
        piece("70lb", Shape::Parcel, None),
        "02134",
        "60601",
        "2026-12-06",
    );
    let seventy = quote(&book, &heaviest);
    assert_eq!(offered(&seventy, Product::PriorityMail), dollars("$155.40"));
    assert_eq!(
        offered(&seventy, Product::GroundAdvantage),
        dollars("$127.20")
    );
}

#[test]
fn a_light_box_whose_dimensional_weight_is_44_lb_is_priced_at_44_lb() {
    let book = book();
    // 24 x 18 x 14 in = 6,048 cubic inches / 139 = 43.5 -> 44 lb.
    let big = piece("3lb", Shape::Parcel, Some("24x18x14in"));
    let quote = quote(&book, &domestic(big, "02134", "60601", "2026-12-06"));
    let priority = quote
        .offers
        .iter()
        .find(|o| o.product == Product::PriorityMail)
        .unwrap();
    assert_eq!(priority.billable_weight.to_string(), "44 lb");
    let table = book
        .price_table(
            Product::PriorityMail,
            PostageKind::Metered,
            date("2026-12-06"),
        )
        .unwrap();
    let at_44 = price_in(
        table,
        postcounter::weight::Weight::from_pounds(44),
        Some(Column::Zone(Zone::new(5).unwrap())),
    );
    assert_eq!(Ok(priority.postage), at_44);
}

#[test]
fn a_letter_to_canada_and_a_package_to_germany_are_priced_by_their_price_groups() {
    let book = book();
    let letter = quote(&book, &abroad(piece("1oz", Shape::Letter, None), "CA"));
    assert_eq!(letter.country.as_ref().unwrap().name, "Canada");
    assert_eq!(offered(&letter, Product::FcmiLetter), dollars("$1.75"));
    let two_ounces = quote(&book, &abroad(piece("2oz", Shape::Letter, None), "CA"));
    assert_eq!(offered(&two_ounces, Product::FcmiLetter), dollars("$2.35"));
    let letter = letter
        .offers
        .iter()
        .find(|o| o.product == Product::FcmiLetter)
        .unwrap();
    assert_eq!(letter.price_group, Some(1));

    // Germany: FCMI group 5, FCPIS and Priority Mail International group 16.
    let package = quote(&book, &abroad(piece("3lb", Shape::Parcel, None), "DE"));
    assert_eq!(offered(&package, Product::FcpisPackage), dollars("$48.60"));
    assert_eq!(
        offered(&package, Product::PriorityMailInternational),
        dollars("$89.25")
    );
    assert_eq!(
        offered(&package, Product::PriorityExpressInternational),
        dollars("$112.30")
    );
    assert_eq!(
        offered(&package, Product::PriorityIntlFlatRateSmallBox),
        dollars("$56.35")
    );
    assert!(reason(&package, Product::GroundAdvantage).contains("domestic mail only"));
    let flat = quote(
        &book,
        &abroad(piece("2oz", Shape::LargeEnvelope, None), "DE"),
    );
    assert_eq!(offered(&flat, Product::FcmiLargeEnvelope), dollars("$4.65"));
}

#[test]
fn a_product_a_country_does_not_take_is_excluded_with_the_reason() {
    let book = book();
    // Notice 123 prints n/a for every product to Somalia.
    let quote_so = quote(&book, &abroad(piece("1oz", Shape::Letter, None), "SO"));
    assert!(quote_so.offers.is_empty(), "{:?}", quote_so.offers);
    assert_eq!(
        reason(&quote_so, Product::FcmiLetter),
        "First-Class Mail International Letter is not available to Somalia"
    );
    // The Philippines take Priority Mail International up to 44 lb.
    let heavy = quote(&book, &abroad(piece("50lb", Shape::Parcel, None), "PH"));
    assert_eq!(
        reason(&heavy, Product::PriorityMailInternational),
        "50 lb is over the 44 lb that Philippines takes by Priority Mail International"
    );
    // First-Class Package International Service stops at 4 lb whatever the country.
    assert!(reason(&heavy, Product::FcpisPackage).contains("over the 4 lb limit"));
}

#[test]
fn a_country_is_found_by_code_or_name_and_an_unknown_one_is_refused_quoting_it() {
    let book = book();
    let countries = book.country_table(date("2026-12-06")).unwrap();
    assert_eq!(countries.find("de").unwrap().code, "DE");
    assert_eq!(countries.find("Germany").unwrap().code, "DE");
    assert_eq!(countries.find(" new zeal ").unwrap().code, "NZ");
    assert_eq!(countries.find("canada").unwrap().code, "CA");
    match countries.find("Korea") {
        Err(CountryLookupError::Ambiguous { matches, .. }) => {
            assert!(matches.iter().any(|m| m.ends_with("(KR)")), "{matches:?}");
            assert!(matches.iter().any(|m| m.ends_with("(KP)")), "{matches:?}");
        }
        other => panic!("Korea: {other:?}"),
    }
    let unknown = countries.find("Atlantis").unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "\"Atlantis\" is not a destination country: expected an ISO code like CA or DE, or a country name like Germany"
    );
    let error = book
        .quote(&abroad(piece("1oz", Shape::Letter, None), "ZZ"))
        .unwrap_err();
    assert_eq!(
        error,
        QuoteError::UnknownCountry {
            code: "ZZ".into(),
            effective: date("2026-07-12")
        }
    );
}

#[test]
fn apo_fpo_dpo_mail_is_zoned_to_its_gateway_and_takes_the_military_flat_rate_box() {
    let book = book();
    // AE (090-098) goes through New York JFK, AP (962-966) through San Francisco.
    assert_eq!(
        zone_between(&zip("02134"), &zip("09021")),
        zone_between(&zip("02134"), &zip("11430"))
    );
    assert_eq!(
        zone_between(&zip("02134"), &zip("96201")),
        zone_between(&zip("02134"), &zip("94128"))
    );
    assert_eq!(
        zone_between(&zip("02134"), &zip("34002")),
        zone_between(&zip("02134"), &zip("33152"))
    );
    let box_to_apo = quote(
        &book,
        &domestic(
            piece("15lb", Shape::Parcel, None),
            "02134",
            "09021",
            "2026-12-06",
        ),
    );
    assert!(box_to_apo.zone.is_some());
    assert_eq!(
        offered(&box_to_apo, Product::PriorityFlatRateLargeBoxApo),
        dollars("$32.55")
    );
    assert!(offered(&box_to_apo, Product::PriorityMail).is_some());
    let box_home = quote(
        &book,
        &domestic(
            piece("15lb", Shape::Parcel, None),
            "02134",
            "60601",
            "2026-12-06",
        ),
    );
    assert_eq!(
        reason(&box_home, Product::PriorityFlatRateLargeBoxApo),
        "Priority Mail Large Flat Rate Box APO/FPO/DPO is only for APO/FPO/DPO addresses"
    );
}

#[test]
fn a_parcel_abroad_is_not_sold_without_a_customs_declaration() {
    let book = book();
    let request = SaleRequest {
        piece: piece("3lb", Shape::Parcel, None),
        origin: zip("02134"),
        destination: Destination::International {
            country: "DE".into(),
        },
        product: Some(Product::PriorityMailInternational),
        extras: Vec::new(),
        declared_value: None,
        label_serial: None,
        mailing_date: date("2026-12-06"),
        customs: None,
    };
    let error = price_piece(&book, &request).unwrap_err();
    assert!(
        matches!(error, PricingError::CustomsDeclarationNeeded { .. }),
        "{error}"
    );
    // A letter of documents needs none.
    let letter = SaleRequest {
        piece: piece("1oz", Shape::Letter, None),
        product: None,
        ..request
    };
    let priced = price_piece(&book, &letter).unwrap();
    assert_eq!(priced.offer.product, Product::FcmiLetter);
    assert_eq!(priced.total, "$1.75".parse().unwrap());
}
