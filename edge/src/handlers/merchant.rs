//! The merchant API beyond checkouts: receipts, refunds and payouts. Every call carries the
//! secret key; every POST carries an `Idempotency-Key` (the same key and body answer what the
//! first request got; another body is refused).

use lipa_api::payout::CreatePayout;
use lipa_api::refund::CreateRefund;
use lipa_api::{ApiError, ErrorCode};
use worker::{Env, Method, Request, Response};

use crate::checkout::refund::RefundRequest;
use crate::config::Config;
use crate::error::EdgeResult;
use crate::handlers::{bearer, call_durable, call_object, read_body};
use crate::payout::{object_name, PayoutRequest};
use crate::{ids, store};

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// Checks the merchant's secret key.
pub fn authorize(req: &Request, config: &Config) -> EdgeResult<()> {
    let key = bearer(req)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "send your secret key as Authorization: Bearer sk_…",
        )
    })?;
    if ids::constant_time_eq(&key, config.merchant.secret_key.expose()) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Unauthorized, "the secret key is not valid").into())
    }
}

/// The request's `Idempotency-Key`, required on money-moving POSTs.
fn idempotency_key(req: &Request) -> EdgeResult<String> {
    let key = req.headers().get("Idempotency-Key")?.unwrap_or_default();
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(ApiError::field(
            ErrorCode::MissingField,
            "Idempotency-Key",
            format!(
                "send a unique Idempotency-Key header (1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters) so a retried request can never move money twice"
            ),
        )
        .into());
    }
    Ok(key.to_string())
}

async fn utf8_body(req: &mut Request) -> EdgeResult<String> {
    String::from_utf8(read_body(req).await?)
        .map_err(|_| ApiError::new(ErrorCode::InvalidJson, "the body must be UTF-8 JSON").into())
}

fn internal(e: serde_json::Error) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

/// `GET /v1/payments/{id}/receipt`.
pub async fn receipt(
    req: Request,
    env: &Env,
    config: &Config,
    payment_id: &str,
) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let checkout_id = store::checkout_for_payment(env, payment_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payment"))?;
    call_object(
        env,
        &checkout_id,
        Method::Get,
        &format!(
            "/receipt?payment={}",
            lipa_providers::http::query_value(payment_id)
        ),
        &[],
        None,
    )
    .await
}

/// `POST /v1/refunds`.
pub async fn create_refund(mut req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let key = idempotency_key(&req)?;
    let body = utf8_body(&mut req).await?;
    let input = CreateRefund::from_json(&body)?;
    let checkout_id = store::checkout_for_payment(env, &input.payment_id)
        .await?
        .ok_or_else(|| ApiError::field(ErrorCode::NotFound, "payment_id", "no such payment"))?;
    let internal_req = RefundRequest {
        input,
        idempotency_key: key,
        digest: ids::sha256_hex(&body),
    };
    call_object(
        env,
        &checkout_id,
        Method::Post,
        "/refunds",
        &[("Content-Type", "application/json")],
        Some(serde_json::to_string(&internal_req).map_err(internal)?),
    )
    .await
}

/// `GET /v1/refunds/{id}`.
pub async fn refund(
    req: Request,
    env: &Env,
    config: &Config,
    refund_id: &str,
) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let checkout_id = store::checkout_for_refund(env, refund_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such refund"))?;
    call_object(
        env,
        &checkout_id,
        Method::Get,
        &format!(
            "/refund?id={}",
            lipa_providers::http::query_value(refund_id)
        ),
        &[],
        None,
    )
    .await
}

/// `POST /v1/payouts`.
pub async fn create_payout(mut req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let key = idempotency_key(&req)?;
    let body = utf8_body(&mut req).await?;
    let order = CreatePayout::from_json(&body)?;
    let internal_req = PayoutRequest {
        order,
        digest: ids::sha256_hex(&body),
        idempotency_key: key.clone(),
    };
    call_durable(
        env,
        crate::payout::BINDING,
        &object_name(&key),
        Method::Post,
        "/create",
        &[("Content-Type", "application/json")],
        Some(serde_json::to_string(&internal_req).map_err(internal)?),
    )
    .await
}

/// `GET /v1/payouts/{id}`.
pub async fn payout(
    req: Request,
    env: &Env,
    config: &Config,
    payout_id: &str,
) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let name = store::payout_object(env, payout_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payout"))?;
    call_durable(
        env,
        crate::payout::BINDING,
        &name,
        Method::Get,
        "/view",
        &[],
        None,
    )
    .await
}
