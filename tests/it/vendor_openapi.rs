//! The vendor API's OpenAPI document (`docs/vendor-api.openapi.json`, served at
//! `/openapi.json`) checked against the code it describes: the routes the server serves,
//! the error kinds and their statuses, and the wire types its examples must deserialize into.
//! Other clients are written from this document, so a drift from the code is a bug here.

use crate::common;

use std::collections::BTreeSet;

use postcounter::protocol::services::Service;
use postcounter::protocol::{
    CardDetails, CardPaymentRequest, CardPaymentResponse, CardReceipt, CardRefundRequest,
    CardRefundResponse, EmbeddedRefillRequest, EmbeddedRefillResponse, ErrorBody, Health,
    IssuedPiece, LedgerEntry, OpenSessionRequest, OpenSessionResponse, PieceOrder,
    ProcessingServerRef, PsdCertificateRequest, PsdCertificateResponse, PurchaseRequest,
    PurchaseResponse, ReconcileRequest, ReconcileResponse, RefillRequest, RefillResponse,
    RefusedLabel, RegisterCounterRequest, RegisterCounterResponse, RegistersResponse,
    RegistersView, ReportedRegisters, TrustBundle, VoidRequest, VoidResponse,
    WithdrawalConfirmation, WithdrawalConfirmed, WithdrawalRequest, WithdrawalResponse,
};
use postcounter::vendor_system::RefusalKind;
use serde_json::Value;

const DOCUMENT: &str = include_str!("../../docs/vendor-api.openapi.json");

/// Mirrors `postcounter::vendor_system::api::router`: every (method, path) the vendor serves.
const ROUTES: [(&str, &str); 21] = [
    ("get", "/contact/v1/health"),
    ("get", "/contact/v1/service-keys"),
    ("get", "/openapi.json"),
    ("post", "/contact/v1/counters"),
    ("post", "/contact/v1/sessions"),
    ("get", "/contact/v1/agenda"),
    ("post", "/postage/v1/purchases"),
    ("post", "/postage/v1/voids"),
    ("post", "/postage/v1/reconciliations"),
    ("get", "/postage/v1/psds/{psd_id}/registers"),
    ("post", "/funds/v1/psds/{psd_id}/refills"),
    ("post", "/keys/v1/psd-certificates"),
    ("get", "/keys/v1/trust"),
    ("get", "/keys/v1/update-root"),
    ("get", "/software/v1/tuf/metadata/{file}"),
    ("get", "/software/v1/tuf/targets/{file}"),
    ("post", "/funds/v1/embedded-psds/{psd_id}/refills"),
    ("post", "/funds/v1/embedded-psds/{psd_id}/withdrawals"),
    (
        "post",
        "/funds/v1/embedded-psds/{psd_id}/withdrawals/confirmation",
    ),
    ("post", "/accounts/v1/card-payments"),
    ("post", "/accounts/v1/card-payments/{charge_id}/refunds"),
];

/// The keys of a path item that are operations (the others are shared fields).
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The request bodies the server parses, by schema name.
const REQUEST_BODIES: [&str; 12] = [
    "OpenSessionRequest",
    "PurchaseRequest",
    "VoidRequest",
    "ReconcileRequest",
    "RefillRequest",
    "RegisterCounterRequest",
    "PsdCertificateRequest",
    "EmbeddedRefillRequest",
    "CardPaymentRequest",
    "CardRefundRequest",
    "WithdrawalRequest",
    "WithdrawalConfirmation",
];

pub(crate) fn document() -> Value {
    serde_json::from_str(DOCUMENT).unwrap()
}

pub(crate) fn schema_of<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "the document has no schema {name}");
    schema
}

pub(crate) fn example_of<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let example = &schema_of(doc, name)["example"];
    assert!(!example.is_null(), "schema {name} has no example");
    example
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if HTTP_METHODS.contains(&method.as_str()) {
                found.push((method.clone(), path.clone(), operation));
            }
        }
    }
    found
}

pub(crate) fn names(list: &Value) -> BTreeSet<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect()
}

/// The example's fields are properties of its schema, and every required one is there.
pub(crate) fn assert_example_fits_its_schema(doc: &Value, name: &str) {
    let schema = schema_of(doc, name);
    let properties: BTreeSet<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let fields: BTreeSet<&str> = example_of(doc, name)
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let required = names(&schema["required"]);
    let undescribed: Vec<_> = fields.difference(&properties).collect();
    assert!(
        undescribed.is_empty(),
        "{name}: the example has undescribed fields {undescribed:?}"
    );
    let missing: Vec<_> = required.difference(&fields).collect();
    assert!(
        missing.is_empty(),
        "{name}: the example lacks required fields {missing:?}"
    );
}

