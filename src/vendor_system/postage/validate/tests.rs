//! Pricing a purchase's pieces at the vendor: what is accepted, and every refusal quoted.

use super::*;

fn order() -> PieceOrder {
    PieceOrder {
        weight: "1oz".into(),
        shape: "letter".into(),
        dimensions: None,
        product: "fcm-letter".into(),
        extra_services: Vec::new(),
        declared_value_mills: None,
        destination: "94103-1234".into(),
        mailing_date: "2026-11-22".into(),
        postage_mills: None,
        label_serial: None,
        customs: None,
    }
}

fn priced(orders: &[PieceOrder]) -> Result<Vec<PieceToIssue>, VendorError> {
    let rates = RateBook::embedded().unwrap();
    let origin = ZipCode::parse("02134").unwrap();
    let context = PricingContext {
        // 2026-11-22 15:00 UTC: the 22nd everywhere west of UTC+9, the 23rd east of it.
        now_unix_ms: 1_795_359_600_000,
        origin: &origin,
        rates: &rates,
    };
    pieces(orders, &context)
}

#[test]
fn a_piece_is_priced_from_the_registered_origin_with_the_table_in_force() {
    let pieces = priced(&[order()]).unwrap();
    assert_eq!(pieces[0].postage, Money::from_mills(780));
    assert_eq!(pieces[0].origin_zip5, 2134);
    assert_eq!(pieces[0].rate_table, Date::parse("2026-07-12").unwrap());
    assert_eq!(
        pieces[0].destination_zip,
        Some(DestinationZip {
            zip5: 94103,
            plus4: Some(1234)
        })
    );
}

#[test]
fn a_stated_postage_must_be_the_vendors_price() {
    let under = PieceOrder {
        postage_mills: Some(1),
        ..order()
    };
    let error = priced(&[under]).unwrap_err();
    assert_eq!(error.kind(), RefusalKind::PriceMismatch);
    assert!(
        error
            .message()
            .contains("the counter stated $0.001 (1 mills) but First-Class Mail Letter 1 oz"),
        "{error}"
    );
    assert!(
        error
            .message()
            .contains("costs $0.78 (780 mills) on the rate table of 2026-07-12"),
        "{error}"
    );
    let over = PieceOrder {
        postage_mills: Some(5_000_000),
        ..order()
    };
    assert_eq!(
        priced(&[over]).unwrap_err().kind(),
        RefusalKind::PriceMismatch
    );
    let exact = PieceOrder {
        postage_mills: Some(780),
        ..order()
    };
    assert!(priced(&[exact]).is_ok());
}

#[test]
fn extra_services_are_priced_not_taken_from_the_counter() {
    let certified = PieceOrder {
        extra_services: vec!["certified-mail".into(), "return-receipt".into()],
        ..order()
    };
    let pieces = priced(&[certified]).unwrap();
    assert!(
        pieces[0].postage > Money::from_mills(780),
        "{:?}",
        pieces[0].postage
    );
    assert_eq!(
        pieces[0].extra_services,
        ExtraService::CertifiedMail.bit() | ExtraService::ReturnReceipt.bit()
    );
}

#[test]
fn bad_fields_are_quoted_in_the_refusal() {
    let cases = [
        (
            PieceOrder {
                weight: "2".into(),
                ..order()
            },
            "weight \"2\"",
        ),
        (
            PieceOrder {
                shape: "box".into(),
                ..order()
            },
            "shape \"box\"",
        ),
        (
            PieceOrder {
                dimensions: Some("12x10".into()),
                ..order()
            },
            "dimensions \"12x10\"",
        ),
        (
            PieceOrder {
                product: "express".into(),
                ..order()
            },
            "product \"express\" is not accepted: one of fcm-letter",
        ),
        (
            PieceOrder {
                extra_services: vec!["gift-wrap".into()],
                ..order()
            },
            "extra service \"gift-wrap\"",
        ),
        (
            PieceOrder {
                declared_value_mills: Some(0),
                ..order()
            },
            "declared_value_mills 0",
        ),
        (
            PieceOrder {
                destination: "9410".into(),
                ..order()
            },
            "destination \"9410\"",
        ),
        (
            PieceOrder {
                mailing_date: "22/11/2026".into(),
                ..order()
            },
            "\"22/11/2026\"",
        ),
        (
            PieceOrder {
                mailing_date: "2026-11-21".into(),
                ..order()
            },
            "from today",
        ),
        (
            PieceOrder {
                label_serial: Some("L1".into()),
                ..order()
            },
            "\"L1\"",
        ),
        (
            PieceOrder {
                product: "fcm-postcard".into(),
                shape: "postcard".into(),
                extra_services: vec!["certified-mail".into()],
                ..order()
            },
            "Certified Mail is not available with First-Class Mail Postcard",
        ),
        (
            PieceOrder {
                extra_services: vec!["return-receipt".into()],
                ..order()
            },
            "Return Receipt needs Certified Mail",
        ),
        (
            PieceOrder {
                weight: "5lb".into(),
                ..order()
            },
            "First-Class Mail Letter cannot carry this piece",
        ),
    ];
    for (order, quoted) in cases {
        let error = priced(&[order]).unwrap_err();
        assert!(error.message().contains(quoted), "{error}");
        assert!(error.message().starts_with("piece 1:"), "{error}");
    }
}

#[test]
fn a_parcel_abroad_is_priced_only_with_a_customs_declaration_checked_again_here() {
    use crate::protocol::postage::{CustomsItemOrder, CustomsOrder};
    let parcel = PieceOrder {
        weight: "3lb".into(),
        shape: "parcel".into(),
        product: "priority-intl".into(),
        destination: "DE".into(),
        ..order()
    };
    let error = priced(std::slice::from_ref(&parcel)).unwrap_err();
    assert_eq!(error.kind(), RefusalKind::Refused);
    assert!(
        error.message().contains("needs a customs declaration"),
        "{error}"
    );
    let item = CustomsItemOrder {
        description: "Wool sweater".into(),
        quantity: 1,
        value_mills: 45_000,
        weight: "18oz".into(),
        origin: "US".into(),
    };
    let declared = PieceOrder {
        customs: Some(CustomsOrder {
            category: "gift".into(),
            items: vec![item.clone()],
        }),
        ..parcel.clone()
    };
    let pieces = priced(&[declared]).unwrap();
    assert_eq!(pieces[0].postage, Money::from_mills(89_250));
    // What the counter would have refused is refused here too, quoted.
    let heavier = PieceOrder {
        customs: Some(CustomsOrder {
            category: "gift".into(),
            items: vec![CustomsItemOrder {
                weight: "4lb".into(),
                ..item.clone()
            }],
        }),
        ..parcel.clone()
    };
    let error = priced(&[heavier]).unwrap_err();
    assert_eq!(error.kind(), RefusalKind::BadRequest);
    assert_eq!(
        error.message(),
        "piece 1: the customs items weigh 4 lb, more than the piece's 3 lb"
    );
    let unknown = PieceOrder {
        customs: Some(CustomsOrder {
            category: "bribe".into(),
            items: vec![item],
        }),
        ..parcel
    };
    assert!(
        priced(&[unknown])
            .unwrap_err()
            .message()
            .contains("customs category \"bribe\" is not accepted")
    );
}
