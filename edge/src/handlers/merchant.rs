//! The merchant API beyond creating checkouts: server-side reads of checkouts and payments,
//! receipts, refunds and payouts. Every call carries the secret key; every POST takes an
//! `Idempotency-Key` (required for refunds and payouts): the same key and body answer what the
//! first request got; another body is refused.

use lipa_api::payout::CreatePayout;
use lipa_api::refund::CreateRefund;
use lipa_api::{ApiError, ErrorCode};
use worker::{Env, Request, Response};

use crate::checkout::refund::RefundRequest;
use crate::checkout::CheckoutMessage;
use crate::config::Config;
use crate::error::EdgeResult;
use crate::executor::now_ms;
use crate::handlers::checkouts;
use crate::handlers::{bearer, call_checkout, call_durable, query_params, read_body};
use crate::idempotency::{self, Claim, Known};
use crate::payout::{object_name, PayoutMessage, PayoutRequest};
use crate::store;

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = lipa_api::openapi::MAX_IDEMPOTENCY_KEY_CHARS;

/// Checks the merchant's secret key.
pub fn authorize(req: &Request, config: &Config) -> EdgeResult<()> {
    let key = bearer(req)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "send your secret key as Authorization: Bearer sk_…",
        )
    })?;
    if config.merchant.accepts_key(&key) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Unauthorized, "the secret key is not valid").into())
    }
}

/// The request's `Idempotency-Key`: `None` when absent and not `required`.
fn idempotency_key(req: &Request, required: bool) -> EdgeResult<Option<String>> {
    let key = req.headers().get("Idempotency-Key")?.unwrap_or_default();
    let key = key.trim();
    if key.is_empty() && !required {
        return Ok(None);
    }
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
    Ok(Some(key.to_string()))
}

async fn utf8_body(req: &mut Request) -> EdgeResult<String> {
    String::from_utf8(read_body(req).await?)
        .map_err(|_| ApiError::new(ErrorCode::InvalidJson, "the body must be UTF-8 JSON").into())
}

fn json_answer(status: u16, body: String, replayed: bool) -> EdgeResult<Response> {
    let mut resp = Response::ok(body)?.with_status(status);
    resp.headers_mut().set("Content-Type", "application/json")?;
    if replayed {
        resp.headers_mut().set("Idempotent-Replayed", "true")?;
    }
    Ok(resp)
}

/// Runs an authorized merchant POST under its `Idempotency-Key` (see [`crate::idempotency`]):
/// `run` gets the body and the key, and its answer (below 500) is what the key answers from
/// then on.
pub async fn idempotent<F, Fut>(
    mut req: Request,
    env: &Env,
    config: &Config,
    route: &str,
    key_required: bool,
    run: F,
) -> EdgeResult<Response>
where
    F: FnOnce(String, Option<String>) -> Fut,
    Fut: std::future::Future<Output = EdgeResult<Response>>,
{
    authorize(&req, config)?;
    let key = idempotency_key(&req, key_required)?;
    let body = utf8_body(&mut req).await?;
    let Some(key) = key else {
        return run(body, None).await;
    };
    if let Claim::Replay { status, body } =
        idempotency::claim(env, route, &key, &body, now_ms()).await?
    {
        return json_answer(status, body, true);
    }
    let mut response = match run(body, Some(key.clone())).await {
        Ok(response) => response,
        Err(e) => e.into_response()?,
    };
    let status = response.status_code();
    let text = response.text().await?;
    if status >= 500 {
        idempotency::release(env, route, &key).await?;
    } else if let Err(e) = idempotency::complete(env, route, &key, status, &text).await {
        // When the answer could not be stored the key is freed for a retry; when it was
        // stored but its acknowledgement was lost, `release` (unanswered keys only) leaves it.
        if let Err(released) = idempotency::release(env, route, &key).await {
            crate::checkout::log("idempotency_release_failed", &released.to_string());
        }
        return Err(e);
    }
    json_answer(status, text, false)
}

/// The most checkouts `GET /v1/checkouts?reference=…` answers (newest first).
pub const MAX_CHECKOUTS_BY_REFERENCE: u32 = 20;

