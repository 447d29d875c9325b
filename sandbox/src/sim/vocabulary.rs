//! The words every simulated provider speaks with the sandbox object: a request as a
//! simulator sees it, its answer, a webhook it wants delivered and a prompt for the handset.

use serde::{Deserialize, Serialize};

/// The field of a 429 body that the Worker sends as `Retry-After` (seconds).
pub const RETRY_AFTER_FIELD: &str = "retry_after";

/// One HTTP request, as a simulator sees it (path without the provider's prefix).
#[derive(Debug, Clone)]
pub struct SimRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// e.g. `/v1/payment`.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: String,
}

impl SimRequest {
    /// The first query parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A simulator's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimResponse {
    /// Status code.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

/// A webhook a simulator wants delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingWebhook {
    /// The event id inside the body.
    pub event_id: String,
    /// The exact JSON body (it is what gets signed).
    pub body: String,
}

/// A prompt waiting on the handset page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    /// The transaction.
    pub transaction_id: String,
    /// Payer number.
    pub payer: String,
    /// Operator code (CrissCross) or the simulator's name (the others).
    pub provider: String,
    /// Amount in minor units.
    pub amount: i64,
    /// Currency.
    pub currency: String,
    /// The one-time code the "SMS" carries, when the provider asks for one.
    pub otp: Option<String>,
}
