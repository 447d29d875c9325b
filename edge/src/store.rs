//! The D1 payments index: checkouts by merchant reference, payments by provider id.
//! The Checkout object is the source of truth; this index answers "which checkout?".

use lipa_providers::ProviderId;
use worker::{D1Database, Env};

use crate::checkout::record::{CheckoutRecord, PaymentRecord};

/// The D1 binding's name.
pub const BINDING: &str = "DB";

fn db(env: &Env) -> worker::Result<D1Database> {
    env.d1(BINDING)
}

/// Records a new checkout.
pub async fn insert_checkout(env: &Env, rec: &CheckoutRecord) -> worker::Result<()> {
    db(env)?
        .prepare(
            "INSERT INTO checkouts (id, reference, amount, currency, country, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&[
            rec.id.as_str().into(),
            rec.reference.as_str().into(),
            (rec.amount as f64).into(),
            rec.currency.code().into(),
            rec.country.alpha2().into(),
            (rec.created_at_ms as f64).into(),
        ])?
        .run()
        .await?;
    Ok(())
}

/// Records a payment (before the provider is called) or updates its provider id and status.
pub async fn upsert_payment(env: &Env, checkout_id: &str, p: &PaymentRecord) -> worker::Result<()> {
    let provider_ref = match &p.provider_ref {
        Some(r) => r.as_str().into(),
        None => worker::wasm_bindgen::JsValue::NULL,
    };
    db(env)?
        .prepare(
            "INSERT INTO payments (id, checkout_id, provider, provider_ref, status, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, ?7, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET provider_ref = excluded.provider_ref,
               status = excluded.status, updated_at_ms = excluded.updated_at_ms",
        )
        .bind(&[
            p.id.as_str().into(),
            checkout_id.into(),
            provider_ref,
            p.status.name().into(),
            (p.created_at_ms as f64).into(),
            (p.updated_at_ms as f64).into(),
            p.provider.name().into(),
        ])?
        .run()
        .await?;
    Ok(())
}

/// The checkout a provider transaction belongs to.
pub async fn checkout_for_provider_ref(
    env: &Env,
    provider: ProviderId,
    provider_ref: &str,
) -> worker::Result<Option<String>> {
    db(env)?
        .prepare("SELECT checkout_id FROM payments WHERE provider = ?1 AND provider_ref = ?2")
        .bind(&[provider.name().into(), provider_ref.into()])?
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
