//! The shipped 2026 rate file against the data file it is generated from
//! (`data/usps-retail-prices.toml`, by `tools/rates_from_data.py`), cell by cell.
//!
//! The comparison goes through the loaded `RateBook`, not the TOML text, so it checks what a
//! quote reads: a cell the generator dropped, a price typed by hand, a country whose group
//! changed, or a table of the data file that is neither shipped nor named here as left out
//! fails the test.

use std::collections::BTreeSet;

use postcounter::date::Date;
use postcounter::money::Money;
use postcounter::rates::file::PostageKind;
use postcounter::rates::{
    ExtraService, GroupColumn, PriceTable, Prices, Product, RateBook, ServicePricing, Zone,
};
use postcounter::weight::Weight;
use toml::Value;

const DATA: &str = "data/usps-retail-prices.toml";
const EDITION: &str = "2026-07-12";

/// Tables of the data file the counter does not ship, and why.
const LEFT_OUT: &[(&str, &str)] = &[
    (
        "ground_advantage_retail_oversized",
        "from the 2026-04-07 price file, unconfirmed for this edition",
    ),
    (
        "nonstandard_fees_retail",
        "from the 2026-04-07 price file, unconfirmed for this edition",
    ),
    (
        "fcm_nonmachinable_surcharge",
        "the counter does not sell nonmachinable letters yet",
    ),
    (
        "international_insurance",
        "international extra services are not sold yet",
    ),
];

fn data() -> toml::Table {
    let text = std::fs::read_to_string(DATA).unwrap();
    let mut all: toml::Table = toml::from_str(&text).unwrap();
    match all.remove("y2026") {
        Some(Value::Table(edition)) => edition,
        other => panic!("no [y2026] tables in {DATA}: {other:?}"),
    }
}

fn book() -> RateBook {
    RateBook::embedded().unwrap()
}

fn date() -> Date {
    Date::parse(EDITION).unwrap()
}

fn table(book: &RateBook, product: Product, postage: PostageKind) -> &PriceTable {
    book.price_table(product, postage, date()).unwrap()
}

fn int(value: &Value) -> i64 {
    value
        .as_integer()
        .unwrap_or_else(|| panic!("{value} is not an integer"))
}

fn mills(value: &Value) -> Money {
    Money::from_mills(int(value))
}

/// `max_oz` (an integer or a float of ounces) as an exact weight.
fn max_weight(row: &Value) -> Weight {
    let ounces = match &row["max_oz"] {
        Value::Integer(n) => *n as f64,
        Value::Float(f) => *f,
        other => panic!("max_oz {other}"),
    };
    Weight::from_milli_ounces((ounces * 1000.0).round() as u64)
}

fn rows(data: &toml::Table, name: &str) -> Vec<Value> {
    data[name]["rows"].as_array().unwrap().clone()
}

/// Compares rows priced by `price`, `z1..z9` or `g1..g20` with a loaded table, cell by cell,
/// absent cells included; returns the number of cells compared.
fn compare_rows(name: &str, data_rows: &[Value], prices: &Prices) -> usize {
    let mut cells = 0;
    let count = match prices {
        Prices::ByWeight(steps) => steps.len(),
        Prices::ByWeightAndZone(steps) => steps.len(),
        Prices::ByWeightAndGroup(steps) => steps.len(),
        Prices::Single(_) => panic!("{name}: shipped with one price, the data has rows"),
    };
    assert_eq!(count, data_rows.len(), "{name}: number of rows");
    for (index, row) in data_rows.iter().enumerate() {
        let max = max_weight(row);
        let cell = |key: String| row.get(&key).map(mills);
        match prices {
            Prices::ByWeight(steps) => {
                assert_eq!(steps[index].max, max, "{name} row {index}");
                assert_eq!(
                    Some(steps[index].price),
                    cell("price".into()),
                    "{name} {max}"
                );
                cells += 1;
            }
            Prices::ByWeightAndZone(steps) => {
                assert_eq!(steps[index].max, max, "{name} row {index}");
                for z in 1..=9u8 {
                    let shipped = steps[index].price(Zone::new(z).unwrap());
                    assert_eq!(shipped, cell(format!("z{z}")), "{name} {max} z{z}");
                    cells += 1;
                }
            }
            Prices::ByWeightAndGroup(steps) => {
                assert_eq!(steps[index].max, max, "{name} row {index}");
                for g in 1..=20u8 {
                    let shipped = steps[index].price(g);
                    assert_eq!(shipped, cell(format!("g{g}")), "{name} {max} g{g}");
                    cells += 1;
                }
            }
            Prices::Single(_) => unreachable!(),
        }
    }
    cells
}

fn single(book: &RateBook, product: Product) -> Money {
    match table(book, product, PostageKind::Metered).prices {
        Prices::Single(price) => price,
        ref other => panic!("{product}: {other:?}"),
    }
}

