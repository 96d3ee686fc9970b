//! The vendor's HTTP API against an in-process server on loopback: buying, voiding,
//! registers, processing servers, enrollment and routing; signatures, labels, funds and
//! idempotency have files of their own (`vendor_auth`, `vendor_labels`, `vendor_funds`,
//! `vendor_idempotency`). The same suite runs on SQLite and on PostgreSQL (the store
//! contract); without a PostgreSQL server (`POSTCOUNTER_TEST_PG`, see .ci/postgres.sh) the
//! PostgreSQL half says it is skipped.

use crate::common;

use serde_json::{Value, json};

use common::vendor::{
    COUNTER_ZIP, LICENSE, PSD_A1, PSD_A2, Prepared, StoreKind, indicium, kind_of, letter,
    letter_mills, letter_weighing, message_of, price_mills, vendor_or_skip,
};
use common::vendor_counter::service_keys;
use postcounter::indicium::{Indicium, verify};
use postcounter::vendor_system::store::counters::check_location;

common::contract!(
    health_and_the_api_description_need_no_signature,
    a_counter_buys_an_indicium_that_verifies_under_the_vendors_license,
    several_pieces_in_one_purchase_get_consecutive_serials,
    malformed_bodies_get_a_reason_and_nothing_is_written,
    an_unused_indicium_is_voided_once,
    the_vendor_signs_its_own_price_and_refuses_a_stated_one_that_differs,
    the_origin_is_the_counters_registered_location,
    registers_are_read_only_by_the_accounts_counters,
    purchases_go_to_the_processing_servers_in_turn,
    enrollment_codes_register_one_counter_each,
    unknown_routes_and_methods_answer_in_json,
);

async fn health_and_the_api_description_need_no_signature(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "health").await else {
        return;
    };
    let health: Value = reqwest::get(format!("{}/contact/v1/health", v.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["license_number"], LICENSE);
    assert_eq!(health["processing_servers"], 2);
    let expected_store = match kind {
        StoreKind::Sqlite => "sqlite",
        StoreKind::Postgres => "postgres",
    };
    assert_eq!(health["store"], expected_store);
    let openapi: Value = reqwest::get(format!("{}/openapi.json", v.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["paths"]["/postage/v1/purchases"]["post"].is_object());
}

async fn a_counter_buys_an_indicium_that_verifies_under_the_vendors_license(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "buy").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (status, answer) = counter.buy("sale-1", vec![letter()]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["license_number"], LICENSE);
    assert_eq!(answer["psd_id"], PSD_A1);
    let bytes = indicium(&answer, 0);
    let verified = verify(&bytes, &common::vendor::central_trust(&v.keys)).unwrap();
    let data = verified.indicium.data;
    assert_eq!(data.license_number, LICENSE);
    assert_eq!(data.device_id, PSD_A1);
    assert_eq!(data.postage.mills(), letter_mills());
    assert_eq!(data.piece_serial, 1);
    assert_eq!(data.origin_zip5, 2134);
    assert_eq!(
        data.rate_table.map(|d| d.to_string()),
        answer["pieces"][0]["rate_table"].as_str().map(String::from)
    );
    let registers = &answer["registers"];
    assert_eq!(registers["ascending_mills"], letter_mills());
    assert_eq!(data.ascending_register.mills(), letter_mills());
    assert_eq!(
        registers["ascending_mills"].as_i64().unwrap()
            + registers["descending_mills"].as_i64().unwrap(),
        registers["control_total_mills"].as_i64().unwrap()
    );
    assert!(v.store.audit_psd(PSD_A1).await.unwrap().is_empty());
}

async fn several_pieces_in_one_purchase_get_consecutive_serials(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "several").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let pieces = vec![letter(), letter_weighing("2oz"), letter_weighing("3.5oz")];
    let total: i64 = pieces.iter().map(price_mills).sum();
    let (status, answer) = counter.buy("sale-1", pieces).await;
    assert_eq!(status, 201, "{answer}");
    let serials: Vec<u32> = (0..3)
        .map(|i| {
            Indicium::from_bytes(&indicium(&answer, i))
                .unwrap()
                .data
                .piece_serial
        })
        .collect();
    assert_eq!(serials, [1, 2, 3]);
    let last = Indicium::from_bytes(&indicium(&answer, 2)).unwrap();
    assert_eq!(last.data.ascending_register.mills(), total);
    assert_eq!(answer["registers"]["piece_count"], 3);
}

