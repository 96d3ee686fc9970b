//! Mail abroad through the real binary: a country by name, a customs declaration printed on
//! the label as a CN 22 or CN 23 block, and the refusals (a parcel without a declaration,
//! goods in an international letter, a declaration at home) that issue nothing.

use crate::common::cli::{postcounter, text};
use std::process::Output;

/// The one sale's JSON line and its label capture as text.
fn sold(output: &Output) -> (serde_json::Value, String) {
    assert!(output.status.success(), "{}", text(&output.stderr));
    let first = text(&output.stdout).lines().next().unwrap().to_string();
    let sale: serde_json::Value = serde_json::from_str(&first).unwrap();
    let label = std::fs::read(sale["label_files"][0].as_str().unwrap()).unwrap();
    (sale, text(&label))
}

#[test]
fn a_package_to_germany_carries_its_customs_block_and_a_letter_to_canada_none() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let package = postcounter(
        &data_dir,
        &[
            "sell",
            "--weight",
            "3lb",
            "--shape",
            "parcel",
            "--country",
            "germany",
            "--product",
            "priority-intl",
            "--customs-category",
            "gift",
            "--customs-item",
            "Wool sweater:1:$45:1lb 2oz:US",
            "--customs-item",
            "Paperback books:2:$30:1lb 8oz:GB",
            "--json",
        ],
    );
    let (sale, label) = sold(&package);
    // Priority Mail International, 3 lb, Germany's group 16 (Notice 123, 2026-07-12).
    assert_eq!(sale["postage_mills"], 89_250);
    for expected in [
        "GERMANY",
        "CUSTOMS DECLARATION CN 22",
        "Category: Gift",
        "1 x Wool sweater  1 lb 2 oz  $45.00  origin US",
        "2 x Paperback books  1 lb 8 oz  $30.00  origin GB",
        "Total: 2 lb 10 oz  $75.00",
        "PRIORITY MAIL INTL",
    ] {
        assert!(
            label.contains(expected),
            "{expected:?} not on the label: {label}"
        );
    }

    let letter = postcounter(
        &data_dir,
        &["sell", "--weight", "1oz", "--country", "CA", "--json"],
    );
    let (sale, label) = sold(&letter);
    assert_eq!(sale["postage_mills"], 1_750);
    assert!(label.contains("CANADA"), "{label}");
    assert!(!label.contains("CUSTOMS"), "{label}");
}

#[test]
fn four_hundred_dollars_of_goods_take_the_long_form() {
    let dir = tempfile::tempdir().unwrap();
    let output = postcounter(
        &dir.path().join("data"),
        &[
            "sell",
            "--weight",
            "2lb",
            "--shape",
            "parcel",
            "--country",
            "CA",
            "--customs-category",
            "merchandise",
            "--customs-item",
            "Digital camera:1:$400:1lb:JP",
            "--json",
        ],
    );
    let (_, label) = sold(&output);
    assert!(label.contains("CUSTOMS DECLARATION CN 23"), "{label}");
}

