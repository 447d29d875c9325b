//! The merchant's events: what Lipa sent (or is still trying to send), every attempt, and a
//! way to have one sent again.

use lipa_api::event::{
    EVENT_ID_HEADER, EVENT_TYPES, SIGNATURE_HEADER, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
};
use lipa_api::{ApiError, ErrorCode};
use serde_json::{json, Value};
use worker::{Env, Request, Response};

use crate::config::Config;
use crate::error::{json_response, EdgeResult};
use crate::event_log::{self, DeliveryRow, EventRow};
use crate::handlers::merchant::{authorize, idempotent};
use crate::handlers::{call_durable, query_params};

/// The most events one page lists.
pub const MAX_PAGE: u32 = 100;

fn event_json(row: &EventRow) -> Value {
    let data = serde_json::from_str::<Value>(&row.body)
        .ok()
        .and_then(|v| v.get("data").cloned())
        .unwrap_or(Value::Null);
    json!({
        "id": row.id,
        "type": row.kind,
        "created_at_ms": row.created_at_ms as i64,
        "delivered_at_ms": row.delivered_at_ms.map(|t| t as i64),
        "attempts": row.attempts as i64,
        "data": data,
    })
}

/// `GET /v1/events?limit=&before_ms=&checkout=&payment=&type=`: newest first, only the
/// events about that checkout, that payment (its refunds' events included) and of that type
/// when given. Any other parameter is refused, naming it.
pub async fn list(req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let params = query_params(&req, &["limit", "before_ms", "checkout", "payment", "type"])?;
    let limit = match params.get("limit") {
        None => 20,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=MAX_PAGE).contains(l))
            .ok_or_else(|| {
                ApiError::field(
                    ErrorCode::InvalidField,
                    "limit",
                    format!("limit must be a whole number from 1 to {MAX_PAGE}"),
                )
            })?,
    };
    let before = match params.get("before_ms") {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::field(
                ErrorCode::InvalidField,
                "before_ms",
                "before_ms must be Unix milliseconds",
            )
        })?),
    };
    if let Some(kind) = params.get("type") {
        if !EVENT_TYPES.contains(&kind.as_str()) {
            return Err(ApiError::field(
                ErrorCode::InvalidField,
                "type",
                format!("type must be one of {}", EVENT_TYPES.join(", ")),
            )
            .into());
        }
    }
    let filter = event_log::EventFilter {
        checkout_id: params.get("checkout").map(String::as_str),
        payment_id: params.get("payment").map(String::as_str),
        kind: params.get("type").map(String::as_str),
    };
    let rows = event_log::events(env, limit, before, &filter).await?;
    let events: Vec<Value> = rows.iter().map(event_json).collect();
    Ok(json_response(&json!({ "events": events }), 200)?)
}

/// `GET /v1/events/{id}`: the event and every delivery attempt.
pub async fn one(req: Request, env: &Env, config: &Config, id: &str) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let row = event_log::event(env, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such event"))?;
    let deliveries = event_log::deliveries(env, id).await?;
    Ok(json_response(&event_detail(&row, &deliveries), 200)?)
}

/// An event with every delivery attempt, as `GET /v1/events/{id}` answers it.
fn event_detail(row: &EventRow, deliveries: &[DeliveryRow]) -> Value {
    let mut out = event_json(row);
    let deliveries: Vec<Value> = deliveries
        .iter()
        .map(|d| {
            json!({
                "attempt": d.attempt as i64,
                "status": d.status.map(|s| s as i64),
                "latency_ms": d.latency_ms as i64,
                "error": d.error,
                "at_ms": d.at_ms as i64,
                "request": sent_request(row, d),
            })
        })
        .collect();
    out["deliveries"] = Value::Array(deliveries);
    out
}