#[test]
fn every_shipped_cell_equals_the_data_file() {
    let (data, book) = (data(), book());
    let mut cells = 0;
    let rowed: &[(&str, Product, PostageKind)] = &[
        (
            "fcm_letters_metered",
            Product::FcmLetter,
            PostageKind::Metered,
        ),
        (
            "fcm_letters_stamped",
            Product::FcmLetter,
            PostageKind::Stamped,
        ),
        (
            "fcm_large_envelopes",
            Product::FcmLargeEnvelope,
            PostageKind::Metered,
        ),
        (
            "ground_advantage_retail",
            Product::GroundAdvantage,
            PostageKind::Metered,
        ),
        (
            "priority_mail_retail",
            Product::PriorityMail,
            PostageKind::Metered,
        ),
        (
            "priority_mail_express_retail",
            Product::PriorityMailExpress,
            PostageKind::Metered,
        ),
        (
            "media_mail_retail",
            Product::MediaMail,
            PostageKind::Metered,
        ),
        (
            "fcmi_letters_postcards",
            Product::FcmiLetter,
            PostageKind::Metered,
        ),
        (
            "fcmi_large_envelopes",
            Product::FcmiLargeEnvelope,
            PostageKind::Metered,
        ),
        ("fcpis_retail", Product::FcpisPackage, PostageKind::Metered),
        (
            "priority_mail_international_retail",
            Product::PriorityMailInternational,
            PostageKind::Metered,
        ),
        (
            "priority_mail_express_international_retail",
            Product::PriorityExpressInternational,
            PostageKind::Metered,
        ),
    ];
    for (name, product, postage) in rowed {
        let shipped = table(&book, *product, *postage);
        assert_eq!(shipped.info.effective, date(), "{name}");
        assert_eq!(
            shipped.info.status.to_string(),
            data[*name]["status"].as_str().unwrap(),
            "{name}: status"
        );
        cells += compare_rows(name, &rows(&data, name), &shipped.prices);
    }
    assert_eq!(
        single(&book, Product::FcmPostcard),
        mills(&data["fcm_postcard"]["price"])
    );
    assert_eq!(
        single(&book, Product::FcmiPostcard),
        mills(&data["fcmi_letters_postcards"]["postcard"])
    );
    let flat = &data["flat_rate_retail"];
    for (key, product) in [
        ("priority_mail_envelope", Product::PriorityFlatRateEnvelope),
        (
            "priority_mail_legal_envelope",
            Product::PriorityFlatRateLegalEnvelope,
        ),
        (
            "priority_mail_padded_envelope",
            Product::PriorityFlatRatePaddedEnvelope,
        ),
        ("priority_mail_small_box", Product::PriorityFlatRateSmallBox),
        (
            "priority_mail_medium_box",
            Product::PriorityFlatRateMediumBox,
        ),
        ("priority_mail_large_box", Product::PriorityFlatRateLargeBox),
        (
            "priority_mail_large_box_apo_fpo_dpo",
            Product::PriorityFlatRateLargeBoxApo,
        ),
        (
            "priority_mail_express_envelope",
            Product::PriorityExpressFlatRateEnvelope,
        ),
        (
            "priority_mail_express_legal_envelope",
            Product::PriorityExpressFlatRateLegalEnvelope,
        ),
        (
            "priority_mail_express_padded_envelope",
            Product::PriorityExpressFlatRatePaddedEnvelope,
        ),
    ] {
        assert_eq!(single(&book, product), mills(&flat[key]), "{key}");
        cells += 1;
    }
    cells += international_flat_rates(&data, &book);
    cells += services(&data, &book);
    cells += countries(&data, &book);
    let rule = book.dimensional_rule(date()).unwrap();
    let dim = &data["dimensional_weight"];
    assert_eq!(rule.divisor, int(&dim["divisor"]) as u64);
    assert_eq!(
        rule.threshold_cubic_in,
        int(&dim["threshold_cubic_in"]) as u64
    );
    assert!(cells > 5_000, "only {cells} cells compared");
    println!("{cells} cells equal the data file");
}

