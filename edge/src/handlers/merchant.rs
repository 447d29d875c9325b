//! The merchant API beyond creating checkouts: server-side reads of checkouts and payments,
//! receipts, refunds and payouts. Every call carries the secret key; every POST takes an
//! `Idempotency-Key` (required for refunds and payouts): the same key and body answer what the
//! first request got; another body is refused.

use lipa_api::payout::CreatePayout;
use lipa_api::refund::CreateRefund;
use lipa_api::{ApiError, ErrorCode};
use worker::{D1PreparedStatement, Env, Request, Response};

use crate::checkout::refund::RefundRequest;
use crate::checkout::CheckoutMessage;
use crate::config::Config;
use crate::error::EdgeResult;
use crate::executor::now_ms;
use crate::handlers::{bearer, call_checkout, call_durable, query_params, read_body};
use crate::idempotency::{self, Claim};
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

/// What a handler run by [`idempotent`] answers: its response, and the D1 writes that go with
/// it (a new checkout's index row), made in one batch with the key's completion: one D1 round
/// trip where there were two.
pub struct Answer {
    response: Response,
    writes: Vec<D1PreparedStatement>,
}

impl Answer {
    /// `response`, once `writes` are made.
    pub fn with_writes(response: Response, writes: Vec<D1PreparedStatement>) -> Answer {
        Answer { response, writes }
    }
}

impl From<Response> for Answer {
    fn from(response: Response) -> Answer {
        Answer {
            response,
            writes: Vec::new(),
        }
    }
}

/// Runs an authorized merchant POST under its `Idempotency-Key` (see [`crate::idempotency`]):
/// `run` gets the body and the key, and its answer (below 500) is what the key answers from
/// then on. An answer's writes are made with the key's completion; a refusal (an error) makes
/// none.
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
    Fut: std::future::Future<Output = EdgeResult<Answer>>,
{
    authorize(&req, config)?;
    let key = idempotency_key(&req, key_required)?;
    let body = utf8_body(&mut req).await?;
    let Some(key) = key else {
        let answer = run(body, None).await?;
        store::write_all(env, answer.writes).await?;
        return Ok(answer.response);
    };
    if let Claim::Replay { status, body } =
        idempotency::claim(env, route, &key, &body, now_ms()).await?
    {
        return json_answer(status, body, true);
    }
    let Answer {
        mut response,
        writes,
    } = match run(body, Some(key.clone())).await {
        Ok(answer) => answer,
        Err(e) => e.into_response()?.into(),
    };
    let status = response.status_code();
    let text = response.text().await?;
    if status >= 500 {
        idempotency::release(env, route, &key).await?;
    } else if let Err(e) = idempotency::complete(env, route, &key, status, &text, writes).await {
        // The batch is one transaction: when it failed, nothing of it holds and the key is
        // freed for a retry; when it held but its answer was lost, the key is answered and
        // `release` (unanswered keys only) leaves it so.
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
        call_checkout(env, &checkout_id, &message)
            .await
            .map(Answer::from)
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
        call_durable(env, crate::payout::BINDING, &object_name(&key), &message)
            .await
            .map(Answer::from)
    })
    .await
}

/// `POST /v1/checkouts` (`Idempotency-Key` optional).
pub async fn create_checkout(req: Request, env: &Env, config: &Config) -> EdgeResult<Response> {
    let origin = req.url()?.origin().ascii_serialization();
    idempotent(req, env, config, "checkouts", false, |body, _| async move {
        crate::handlers::checkouts::create(env, &origin, &body).await
    })
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
    call_durable(env, crate::payout::BINDING, &name, &PayoutMessage::View).await
}
