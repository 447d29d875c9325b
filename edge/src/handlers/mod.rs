//! Request handlers, one module per resource.

pub mod checkouts;
pub mod events;
pub mod health;
pub mod merchant;
pub mod openapi;
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

/// Sends a checkout's object one message and returns its answer as is.
pub async fn call_checkout(
    env: &Env,
    checkout_id: &str,
    message: &crate::checkout::CheckoutMessage,
) -> EdgeResult<Response> {
    call_durable(env, CHECKOUT_BINDING, checkout_id, message).await
}

/// Sends the Durable Object `name` of `binding` one typed message (the JSON body of a POST)
/// and returns its answer as is.
pub async fn call_durable<M: serde::Serialize>(
    env: &Env,
    binding: &str,
    name: &str,
    message: &M,
) -> EdgeResult<Response> {
    let body = serde_json::to_string(message)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    // No headers: the object reads the body as JSON whatever it is labelled
    // ([`durable_message`]).
    let mut init = worker::RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_body(Some(body.into()));
    let req = Request::new_with_init("https://object/", &init)?;
    Ok(env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?
        .fetch_with_request(req)
        .await?)
}

/// The typed message of a [`call_durable`] request, as its object reads it: the body's text
/// parsed by serde_json inside the wasm (the `Request::json` of `worker` has JavaScript parse it
/// into objects and reads them back field by field, garbage the next collection pays for).
pub async fn durable_message<M: serde::de::DeserializeOwned>(
    req: &mut Request,
) -> worker::Result<M> {
    parse_message(&req.text().await?)
}

/// A [`durable_message`]'s text read as `M`. A refusal keeps serde_json's own words (which
/// field, which line and column): `worker`'s conversion of a serde_json error says only that
/// JSON failed.
fn parse_message<M: serde::de::DeserializeOwned>(text: &str) -> worker::Result<M> {
    serde_json::from_str(text).map_err(|e| worker::Error::RustError(e.to_string()))
}

/// The request's query parameters, each at most once and each one of `allowed`: anything else
/// is a 400 naming the parameter (a typo must not silently widen a read).
pub fn query_params(
    req: &Request,
    allowed: &[&str],
) -> EdgeResult<std::collections::BTreeMap<String, String>> {
    let mut params = std::collections::BTreeMap::new();
    for (name, value) in req.url()?.query_pairs() {
        if !allowed.contains(&name.as_ref()) {
            return Err(ApiError::field(
                ErrorCode::InvalidField,
                name.as_ref(),
                format!(
                    "unknown query parameter {name:?}; this endpoint takes {}",
                    allowed.join(", ")
                ),
            )
            .into());
        }
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(ApiError::field(
                ErrorCode::InvalidField,
                name.as_ref(),
                format!("{name} is given more than once"),
            )
            .into());
        }
    }
    Ok(params)
}

/// A header's value from a list of pairs (case-insensitive), or "".
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    lipa_providers::http::find_header(headers, name).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::parse_message;
    use crate::checkout::CheckoutMessage;

    #[test]
    fn a_message_a_checkout_reads_is_parsed_from_its_text() {
        let text = serde_json::to_string(&CheckoutMessage::Check {
            client_secret: "cs_secret".into(),
        })
        .unwrap();
        let message: CheckoutMessage = parse_message(&text).unwrap();
        assert!(
            matches!(message, CheckoutMessage::Check { client_secret } if client_secret == "cs_secret")
        );
    }

    #[test]
    fn a_refused_message_keeps_what_serde_json_said() {
        let text = serde_json::to_string(&CheckoutMessage::Check {
            client_secret: "cs_secret".into(),
        })
        .unwrap()
        .replace("client_secret", "client_secrets");
        let error = parse_message::<CheckoutMessage>(&text).unwrap_err();
        let said = error.to_string();
        assert!(said.contains("missing field `client_secret`"), "{said}");
        assert!(said.contains("line 1 column"), "{said}");
    }
}
