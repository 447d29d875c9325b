//! The widget's API, authorized by a checkout's client secret and nothing else.

use lipa_api::{ApiError, ErrorCode};
use worker::{Env, Method, Request, Response};

use crate::checkout::{CheckoutMessage, CLIENT_SECRET_HEADER, LIVE_PATH};
use crate::error::EdgeResult;
use crate::handlers::{bearer, call_checkout, read_body};
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
    call_checkout(
        env,
        checkout_id,
        &CheckoutMessage::View {
            client_secret: secret,
        },
    )
    .await
}

/// The subprotocol the live channel speaks; the client secret travels as a second one,
/// `cs.<secret>`, since a browser's WebSocket cannot send an `Authorization` header.
pub use lipa_api::live::PROTOCOL as LIVE_PROTOCOL;

/// `GET /api/checkouts/{id}/live`: upgrades to a WebSocket held by the Checkout object, which
/// sends a message whenever the checkout changes.
pub async fn live(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    if !ids::is_checkout_id(checkout_id) {
        return Err(ApiError::new(ErrorCode::NotFound, "no such checkout").into());
    }
    if !req
        .headers()
        .get("Upgrade")?
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            "this endpoint speaks WebSocket only (Upgrade: websocket)",
        )
        .into());
    }
    let protocols = req
        .headers()
        .get("Sec-WebSocket-Protocol")?
        .unwrap_or_default();
    let secret = lipa_api::live::secret_from_protocols(&protocols).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "send the client secret as the WebSocket subprotocol cs.<secret>",
        )
    })?;
    let headers = worker::Headers::new();
    headers.set("Upgrade", "websocket")?;
    headers.set(CLIENT_SECRET_HEADER, secret)?;
    let mut init = worker::RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let inner = Request::new_with_init(&format!("https://object{LIVE_PATH}"), &init)?;
    Ok(env
        .durable_object(crate::handlers::CHECKOUT_BINDING)?
        .id_from_name(checkout_id)?
        .get_stub()?
        .fetch_with_request(inner)
        .await?)
}

/// `POST /api/checkouts/{id}/payments`: start a payment.
pub async fn start_payment(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let (client_secret, client_ip, body) = widget_post(req, checkout_id).await?;
    let message = CheckoutMessage::StartPayment {
        client_secret,
        client_ip,
        body,
    };
    call_checkout(env, checkout_id, &message).await
}

/// `POST /api/checkouts/{id}/otp`: the customer's one-time code for the live payment.
pub async fn submit_otp(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let (client_secret, _, body) = widget_post(req, checkout_id).await?;
    let message = CheckoutMessage::SubmitOtp {
        client_secret,
        body,
    };
    call_checkout(env, checkout_id, &message).await
}

/// `POST /api/checkouts/{id}/check`: the customer says they approved; the object reads the
/// live payment from its provider now and answers where it stands.
pub async fn check(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let client_secret = client_secret(&req, checkout_id)?;
    call_checkout(env, checkout_id, &CheckoutMessage::Check { client_secret }).await
}

/// `POST /api/checkouts/{id}/verify`: send the guest's number a verification code by SMS
/// (routes with `verify_phone`).
pub async fn send_code(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let host = req
        .url()
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let (client_secret, client_ip, body) = widget_post(req, checkout_id).await?;
    let message = CheckoutMessage::SendCode {
        client_secret,
        client_ip,
        host,
        body,
    };
    call_checkout(env, checkout_id, &message).await
}

/// `POST /api/checkouts/{id}/verify/check`: the code the guest typed.
pub async fn check_code(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let (client_secret, _, body) = widget_post(req, checkout_id).await?;
    let message = CheckoutMessage::CheckCode {
        client_secret,
        body,
    };
    call_checkout(env, checkout_id, &message).await
}

/// What a widget POST carries to the object: its client secret, the customer's IP and the
/// body as sent (UTF-8).
async fn widget_post(
    mut req: Request,
    checkout_id: &str,
) -> EdgeResult<(String, Option<String>, String)> {
    let secret = client_secret(&req, checkout_id)?;
    let client_ip = req.headers().get("CF-Connecting-IP")?;
    let body = read_body(&mut req).await?;
    let body = String::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::InvalidJson, "the body must be UTF-8 JSON"))?;
    Ok((secret, client_ip, body))
}
