//! The OpenAPI 3.1 contract of the merchant API, built from this crate's types and constants.
//!
//! [`document`] is the source; `api/openapi.json` is its committed copy (what the edge serves
//! at `GET /v1/openapi.json`), and a test keeps the two equal and validates a real instance
//! of every response type against the document's schemas, so the contract cannot drift from
//! the code. After changing a type: `LIPA_WRITE_OPENAPI=1 cargo test -p lipa-api openapi`.

use serde_json::{json, Map, Value};

use crate::country::{Country, Operator};
use crate::error::ErrorCode;
use crate::event::{
    EVENT_ID_HEADER, EVENT_TYPES, SIGNATURE_HEADER, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
};
use crate::money::{Currency, MAX_AMOUNT_MINOR};
use crate::payment::FailureReason;
use crate::refund::{TransferStatus, MAX_REASON_CHARS};

/// Where the edge serves the document (no key needed).
pub const PATH: &str = "/v1/openapi.json";

/// The longest `Idempotency-Key` accepted (the edge checks it).
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

fn currencies() -> Vec<Currency> {
    let mut all: Vec<Currency> = Vec::new();
    for c in Country::ALL {
        if !all.contains(&c.currency()) {
            all.push(c.currency());
        }
    }
    all
}

fn transfer_statuses() -> Vec<TransferStatus> {
    let all = [
        TransferStatus::Pending,
        TransferStatus::Succeeded,
        TransferStatus::Failed,
    ];
    for s in &all {
        match s {
            TransferStatus::Pending | TransferStatus::Succeeded | TransferStatus::Failed => {}
        }
    }
    all.to_vec()
}

/// The wire names of values, through their own `Serialize`.
fn wire<T: serde::Serialize>(values: &[T]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
            .collect(),
    )
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn nullable(t: &str) -> Value {
    json!({ "type": [t, "null"] })
}

fn int() -> Value {
    json!({ "type": "integer" })
}

fn string() -> Value {
    json!({ "type": "string" })
}

/// A merchant's return URL: https, or http only for a local development host.
fn return_url(what: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "maxLength": crate::links::MAX_RETURN_URL_LEN,
        // Printable ASCII after the host, without the characters RFC 3986 forbids.
        "pattern": "^([Hh][Tt][Tt][Pp][Ss]://[A-Za-z0-9.-]+(:[0-9]{1,5})?|[Hh][Tt][Tt][Pp]://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?)([/?#][!#-;=?-\\[\\]_a-z~]*)?$",
        "description": format!("{what} https:// (http:// only for 127.0.0.1, localhost and [::1], for a local development system), absolute, without credentials, printable ASCII."),
    })
}

fn ms(what: &str) -> Value {
    json!({ "type": "integer", "description": format!("{what}, Unix milliseconds.") })
}

