//! How the edge calls a provider: the adapter builds, the executor sends, the adapter parses;
//! bearer tokens are cached per isolate and provider and refreshed once on a 401.

use std::cell::RefCell;
use std::collections::HashMap;

use lipa_api::{FailureReason, PaymentStatus};
use lipa_providers::{
    AccessToken, HttpRequest, HttpResponse, ProviderError, ProviderId, Secret, TokenCache,
};

use crate::executor::{now_ms, perform, perform_within, Lost};

thread_local! {
    static TOKENS: RefCell<HashMap<ProviderId, TokenCache>> = RefCell::new(HashMap::new());
}

/// Why a provider call gave no usable answer.
#[derive(Debug)]
pub enum CallError {
    /// The provider answered, with an error.
    Provider(ProviderError),
    /// No answer came: the outcome is unknown.
    Lost(Lost),
    /// The provider is not configured on this edge.
    NotConfigured(ProviderId),
}

impl CallError {
    /// Whether the request may have taken effect although no usable answer came, so the next
    /// step is a status query with the stored reference, never a fresh request. Only an
    /// explicit refusal is not unknown: a timeout, a lost connection, a 5xx, a 429 and a 2xx
    /// whose body could not be read all may have moved money.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            CallError::Lost(_) => true,
            CallError::Provider(e) => match e {
                ProviderError::Unavailable { .. }
                | ProviderError::RateLimited { .. }
                | ProviderError::Decode(_) => true,
                ProviderError::Unauthorized
                | ProviderError::Conflict
                | ProviderError::Rejected { .. }
                | ProviderError::Unsupported(_)
                | ProviderError::Signature(_) => false,
            },
            CallError::NotConfigured(_) => false,
        }
    }
}

impl CallError {
    /// Where a payment stands after its start got this error instead of an answer: pending
    /// (polled by its stored reference) when the provider may have taken it, else failed and
    /// retryable, since an explicit refusal took nothing.
    pub fn payment_status(&self) -> PaymentStatus {
        if self.outcome_unknown() {
            PaymentStatus::Pending
        } else {
            PaymentStatus::Failed {
                reason: FailureReason::ProviderError,
                retryable: true,
            }
        }
    }

    /// What a merchant or customer may be told about this error: Lipa's own words by kind,
    /// never the provider's text or a network error string (those are logged).
    pub fn public_message(&self) -> String {
        match self {
            CallError::Provider(e) => match e {
                ProviderError::Rejected { .. } => "the provider refused the request".into(),
                ProviderError::Unauthorized => "the provider refused Lipa's credentials".into(),
                ProviderError::Conflict => {
                    "the provider already has a live transaction for this".into()
                }
                ProviderError::RateLimited { .. } => {
                    "the provider is limiting requests; try again shortly".into()
                }
                ProviderError::Unavailable { .. } => "the provider is unavailable".into(),
                ProviderError::Decode(_) => "the provider's answer could not be read".into(),
                // Lipa's own words: refused before anything was sent.
                ProviderError::Unsupported(why) => why.clone(),
                ProviderError::Signature(_) => "the provider's signature did not verify".into(),
            },
            CallError::Lost(_) => "the provider could not be reached".into(),
            CallError::NotConfigured(p) => format!("{} is not configured on this edge", p.brand()),
        }
    }

    /// How long the provider asked us to wait (`Retry-After` on a 429), in milliseconds.
    pub fn retry_after_ms(&self) -> Option<i64> {
        match self {
            CallError::Provider(ProviderError::RateLimited {
                retry_after_s: Some(s),
            }) => Some(
                i64::try_from(*s)
                    .unwrap_or(i64::MAX / 2_000)
                    .saturating_mul(1_000),
            ),
            _ => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Provider(e) => write!(f, "{e}"),
            CallError::Lost(Lost::Timeout) => f.write_str("provider did not answer in time"),
            CallError::Lost(Lost::Network(e)) => write!(f, "provider unreachable: {e}"),
            CallError::NotConfigured(p) => write!(f, "{} is not configured", p.name()),
        }
    }
}

/// How to get a token from one provider.
pub struct TokenSource<'a> {
    /// Whose token.
    pub provider: ProviderId,
    /// The token request.
    pub request: HttpRequest,
    /// Reads the answer, dating it from the given time.
    pub parse: &'a dyn Fn(&HttpResponse, i64) -> Result<AccessToken, ProviderError>,
}

