//! The edge's error type and the one place that turns it into a JSON response.

use lipa_api::{ApiError, ErrorCode};
use worker::Response;

/// An error the edge answers with: the API error the client sees. Internal details are
/// logged, never sent.
#[derive(Debug)]
pub struct EdgeError(pub ApiError);

impl From<ApiError> for EdgeError {
    fn from(e: ApiError) -> Self {
        EdgeError(e)
    }
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        worker::console_error!(
            "{{\"level\":\"error\",\"msg\":\"runtime\",\"detail\":{:?}}}",
            e.to_string()
        );
        EdgeError(ApiError::new(
            ErrorCode::Internal,
            "something failed inside Lipa; nothing was charged twice and you can retry",
        ))
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
    /// The `{"error": …}` response.
    pub fn into_response(self) -> worker::Result<Response> {
        let status = self.0.code.http_status();
        json_response(&self.0.into_body(), status)
    }
}
