//! The OpenAPI document is the code's: the committed copy equals what `lipa_api::openapi`
//! builds, it is a valid OpenAPI 3.1 shape, and a real instance of every response and webhook
//! type validates against its schema (while a drifted one does not).

// A test file (clippy.toml's test allowances cover `#[cfg(test)]` code only).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use lipa_api::checkout::{CheckoutCreated, MerchantCheckoutView};
use lipa_api::event::{MerchantEvent, PaymentEventData, EVENT_TYPES};
use lipa_api::openapi::{document, document_text};
use lipa_api::payout::PayoutView;
use lipa_api::receipt::{ReceiptLine, ReceiptView};
use lipa_api::refund::{RefundView, TransferStatus};
use lipa_api::{ApiError, Country, Currency, ErrorCode, FailureReason, Operator};
use serde_json::{json, Value};

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

#[test]
fn the_committed_openapi_json_is_the_generated_one() {
    let generated = document_text();
    if std::env::var_os("LIPA_WRITE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &generated).expect("write api/openapi.json");
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "api/openapi.json is not what lipa_api::openapi::document() builds; run \
         `LIPA_WRITE_OPENAPI=1 cargo test -p lipa-api --test openapi` and commit it"
    );
}

fn validator(name: &str) -> jsonschema::Validator {
    let doc = document();
    let schema = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": { "schemas": doc["components"]["schemas"].clone() },
    });
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

fn assert_valid<T: serde::Serialize>(name: &str, value: &T) {
    let instance = serde_json::to_value(value).expect("serializes");
    let errors: Vec<String> = validator(name)
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} does not match its schema: {errors:?}\n{instance:#}"
    );
}

fn refund(status: TransferStatus) -> RefundView {
    RefundView {
        id: "re_1".into(),
        payment_id: "pay_1".into(),
        checkout_id: "co_1".into(),
        reference: "order-1".into(),
        amount: 5_000,
        amount_display: "KES 50.00".into(),
        currency: Currency::KES,
        status,
        failure_message: None,
        reason: Some("returned".into()),
        created_at_ms: 1,
        updated_at_ms: 2,
    }
}

fn payment(failed: bool, with_refunds: bool) -> PaymentEventData {
    PaymentEventData {
        checkout_id: "co_1".into(),
        payment_id: "pay_1".into(),
        reference: "order-1".into(),
        amount: 150_000,
        amount_display: "KES 1,500.00".into(),
        currency: Currency::KES,
        operator: Operator::Mpesa,
        phone_masked: "+254 ••• ••• 001".into(),
        status: if failed { "failed" } else { "succeeded" }.into(),
        failure_reason: failed.then_some(FailureReason::InsufficientFunds),
        failure_message: failed.then(|| FailureReason::InsufficientFunds.message().into()),
        retryable: failed.then_some(true),
        created_at_ms: 1,
        updated_at_ms: 2,
        other_succeeded_payment_id: (!failed).then(|| "pay_2".into()),
        refunds: with_refunds.then(|| {
            vec![
                refund(TransferStatus::Succeeded),
                RefundView {
                    failure_message: Some("the provider refused".into()),
                    reason: None,
                    ..refund(TransferStatus::Failed)
                },
            ]
        }),
    }
}

fn payout() -> PayoutView {
    PayoutView {
        id: "po_1".into(),
        amount: 1_000,
        amount_display: "GHS 10.00".into(),
        currency: Currency::GHS,
        operator: Operator::MtnMomo,
        phone_masked: "+233 ••• ••• 001".into(),
        reference: None,
        status: TransferStatus::Pending,
        failure_message: None,
        created_at_ms: 1,
        updated_at_ms: 1,
    }
}

#[test]
fn every_response_type_validates_against_its_schema() {
    assert_valid(
        "CheckoutCreated",
        &CheckoutCreated {
            id: "co_1".into(),
            client_secret: "co_1_secret_x".into(),
            amount: 150_000,
            amount_display: "KES 1,500.00".into(),
            currency: Currency::KES,
            country: Country::KE,
            reference: "order-1".into(),
            pay_url: "https://edge.example/pay/co_1?t=lk_x".into(),
            expires_at_ms: 2,
        },
    );
    let checkout = MerchantCheckoutView {
        id: "co_1".into(),
        reference: "order-1".into(),
        status: "paid".into(),
        amount: 150_000,
        amount_display: "KES 1,500.00".into(),
        currency: Currency::KES,
        country: Country::KE,
        description: "Two mangoes".into(),
        paid_payment_id: Some("pay_1".into()),
        created_at_ms: 1,
        expires_at_ms: Some(2),
        payments: vec![payment(true, false), payment(false, true)],
    };
    assert_valid("Checkout", &checkout);
    assert_valid("CheckoutList", &json!({ "checkouts": [checkout] }));
    assert_valid("Payment", &payment(false, true));
    assert_valid("Payment", &payment(true, false));
    assert_valid(
        "Receipt",
        &ReceiptView {
            payment_id: "pay_1".into(),
            checkout_id: "co_1".into(),
            reference: "order-1".into(),
            amount: 150_000,
            amount_display: "KES 1,500.00".into(),
            fee: Some(100),
            total: 150_100,
            total_display: "KES 1,501.00".into(),
            currency: Currency::KES,
            fx_rate: Some(1.5),
            operator: Operator::Mpesa,
            phone_masked: "+254 ••• ••• 001".into(),
            provider: "crisscross".into(),
            provider_reference: Some("QK12".into()),
            paid_at: None,
            succeeded_at_ms: 3,
            items: vec![ReceiptLine {
                name: "Mango".into(),
                qty: 2,
                amount: 75_000,
            }],
        },
    );
    assert_valid("Refund", &refund(TransferStatus::Pending));
    assert_valid("Payout", &payout());
    for code in ErrorCode::ALL {
        assert_valid("Error", &ApiError::new(code, "what to do").into_body());
    }
    assert_valid(
        "Error",
        &ApiError::field(ErrorCode::ALL[1], "amount", "amount must be…").into_body(),
    );
}