/// What one delivery attempt sent, exactly: its headers and the raw body the signature covers
/// (the same bytes every attempt), so a developer can replay it at their endpoint.
fn sent_request(row: &EventRow, delivery: &event_log::DeliveryRow) -> Value {
    let mut headers = json!({
        "Content-Type": "application/json",
        SIGNATURE_HEADER: delivery.signature,
        EVENT_ID_HEADER: row.id,
    });
    // Attempts logged before Standard Webhooks were kept show only what they sent.
    if let Some(standard) = &delivery.standard_signature {
        let timestamp = delivery
            .signature
            .as_deref()
            .and_then(|s| s.strip_prefix("t="))
            .and_then(|s| s.split(',').next());
        headers[WEBHOOK_ID_HEADER] = json!(row.id);
        headers[WEBHOOK_TIMESTAMP_HEADER] = json!(timestamp);
        headers[WEBHOOK_SIGNATURE_HEADER] = json!(standard);
    }
    json!({ "method": "POST", "headers": headers, "body": row.body })
}

/// `POST /v1/events/{id}/resend`: the object that holds the event sends it again now. With an
/// `Idempotency-Key` (optional; kept per event), a repeat answers the first result again and
/// delivers nothing.
pub async fn resend(req: Request, env: &Env, config: &Config, id: &str) -> EdgeResult<Response> {
    let route = format!("events/{id}/resend");
    idempotent(req, env, config, &route, false, |_body, _key| async move {
        send_again(env, id).await
    })
    .await
}

async fn send_again(env: &Env, id: &str) -> EdgeResult<Response> {
    let row = event_log::event(env, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such event"))?;
    let event_id = id.to_string();
    match row.owner.split_once(':') {
        Some(("checkout", checkout_id)) => {
            let message = crate::checkout::CheckoutMessage::Resend { event_id };
            crate::handlers::call_checkout(env, checkout_id, &message).await
        }
        Some(("payout", _)) => {
            let message = crate::payout::PayoutMessage::Resend { event_id };
            call_durable(env, crate::payout::BINDING, &row.owner, &message).await
        }
        _ => Err(ApiError::new(ErrorCode::Internal, "the event's owner is unknown").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates `instance` against the OpenAPI document's schema `name`.
    fn errors(name: &str, instance: &Value) -> Vec<String> {
        let doc = lipa_api::openapi::document();
        let schema = json!({
            "$ref": format!("#/components/schemas/{name}"),
            "components": { "schemas": doc["components"]["schemas"].clone() },
        });
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        validator
            .iter_errors(instance)
            .map(|e| e.to_string())
            .collect()
    }

    fn row(kind: &str, data: Value) -> EventRow {
        EventRow {
            id: "evt_1".into(),
            kind: kind.into(),
            owner: "checkout:co_1".into(),
            body: json!({ "id": "evt_1", "type": kind, "created_at_ms": 1, "data": data })
                .to_string(),
            created_at_ms: 1.0,
            delivered_at_ms: Some(2.0),
            attempts: 2.0,
        }
    }

    #[test]
    fn events_as_listed_and_read_match_the_openapi_document() {
        let refund = json!({
            "id": "re_1", "payment_id": "pay_1", "checkout_id": "co_1", "reference": "order-1",
            "amount": 2000, "amount_display": "KES 20.00", "currency": "KES",
            "status": "succeeded", "failure_message": null, "reason": null,
            "created_at_ms": 1, "updated_at_ms": 2,
        });
        let event = row("refund.succeeded", refund);
        let deliveries = [
            DeliveryRow {
                attempt: 1.0,
                status: None,
                latency_ms: 30.0,
                error: Some("connection refused".into()),
                at_ms: 1.0,
                signature: None,
                standard_signature: None,
            },
            DeliveryRow {
                attempt: 2.0,
                status: Some(200.0),
                latency_ms: 12.0,
                error: None,
                at_ms: 2.0,
                signature: Some("t=1,v1=ab".into()),
                standard_signature: Some("v1,q83v".into()),
            },
        ];
        assert_eq!(errors("Event", &event_json(&event)), Vec::<String>::new());
        assert_eq!(
            errors("EventDetail", &event_detail(&event, &deliveries)),
            Vec::<String>::new()
        );
        assert_eq!(
            errors(
                "EventList",
                &json!({ "events": [event_json(&event), event_json(&row("payout.failed", Value::Null))] })
            ),
            Vec::<String>::new()
        );
        // A drifted answer is caught: a field the document does not name.
        let mut drifted = event_json(&event);
        drifted["extra"] = json!(true);
        assert!(!errors("Event", &drifted).is_empty());
    }
}
