//! The merchant's event log in a D1 database of its own (`lipa_events`, binding
//! [`BINDING`]): every event and every attempt to deliver it, for `GET /v1/events` and a
//! delivery's replay.
//!
//! Apart from the payments index ([`crate::store`]) because nothing on the payment path reads
//! it: a D1 database runs its queries one at a time, and the event's row and its deliveries'
//! rows were two of the seven queries an approving checkout made on the one database (see
//! BENCHMARKS.md, "D1: the event log in a database of its own"). An event's row whose write
//! failed is written again with the event's next attempt.

use worker::{D1Database, Env};

/// The D1 binding's name.
pub const BINDING: &str = "EVENTS";

fn db(env: &Env) -> worker::Result<D1Database> {
    env.d1(BINDING)
}

/// Logs an event the first time it is attempted; `owner` is the object that holds it.
pub async fn insert(
    env: &Env,
    owner: &str,
    event: &crate::outbox::OutboundEvent,
) -> worker::Result<()> {
    let v: serde_json::Value = serde_json::from_str(&event.body).unwrap_or_default();
    let kind = v
        .get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let created = v
        .get("created_at_ms")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or_default();
    let about = |field: &str| {
        v.get("data")
            .and_then(|d| d.get(field))
            .and_then(serde_json::Value::as_str)
            .map_or(worker::wasm_bindgen::JsValue::NULL, Into::into)
    };
    db(env)?
        .prepare(
            "INSERT INTO events (id, type, owner, body, created_at_ms, checkout_id, payment_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&[
            event.event_id.as_str().into(),
            kind.into(),
            owner.into(),
            event.body.as_str().into(),
            created.into(),
            about("checkout_id"),
            about("payment_id"),
        ])?
        .run()
        .await?;
    Ok(())
}

/// Logs one delivery attempt: one write. The event's summary (attempts, when first
/// delivered) is read from these rows ([`EVENT_COLUMNS`]), not kept beside them: a second
/// write per delivery was one of the eight D1 writes a checkout cost.
pub async fn record(
    env: &Env,
    attempt_number: u32,
    attempt: &crate::merchant_webhook::Attempt,
) -> worker::Result<()> {
    let db = db(env)?;
    let status = attempt
        .status
        .map_or(worker::wasm_bindgen::JsValue::NULL, |s| f64::from(s).into());
    let error = attempt
        .error
        .as_deref()
        .map_or(worker::wasm_bindgen::JsValue::NULL, Into::into);
    let signature = attempt
        .signature
        .as_deref()
        .map_or(worker::wasm_bindgen::JsValue::NULL, Into::into);
    let standard_signature = attempt
        .standard_signature
        .as_deref()
        .map_or(worker::wasm_bindgen::JsValue::NULL, Into::into);
    let now = crate::executor::now_ms() as f64;
    db.prepare(
        "INSERT INTO event_deliveries
           (event_id, attempt, status, latency_ms, error, at_ms, signature, standard_signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (event_id, attempt) DO NOTHING",
    )
    .bind(&[
        attempt.event_id.as_str().into(),
        f64::from(attempt_number).into(),
        status,
        (attempt.latency_ms as f64).into(),
        error,
        now.into(),
        signature,
        standard_signature,
    ])?
    .run()
    .await?;
    Ok(())
}

/// An [`EventRow`]'s columns from `events e`: its attempts and when it was first delivered
/// (a 2xx answer) counted from its logged deliveries.
const EVENT_COLUMNS: &str = "e.id, e.type, e.owner, e.body, e.created_at_ms,
    (SELECT MIN(d.at_ms) FROM event_deliveries d
      WHERE d.event_id = e.id AND d.status >= 200 AND d.status < 300) AS delivered_at_ms,
    (SELECT COUNT(*) FROM event_deliveries d WHERE d.event_id = e.id) AS attempts";

/// One event as `GET /v1/events` lists it.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct EventRow {
    /// `evt_…`.
    pub id: String,
    /// `payment.succeeded`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The object that holds it.
    #[serde(skip_serializing)]
    pub owner: String,
    /// The signed body.
    pub body: String,
    /// Created, Unix ms.
    pub created_at_ms: f64,
    /// When the merchant first answered 2xx.
    pub delivered_at_ms: Option<f64>,
    /// Attempts so far.
    pub attempts: f64,
}

/// One logged delivery attempt.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct DeliveryRow {
    /// The attempt's number, from 1.
    pub attempt: f64,
    /// The merchant's status code, if it answered.
    pub status: Option<f64>,
    /// How long it took.
    pub latency_ms: f64,
    /// Why it failed.
    pub error: Option<String>,
    /// When, Unix ms.
    pub at_ms: f64,
    /// The `Lipa-Signature` header sent (none for attempts logged before it was kept).
    pub signature: Option<String>,
    /// The `webhook-signature` header sent (none for attempts logged before it was kept).
    pub standard_signature: Option<String>,
}

/// Which events [`events`] lists: all of them, or only those about a checkout, a payment
/// (its refunds' events included), of a type.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFilter<'a> {
    /// `co_…`.
    pub checkout_id: Option<&'a str>,
    /// `pay_…`.
    pub payment_id: Option<&'a str>,
    /// `payment.succeeded`, …
    pub kind: Option<&'a str>,
}

/// The newest events that pass `filter`, at most `limit`, older than `before_ms` when given.
pub async fn events(
    env: &Env,
    limit: u32,
    before_ms: Option<i64>,
    filter: &EventFilter<'_>,
) -> worker::Result<Vec<EventRow>> {
    // Only the conditions given, so SQLite can use the index of the one that narrows most.
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.created_at_ms < ?1");
    let mut binds: Vec<worker::wasm_bindgen::JsValue> = vec![
        (before_ms.unwrap_or(i64::MAX / 2) as f64).into(),
        f64::from(limit).into(),
    ];
    for (column, value) in [
        ("checkout_id", filter.checkout_id),
        ("payment_id", filter.payment_id),
        ("type", filter.kind),
    ] {
        if let Some(value) = value {
            binds.push(value.into());
            sql.push_str(&format!(" AND e.{column} = ?{}", binds.len()));
        }
    }
    sql.push_str(" ORDER BY e.created_at_ms DESC LIMIT ?2");
    db(env)?
        .prepare(sql)
        .bind(&binds)?
        .all()
        .await?
        .results::<EventRow>()
}

/// One event, by id.
pub async fn event(env: &Env, id: &str) -> worker::Result<Option<EventRow>> {
    db(env)?
        .prepare(format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = ?1"
        ))
        .bind(&[id.into()])?
        .first::<EventRow>(None)
        .await
}

/// An event's delivery attempts, oldest first.
pub async fn deliveries(env: &Env, event_id: &str) -> worker::Result<Vec<DeliveryRow>> {
    db(env)?
        .prepare(
            "SELECT attempt, status, latency_ms, error, at_ms, signature, standard_signature
             FROM event_deliveries
             WHERE event_id = ?1 ORDER BY attempt",
        )
        .bind(&[event_id.into()])?
        .all()
        .await?
        .results::<DeliveryRow>()
}