/// A closed object: every property listed, `required` the ones always present.
fn object(description: &str, props: &[(&str, Value)], optional: &[&str]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema) in props {
        properties.insert((*name).to_string(), schema.clone());
        if !optional.contains(name) {
            required.push(Value::String((*name).to_string()));
        }
    }
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn schemas() -> Value {
    let amount = json!({
        "type": "integer", "minimum": 1, "maximum": MAX_AMOUNT_MINOR,
        "description": "Minor units of the currency (cents for KES; whole units for UGX, XOF, RWF)."
    });
    let mut s = Map::new();
    let mut put = |name: &str, v: Value| {
        s.insert(name.to_string(), v);
    };
    put(
        "Currency",
        json!({ "type": "string", "enum": wire(&currencies()), "description": "ISO 4217; the country's mobile-money currency." }),
    );
    put(
        "Country",
        json!({ "type": "string", "enum": wire(&Country::ALL), "description": "ISO 3166-1 alpha-2." }),
    );
    put(
        "Operator",
        json!({ "type": "string", "enum": wire(&Operator::ALL), "description": "A mobile-money operator." }),
    );
    put(
        "FailureReason",
        json!({ "type": "string", "enum": wire(&FailureReason::ALL) }),
    );
    put(
        "TransferStatus",
        json!({ "type": "string", "enum": wire(&transfer_statuses()) }),
    );
    put(
        "ErrorCode",
        json!({
            "type": "string",
            "enum": wire(&ErrorCode::ALL),
            "description": "Machine-readable class of the error; each code has one HTTP status (see x-http-status).",
            "x-http-status": ErrorCode::ALL.iter().map(|c| {
                (serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(), json!(c.http_status()))
            }).collect::<Map<String, Value>>(),
        }),
    );
    put(
        "ApiError",
        object(
            "What was wrong, for a program (code), a person (message) and a form (field).",
            &[
                ("code", schema_ref("ErrorCode")),
                ("message", string()),
                ("field", nullable("string")),
            ],
            &[],
        ),
    );
    put(
        "Error",
        object(
            "The body of every 4xx and 5xx answer.",
            &[("error", schema_ref("ApiError"))],
            &[],
        ),
    );
    // One closed object per country, so the currency is the country's (as the edge checks).
    let create_checkout: Vec<Value> = Country::ALL
        .iter()
        .map(|country| {
            object(
                &format!("A checkout in {}.", country.name()),
                &[
                    ("amount", amount.clone()),
                    ("currency", json!({ "const": wire(&[country.currency()])[0] })),
                    ("country", json!({ "const": wire(&[*country])[0] })),
                    (
                        "reference",
                        json!({ "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "Your order reference." }),
                    ),
                    (
                        "description",
                        json!({ "type": ["string", "null"], "maxLength": 140, "description": "Shown to the customer." }),
                    ),
                    (
                        "customer_phone",
                        json!({ "type": ["string", "null"], "description": "The customer's number, valid in the country's numbering plan; the widget shows it read-only." }),
                    ),
                    ("success_url", return_url("Where the hosted page (pay_url) sends the customer after a successful payment, with checkout_id=co_… added to its query. Confirm the payment with GET /v1/checkouts/{id}: anyone can type this URL.")),
                    ("cancel_url", return_url("Where the hosted page's Cancel sends the customer.")),
                    (
                        "expires_at_ms",
                        json!({ "type": ["integer", "null"], "minimum": 1, "description": "When the checkout stops taking new payments, Unix ms: in the future and at most 30 days away (default: a day after creation). A payment live at that moment is still followed to its end." }),
                    ),
                ],
                &["description", "customer_phone", "success_url", "cancel_url", "expires_at_ms"],
            )
        })
        .collect();
    put(
        "CreateCheckout",
        json!({
            "description": "POST /v1/checkouts: the currency is the country's mobile-money currency.",
            "oneOf": create_checkout,
        }),
    );
    put(
        "CheckoutCreated",
        object(
            "A new checkout: hand `id` and `client_secret` to the widget, or send the customer to `pay_url`.",
            &[
                ("id", string()),
                ("client_secret", string()),
                ("amount", int()),
                ("amount_display", string()),
                ("currency", schema_ref("Currency")),
                ("country", schema_ref("Country")),
                ("reference", string()),
                (
                    "pay_url",
                    json!({ "type": "string", "description": "The checkout's own payment page: redirect the customer to it or send it by SMS. It carries a link token that can do no more than the client secret (open and pay this checkout), and works without JavaScript." }),
                ),
                ("expires_at_ms", ms("When the checkout stops taking new payments")),
            ],
            &[],
        ),
    );
    put(
        "Payment",
        object(
            "A payment as the merchant's server sees it (and the data of payment.* events).",
            &[
                ("checkout_id", string()),
                ("payment_id", string()),
                ("reference", string()),
                ("amount", int()),
                ("amount_display", string()),
                ("currency", schema_ref("Currency")),
                ("operator", schema_ref("Operator")),
                ("phone_masked", string()),
                (
                    "status",
                    json!({ "type": "string", "enum": ["pending", "action_required", "succeeded", "failed", "expired"] }),
                ),
                (
                    "failure_reason",
                    json!({ "oneOf": [schema_ref("FailureReason"), { "type": "null" }] }),
                ),
                ("failure_message", nullable("string")),
                ("retryable", nullable("boolean")),
                ("created_at_ms", ms("When the payment started")),
                ("updated_at_ms", ms("When its status last changed")),
                ("other_succeeded_payment_id", string()),
                (
                    "refunds",
                    json!({ "type": "array", "items": schema_ref("Refund") }),
                ),
            ],
            &["other_succeeded_payment_id", "refunds"],
        ),
    );
    put(
        "Checkout",
        object(
            "A checkout with every payment made on it.",
            &[
                ("id", string()),
                ("reference", string()),
                (
                    "status",
                    json!({ "type": "string", "enum": ["open", "pending", "paid", "closed"] }),
                ),
                ("amount", int()),
                ("amount_display", string()),
                ("currency", schema_ref("Currency")),
                ("country", schema_ref("Country")),
                ("description", string()),
                ("paid_payment_id", nullable("string")),
                ("created_at_ms", ms("When the checkout was created")),
                (
                    "expires_at_ms",
                    json!({ "type": ["integer", "null"], "description": "When the checkout stops taking new payments, Unix milliseconds; null for a checkout made before links expired, which never stops." }),
                ),
                (
                    "payments",
                    json!({ "type": "array", "items": schema_ref("Payment") }),
                ),
            ],
            &[],
        ),
    );
    put(
        "CheckoutList",
        object(
            "The checkouts made with one reference, newest first.",
            &[(
                "checkouts",
                json!({ "type": "array", "items": schema_ref("Checkout") }),
            )],
            &[],
        ),
    );
    put(
        "ReceiptLine",
        object(
            "One line of a receipt.",
            &[("name", string()), ("qty", int()), ("amount", int())],
            &[],
        ),
    );
    put(
        "Receipt",
        object(
            "A succeeded payment's receipt.",
            &[
                ("payment_id", string()),
                ("checkout_id", string()),
                ("reference", string()),
                ("amount", int()),
                ("amount_display", string()),
                ("fee", nullable("integer")),
                ("total", int()),
                ("total_display", string()),
                ("currency", schema_ref("Currency")),
                ("fx_rate", nullable("number")),
                ("operator", schema_ref("Operator")),
                ("phone_masked", string()),
                ("provider", string()),
                ("provider_reference", nullable("string")),
                ("paid_at", nullable("string")),
                ("succeeded_at_ms", ms("When the payment succeeded")),
                (
                    "items",
                    json!({ "type": "array", "items": schema_ref("ReceiptLine") }),
                ),
            ],
            &[],
        ),
    );
    put(
        "CreateRefund",
        object(
            "POST /v1/refunds.",
            &[
                ("payment_id", string()),
                (
                    "amount",
                    json!({ "type": ["integer", "null"], "minimum": 1, "maximum": MAX_AMOUNT_MINOR, "description": "Minor units; the whole refundable rest when absent." }),
                ),
                (
                    "reason",
                    json!({ "type": ["string", "null"], "maxLength": MAX_REASON_CHARS }),
                ),
            ],
            &["amount", "reason"],
        ),
    );
    put(
        "Refund",
        object(
            "A refund (and the data of refund.* events).",
            &[
                ("id", string()),
                ("payment_id", string()),
                ("checkout_id", string()),
                ("reference", string()),
                ("amount", int()),
                ("amount_display", string()),
                ("currency", schema_ref("Currency")),
                ("status", schema_ref("TransferStatus")),
                ("failure_message", nullable("string")),
                ("reason", nullable("string")),
                ("created_at_ms", ms("When the refund was asked for")),
                ("updated_at_ms", ms("When its status last changed")),
            ],
            &[],
        ),
    );
    put(
        "CreatePayout",
        object(
            "POST /v1/payouts: the operator must be one of the country's, the phone valid in its numbering plan.",
            &[
                ("amount", amount),
                ("currency", schema_ref("Currency")),
                ("country", schema_ref("Country")),
                ("operator", schema_ref("Operator")),
                ("phone", string()),
                (
                    "reference",
                    json!({ "type": ["string", "null"], "maxLength": 100 }),
                ),
            ],
            &["reference"],
        ),
    );
    put(
        "Payout",
        object(
            "A payout (and the data of payout.* events).",
            &[
                ("id", string()),
                ("amount", int()),
                ("amount_display", string()),
                ("currency", schema_ref("Currency")),
                ("operator", schema_ref("Operator")),
                ("phone_masked", string()),
                ("reference", nullable("string")),
                ("status", schema_ref("TransferStatus")),
                ("failure_message", nullable("string")),
                ("created_at_ms", ms("When the payout was asked for")),
                ("updated_at_ms", ms("When its status last changed")),
            ],
            &[],
        ),
    );
    put(
        "EventType",
        json!({ "type": "string", "enum": EVENT_TYPES }),
    );
    let event_data = json!({
        "oneOf": [schema_ref("Payment"), schema_ref("Refund"), schema_ref("Payout"), { "type": "null" }],
        "description": "payment.* events carry a Payment, refund.* a Refund, payout.* a Payout."
    });
    let event_props = vec![
        ("id", string()),
        ("type", schema_ref("EventType")),
        ("created_at_ms", ms("When Lipa recorded the change")),
        ("delivered_at_ms", nullable("integer")),
        ("attempts", int()),
        ("data", event_data),
    ];
    put(
        "Event",
        object("An event and how its delivery went.", &event_props, &[]),
    );
    put(
        "EventList",
        object(
            "Events, newest first.",
            &[(
                "events",
                json!({ "type": "array", "items": schema_ref("Event") }),
            )],
            &[],
        ),
    );
    put(
        "DeliveryAttempt",
        object(
            "One delivery attempt and exactly what it sent.",
            &[
                ("attempt", int()),
                ("status", nullable("integer")),
                ("latency_ms", int()),
                ("error", nullable("string")),
                ("at_ms", ms("When the attempt was made")),
                (
                    "request",
                    object(
                        "The request sent: its headers and the raw body the signatures cover.",
                        &[
                            ("method", json!({ "type": "string", "enum": ["POST"] })),
                            (
                                "headers",
                                json!({ "type": "object", "additionalProperties": { "type": ["string", "null"] } }),
                            ),
                            ("body", string()),
                        ],
                        &[],
                    ),
                ),
            ],
            &[],
        ),
    );
    let mut detail_props = event_props.clone();
    detail_props.push((
        "deliveries",
        json!({ "type": "array", "items": schema_ref("DeliveryAttempt") }),
    ));
    put(
        "EventDetail",
        object("An event with every delivery attempt.", &detail_props, &[]),
    );
    put(
        "Resent",
        object(
            "The event was sent again now.",
            &[
                ("id", string()),
                ("resent", json!({ "type": "boolean", "enum": [true] })),
                ("delivered", json!({ "type": "boolean" })),
            ],
            &[],
        ),
    );
    for (name, data) in [
        ("PaymentEvent", "Payment"),
        ("RefundEvent", "Refund"),
        ("PayoutEvent", "Payout"),
    ] {
        put(
            name,
            object(
                "A webhook delivery's body.",
                &[
                    (
                        "id",
                        json!({ "type": "string", "description": "evt_…; dedupe on it." }),
                    ),
                    ("type", schema_ref("EventType")),
                    ("created_at_ms", ms("When Lipa recorded the change")),
                    ("data", schema_ref(data)),
                ],
                &[],
            ),
        );
    }
    Value::Object(s)
}

/// The error answers an operation can give, by HTTP status.
fn errors(statuses: &[u16]) -> Vec<(String, Value)> {
    statuses
        .iter()
        .map(|status| {
            let codes: Vec<Value> = ErrorCode::ALL
                .into_iter()
                .filter(|c| c.http_status() == *status)
                .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
                .collect();
            let description = match status {
                400 => "Bad input: the error names the field or query parameter.",
                401 => "No or a wrong secret key.",
                404 => "No such object.",
                409 => "A conflict with the object's state or a request still running under the same Idempotency-Key.",
                413 => "The body is larger than 64 KiB.",
                422 => "The Idempotency-Key was used with another body, or the provider refused.",
                429 => "Too many requests.",
                502 => "The provider could not be reached; nothing is known to have moved (retry with the same Idempotency-Key).",
                _ => "Something failed inside Lipa.",
            };
            (
                status.to_string(),
                json!({
                    "description": format!("{description} Codes: {}.", codes.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
                    "content": { "application/json": { "schema": schema_ref("Error") } },
                }),
            )
        })
        .collect()
}

fn ok(status: u16, description: &str, schema: &str, replayable: bool) -> (String, Value) {
    let mut response = json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    });
    if replayable {
        response["headers"] =
            json!({ "Idempotent-Replayed": { "$ref": "#/components/headers/IdempotentReplayed" } });
    }
    (status.to_string(), response)
}

fn with_links(mut response: (String, Value), links: Value) -> (String, Value) {
    response.1["links"] = links;
    response
}

struct Op<'a> {
    id: &'a str,
    summary: &'a str,
    params: Vec<Value>,
    body: Option<&'a str>,
    success: (String, Value),
    errors: &'a [u16],
}