/// International flat rates: one row per product whose groups are the data's g1..g8.
fn international_flat_rates(data: &toml::Table, book: &RateBook) -> usize {
    let flat = &data["international_flat_rate_retail"];
    let mut cells = 0;
    for (key, product, max_lb) in [
        (
            "priority_mail_express_international_flat_rate_envelope",
            Product::PriorityExpressIntlFlatRateEnvelope,
            4,
        ),
        (
            "priority_mail_international_flat_rate_envelope",
            Product::PriorityIntlFlatRateEnvelope,
            4,
        ),
        (
            "priority_mail_international_small_flat_rate_box",
            Product::PriorityIntlFlatRateSmallBox,
            4,
        ),
        (
            "priority_mail_international_medium_flat_rate_box",
            Product::PriorityIntlFlatRateMediumBox,
            20,
        ),
        (
            "priority_mail_international_large_flat_rate_box",
            Product::PriorityIntlFlatRateLargeBox,
            20,
        ),
    ] {
        let mut row = flat[key].as_table().unwrap().clone();
        row.insert("max_oz".into(), Value::Integer(max_lb * 16));
        let shipped = table(book, product, PostageKind::Metered);
        cells += compare_rows(key, &[Value::Table(row)], &shipped.prices);
    }
    cells
}

fn services(data: &toml::Table, book: &RateBook) -> usize {
    let services = &data["extra_services"];
    let mut cells = 0;
    for (key, service) in [
        ("certified_mail", ExtraService::CertifiedMail),
        ("return_receipt_hardcopy", ExtraService::ReturnReceipt),
        (
            "certificate_of_mailing_ps3817",
            ExtraService::CertificateOfMailing,
        ),
        (
            "signature_confirmation_retail",
            ExtraService::SignatureConfirmation,
        ),
    ] {
        let shipped = &book.service_table(service, date()).unwrap().pricing;
        assert_eq!(
            *shipped,
            ServicePricing::Fixed(mills(&services[key])),
            "{key}"
        );
        cells += 1;
    }
    let ServicePricing::ByDeclaredValue(tiers) = &book
        .service_table(ExtraService::Insurance, date())
        .unwrap()
        .pricing
    else {
        panic!("insurance is not priced by declared value");
    };
    let data_tiers = services["insurance"].as_array().unwrap();
    assert_eq!(tiers.len(), data_tiers.len());
    for (tier, data_tier) in tiers.iter().zip(data_tiers) {
        assert_eq!(
            tier.max_value,
            Money::from_mills(int(&data_tier["max_value_usd"]) * 1000)
        );
        assert_eq!(tier.price, mills(&data_tier["price"]));
        cells += 1;
    }
    cells
}

/// Every country with every group and maximum weight; `n/a` is a product not offered.
fn countries(data: &toml::Table, book: &RateBook) -> usize {
    let shipped = &book.country_table(date()).unwrap().countries;
    let listed = data["international_price_groups"]["countries"]
        .as_table()
        .unwrap();
    assert_eq!(
        shipped.keys().collect::<BTreeSet<_>>(),
        listed.keys().collect::<BTreeSet<_>>()
    );
    let mut cells = 0;
    for (code, entry) in listed {
        let country = &shipped[code];
        assert_eq!(country.name, entry["name"].as_str().unwrap());
        let group = |key: &str| entry[key].as_integer().map(|g| g as u8);
        for (key, column) in [
            ("fcmi", GroupColumn::Fcmi),
            ("fcpis", GroupColumn::Fcpis),
            ("pmi", GroupColumn::Pmi),
            ("pmi_flat_rate", GroupColumn::PmiFlatRate),
            ("pmei", GroupColumn::Pmei),
            ("pmei_flat_rate", GroupColumn::PmeiFlatRate),
        ] {
            assert_eq!(country.group(column), group(key), "{code} {key}");
            cells += 1;
        }
        let pounds = |key: &str| group(key).map(|lb| Weight::from_pounds(u64::from(lb)));
        assert_eq!(country.pmi_max, pounds("pmi_max_lb"), "{code} pmi_max_lb");
        assert_eq!(
            country.pmei_max,
            pounds("pmei_max_lb"),
            "{code} pmei_max_lb"
        );
        cells += 2;
    }
    cells
}

#[test]
fn every_table_of_the_data_edition_is_shipped_or_named_as_left_out() {
    let shipped: BTreeSet<&str> = [
        "fcm_letters_stamped",
        "fcm_letters_metered",
        "fcm_postcard",
        "fcm_large_envelopes",
        "ground_advantage_retail",
        "priority_mail_retail",
        "priority_mail_express_retail",
        "flat_rate_retail",
        "media_mail_retail",
        "extra_services",
        "dimensional_weight",
        "fcmi_letters_postcards",
        "fcmi_large_envelopes",
        "fcpis_retail",
        "priority_mail_international_retail",
        "priority_mail_express_international_retail",
        "international_flat_rate_retail",
        "international_price_groups",
    ]
    .into();
    let left_out: BTreeSet<&str> = LEFT_OUT.iter().map(|(name, _)| *name).collect();
    let data = data();
    let in_data: BTreeSet<&str> = data.keys().map(String::as_str).collect();
    let accounted: BTreeSet<&str> = shipped.union(&left_out).copied().collect();
    assert_eq!(
        in_data, accounted,
        "a data table neither shipped nor left out"
    );
}
