//! The providers layer's one error type.

use crate::signature::SignatureError;

/// What went wrong talking to a provider, in terms the edge can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The provider refused our credentials (401/403); refresh the token once and retry.
    Unauthorized,
    /// The provider says a transaction is already live for this session (409).
    Conflict,
    /// What the payment was prepared with is gone (CrissCross's 410 for an ended session):
    /// nothing was taken, and a new preparation may be made.
    Gone,
    /// Too many requests; try again after this many seconds.
    RateLimited {
        /// From `Retry-After`, when given.
        retry_after_s: Option<u64>,
    },
    /// The provider refused the request as invalid (4xx): our bug or bad input.
    Rejected {
        /// HTTP status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The provider failed (5xx): it may be retried after a status check.
    Unavailable {
        /// HTTP status.
        status: u16,
    },
    /// Refused before any request was made: the provider cannot do this (an operator it has
    /// no channel for, a step it does not have, a field it would require) or is not set up.
    Unsupported(String),
    /// The provider answered, but the body did not have the documented shape. After a request
    /// that may move money the outcome is unknown: keep polling, never treat it as refused.
    Decode(String),
    /// A webhook did not verify.
    Signature(SignatureError),
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderError::Unauthorized => f.write_str("provider refused our credentials"),
            ProviderError::Conflict => f.write_str("provider has a live transaction already"),
            ProviderError::Gone => f.write_str("provider ended the payment's session"),
            ProviderError::RateLimited {
                retry_after_s: Some(s),
            } => write!(f, "provider rate-limited us (retry after {s} s)"),
            ProviderError::RateLimited {
                retry_after_s: None,
            } => f.write_str("provider rate-limited us (no Retry-After)"),
            ProviderError::Rejected { status, message } => {
                write!(f, "provider rejected the request ({status}): {message}")
            }
            ProviderError::Unavailable { status } => write!(f, "provider unavailable ({status})"),
            ProviderError::Unsupported(why) => write!(f, "not sent to the provider: {why}"),
            ProviderError::Decode(e) => write!(f, "provider answer not understood: {e}"),
            ProviderError::Signature(e) => write!(f, "webhook signature refused: {e:?}"),
        }
    }
}

impl std::error::Error for ProviderError {}

/// Decodes a provider's JSON answer, or classifies its HTTP error; `message_of` reads the
/// provider's own error message from a 4xx body.
pub fn decode_json<T: serde::de::DeserializeOwned>(
    response: &crate::http::HttpResponse,
    message_of: impl Fn(&str) -> Option<String>,
) -> Result<T, ProviderError> {
    match response.status {
        200..=299 => {
            serde_json::from_str(&response.body).map_err(|e| ProviderError::Decode(e.to_string()))
        }
        401 | 403 => Err(ProviderError::Unauthorized),
        409 => Err(ProviderError::Conflict),
        429 => Err(ProviderError::RateLimited {
            retry_after_s: response
                .header("Retry-After")
                .and_then(|v| v.trim().parse().ok()),
        }),
        status @ 400..=499 => Err(ProviderError::Rejected {
            status,
            message: message_of(&response.body)
                .unwrap_or_else(|| response.body.chars().take(200).collect()),
        }),
        status => Err(ProviderError::Unavailable { status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_says_how_long_to_wait_in_seconds() {
        let told = ProviderError::RateLimited {
            retry_after_s: Some(2),
        };
        assert_eq!(
            told.to_string(),
            "provider rate-limited us (retry after 2 s)"
        );
        let untold = ProviderError::RateLimited {
            retry_after_s: None,
        };
        assert_eq!(
            untold.to_string(),
            "provider rate-limited us (no Retry-After)"
        );
    }
}