fn operation(op: Op) -> Value {
    let mut responses: Map<String, Value> = Map::new();
    responses.insert(op.success.0, op.success.1);
    for (status, response) in errors(op.errors) {
        responses.insert(status, response);
    }
    let mut out = json!({
        "operationId": op.id,
        "summary": op.summary,
        "responses": responses,
    });
    if !op.params.is_empty() {
        out["parameters"] = Value::Array(op.params);
    }
    if let Some(body) = op.body {
        out["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": schema_ref(body) } },
        });
    }
    out
}

fn path_id(name: &str, example: &str) -> Value {
    json!({
        "name": name, "in": "path", "required": true,
        "schema": { "type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_]+$" },
        "example": example,
    })
}

fn query(name: &str, schema: Value, required: bool, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": required, "schema": schema, "description": description })
}

fn idempotency_key(required: bool) -> Value {
    json!({ "$ref": if required { "#/components/parameters/IdempotencyKeyRequired" } else { "#/components/parameters/IdempotencyKey" } })
}

fn paths() -> Value {
    json!({
        PATH: { "get": {
            "operationId": "openapi",
            "summary": "This document. No key needed.",
            "security": [],
            "responses": { "200": { "description": "The OpenAPI 3.1 document.", "content": { "application/json": { "schema": { "type": "object" } } } } },
        }},
        "/v1/checkouts": {
            "post": operation(Op {
                id: "createCheckout",
                summary: "Create a checkout (Idempotency-Key optional).",
                params: vec![idempotency_key(false)],
                body: Some("CreateCheckout"),
                success: with_links(ok(201, "The checkout.", "CheckoutCreated", true), json!({
                    "getCheckout": { "operationId": "getCheckout", "parameters": { "checkout_id": "$response.body#/id" } },
                    "listCheckouts": { "operationId": "listCheckouts", "parameters": { "reference": "$response.body#/reference" } },
                })),
                errors: &[400, 401, 409, 413, 422, 500],
            }),
            "get": operation(Op {
                id: "listCheckouts",
                summary: "The checkouts made with a reference, newest first (at most 20).",
                params: vec![query("reference", string(), true, "Your order reference.")],
                body: None,
                success: ok(200, "The checkouts.", "CheckoutList", false),
                errors: &[400, 401],
            }),
        },
        "/v1/checkouts/{checkout_id}": { "get": operation(Op {
            id: "getCheckout",
            summary: "A checkout with every payment (and each payment's refunds).",
            params: vec![path_id("checkout_id", "co_8fK2mQ9xL1pR4tV7wY0zB3cD")],
            body: None,
            success: ok(200, "The checkout.", "Checkout", false),
            errors: &[400, 401, 404],
        })},
        "/v1/payments/{payment_id}": { "get": operation(Op {
            id: "getPayment",
            summary: "One payment with its status and refunds.",
            params: vec![path_id("payment_id", "pay_1")],
            body: None,
            success: ok(200, "The payment.", "Payment", false),
            errors: &[400, 401, 404],
        })},
        "/v1/payments/{payment_id}/receipt": { "get": operation(Op {
            id: "getReceipt",
            summary: "A succeeded payment's receipt.",
            params: vec![path_id("payment_id", "pay_1")],
            body: None,
            success: ok(200, "The receipt.", "Receipt", false),
            errors: &[401, 404, 409],
        })},
        "/v1/refunds": { "post": operation(Op {
            id: "createRefund",
            summary: "Refund a succeeded payment, wholly or in part (Idempotency-Key required).",
            params: vec![idempotency_key(true)],
            body: Some("CreateRefund"),
            success: ok(201, "The refund, pending or final (200 when the same refund is asked for again).", "Refund", true),
            errors: &[400, 401, 404, 409, 413, 422, 500, 502],
        })},
        "/v1/refunds/{refund_id}": { "get": operation(Op {
            id: "getRefund",
            summary: "One refund.",
            params: vec![path_id("refund_id", "re_1")],
            body: None,
            success: ok(200, "The refund.", "Refund", false),
            errors: &[401, 404],
        })},
        "/v1/payouts": { "post": operation(Op {
            id: "createPayout",
            summary: "Send money to a mobile-money wallet (Idempotency-Key required; it names the payout).",
            params: vec![idempotency_key(true)],
            body: Some("CreatePayout"),
            success: ok(201, "The payout, pending or final (200 when it exists already).", "Payout", true),
            errors: &[400, 401, 409, 413, 422, 500, 502],
        })},
        "/v1/payouts/{payout_id}": { "get": operation(Op {
            id: "getPayout",
            summary: "One payout.",
            params: vec![path_id("payout_id", "po_1")],
            body: None,
            success: ok(200, "The payout.", "Payout", false),
            errors: &[401, 404],
        })},
        "/v1/events": { "get": operation(Op {
            id: "listEvents",
            summary: "Events, newest first, filtered by checkout, payment (its refunds' events included) and type. Any other parameter is refused.",
            params: vec![
                query("limit", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 20 }), false, "How many (1 to 100)."),
                query("before_ms", json!({ "type": "integer" }), false, "Only events created before this, Unix milliseconds (for the next page)."),
                query("checkout", string(), false, "Only this checkout's events."),
                query("payment", string(), false, "Only this payment's events and its refunds'."),
                query("type", schema_ref("EventType"), false, "Only events of this type."),
            ],
            body: None,
            success: ok(200, "The events.", "EventList", false),
            errors: &[400, 401],
        })},
        "/v1/events/{event_id}": { "get": operation(Op {
            id: "getEvent",
            summary: "An event with every delivery attempt, each with the exact request sent.",
            params: vec![path_id("event_id", "evt_1")],
            body: None,
            success: ok(200, "The event.", "EventDetail", false),
            errors: &[401, 404],
        })},
        "/v1/events/{event_id}/resend": { "post": operation(Op {
            id: "resendEvent",
            summary: "Send an event again now (Idempotency-Key optional: a repeat answers the first result and delivers nothing).",
            params: vec![path_id("event_id", "evt_1"), idempotency_key(false)],
            body: None,
            success: ok(200, "Sent again.", "Resent", true),
            errors: &[400, 401, 404, 409, 413, 422, 500],
        })},
    })
}

