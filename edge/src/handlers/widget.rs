//! The widget's API, authorized by a checkout's client secret and nothing else.

use lipa_api::{ApiError, ErrorCode};
use worker::{Env, Method, Request, Response};

use crate::checkout::{CLIENT_IP_HEADER, CLIENT_SECRET_HEADER};
use crate::error::EdgeResult;
use crate::handlers::{bearer, call_object, read_body};
use crate::ids;

fn client_secret(req: &Request, checkout_id: &str) -> EdgeResult<String> {
    if !ids::is_checkout_id(checkout_id) {
        return Err(ApiError::new(ErrorCode::NotFound, "no such checkout").into());
    }
    bearer(req)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "send the checkout's client secret as Authorization: Bearer",
        )
        .into()
    })
}

/// `GET /api/checkouts/{id}`: the checkout, its operators and its latest payment.
pub async fn view(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let secret = client_secret(&req, checkout_id)?;
    call_object(
        env,
        checkout_id,
        Method::Get,
        "/view",
        &[(CLIENT_SECRET_HEADER, &secret)],
        None,
    )
    .await
}

/// `POST /api/checkouts/{id}/payments`: start a payment.
pub async fn start_payment(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    forward_post(req, env, checkout_id, "/payments").await
}

/// `POST /api/checkouts/{id}/otp`: the customer's one-time code for the live payment.
pub async fn submit_otp(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    forward_post(req, env, checkout_id, "/otp").await
}

async fn forward_post(
    mut req: Request,
    env: &Env,
    checkout_id: &str,
    path: &str,
) -> EdgeResult<Response> {
    let secret = client_secret(&req, checkout_id)?;
    let client_ip = req.headers().get("CF-Connecting-IP")?.unwrap_or_default();
    let body = read_body(&mut req).await?;
    let body = String::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::InvalidJson, "the body must be UTF-8 JSON"))?;
    call_object(
        env,
        checkout_id,
        Method::Post,
        path,
        &[
            (CLIENT_SECRET_HEADER, &secret),
            (CLIENT_IP_HEADER, &client_ip),
            ("Content-Type", "application/json"),
        ],
        Some(body),
    )
    .await
}
