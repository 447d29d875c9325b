//! The merchant API's new checkout: made from the request ([`prepare`]), then stored by its
//! object ([`init`]); `POST /v1/checkouts` runs both under its optional `Idempotency-Key`
//! ([`crate::handlers::merchant::create_checkout`]).

use lipa_api::{CheckoutCreated, CreateCheckout};
use worker::{Env, Response};

use crate::checkout::record::CheckoutRecord;
use crate::checkout::CheckoutMessage;
use crate::error::EdgeResult;
use crate::executor::now_ms;
use crate::handlers::call_checkout;
use crate::ids;

/// A checkout made from a merchant's request, before its object exists: its record, and
/// the answer the request gets once the object holds it.
pub struct NewCheckout {
    /// What the Checkout object stores.
    pub record: CheckoutRecord,
    /// The merchant's answer (201).
    pub created: CheckoutCreated,
}

/// Makes a checkout from an authorized request's body (no I/O); `origin` is the edge's own.
/// A body that cannot make one is refused here, before anything is stored.
pub fn prepare(origin: &str, body: &str) -> EdgeResult<NewCheckout> {
    let input = CreateCheckout::from_json(body)?;
    let now = now_ms();
    let expires_at_ms = lipa_api::links::expiry(input.expires_at_ms, now)?;

    let id = ids::random_id("co_", 24)?;
    let client_secret = format!("{id}_secret_{}", ids::random_id("", 32)?);
    // The pay_url's own credential: it opens this checkout's page and pays it, nothing more
    // (exactly what the client secret can), so a link sent by SMS never carries the secret
    // the merchant's own page uses.
    let link_token = ids::random_id("lk_", 32)?;
    let record = CheckoutRecord {
        id: id.clone(),
        client_secret_digest: ids::sha256_hex(&client_secret),
        reference: input.reference.clone(),
        amount: input.amount,
        currency: input.currency,
        country: input.country,
        description: input.description.clone(),
        locked_phone: input.customer_phone.clone(),
        created_at_ms: now,
        prepared: Default::default(),
        payments: vec![],
        seen_events: vec![],
        outbox: vec![],
        refunds: vec![],
        verifications: vec![],
        link_digest: Some(ids::sha256_hex(&link_token)),
        expires_at_ms: Some(expires_at_ms),
        success_url: input.success_url.clone(),
        cancel_url: input.cancel_url.clone(),
    };
    let created = CheckoutCreated {
        pay_url: crate::hosted::pay_url(origin, &id, &link_token),
        id,
        client_secret,
        amount: input.amount,
        amount_display: lipa_api::money::format_amount(input.amount, input.currency),
        currency: input.currency,
        country: input.country,
        reference: input.reference,
        expires_at_ms,
    };
    Ok(NewCheckout { record, created })
}

/// Has the Checkout object store `record`: its answer, 201 when it did.
pub async fn init(env: &Env, record: &CheckoutRecord) -> EdgeResult<Response> {
    call_checkout(
        env,
        &record.id,
        &CheckoutMessage::Init {
            record: Box::new(record.clone()),
        },
    )
    .await
}
