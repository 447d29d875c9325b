//! The D1 payments index: checkouts by merchant reference, payments by provider id.
//! The Checkout object is the source of truth; this index answers "which checkout?".

use lipa_providers::ProviderId;
use worker::{D1Database, D1PreparedStatement, Env};

use crate::checkout::record::{CheckoutRecord, PaymentRecord};

/// The D1 binding's name.
pub const BINDING: &str = "DB";

fn db(env: &Env) -> worker::Result<D1Database> {
    env.d1(BINDING)
}

/// A new checkout's index row, to write.
pub fn checkout_row(env: &Env, rec: &CheckoutRecord) -> worker::Result<D1PreparedStatement> {
    db(env)?.prepare(insert_sql("")).bind(&checkout_values(rec))
}

/// A new checkout's index row, written in the batch of the idempotency key's claim (see
/// [`crate::idempotency::Known`]) only if the claim is this checkout's: the key's stored
/// answer names it. A replayed request's checkout is never made, so it gets no row.
pub fn checkout_row_if_claimed(
    env: &Env,
    rec: &CheckoutRecord,
    route: &str,
    key: &str,
) -> worker::Result<D1PreparedStatement> {
    let condition = " WHERE EXISTS (SELECT 1 FROM idempotency_keys
         WHERE route = ?7 AND key = ?8 AND json_extract(body, '$.id') = ?1)";
    let mut values = checkout_values(rec);
    values.extend([route.into(), key.into()]);
    db(env)?.prepare(insert_sql(condition)).bind(&values)
}

/// Takes back a checkout's index row whose object could not be made.
pub fn checkout_row_undone(env: &Env, checkout_id: &str) -> worker::Result<D1PreparedStatement> {
    db(env)?
        .prepare("DELETE FROM checkouts WHERE id = ?1")
        .bind(&[checkout_id.into()])
}

fn insert_sql(condition: &str) -> String {
    format!(
        "INSERT INTO checkouts (id, reference, amount, currency, country, created_at_ms)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6{condition}"
    )
}

fn checkout_values(rec: &CheckoutRecord) -> Vec<worker::wasm_bindgen::JsValue> {
    vec![
        rec.id.as_str().into(),
        rec.reference.as_str().into(),
        (rec.amount as f64).into(),
        rec.currency.code().into(),
        rec.country.alpha2().into(),
        (rec.created_at_ms as f64).into(),
    ]
}

/// Indexes a payment by its id (once its start is answered) and, once known, by its
/// provider's id: the index finds a checkout, and where a payment stands is the Checkout
/// object's alone. The `status` and `updated_at_ms` columns are written with what the payment
/// was at that moment and read by nothing; they are kept because a deploy applies migrations
/// before the new code runs, so dropping them must wait until no deployed edge writes them.
pub async fn index_payment(env: &Env, checkout_id: &str, p: &PaymentRecord) -> worker::Result<()> {
    let provider_ref = match &p.provider_ref {
        Some(r) => r.as_str().into(),
        None => worker::wasm_bindgen::JsValue::NULL,
    };
    db(env)?
        .prepare(
            "INSERT INTO payments (id, checkout_id, provider, provider_ref, status, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET provider_ref = excluded.provider_ref,
               status = excluded.status, updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&[
            p.id.as_str().into(),
            checkout_id.into(),
            p.provider.name().into(),
            provider_ref,
            p.status.name().into(),
            (p.created_at_ms as f64).into(),
            (p.updated_at_ms as f64).into(),
        ])?
        .run()
        .await?;
    Ok(())
}

/// The checkout a provider's webhook is about, in one query: the payment with the provider's
/// transaction id, else the Lipa payment the hint names, else the checkout it names (the hint's
/// own order of trust). Three lookups one after another before, for a hint that named an
/// unknown transaction.
pub async fn checkout_for_hint(
    env: &Env,
    provider: ProviderId,
    provider_ref: &str,
    payment_id: Option<&str>,
    checkout_id: Option<&str>,
) -> worker::Result<Option<String>> {
    let or_null = |v: Option<&str>| v.map_or(worker::wasm_bindgen::JsValue::NULL, Into::into);
    db(env)?
        .prepare(
            "SELECT checkout_id FROM (
               SELECT checkout_id, 1 AS trust FROM payments WHERE provider = ?1 AND provider_ref = ?2
               UNION ALL SELECT checkout_id, 2 FROM payments WHERE id = ?3
               UNION ALL SELECT id, 3 FROM checkouts WHERE id = ?4
             ) ORDER BY trust LIMIT 1",
        )
        .bind(&[
            provider.name().into(),
            provider_ref.into(),
            or_null(payment_id),
            or_null(checkout_id),
        ])?
        .first::<String>(Some("checkout_id"))
        .await
}

/// The checkout a Lipa payment id belongs to.
pub async fn checkout_for_payment(env: &Env, payment_id: &str) -> worker::Result<Option<String>> {
    db(env)?
        .prepare("SELECT checkout_id FROM payments WHERE id = ?1")
        .bind(&[payment_id.into()])?
        .first::<String>(Some("checkout_id"))
        .await
}