fn webhooks() -> Value {
    let mut out = Map::new();
    for kind in EVENT_TYPES {
        let schema = match kind.split('.').next() {
            Some("refund") => "RefundEvent",
            Some("payout") => "PayoutEvent",
            _ => "PaymentEvent",
        };
        out.insert(kind.to_string(), json!({ "post": {
            "operationId": kind,
            "summary": format!("{kind}: Lipa POSTs it to your webhook URL, signed; retried until you answer 2xx."),
            "parameters": [
                { "name": SIGNATURE_HEADER, "in": "header", "required": true, "schema": string(),
                  "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\">, one v1 per active secret." },
                { "name": EVENT_ID_HEADER, "in": "header", "required": true, "schema": string(),
                  "description": "The event id (the body's id), the same on every retry." },
                { "name": WEBHOOK_ID_HEADER, "in": "header", "required": true, "schema": string(),
                  "description": "Standard Webhooks: the event id, the same on every retry." },
                { "name": WEBHOOK_TIMESTAMP_HEADER, "in": "header", "required": true, "schema": string(),
                  "description": "Standard Webhooks: unix seconds, the same t as Lipa-Signature." },
                { "name": WEBHOOK_SIGNATURE_HEADER, "in": "header", "required": true, "schema": string(),
                  "description": "Standard Webhooks: v1,<base64 HMAC-SHA256 of \"id.timestamp.body\"> keyed with the whsec_ secret's decoded bytes, space-separated, one per active secret." },
            ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": schema_ref(schema) } } },
            "responses": { "2XX": { "description": "Received; any other answer is retried." } },
        }}));
    }
    Value::Object(out)
}

/// The OpenAPI 3.1 document of the merchant API.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Lipa merchant API",
            "version": "1",
            "description": "Checkouts, payments, receipts, refunds, payouts and events. Every call but GET /v1/openapi.json carries the secret key as Authorization: Bearer sk_…. Amounts are integers in minor units. Every error answers {\"error\": {\"code\", \"message\", \"field\"}} with the status of its code. POSTs take an Idempotency-Key (required for refunds and payouts): the same key and body answer what the first request got, with Idempotent-Replayed: true; another body is refused (422 idempotency_conflict), one still running answers 409 idempotency_key_in_use.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "secretKey": [] }],
        "paths": paths(),
        "webhooks": webhooks(),
        "components": {
            "securitySchemes": {
                "secretKey": { "type": "http", "scheme": "bearer", "description": "Your secret key, sk_…" },
            },
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "schema": { "type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY_CHARS },
                    "description": "A unique key per intended operation: a retry with the same key and body answers the first result.",
                },
                "IdempotencyKeyRequired": {
                    "name": "Idempotency-Key", "in": "header", "required": true,
                    "schema": { "type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY_CHARS },
                    "description": "Required: a retried request can never move money twice.",
                },
            },
            "headers": {
                "IdempotentReplayed": {
                    "description": "true when this answer is the replay of an earlier request's with the same Idempotency-Key.",
                    "schema": { "type": "string", "enum": ["true"] },
                },
            },
            "schemas": schemas(),
        },
    })
}

/// [`document`] as the committed `api/openapi.json` holds it: pretty, with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}
