//! Provider webhooks: verify, find the checkout, hand the object a hint to confirm.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::{ProviderError, ProviderId};
use worker::{Env, Request, Response};

use crate::checkout::{log, CheckoutMessage};
use crate::config::Config;
use crate::error::EdgeResult;
use crate::handlers::{call_checkout, read_body};
use crate::providers::EdgeHost;
use crate::store;

/// `POST /webhooks/{provider}`.
pub async fn receive(
    mut req: Request,
    env: &Env,
    config: &Config,
    name: &str,
) -> EdgeResult<Response> {
    let provider = ProviderId::from_name(name)
        .and_then(|id| config.providers.get(id))
        .filter(|p| p.receives_webhooks())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no webhook endpoint for {name:?} on this edge (Dollr sends none: Lipa polls it)"),
            )
        })?;
    let id = provider.id();
    let body = read_body(&mut req).await?;
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    let host = EdgeHost::new(env);
    let hint = provider
        .verify_webhook(&host.host(), &headers, &body)
        .await
        .map_err(|e| {
            log("provider_webhook_refused", &format!("{}: {e}", id.name()));
            match e {
                ProviderError::Signature(_) => ApiError::new(
                    ErrorCode::InvalidSignature,
                    "the webhook signature did not verify",
                ),
                _ => ApiError::new(
                    ErrorCode::InvalidJson,
                    format!("the webhook body is not a {} event", id.name()),
                ),
            }
        })?;
    let checkout_id = store::checkout_for_hint(
        env,
        id,
        &hint.provider_ref,
        hint.payment_id.as_deref(),
        hint.checkout_id.as_deref(),
    )
    .await?;
    let Some(checkout_id) = checkout_id else {
        log("provider_webhook_unknown_transaction", &hint.provider_ref);
        return Err(ApiError::new(ErrorCode::NotFound, "no payment has this transaction").into());
    };
    call_checkout(
        env,
        &checkout_id,
        &CheckoutMessage::ProviderHint { provider: id, hint },
    )
    .await
}