async fn malformed_bodies_get_a_reason_and_nothing_is_written(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "malformed").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let footprint = v.footprint().await;
    let mut bare_weight = letter();
    bare_weight["weight"] = json!("2");
    let mut bad_zip = letter();
    bad_zip["destination"] = json!("9410");
    let mut origin_given = letter();
    origin_given["origin_zip"] = json!("99501");
    let mut unknown_product = letter();
    unknown_product["product"] = json!("express");
    let mut postcard_certified = letter();
    postcard_certified["product"] = json!("fcm-postcard");
    postcard_certified["shape"] = json!("postcard");
    postcard_certified["extra_services"] = json!(["certified-mail"]);
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "not accepted"),
        (json!({"pieces": [letter()], "coupon": 1}).to_string(), "unknown field `coupon`"),
        (json!({}).to_string(), "missing field `pieces`"),
        (json!({"pieces": []}).to_string(), "0 pieces"),
        (json!({"pieces": [bare_weight]}).to_string(), "weight \"2\" is not accepted"),
        (json!({"pieces": [bad_zip]}).to_string(), "\"9410\""),
        (json!({"pieces": [origin_given]}).to_string(), "unknown field `origin_zip`"),
        (json!({"pieces": [unknown_product]}).to_string(), "product \"express\" is not accepted"),
        (json!({"pieces": [postcard_certified]}).to_string(), "Certified Mail is not available with First-Class Mail Postcard"),
        (json!({"pieces": [letter()], "card": {"number": 4242424242424242u64, "expiry": "12/30", "holder": "A"}}).to_string(), "invalid type"),
    ];
    for (index, (body, reason)) in cases.iter().enumerate() {
        let key = format!("bad-{index}");
        let (status, answer) = counter
            .send("POST", "/postage/v1/purchases", Some(&key), body.as_bytes())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(kind_of(&answer), "bad_request");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{body}: {message}");
        assert!(
            !message.contains("4242424242424242"),
            "a card number is never echoed: {message}"
        );
    }
    assert_eq!(v.footprint().await, footprint);
}

async fn an_unused_indicium_is_voided_once(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "void").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let (_, bought) = counter.buy("sale-1", vec![letter()]).await;
    let dr_before = bought["registers"]["descending_mills"].as_i64().unwrap();
    let body = json!({"psd_id": PSD_A1, "piece_serial": 1});
    let (status, voided) = counter.post("/postage/v1/voids", "void-1", &body).await;
    assert_eq!(status, 200, "{voided}");
    assert_eq!(voided["refunded_mills"], letter_mills());
    assert_eq!(
        voided["registers"]["descending_mills"].as_i64().unwrap(),
        dr_before + letter_mills()
    );
    assert_eq!(
        voided["registers"]["ascending_mills"],
        letter_mills(),
        "AR never goes back"
    );
    assert_eq!(
        counter.post("/postage/v1/voids", "void-1", &body).await,
        (200, voided.clone())
    );
    let (status, answer) = counter.post("/postage/v1/voids", "void-2", &body).await;
    assert_eq!(status, 422, "{answer}");
    assert!(message_of(&answer).contains("voided already"));
    let (status, _) = counter
        .post(
            "/postage/v1/voids",
            "void-3",
            &json!({"psd_id": PSD_A1, "piece_serial": 99}),
        )
        .await;
    assert_eq!(status, 404);
    let other = v.counter("A2").await;
    let (status, _) = other.post("/postage/v1/voids", "void-4", &body).await;
    assert_eq!(status, 403, "another account's piece");
    assert!(v.store.audit_psd(PSD_A1).await.unwrap().is_empty());
}

async fn registers_are_read_only_by_the_accounts_counters(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "registers").await else {
        return;
    };
    let counter = v.counter("A1").await;
    counter.buy("sale-1", vec![letter()]).await;
    let (status, answer) = counter.registers(PSD_A1).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["registers"]["ascending_mills"], letter_mills());
    assert_eq!(answer["registers"]["piece_count"], 1);
    assert_eq!(answer["account_balance_mills"], 900_000);
    assert_eq!(counter.registers(PSD_A2).await.0, 403);
    assert_eq!(counter.registers(99).await.0, 404);
}

async fn purchases_go_to_the_processing_servers_in_turn(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "roundrobin").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let mut servers = Vec::new();
    for sale in 0..4 {
        let (_, answer) = counter.buy(&format!("sale-{sale}"), vec![letter()]).await;
        servers.push(answer["processing_server"]["id"].as_u64().unwrap());
    }
    assert_eq!(servers[0], servers[2]);
    assert_eq!(servers[1], servers[3]);
    assert_ne!(servers[0], servers[1]);
    let stored: Vec<i64> = sqlx::query_scalar("SELECT server_id FROM piece ORDER BY piece_serial")
        .fetch_all(v.store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored,
        servers.iter().map(|&s| s as i64).collect::<Vec<_>>()
    );
}

