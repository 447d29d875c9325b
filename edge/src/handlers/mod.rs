//! Request handlers, one module per resource.

pub mod checkouts;
pub mod events;
pub mod merchant;
pub mod pages;
pub mod webhooks;
pub mod widget;

use lipa_api::{ApiError, ErrorCode};
use worker::{Env, Request, Response};

use crate::error::EdgeResult;

/// The Durable Object namespace binding of checkouts.
pub const CHECKOUT_BINDING: &str = "CHECKOUT";

/// The largest body the edge reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads a request body, refusing more than [`MAX_BODY_BYTES`].
pub async fn read_body(req: &mut Request) -> EdgeResult<Vec<u8>> {
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )
        .into());
    }
    Ok(bytes)
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(req: &Request) -> EdgeResult<Option<String>> {
    Ok(req
        .headers()
        .get("Authorization")?
        .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_string())))
}

/// Forwards an internal request to a checkout's object and returns its answer as is.
pub async fn call_object(
    env: &Env,
    checkout_id: &str,
    method: worker::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> EdgeResult<Response> {
    call_durable(
        env,
        CHECKOUT_BINDING,
        checkout_id,
        method,
        path,
        headers,
        body,
    )
    .await
}

/// Forwards an internal request to the Durable Object `name` of `binding`.
pub async fn call_durable(
    env: &Env,
    binding: &str,
    name: &str,
    method: worker::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> EdgeResult<Response> {
    let h = worker::Headers::new();
    for (k, v) in headers {
        h.set(k, v)?;
    }
    let mut init = worker::RequestInit::new();
    init.with_method(method).with_headers(h);
    if let Some(body) = body {
        init.with_body(Some(body.into()));
    }
    let req = Request::new_with_init(&format!("https://object{path}"), &init)?;
    Ok(env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?
        .fetch_with_request(req)
        .await?)
}

/// A header's value from a list of pairs (case-insensitive), or "".
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    lipa_providers::http::find_header(headers, name).unwrap_or("")
}