/// The example of schema `$name` is accepted as the wire type `$name`, and refused with one
/// unknown field more, as the schema's `additionalProperties: false` says.
macro_rules! assert_request_example {
    ($doc:expr, $name:ident) => {{
        let name = stringify!($name);
        assert_eq!(
            schema_of($doc, name)["additionalProperties"],
            false,
            "{name} refuses unknown fields, its schema must say so"
        );
        let example = example_of($doc, name).clone();
        if let Err(error) = serde_json::from_value::<$name>(example.clone()) {
            panic!("the {name} example is refused by the server's type: {error}");
        }
        let mut with_unknown_field = example;
        with_unknown_field
            .as_object_mut()
            .unwrap()
            .insert("surprise".into(), Value::from(1));
        match serde_json::from_value::<$name>(with_unknown_field) {
            Ok(parsed) => panic!("{name} with an unknown field was accepted: {parsed:?}"),
            Err(error) => assert!(
                error.to_string().contains("unknown field"),
                "{name}: {error}"
            ),
        }
        assert_example_fits_its_schema($doc, name);
    }};
}

/// The example of schema `$name` deserializes as the wire type `$name` and serializes back
/// to itself: no field of it is dropped, misspelt or of another shape.
macro_rules! assert_response_example {
    ($doc:expr, $name:ident) => {{
        let name = stringify!($name);
        let example = example_of($doc, name).clone();
        let parsed: $name = match serde_json::from_value(example.clone()) {
            Ok(parsed) => parsed,
            Err(error) => panic!("the {name} example does not match the wire type: {error}"),
        };
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            example,
            "{name}: the example does not read back as itself"
        );
        assert_example_fits_its_schema($doc, name);
    }};
}

pub(crate) use {assert_request_example, assert_response_example};

#[test]
fn the_document_is_openapi_3_1_json() {
    let doc = document();
    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1"), "openapi {version:?}");
    assert_eq!(doc["info"]["version"], "1");
}

#[test]
fn every_route_the_server_serves_is_described() {
    let doc = document();
    let described: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .chain(&crate::vendor_openapi_tickets::ROUTES)
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(described, served);
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or("");
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        assert!(
            operation["summary"].is_string(),
            "{method} {path} has no summary"
        );
    }
}

/// Each service is an API of its own: a tag with the prefix and version the code mounts it
/// under, and every operation sits under the prefix of its one tag.
#[test]
fn every_service_is_a_tag_with_its_own_versioned_prefix() {
    let doc = document();
    let tags: Vec<&Value> = doc["tags"].as_array().unwrap().iter().collect();
    let tag_names: BTreeSet<&str> = tags.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let services: BTreeSet<&str> = Service::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(tag_names, services);
    for tag in &tags {
        let service = Service::from_name(tag["name"].as_str().unwrap()).unwrap();
        assert_eq!(tag["x-prefix"], service.prefix().as_str());
        assert_eq!(tag["x-version"], service.version());
    }
    for (method, path, operation) in operations(&doc) {
        let tags = names(&operation["tags"]);
        assert_eq!(tags.len(), 1, "{method} {path} has tags {tags:?}");
        let service = Service::from_name(tags.first().unwrap()).unwrap();
        assert!(
            path.starts_with(&format!("{}/", service.prefix())) || path == "/openapi.json",
            "{method} {path} is tagged {} but not under {}",
            service.name(),
            service.prefix()
        );
    }
}

#[test]
fn every_error_kind_is_in_the_error_schema() {
    let doc = document();
    let kind_list = &schema_of(&doc, "ErrorDetail")["properties"]["kind"]["enum"];
    let kinds: Vec<&str> = kind_list
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| kind.as_str().unwrap())
        .collect();
    for name in &kinds {
        let round_trip = RefusalKind::from_name(name).map(|kind| kind.name());
        assert_eq!(round_trip, Some(*name), "kind {name:?}");
    }
    assert_eq!(
        names(kind_list).len(),
        kinds.len(),
        "a kind is listed twice: {kinds:?}"
    );
    assert_eq!(
        kinds.len(),
        RefusalKind::ALL.len(),
        "every RefusalKind is listed: {kinds:?}"
    );
}