#[test]
fn every_webhook_payload_validates_against_its_schema() {
    for kind in EVENT_TYPES {
        let data = match kind.split('.').next() {
            Some("refund") => serde_json::to_value(refund(TransferStatus::Succeeded)),
            Some("payout") => serde_json::to_value(payout()),
            _ => serde_json::to_value(payment(kind == "payment.failed", false)),
        }
        .expect("serializes");
        let event = MerchantEvent {
            id: "evt_1".into(),
            kind: kind.to_string(),
            created_at_ms: 1,
            data: data.clone(),
        };
        let schema = document()["webhooks"][kind]["post"]["requestBody"]["content"]
            ["application/json"]["schema"]["$ref"]
            .as_str()
            .map(|r| r.trim_start_matches("#/components/schemas/").to_string())
            .expect("each event type is a webhook");
        assert_valid(&schema, &event);
        // What GET /v1/events lists carries the same data.
        assert_valid(
            "Event",
            &json!({ "id": "evt_1", "type": kind, "created_at_ms": 1,
                     "delivered_at_ms": null, "attempts": 0, "data": data }),
        );
    }
}

#[test]
fn the_create_checkout_schema_accepts_what_the_edge_accepts() {
    let schema = validator("CreateCheckout");
    for country in Country::ALL {
        let body = json!({ "amount": 100, "currency": country.currency(), "country": country, "reference": "order-1" });
        assert!(schema.is_valid(&body), "{body}");
        assert!(lipa_api::CreateCheckout::from_json(&body.to_string()).is_ok());
    }
    let wrong =
        json!({ "amount": 100, "currency": "UGX", "country": "KE", "reference": "order-1" });
    assert!(!schema.is_valid(&wrong));
    assert!(lipa_api::CreateCheckout::from_json(&wrong.to_string()).is_err());
    // Return URLs: the schema's pattern and the edge's rules agree on each of these.
    for (url, ok) in [
        ("https://shop.example/thanks?order=1", true),
        ("http://127.0.0.1:8788/shop/hosted/return", true),
        ("http://localhost/cancel", true),
        ("http://shop.example/thanks", false),
        ("javascript:alert(1)", false),
        ("https://user@shop.example/", false),
        ("https://shop.example/a b", false),
        ("https://shop.example/a\"b", false),
        ("https://shop.example/{x}", false),
        ("https://shop.example/a%20b?q=1&r=[2]#top", true),
    ] {
        let body = json!({ "amount": 100, "currency": "KES", "country": "KE",
            "reference": "order-1", "success_url": url, "expires_at_ms": 4_000_000_000_000_i64 });
        assert_eq!(schema.is_valid(&body), ok, "schema: {url}");
        assert_eq!(
            lipa_api::CreateCheckout::from_json(&body.to_string()).is_ok(),
            ok,
            "edge: {url}"
        );
    }
}

#[test]
fn a_drifted_instance_is_refused() {
    let mut extra = serde_json::to_value(payout()).expect("serializes");
    extra["surprise"] = json!(1);
    assert!(!validator("Payout").is_valid(&extra));
    let mut missing = serde_json::to_value(refund(TransferStatus::Failed)).expect("serializes");
    missing.as_object_mut().map(|o| o.remove("status"));
    assert!(!validator("Refund").is_valid(&missing));
    assert!(!validator("Error")
        .is_valid(&json!({ "error": { "code": "no_such_code", "message": "", "field": null } })));
}

#[test]
fn the_document_is_openapi_3_1_with_every_merchant_route() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<&String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    for path in [
        "/v1/openapi.json",
        "/v1/checkouts",
        "/v1/checkouts/{checkout_id}",
        "/v1/payments/{payment_id}",
        "/v1/payments/{payment_id}/receipt",
        "/v1/refunds",
        "/v1/refunds/{refund_id}",
        "/v1/payouts",
        "/v1/payouts/{payout_id}",
        "/v1/events",
        "/v1/events/{event_id}",
        "/v1/events/{event_id}/resend",
    ] {
        assert!(paths.iter().any(|p| *p == path), "{path} is missing");
    }
    // The document itself needs no key.
    assert_eq!(
        doc["paths"]["/v1/openapi.json"]["get"]["security"],
        json!([])
    );
    // Every error status an operation lists is the status of some error code.
    let statuses: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.http_status().to_string())
        .collect();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            for status in op["responses"]
                .as_object()
                .into_iter()
                .flat_map(|r| r.keys())
            {
                assert!(
                    status.starts_with('2') || statuses.contains(status),
                    "{status} has no error code"
                );
            }
        }
    }
    // An operation that takes an Idempotency-Key documents the 400 a bad key gets (the resend
    // operation did not, until schemathesis sent it an empty key).
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            let takes_key = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter().any(|p| {
                    p["$ref"]
                        .as_str()
                        .is_some_and(|r| r.contains("IdempotencyKey"))
                })
            });
            if takes_key {
                assert!(
                    op["responses"]["400"].is_object(),
                    "{} takes an Idempotency-Key but documents no 400",
                    op["operationId"]
                );
            }
        }
    }
    // Every $ref points into the document.
    let text = document_text();
    for piece in text.split("\"$ref\": \"#/").skip(1) {
        let pointer = format!("/{}", piece.split('"').next().unwrap_or_default());
        assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
    }
    let _: Value = serde_json::from_str(&text).expect("the text is JSON");
}
