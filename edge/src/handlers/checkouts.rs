//! The merchant API: `POST /v1/checkouts` (run under its optional `Idempotency-Key` by
//! [`crate::handlers::merchant::idempotent`]).

use lipa_api::{CheckoutCreated, CreateCheckout};
use worker::Env;

use crate::checkout::record::CheckoutRecord;
use crate::checkout::CheckoutMessage;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::handlers::call_checkout;
use crate::handlers::merchant::Answer;
use crate::{ids, store};

/// Creates a checkout from an authorized request's body; `origin` is the edge's own. Its D1
/// index row is written with the idempotency key's completion.
pub async fn create(env: &Env, origin: &str, body: &str) -> EdgeResult<Answer> {
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
    let init = call_checkout(
        env,
        &id,
        &CheckoutMessage::Init {
            record: Box::new(record.clone()),
        },
    )
    .await?;
    if init.status_code() != 201 {
        return Ok(init.into());
    }
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
    Ok(Answer::with_writes(
        json_response(&created, 201)?,
        vec![store::checkout_row(env, &record)?],
    ))
}
