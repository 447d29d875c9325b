//! The edge's one error type and the one place that turns it into a JSON response. Internal
//! details (the runtime's errors, a provider's words, network errors) are logged there and
//! never sent: a client gets Lipa's own words and a code.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::CallError;
use worker::Response;

/// Why the edge could not do what it was asked.
#[derive(Debug)]
pub enum EdgeError {
    /// A refusal the client sees as it is: what was wrong, and which field.
    Api(ApiError),
    /// The runtime failed: storage, a binding, another object.
    Runtime(worker::Error),
    /// A provider call failed where no payment records the outcome (a receipt, a wallet
    /// check, a provider that is not configured).
    Provider(CallError),
}

impl From<ApiError> for EdgeError {
    fn from(e: ApiError) -> Self {
        EdgeError::Api(e)
    }
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        EdgeError::Runtime(e)
    }
}

impl From<CallError> for EdgeError {
    fn from(e: CallError) -> Self {
        EdgeError::Provider(e)
    }
}

impl std::fmt::Display for EdgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EdgeError::Api(e) => write!(f, "{:?}: {}", e.code, e.message),
            EdgeError::Runtime(e) => write!(f, "runtime: {e}"),
            EdgeError::Provider(e) => write!(f, "provider: {e}"),
        }
    }
}

/// What every handler returns.
pub type EdgeResult<T> = Result<T, EdgeError>;

/// A JSON response with `status`.
pub fn json_response<T: serde::Serialize>(value: &T, status: u16) -> worker::Result<Response> {
    let mut resp = Response::from_json(value)?.with_status(status);
    resp.headers_mut().set("Cache-Control", "no-store")?;
    Ok(resp)
}

impl EdgeError {
    /// What the client is told: an API refusal as it is; anything else logged in full and
    /// answered in Lipa's words.
    pub fn public(self) -> ApiError {
        match self {
            EdgeError::Api(e) => e,
            EdgeError::Runtime(e) => {
                log_internal("runtime", &e.to_string());
                ApiError::new(
                    ErrorCode::Internal,
                    "something failed inside Lipa; nothing was charged twice and you can retry",
                )
            }
            EdgeError::Provider(e) => {
                log_internal("provider", &e.to_string());
                let code = match e {
                    CallError::NotConfigured(_) => ErrorCode::Misconfigured,
                    _ => ErrorCode::ProviderUnavailable,
                };
                ApiError::new(code, e.public_message())
            }
        }
    }

    /// The `{"error": …}` response.
    pub fn into_response(self) -> worker::Result<Response> {
        let e = self.public();
        let status = e.code.http_status();
        json_response(&e.into_body(), status)
    }
}

fn log_internal(kind: &str, detail: &str) {
    worker::console_error!(
        "{}",
        serde_json::json!({"level": "error", "msg": kind, "detail": crate::redact::phone_numbers(detail)})
    );
}
