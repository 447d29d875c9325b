//! How a provider's flow makes its calls over the host's [`Transport`]: the adapter builds,
//! the transport sends, the adapter parses; bearer tokens are cached per isolate and provider
//! and refreshed once on a 401.

use lipa_api::{FailureReason, PaymentStatus};

use crate::host::{Host, Lost};
use crate::http::{HttpRequest, HttpResponse};
use crate::token::AccessToken;
use crate::{ProviderError, ProviderId, Secret};

/// How long a provider gets to answer before the call counts as lost.
pub const PROVIDER_TIMEOUT_MS: u64 = 10_000;

/// Why a provider call gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The provider answered, with an error.
    Provider(ProviderError),
    /// No answer came: the outcome is unknown.
    Lost(Lost),
    /// The provider is not configured on this edge.
    NotConfigured(ProviderId),
    /// The provider's memory between checkouts failed: nothing was sent after it.
    Store(String),
}

impl From<ProviderError> for CallError {
    fn from(e: ProviderError) -> Self {
        CallError::Provider(e)
    }
}

impl CallError {
    /// Refused before any request was made, for the reason given in Lipa's own words.
    pub fn unsupported(why: impl Into<String>) -> CallError {
        CallError::Provider(ProviderError::Unsupported(why.into()))
    }

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
                | ProviderError::Gone
                | ProviderError::Rejected { .. }
                | ProviderError::Unsupported(_)
                | ProviderError::Signature(_) => false,
            },
            CallError::NotConfigured(_) | CallError::Store(_) => false,
        }
    }

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
                ProviderError::Gone => "the provider ended the payment's session".into(),
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
            CallError::Store(_) => "Lipa could not store the provider's ids".into(),
        }
    }

    /// Whether the provider turned the request away for its rate limit (a 429).
    pub fn rate_limited(&self) -> bool {
        matches!(self, CallError::Provider(ProviderError::RateLimited { .. }))
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
            CallError::Store(e) => write!(f, "provider memory failed: {e}"),
        }
    }
}

impl std::error::Error for CallError {}

/// How to get a token from one provider.
pub struct TokenSource<'a> {
    /// Whose token.
    pub provider: ProviderId,
    /// The token request.
    pub request: HttpRequest,
    /// Reads the answer, dating it from the given time.
    pub parse: &'a dyn Fn(&HttpResponse, i64) -> Result<AccessToken, ProviderError>,
}

async fn token(host: &Host<'_>, source: &TokenSource<'_>) -> Result<Secret, CallError> {
    let now = host.now_ms();
    if let Some(t) = host
        .cache
        .tokens(source.provider, |c| c.fresh(now).cloned())
    {
        return Ok(t);
    }
    let resp = host
        .transport
        .send(&source.request, PROVIDER_TIMEOUT_MS)
        .await
        .map_err(CallError::Lost)?;
    let fresh = (source.parse)(&resp, now)?;
    let token = fresh.token.clone();
    host.cache.tokens(source.provider, |c| c.store(fresh));
    Ok(token)
}

/// Makes one authorized call; on a 401 the token is refreshed once and the call repeated.
pub async fn authorized<T>(
    host: &Host<'_>,
    source: &TokenSource<'_>,
    build: impl Fn(&Secret) -> Result<HttpRequest, ProviderError>,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    let mut refreshed = false;
    loop {
        let token = token(host, source).await?;
        let req = build(&token)?;
        let resp = host
            .transport
            .send(&req, PROVIDER_TIMEOUT_MS)
            .await
            .map_err(CallError::Lost)?;
        match parse(&resp) {
            Err(ProviderError::Unauthorized) if !refreshed => {
                refreshed = true;
                host.cache.tokens(source.provider, |c| c.clear());
            }
            other => return other.map_err(CallError::Provider),
        }
    }
}

/// Makes one call that needs no token (Basic auth or a key in the request).
pub async fn plain<T>(
    host: &Host<'_>,
    request: Result<HttpRequest, ProviderError>,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    plain_within(host, request, PROVIDER_TIMEOUT_MS, parse).await
}

/// [`plain`], waiting up to `timeout_ms` for the answer (a long-poll).
pub async fn plain_within<T>(
    host: &Host<'_>,
    request: Result<HttpRequest, ProviderError>,
    timeout_ms: u64,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    let resp = host
        .transport
        .send(&request?, timeout_ms)
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
            CallError::Provider(ProviderError::Gone),
            CallError::Provider(ProviderError::Unauthorized),
            CallError::Provider(ProviderError::Unsupported("no OTP step".into())),
            CallError::NotConfigured(ProviderId::Little),
            CallError::Store("d1 down".into()),
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
            CallError::Store("SECRET-INTERNAL d1".into()),
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