/// `GET /v1/checkouts/{id}`: the checkout, every payment (with its status and refunds).
pub async fn checkout(
    req: Request,
    env: &Env,
    config: &Config,
    checkout_id: &str,
) -> EdgeResult<Response> {
    authorize(&req, config)?;
    query_params(&req, &[])?;
    if !store::checkout_exists(env, checkout_id).await? {
        return Err(ApiError::new(ErrorCode::NotFound, "no such checkout").into());
    }
    call_checkout(env, checkout_id, &CheckoutMessage::MerchantView).await
}

/// `GET /v1/checkouts?reference=…`: the checkouts made with this reference, newest first.
pub async fn checkouts(req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let params = query_params(&req, &["reference"])?;
    let reference = params.get("reference").ok_or_else(|| {
        ApiError::field(
            ErrorCode::MissingField,
            "reference",
            "give ?reference=… (your order reference) to find its checkouts",
        )
    })?;
    let ids = store::checkouts_by_reference(env, reference, MAX_CHECKOUTS_BY_REFERENCE).await?;
    let mut found = Vec::new();
    for id in ids {
        let mut answer = call_checkout(env, &id, &CheckoutMessage::MerchantView).await?;
        if answer.status_code() == 200 {
            found.push(answer.json::<serde_json::Value>().await?);
        }
    }
    Ok(crate::error::json_response(
        &serde_json::json!({ "checkouts": found }),
        200,
    )?)
}