/// The checkouts made with `reference`, newest first, at most `limit`.
pub async fn checkouts_by_reference(
    env: &Env,
    reference: &str,
    limit: u32,
) -> worker::Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Row {
        id: String,
    }
    Ok(db(env)?
        .prepare(
            "SELECT id FROM checkouts WHERE reference = ?1 ORDER BY created_at_ms DESC LIMIT ?2",
        )
        .bind(&[reference.into(), f64::from(limit).into()])?
        .all()
        .await?
        .results::<Row>()?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// Whether a checkout with this id exists (a webhook that names only the checkout).
pub async fn checkout_exists(env: &Env, checkout_id: &str) -> worker::Result<bool> {
    Ok(db(env)?
        .prepare("SELECT id FROM checkouts WHERE id = ?1")
        .bind(&[checkout_id.into()])?
        .first::<String>(Some("id"))
        .await?
        .is_some())
}

/// What `provider` remembered under `key`, if anything.
pub async fn provider_memory(
    env: &Env,
    provider: ProviderId,
    key: &str,
) -> worker::Result<Option<String>> {
    db(env)?
        .prepare("SELECT value FROM provider_memory WHERE provider = ?1 AND key = ?2")
        .bind(&[provider.name().into(), key.into()])?
        .first::<String>(Some("value"))
        .await
}

/// Stores what `provider` remembers under `key` unless something is stored there already,
/// and answers what is stored: one query (a second, a read, before `RETURNING`).
pub async fn remember_first_for_provider(
    env: &Env,
    provider: ProviderId,
    key: &str,
    value: &str,
    now_ms: i64,
) -> worker::Result<Option<String>> {
    // The update keeps the stored value: it is there only so that `RETURNING` answers it.
    memory_statement(
        env,
        "DO UPDATE SET value = provider_memory.value RETURNING value",
        provider,
        key,
        value,
        now_ms,
    )?
    .first::<String>(Some("value"))
    .await
}

/// Stores what `provider` remembers under `key`, replacing what was there.
pub async fn replace_for_provider(
    env: &Env,
    provider: ProviderId,
    key: &str,
    value: &str,
    now_ms: i64,
) -> worker::Result<()> {
    memory_statement(
        env,
        "DO UPDATE SET value = excluded.value",
        provider,
        key,
        value,
        now_ms,
    )?
    .run()
    .await?;
    Ok(())
}

fn memory_statement(
    env: &Env,
    on_conflict: &str,
    provider: ProviderId,
    key: &str,
    value: &str,
    now_ms: i64,
) -> worker::Result<D1PreparedStatement> {
    db(env)?
        .prepare(format!(
            "INSERT INTO provider_memory (provider, key, value, created_at_ms)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (provider, key) {on_conflict}"
        ))
        .bind(&[
            provider.name().into(),
            key.into(),
            value.into(),
            (now_ms as f64).into(),
        ])
}

/// Records which checkout a refund belongs to.
pub async fn insert_refund(
    env: &Env,
    refund_id: &str,
    checkout_id: &str,
    now_ms: i64,
) -> worker::Result<()> {
    db(env)?
        .prepare("INSERT INTO refunds (id, checkout_id, created_at_ms) VALUES (?1, ?2, ?3)")
        .bind(&[refund_id.into(), checkout_id.into(), (now_ms as f64).into()])?
        .run()
        .await?;
    Ok(())
}

/// The checkout a refund belongs to.
pub async fn checkout_for_refund(env: &Env, refund_id: &str) -> worker::Result<Option<String>> {
    db(env)?
        .prepare("SELECT checkout_id FROM refunds WHERE id = ?1")
        .bind(&[refund_id.into()])?
        .first::<String>(Some("checkout_id"))
        .await
}

/// Records which object holds a payout.
pub async fn insert_payout(
    env: &Env,
    payout_id: &str,
    object_name: &str,
    now_ms: i64,
) -> worker::Result<()> {
    db(env)?
        .prepare("INSERT INTO payouts (id, object_name, created_at_ms) VALUES (?1, ?2, ?3)")
        .bind(&[payout_id.into(), object_name.into(), (now_ms as f64).into()])?
        .run()
        .await?;
    Ok(())
}

/// The object that holds a payout.
pub async fn payout_object(env: &Env, payout_id: &str) -> worker::Result<Option<String>> {
    db(env)?
        .prepare("SELECT object_name FROM payouts WHERE id = ?1")
        .bind(&[payout_id.into()])?
        .first::<String>(Some("object_name"))
        .await
}

/// Logs an event the first time it is attempted; `owner` is the object that holds it.
pub async fn insert_event(
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
            "INSERT INTO events (id, type, owner, body, created_at_ms, attempts, checkout_id, payment_id)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7) ON CONFLICT (id) DO NOTHING",
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
pub async fn record_delivery(
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
/// (a 2xx answer) counted from its logged deliveries (the table's own `attempts` and
/// `delivered_at_ms` columns are no longer written).
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
