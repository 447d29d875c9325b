//! The merchant API: `POST /v1/checkouts`.

use lipa_api::{ApiError, CheckoutCreated, CreateCheckout, ErrorCode};
use worker::{Env, Method, Request, Response};

use crate::checkout::record::CheckoutRecord;
use crate::config::Config;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::handlers::{call_object, read_body};
use crate::{ids, store};

/// Creates a checkout for the merchant whose secret key authorizes the request.
pub async fn create(mut req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    crate::handlers::merchant::authorize(&req, config)?;
    let body = read_body(&mut req).await?;
    let body = String::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::InvalidJson, "the body must be UTF-8 JSON"))?;
    let input = CreateCheckout::from_json(&body)?;

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
        provider_session: None,
        crisscross_operators: None,
        dollr_fee: None,
        payments: vec![],
        seen_events: vec![],
        outbox: vec![],
        refunds: vec![],
    };
    let init = call_object(
        env,
        &id,
        Method::Post,
        "/init",
        &[("Content-Type", "application/json")],
        Some(
            serde_json::to_string(&record)
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
        ),
    )
    .await?;
    if init.status_code() != 201 {
        return Ok(init);
    }
    store::insert_checkout(env, &record).await?;
    let origin = req.url()?.origin().ascii_serialization();
    let created = CheckoutCreated {
        pay_url: format!("{origin}/pay/{id}"),
        id,
        client_secret,
        amount: input.amount,
        currency: input.currency,
        country: input.country,
        reference: input.reference,
    };
    Ok(json_response(&created, 201)?)
}
