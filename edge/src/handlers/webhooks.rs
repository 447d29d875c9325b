//! Provider webhooks: verify, find the checkout, hand the object a hint to confirm.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::{crisscross, honeycoin, little, xtopay, ProviderError, ProviderId};
use worker::{Env, Request, Response};

use crate::checkout::{log, CheckoutMessage, ProviderHint};
use crate::config::Config;
use crate::error::EdgeResult;
use crate::handlers::{call_checkout, read_body};
use crate::store;

/// `POST /webhooks/{provider}`.
pub async fn receive(
    mut req: Request,
    env: &Env,
    config: &Config,
    provider: &str,
) -> EdgeResult<Response> {
    let provider = ProviderId::from_name(provider)
        .filter(|p| *p != ProviderId::Dollr)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no webhook endpoint for {provider:?} (Dollr sends none: Lipa polls it)"),
            )
        })?;
    let body = read_body(&mut req).await?;
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    let hint = verify(config, provider, &headers, &body)
        .await
        .map_err(|e| {
            log(
                "provider_webhook_refused",
                &format!("{}: {e}", provider.name()),
            );
            match e {
                ProviderError::Signature(_) => ApiError::new(
                    ErrorCode::InvalidSignature,
                    "the webhook signature did not verify",
                ),
                _ => ApiError::new(
                    ErrorCode::InvalidJson,
                    format!("the webhook body is not a {} event", provider.name()),
                ),
            }
        })?;
    let mut checkout_id =
        store::checkout_for_provider_ref(env, provider, &hint.provider_ref).await?;
    if checkout_id.is_none() {
        if let Some(payment_id) = &hint.payment_id {
            checkout_id = store::checkout_for_payment(env, payment_id).await?;
        }
    }
    if checkout_id.is_none() {
        if let Some(id) = &hint.checkout_id {
            checkout_id = store::checkout_exists(env, id).await?.then(|| id.clone());
        }
    }
    let Some(checkout_id) = checkout_id else {
        log("provider_webhook_unknown_transaction", &hint.provider_ref);
        return Err(ApiError::new(ErrorCode::NotFound, "no payment has this transaction").into());
    };
    call_checkout(env, &checkout_id, &CheckoutMessage::ProviderHint { hint }).await
}

async fn verify(
    config: &Config,
    provider: ProviderId,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<ProviderHint, ProviderError> {
    let not_configured = || ProviderError::Unsupported("not configured".into());
    match provider {
        ProviderId::CrissCross => {
            let cfg = config.crisscross.as_ref().ok_or_else(not_configured)?;
            let event = crisscross::verify_webhook(cfg, headers, body)?;
            // Matched by transactionId, else by merchantReference: the checkout id sent
            // without its underscore (CrissCross wants it alphanumeric).
            let checkout_id = event
                .merchant_reference
                .as_deref()
                .and_then(|r| r.strip_prefix("co"))
                .map(|rest| format!("co_{rest}"));
            Ok(ProviderHint {
                event_id: event.event_id,
                provider_ref: event.transaction_id,
                payment_id: None,
                reported_failure: None,
                checkout_id,
                provider: Some(provider),
            })
        }
        ProviderId::HoneyCoin => {
            let cfg = config.honeycoin.as_ref().ok_or_else(not_configured)?;
            let event = honeycoin::verify_webhook(cfg, headers, body)?;
            Ok(ProviderHint {
                event_id: event.dedupe_key(),
                provider_ref: event.data.transaction_id,
                payment_id: event.data.external_reference,
                reported_failure: None,
                checkout_id: None,
                provider: Some(provider),
            })
        }
        ProviderId::Xtopay => {
            let cfg = config.xtopay.as_ref().ok_or_else(not_configured)?;
            let verified = xtopay::verify_callback(cfg, headers, body)?;
            let reported = verified.payment().status;
            let data = &verified.callback.data;
            Ok(ProviderHint {
                // The event-id header is not signed: the key is made of signed content.
                event_id: format!(
                    "xtopay:{}:{}:{}",
                    data.client_reference,
                    data.transaction_id,
                    reported.name()
                ),
                provider_ref: data.transaction_id.clone(),
                payment_id: Some(data.client_reference.clone()),
                reported_failure: matches!(reported, lipa_api::PaymentStatus::Failed { .. })
                    .then_some(reported),
                checkout_id: None,
                provider: Some(provider),
            })
        }
        ProviderId::Dollr => Err(ProviderError::Unsupported("Dollr sends no webhooks".into())),
        ProviderId::Little => {
            let cfg = config.little.as_ref().ok_or_else(not_configured)?;
            let now_s = crate::executor::now_ms() / 1000;
            let callback = little::verify_callback(
                cfg,
                headers,
                body,
                now_s,
                crate::webcrypto::verify_rsa_sha256,
            )
            .await?;
            let timestamp = crate::handlers::header_value(headers, little::TIMESTAMP_HEADER);
            Ok(ProviderHint {
                event_id: format!(
                    "little:{}:{:?}:{timestamp}",
                    callback.reference,
                    callback.payment().status
                ),
                provider_ref: callback.reference,
                payment_id: None,
                reported_failure: None,
                checkout_id: None,
                provider: Some(provider),
            })
        }
    }
}
