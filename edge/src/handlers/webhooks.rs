//! Provider webhooks: verify, find the checkout, hand the object a hint to confirm.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::{crisscross, ProviderError};
use worker::{Env, Method, Request, Response};

use crate::checkout::{log, ProviderHint};
use crate::config::Config;
use crate::error::EdgeResult;
use crate::handlers::{call_object, read_body};
use crate::store;

/// `POST /webhooks/{provider}`.
pub async fn receive(
    mut req: Request,
    env: &Env,
    config: &Config,
    provider: &str,
) -> EdgeResult<Response> {
    if provider != "crisscross" {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no webhook endpoint for {provider:?}"),
        )
        .into());
    }
    let body = read_body(&mut req).await?;
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    let event = crisscross::verify_webhook(&config.crisscross, &headers, &body).map_err(|e| {
        log("provider_webhook_refused", &e.to_string());
        match e {
            ProviderError::Signature(_) => ApiError::new(
                ErrorCode::InvalidSignature,
                "the webhook signature did not verify",
            ),
            _ => ApiError::new(
                ErrorCode::InvalidJson,
                "the webhook body is not a CrissCross event",
            ),
        }
    })?;
    let Some(checkout_id) =
        store::checkout_for_provider_ref(env, provider, &event.transaction_id).await?
    else {
        log(
            "provider_webhook_unknown_transaction",
            &event.transaction_id,
        );
        return Err(ApiError::new(ErrorCode::NotFound, "no payment has this transactionId").into());
    };
    let hint = ProviderHint {
        event_id: event.event_id,
        provider_ref: event.transaction_id,
    };
    call_object(
        env,
        &checkout_id,
        Method::Post,
        "/provider-hint",
        &[("Content-Type", "application/json")],
        Some(
            serde_json::to_string(&hint)
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
        ),
    )
    .await
}
