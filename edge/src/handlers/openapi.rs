//! `GET /v1/openapi.json`: the merchant API's OpenAPI 3.1 contract. No key is needed: the
//! document holds no secret, and a merchant's tools read it before they have one.

use worker::Response;

use crate::error::EdgeResult;

/// The committed `api/openapi.json`, which a `lipa-api` test keeps equal to what
/// `lipa_api::openapi::document()` builds from the API's types.
pub const DOCUMENT: &str = include_str!("../../../api/openapi.json");

/// The document, as JSON, cacheable for five minutes.
pub fn document() -> EdgeResult<Response> {
    let mut resp = Response::ok(DOCUMENT)?;
    let h = resp.headers_mut();
    h.set("Content-Type", "application/json")?;
    h.set("Cache-Control", "public, max-age=300")?;
    h.set("Access-Control-Allow-Origin", "*")?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_served_document_is_the_generated_one() {
        assert!(
            super::DOCUMENT == lipa_api::openapi::document_text(),
            "api/openapi.json is stale: LIPA_WRITE_OPENAPI=1 cargo test -p lipa-api --test openapi"
        );
    }
}
