//! Provider webhooks: verify, find the checkout, hand the object a hint to confirm.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::provider::Hint;
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
    // A hint that names its checkout (CrissCross's merchantReference, or a payment id that
    // carries its checkout: HoneyCoin's and Xtopay's echo) goes to that object first, matched
    // there strictly (see `hint_payments`), with no D1 query; failing that, the index is asked
    // in its own order of trust (the transaction, the payment, then the checkout named), so a
    // transaction Lipa learnt for another checkout goes there, and a hint matched by nothing
    // but its checkout is read by that checkout's live payments.
    let named = hint
        .checkout_id
        .clone()
        .filter(|named| crate::ids::is_checkout_id(named))
        .or_else(|| {
            hint.payment_id
                .as_deref()
                .and_then(crate::ids::checkout_of_payment)
        });
    if let Some(named) = named {
        let answer = hand_over(env, &named, id, &hint, true).await?;
        if answer.status_code() != 404 {
            return Ok(answer);
        }
    }
    let found = store::checkout_for_hint(
        env,
        id,
        &hint.provider_ref,
        hint.payment_id.as_deref(),
        hint.checkout_id.as_deref(),
    )
    .await?;
    let Some(checkout_id) = found else {
        log("provider_webhook_unknown_transaction", &hint.provider_ref);
        return Err(ApiError::new(ErrorCode::NotFound, "no payment has this transaction").into());
    };
    hand_over(env, &checkout_id, id, &hint, false).await
}

/// Hands a verified hint to the Checkout object `checkout_id`, which confirms it (`strict`:
/// see [`CheckoutMessage::ProviderHint`]).
async fn hand_over(
    env: &Env,
    checkout_id: &str,
    provider: ProviderId,
    hint: &Hint,
    strict: bool,
) -> EdgeResult<Response> {
    call_checkout(
        env,
        checkout_id,
        &CheckoutMessage::ProviderHint {
            provider,
            hint: hint.clone(),
            strict,
        },
    )
    .await
}