async fn token(source: &TokenSource<'_>) -> Result<Secret, CallError> {
    let now = now_ms();
    let cached = TOKENS.with(|c| {
        c.borrow()
            .get(&source.provider)
            .and_then(|t| t.fresh(now).cloned())
    });
    if let Some(t) = cached {
        return Ok(t);
    }
    let resp = perform(&source.request).await.map_err(CallError::Lost)?;
    let fresh = (source.parse)(&resp, now).map_err(CallError::Provider)?;
    let token = fresh.token.clone();
    TOKENS.with(|c| {
        c.borrow_mut()
            .entry(source.provider)
            .or_default()
            .store(fresh)
    });
    Ok(token)
}

/// Makes one authorized call; on a 401 the token is refreshed once and the call repeated.
pub async fn authorized<T>(
    source: &TokenSource<'_>,
    build: impl Fn(&Secret) -> Result<HttpRequest, ProviderError>,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    let mut refreshed = false;
    loop {
        let token = token(source).await?;
        let req = build(&token).map_err(CallError::Provider)?;
        let resp = perform(&req).await.map_err(CallError::Lost)?;
        match parse(&resp) {
            Err(ProviderError::Unauthorized) if !refreshed => {
                refreshed = true;
                TOKENS.with(|c| {
                    if let Some(t) = c.borrow_mut().get_mut(&source.provider) {
                        t.clear();
                    }
                });
            }
            other => return other.map_err(CallError::Provider),
        }
    }
}

/// Makes one call that needs no token (Basic auth in the request).
pub async fn plain<T>(
    request: Result<HttpRequest, ProviderError>,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    plain_within(request, crate::executor::PROVIDER_TIMEOUT_MS, parse).await
}

/// [`plain`], waiting up to `timeout_ms` for the answer (a long-poll).
pub async fn plain_within<T>(
    request: Result<HttpRequest, ProviderError>,
    timeout_ms: u64,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    let request = request.map_err(CallError::Provider)?;
    let resp = perform_within(&request, timeout_ms)
        .await
        .map_err(CallError::Lost)?;
    parse(&resp).map_err(CallError::Provider)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed() -> PaymentStatus {
        PaymentStatus::Failed {
            reason: FailureReason::ProviderError,
            retryable: true,
        }
    }

    #[test]
    fn only_an_explicit_refusal_fails_a_payment_everything_else_leaves_it_pending() {
        let unknown = [
            CallError::Lost(Lost::Timeout),
            CallError::Lost(Lost::Network("connection reset".into())),
            CallError::Provider(ProviderError::Decode("expected a string".into())),
            CallError::Provider(ProviderError::Unavailable { status: 503 }),
            CallError::Provider(ProviderError::RateLimited {
                retry_after_s: Some(2),
            }),
        ];
        for e in &unknown {
            assert_eq!(e.payment_status(), PaymentStatus::Pending, "{e}");
        }
        let refused = [
            CallError::Provider(ProviderError::Rejected {
                status: 400,
                message: "invalid msisdn".into(),
            }),
            CallError::Provider(ProviderError::Conflict),
            CallError::Provider(ProviderError::Unauthorized),
            CallError::Provider(ProviderError::Unsupported("no OTP step".into())),
            CallError::NotConfigured(ProviderId::Little),
        ];
        for e in &refused {
            assert_eq!(e.payment_status(), failed(), "{e}");
        }
    }

    #[test]
    fn public_messages_never_carry_the_providers_text() {
        let leaky = [
            CallError::Provider(ProviderError::Rejected {
                status: 400,
                message: "SECRET-INTERNAL provider detail".into(),
            }),
            CallError::Provider(ProviderError::Decode("SECRET-INTERNAL at line 1".into())),
            CallError::Lost(Lost::Network("SECRET-INTERNAL tcp reset".into())),
        ];
        for e in &leaky {
            assert!(!e.public_message().contains("SECRET-INTERNAL"), "{e}");
            assert!(
                e.to_string().contains("SECRET-INTERNAL"),
                "the log keeps it"
            );
        }
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait() {
        let e = CallError::Provider(ProviderError::RateLimited {
            retry_after_s: Some(3),
        });
        assert_eq!(e.retry_after_ms(), Some(3_000));
        assert_eq!(CallError::Lost(Lost::Timeout).retry_after_ms(), None);
    }
}