#[test]
fn a_parcel_abroad_without_a_declaration_or_goods_in_a_letter_issue_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let refusals: [(&[&str], &str); 4] = [
        (
            &["--weight", "3lb", "--shape", "parcel", "--country", "DE"],
            "a parcel to DE needs a customs declaration: list each item's contents, quantity, value, weight and origin",
        ),
        (
            &[
                "--weight",
                "2oz",
                "--country",
                "CA",
                "--product",
                "fcmi-letter",
                "--customs-category",
                "gift",
                "--customs-item",
                "Silk scarf:1:$20:1oz:CN",
            ],
            "First-Class Mail International Letter carries documents only: send goods as a parcel (First-Class Package International Service or Priority Mail International)",
        ),
        (
            &[
                "--weight",
                "2lb",
                "--shape",
                "parcel",
                "--to",
                "90210",
                "--customs-category",
                "gift",
                "--customs-item",
                "Silk scarf:1:$20:1oz:CN",
            ],
            "a customs declaration is for mail abroad or to an APO/FPO/DPO address, not to 90210",
        ),
        (
            &[
                "--weight",
                "1lb",
                "--shape",
                "parcel",
                "--country",
                "CA",
                "--customs-category",
                "gift",
                "--customs-item",
                "Boots:1:$80:2lb:IT",
            ],
            "the customs items weigh 2 lb, more than the piece's 1 lb",
        ),
    ];
    for (args, message) in refusals {
        let output = postcounter(&data_dir, &[&["sell"], args].concat());
        assert!(!output.status.success(), "{args:?} was sold");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{args:?} printed {}",
            text(&output.stdout)
        );
    }
    let unknown = postcounter(
        &data_dir,
        &["quote", "--weight", "1oz", "--country", "Atlantis"],
    );
    assert!(text(&unknown.stderr).contains(
        "\"Atlantis\" is not a destination country: expected an ISO code like CA or DE, or a country name like Germany"
    ));
    let vague = postcounter(
        &data_dir,
        &[
            "sell",
            "--weight",
            "1lb",
            "--shape",
            "parcel",
            "--country",
            "CA",
            "--customs-category",
            "gift",
            "--customs-item",
            "gift:1:$5:1oz:US",
        ],
    );
    assert!(
        text(&vague.stderr).contains("does not say what the contents are"),
        "{}",
        text(&vague.stderr)
    );
}

/// An address abroad is name, street, town and postal code, then the country; with a name
/// or street but no town it is refused before anything is issued, and the town is only for
/// addresses abroad.
#[test]
fn an_address_abroad_carries_its_town_line_above_the_country() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let letter = |town: Option<&str>| {
        let mut args = vec![
            "sell",
            "--weight",
            "1oz",
            "--country",
            "DE",
            "--recipient-name",
            "Erika Mustermann",
            "--recipient-street",
            "Heidestrasse 17",
            "--json",
        ];
        if let Some(town) = town {
            args.extend(["--recipient-town", town]);
        }
        postcounter(&data_dir, &args)
    };
    let (_, label) = sold(&letter(Some("51147 Koeln")));
    // Each address line is its own bold, double-height text line on the label.
    let address: Vec<&str> = label
        .lines()
        .filter_map(|line| line.split("\x1d!\x01").nth(1))
        .collect();
    assert_eq!(
        address,
        [
            "ERIKA MUSTERMANN",
            "HEIDESTRASSE 17",
            "51147 KOELN",
            "GERMANY"
        ]
    );

    let refused = letter(None);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("an address abroad needs its town and postal code"),
        "{stderr}"
    );
    assert!(text(&refused.stdout).is_empty());

    let at_home = postcounter(
        &data_dir,
        &[
            "sell",
            "--weight",
            "1oz",
            "--to",
            "90210",
            "--recipient-town",
            "Berlin",
        ],
    );
    assert!(!at_home.status.success());
    let stderr = text(&at_home.stderr);
    assert!(
        stderr.contains("is for an address abroad (with --country)"),
        "{stderr}"
    );
}

/// A country of origin is one a customs officer can read: "ZZ" is refused before anything
/// is issued, "GB" is taken.
#[test]
fn an_unknown_country_of_origin_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let parcel = |origin: &str| {
        let item = format!("Paperback books:1:$5:4oz:{origin}");
        postcounter(
            &data_dir,
            &[
                "sell",
                "--weight",
                "1lb",
                "--shape",
                "parcel",
                "--country",
                "DE",
                "--customs-category",
                "gift",
                "--customs-item",
                &item,
                "--json",
            ],
        )
    };
    let refused = parcel("ZZ");
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("\"ZZ\" is not a country of origin"),
        "{stderr}"
    );
    assert!(text(&refused.stdout).is_empty());
    let (_, label) = sold(&parcel("GB"));
    assert!(label.contains("origin GB"), "{label}");
}
