//! Performs the adapters' requests: the only place the edge talks to a provider.

use futures_util::future::{select, Either};
pub use lipa_providers::host::Lost;
use lipa_providers::{HttpRequest, HttpResponse, Method};
use worker::{AbortController, Delay, Fetch, Headers, Request, RequestInit};

/// How long a provider gets to answer before the call counts as lost.
pub use lipa_providers::call::PROVIDER_TIMEOUT_MS;

/// Sends `req` and reads the whole response, or says why none came within
/// [`PROVIDER_TIMEOUT_MS`].
pub async fn perform(req: &HttpRequest) -> Result<HttpResponse, Lost> {
    perform_within(req, PROVIDER_TIMEOUT_MS).await
}

/// Sends `req` and reads the whole response, or says why none came within `timeout_ms` (a
/// long-poll is given longer than the provider holds it).
pub async fn perform_within(req: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, Lost> {
    let headers = Headers::new();
    for (k, v) in &req.headers {
        headers
            .set(k, v)
            .map_err(|e| Lost::Network(e.to_string()))?;
    }
    let mut init = RequestInit::new();
    init.with_method(match req.method {
        Method::Get => worker::Method::Get,
        Method::Post => worker::Method::Post,
        Method::Put => worker::Method::Put,
    })
    .with_headers(headers);
    if let Some(body) = &req.body {
        init.with_body(Some(body.as_str().into()));
    }
    let request =
        Request::new_with_init(&req.url, &init).map_err(|e| Lost::Network(e.to_string()))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let call = async move {
        let mut resp = fetch
            .send_with_signal(&signal)
            .await
            .map_err(|e| Lost::Network(e.to_string()))?;
        let status = resp.status_code();
        let headers = resp.headers().entries().collect();
        let body = resp
            .text()
            .await
            .map_err(|e| Lost::Network(e.to_string()))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    };
    let timeout = Delay::from(std::time::Duration::from_millis(timeout_ms));
    match select(Box::pin(call), timeout).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => {
            controller.abort();
            Err(Lost::Timeout)
        }
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
