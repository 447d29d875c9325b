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