#[test]
fn every_refusal_is_an_error_body_with_the_status_of_its_kind() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let code: u16 = status.parse().unwrap();
            if code < 400 {
                continue;
            }
            let at = format!("{method} {path} {status}");
            let content = &response["content"]["application/json"];
            assert_eq!(
                content["schema"]["$ref"], "#/components/schemas/ErrorBody",
                "{at}"
            );
            let examples = content["examples"].as_object().unwrap();
            assert!(!examples.is_empty(), "{at} has no example");
            for (label, example) in examples {
                let body: ErrorBody = serde_json::from_value(example["value"].clone()).unwrap();
                let kind = RefusalKind::from_name(&body.error.kind)
                    .unwrap_or_else(|| panic!("{at} {label}: no kind {:?}", body.error.kind));
                assert_eq!(kind.http_status(), code, "{at} {label}");
            }
        }
    }
}

#[test]
fn request_examples_are_accepted_by_the_server_types() {
    let doc = document();
    let bodies: BTreeSet<&str> = operations(&doc)
        .into_iter()
        .filter_map(|(_, _, operation)| {
            operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
        })
        .map(|reference| reference.strip_prefix("#/components/schemas/").unwrap())
        .collect();
    let mut expected = BTreeSet::from(REQUEST_BODIES);
    expected.extend(crate::vendor_openapi_tickets::REQUEST_BODIES);
    assert_eq!(bodies, expected);
    assert_request_example!(&doc, PurchaseRequest);
    assert_request_example!(&doc, PieceOrder);
    assert_request_example!(&doc, CardDetails);
    assert_request_example!(&doc, VoidRequest);
    assert_request_example!(&doc, ReconcileRequest);
    assert_request_example!(&doc, LedgerEntry);
    assert_request_example!(&doc, RefillRequest);
    assert_request_example!(&doc, RegisterCounterRequest);
    assert_request_example!(&doc, OpenSessionRequest);
    assert_request_example!(&doc, PsdCertificateRequest);
    assert_request_example!(&doc, EmbeddedRefillRequest);
    assert_request_example!(&doc, ReportedRegisters);
    assert_request_example!(&doc, CardPaymentRequest);
    assert_request_example!(&doc, CardRefundRequest);
    assert_request_example!(&doc, WithdrawalRequest);
    assert_request_example!(&doc, WithdrawalConfirmation);
}

#[test]
fn response_examples_match_the_wire_types() {
    let doc = document();
    assert_response_example!(&doc, PurchaseResponse);
    assert_response_example!(&doc, ProcessingServerRef);
    assert_response_example!(&doc, IssuedPiece);
    assert_response_example!(&doc, CardReceipt);
    assert_response_example!(&doc, RegistersView);
    assert_response_example!(&doc, VoidResponse);
    assert_response_example!(&doc, ReconcileResponse);
    assert_response_example!(&doc, RefillResponse);
    assert_response_example!(&doc, RegistersResponse);
    assert_response_example!(&doc, RegisterCounterResponse);
    assert_response_example!(&doc, OpenSessionResponse);
    assert_response_example!(&doc, Health);
    assert_response_example!(&doc, PsdCertificateResponse);
    assert_response_example!(&doc, TrustBundle);
    assert_response_example!(&doc, EmbeddedRefillResponse);
    assert_response_example!(&doc, CardPaymentResponse);
    assert_response_example!(&doc, CardRefundResponse);
    assert_response_example!(&doc, RefusedLabel);
    assert_response_example!(&doc, WithdrawalResponse);
    assert_response_example!(&doc, WithdrawalConfirmed);
    assert_response_example!(&doc, ErrorBody);
}

#[test]
fn refusals_made_before_a_handler_runs_have_the_documented_shape() {
    use common::vendor::{StoreKind, TestVendor};
    common::runtime().block_on(async {
        let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
        let client = reqwest::Client::new();
        let refusal = |answer: reqwest::Response| async move {
            let status = answer.status().as_u16();
            let body: ErrorBody = serde_json::from_slice(&answer.bytes().await.unwrap())
                .expect("a refusal in the API's one shape");
            (status, body.error)
        };
        let oversized = vec![b' '; postcounter::vendor_system::api::MAX_BODY_BYTES + 1];
        let answer = client
            .post(format!("{}/postage/v1/purchases", vendor.url))
            .header("content-type", "application/json")
            .body(oversized)
            .send()
            .await
            .unwrap();
        let (status, error) = refusal(answer).await;
        assert_eq!(status, 413);
        assert_eq!(error.kind, "bad_request");
        assert!(error.message.contains("262144 bytes"), "{}", error.message);

        let answer = client
            .delete(format!("{}/postage/v1/purchases", vendor.url))
            .send()
            .await
            .unwrap();
        let (status, error) = refusal(answer).await;
        assert_eq!(status, 405);
        assert_eq!(error.kind, "not_found");
    });
}