/// `GET /v1/payments/{id}`: one payment, with its status and refunds.
pub async fn payment(
    req: Request,
    env: &Env,
    config: &Config,
    payment_id: &str,
) -> EdgeResult<Response> {
    authorize(&req, config)?;
    query_params(&req, &[])?;
    let checkout_id = store::checkout_for_payment(env, payment_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payment"))?;
    let message = CheckoutMessage::MerchantPayment {
        payment_id: payment_id.to_string(),
    };
    call_checkout(env, &checkout_id, &message).await
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
    let message = CheckoutMessage::Receipt {
        payment_id: payment_id.to_string(),
    };
    call_checkout(env, &checkout_id, &message).await
}

/// `POST /v1/refunds` (`Idempotency-Key` required).
pub async fn create_refund(req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    idempotent(req, env, config, "refunds", true, |body, key| async move {
        let input = CreateRefund::from_json(&body)?;
        let checkout_id = store::checkout_for_payment(env, &input.payment_id)
            .await?
            .ok_or_else(|| ApiError::field(ErrorCode::NotFound, "payment_id", "no such payment"))?;
        let internal_req = RefundRequest {
            input,
            idempotency_key: key.unwrap_or_default(),
            digest: idempotency::digest(&body),
        };
        let message = CheckoutMessage::CreateRefund {
            refund: internal_req,
        };
        call_checkout(env, &checkout_id, &message).await
    })
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
    let message = CheckoutMessage::Refund {
        id: refund_id.to_string(),
    };
    call_checkout(env, &checkout_id, &message).await
}

/// `POST /v1/payouts` (`Idempotency-Key` required; it also names the payout's object).
pub async fn create_payout(req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    idempotent(req, env, config, "payouts", true, |body, key| async move {
        let key = key.unwrap_or_default();
        let internal_req = PayoutRequest {
            order: CreatePayout::from_json(&body)?,
            digest: idempotency::digest(&body),
            idempotency_key: key.clone(),
        };
        let message = PayoutMessage::Create {
            request: internal_req,
        };
        call_durable(env, crate::payout::BINDING, &object_name(&key), &message).await
    })
    .await
}

/// `POST /v1/checkouts` (`Idempotency-Key` optional). The answer is made before the checkout's
/// object is ([`checkouts::prepare`]), so a key is claimed with it and with the checkout's
/// index row in one D1 batch (one write each), and the object is made only for a new claim:
/// two D1 round trips and three writes before (claim; the object; the answer with the row).
/// A replay of a new checkout's answer is sent only once its object holds it; until then
/// (the first request still running) it is a 409.
pub async fn create_checkout(mut req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    authorize(&req, config)?;
    let origin = req.url()?.origin().ascii_serialization();
    let key = idempotency_key(&req, false)?;
    let body = utf8_body(&mut req).await?;
    let made = checkouts::prepare(&origin, &body);
    let Some(key) = key else {
        let made = made?;
        let created = checkouts::init(env, &made.record).await?;
        if created.status_code() != 201 {
            return Ok(created);
        }
        store::checkout_row(env, &made.record)?.run().await?;
        return Ok(crate::error::json_response(&made.created, 201)?);
    };
    let (known, record) = match made {
        Ok(made) => (
            Known {
                status: 201,
                body: serde_json::to_string(&made.created)
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
                then: vec![store::checkout_row_if_claimed(
                    env,
                    &made.record,
                    CHECKOUTS_ROUTE,
                    &key,
                )?],
            },
            Some(made.record),
        ),
        Err(refused) => {
            let mut refusal = refused.into_response()?;
            let status = refusal.status_code();
            if status >= 500 {
                return Ok(refusal);
            }
            let body = refusal.text().await?;
            (
                Known {
                    status,
                    body,
                    then: Vec::new(),
                },
                None,
            )
        }
    };
    let answer = known.body.clone();
    let status = known.status;
    match idempotency::claim_answered(env, CHECKOUTS_ROUTE, &key, &body, now_ms(), known).await? {
        Claim::Replay { status, body } => replay_created(env, status, body).await,
        Claim::Fresh => {
            let Some(record) = record else {
                return json_answer(status, answer, false);
            };
            let made = checkouts::init(env, &record).await;
            if matches!(&made, Ok(created) if created.status_code() == 201) {
                return json_answer(201, answer, false);
            }
            // An error is not "not made": the object may hold the checkout and its answer
            // have been lost. It is asked before the key is freed, and the key is kept (a
            // replay asks again) when it cannot answer.
            match holds(env, &record.id).await {
                Ok(true) => return json_answer(201, answer, false),
                Ok(false) => {
                    let undo = vec![store::checkout_row_undone(env, &record.id)?];
                    if let Err(e) =
                        idempotency::release_answered(env, CHECKOUTS_ROUTE, &key, undo).await
                    {
                        crate::checkout::log("idempotency_release_failed", &e.to_string());
                    }
                }
                Err(e) => crate::checkout::log("checkout_unconfirmed", &e.to_string()),
            }
            match made {
                Ok(refused) if refused.status_code() >= 500 => Ok(refused),
                Ok(_) => Err(ApiError::new(
                    ErrorCode::Internal,
                    "the checkout could not be stored; retry with the same Idempotency-Key",
                )
                .into()),
                Err(e) => Err(e),
            }
        }
    }
}

/// The idempotency route of `POST /v1/checkouts`.
const CHECKOUTS_ROUTE: &str = "checkouts";

/// Whether the Checkout object `checkout_id` holds its checkout.
async fn holds(env: &Env, checkout_id: &str) -> EdgeResult<bool> {
    let answer = call_checkout(env, checkout_id, &CheckoutMessage::MerchantView).await?;
    match answer.status_code() {
        200 => Ok(true),
        404 => Ok(false),
        other => Err(ApiError::new(
            ErrorCode::Internal,
            format!("the checkout's object answered {other}"),
        )
        .into()),
    }
}

/// A key's stored answer to `POST /v1/checkouts`, sent again: a new checkout's only once its
/// object holds it (the request that claimed the key may still be making it, or may have
/// failed and be freeing the key): 409 until then.
async fn replay_created(env: &Env, status: u16, body: String) -> EdgeResult<Response> {
    if status == 201 {
        let id = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|created| created.get("id")?.as_str().map(str::to_string))
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "a stored answer without its id"))?;
        if !holds(env, &id).await? {
            return Err(crate::idempotency::in_use().into());
        }
    }
    json_answer(status, body, true)
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
    call_durable(env, crate::payout::BINDING, &name, &PayoutMessage::View).await
}
