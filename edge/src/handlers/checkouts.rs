//! The merchant API: `POST /v1/checkouts` (run under its optional `Idempotency-Key` by
//! [`crate::handlers::merchant::idempotent`]).

use lipa_api::{CheckoutCreated, CreateCheckout};
use worker::{Env, Response};

use crate::checkout::record::CheckoutRecord;
use crate::checkout::CheckoutMessage;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::handlers::call_checkout;
use crate::{ids, store};

/// Creates a checkout from an authorized request's body; `origin` is the edge's own.
pub async fn create(env: &Env, origin: &str, body: &str) -> EdgeResult<Response> {
    let input = CreateCheckout::from_json(body)?;

    let id = ids::random_id("co_", 24)?;
    let client_secret = format!("{id}_secret_{}", ids::random_id("", 32)?);
    let record = CheckoutRecord {
        id: id.clone(),
        client_secret_digest: ids::sha256_hex(&client_secret),
        reference: input.reference.clone(),
        amount: input.amount,
        currency: input.currency,
        country: input.country,
        description: input.description.clone(),
        locked_phone: input.customer_phone.clone(),
        created_at_ms: now_ms(),
        prepared: Default::default(),
        payments: vec![],
        seen_events: vec![],
        outbox: vec![],
        refunds: vec![],
        verifications: vec![],
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
        return Ok(init);
    }
    store::insert_checkout(env, &record).await?;
    let created = CheckoutCreated {
        pay_url: format!("{origin}/pay/{id}"),
        id,
        client_secret,
        amount: input.amount,
        amount_display: lipa_api::money::format_amount(input.amount, input.currency),
        currency: input.currency,
        country: input.country,
        reference: input.reference,
    };
    Ok(json_response(&created, 201)?)
}