async fn enrollment_codes_register_one_counter_each(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "enroll").await else {
        return;
    };
    let client = reqwest::Client::new();
    let key = |seed: u8| {
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        postcounter::hex::encode(key.verifying_key().to_sec1_point(false).as_bytes())
    };
    // The enrollment goes sealed (the contact service encrypts): the code is never in clear.
    let keys = service_keys(&client, &v.url).await;
    let register = |code: &str, public: String| {
        let body = json!({"enrollment_code": code, "name": "Front desk", "public_key": public});
        let (client, keys, url) = (&client, &keys, &v.url);
        async move {
            let (status, text) = Prepared::new(
                keys,
                "POST",
                "/contact/v1/counters",
                None,
                body.to_string().as_bytes(),
            )
            .send(client, keys, url, None)
            .await
            .unwrap();
            (status, serde_json::from_str::<Value>(&text).unwrap())
        }
    };
    v.store
        .create_enrollment(
            "code-1",
            "A1",
            &check_location(COUNTER_ZIP).unwrap(),
            i64::MAX,
        )
        .await
        .unwrap();
    let (status, first) = register("code-1", key(1)).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["account_id"], "A1");
    assert_eq!(first["psd_ids"], json!([PSD_A1]));
    let (_, again) = register("code-1", key(1)).await;
    assert_eq!(again, first, "a retried registration gets the same counter");
    assert_eq!(register("code-1", key(2)).await.0, 422);
    assert_eq!(register("code-2", key(3)).await.0, 403);
    assert_eq!(register("code-1", "04abcd".into()).await.0, 400);
    // Sent in clear, the code is refused before it is looked at.
    let plain = client
        .post(format!("{}/contact/v1/counters", v.url))
        .json(&json!({"enrollment_code": "code-1", "name": "Front desk", "public_key": key(1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 400);
    let refused: Value = plain.json().await.unwrap();
    assert_eq!(kind_of(&refused), "security_level", "{refused}");
}

async fn unknown_routes_and_methods_answer_in_json(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "routes").await else {
        return;
    };
    let response = reqwest::get(format!("{}/v2/purchases", v.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(kind_of(&answer), "not_found");
    let response = reqwest::get(format!("{}/postage/v1/purchases", v.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let answer: Value = response.json().await.unwrap();
    assert!(message_of(&answer).contains("does not take GET"));
}

/// The hole: an enrolled counter bought Priority Mail Express + insurance indicia at $0.001
/// each, and every one verified VALID. Now the vendor prices each piece it signs, and a
/// postage the counter states (under or over) is refused with both amounts.
async fn the_vendor_signs_its_own_price_and_refuses_a_stated_one_that_differs(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "stated-price").await else {
        return;
    };
    let counter = v.counter("A1").await;
    let mut express = json!({
        "weight": "2lb",
        "shape": "parcel",
        "product": "priority-express",
        "extra_services": ["insurance"],
        "declared_value_mills": 400_000,
        "destination": "99501",
        "mailing_date": postcounter::date::Date::today_utc().to_string(),
    });
    let price = price_mills(&express);
    assert!(
        price > 50_000,
        "Express + insurance to Alaska costs {price} mills"
    );
    let footprint = v.footprint().await;
    for stated in [1, price - 1, price + 1] {
        express["postage_mills"] = json!(stated);
        let (status, answer) = counter
            .buy(&format!("stated-{stated}"), vec![express.clone()])
            .await;
        assert_eq!(status, 409, "{answer}");
        assert_eq!(kind_of(&answer), "price_mismatch");
        let message = message_of(&answer);
        assert!(message.contains(&format!("({stated} mills)")), "{message}");
        assert!(message.contains(&format!("({price} mills)")), "{message}");
    }
    assert_eq!(
        v.footprint().await,
        footprint,
        "a refused price writes nothing"
    );
    express["postage_mills"] = json!(price);
    let (status, answer) = counter.buy("stated-right", vec![express.clone()]).await;
    assert_eq!(status, 201, "{answer}");
    let data = Indicium::from_bytes(&indicium(&answer, 0)).unwrap().data;
    assert_eq!(data.postage.mills(), price);
    // Without a stated postage the vendor's price is what is signed, whatever it is.
    express.as_object_mut().unwrap().remove("postage_mills");
    let (status, answer) = counter.buy("unstated", vec![express]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["pieces"][0]["postage_mills"], price);
}

/// The origin ZIP of every piece is the location the administrator enrolled the counter
/// at: a counter cannot state another, and a counter enrolled elsewhere pays that zone.
async fn the_origin_is_the_counters_registered_location(kind: StoreKind) {
    let Some(v) = vendor_or_skip(kind, "origin").await else {
        return;
    };
    let boston = v.counter("A1").await;
    let anchorage = common::vendor::enroll_at(&v.store, &v.url, "A1", "99501").await;
    let parcel = json!({
        "weight": "2lb",
        "shape": "parcel",
        "product": "priority",
        "destination": "02139",
        "mailing_date": postcounter::date::Date::today_utc().to_string(),
    });
    let (_, near) = boston.buy("near", vec![parcel.clone()]).await;
    let (_, far) = anchorage.buy("far", vec![parcel]).await;
    let near = Indicium::from_bytes(&indicium(&near, 0)).unwrap().data;
    let far = Indicium::from_bytes(&indicium(&far, 0)).unwrap().data;
    assert_eq!(near.origin_zip5, 2134);
    assert_eq!(far.origin_zip5, 99501);
    assert!(
        far.postage > near.postage,
        "zone 8 from Anchorage ({}) costs more than zone 1 from Boston ({})",
        far.postage,
        near.postage
    );
    assert_eq!(COUNTER_ZIP, "02134");
    let refused = check_location("00000").unwrap_err();
    assert!(
        refused
            .message()
            .contains("location \"00000\" is not accepted"),
        "{refused}"
    );
}
