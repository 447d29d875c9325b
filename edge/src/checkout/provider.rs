//! CrissCross calls as the Checkout object makes them: the adapter builds, the executor
//! sends, the adapter parses. The bearer token is cached per isolate and refreshed once on a
//! 401.

use std::cell::RefCell;

use lipa_api::Operator;
use lipa_providers::crisscross::{self, Config, SessionInput};
use lipa_providers::{
    HttpRequest, HttpResponse, ProviderError, ProviderPayment, Secret, TokenCache,
};

use crate::executor::{now_ms, perform, Lost};

thread_local! {
    static TOKEN: RefCell<TokenCache> = RefCell::new(TokenCache::default());
}

/// Why a provider call gave no usable answer.
#[derive(Debug)]
pub enum CallError {
    /// The provider answered, with an error.
    Provider(ProviderError),
    /// No answer came: the outcome is unknown.
    Lost(Lost),
}

impl CallError {
    /// Whether the request may have taken effect at the provider although we got no
    /// usable answer (so the next step is a status query, never a fresh request).
    pub fn outcome_unknown(&self) -> bool {
        match self {
            CallError::Lost(_) => true,
            CallError::Provider(e) => match e {
                ProviderError::Unavailable { .. } | ProviderError::RateLimited { .. } => true,
                ProviderError::Unauthorized
                | ProviderError::Conflict
                | ProviderError::Rejected { .. }
                | ProviderError::Decode(_)
                | ProviderError::Signature(_) => false,
            },
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Provider(e) => write!(f, "{e}"),
            CallError::Lost(Lost::Timeout) => f.write_str("provider did not answer in time"),
            CallError::Lost(Lost::Network(e)) => write!(f, "provider unreachable: {e}"),
        }
    }
}

async fn token(config: &Config) -> Result<Secret, CallError> {
    let now = now_ms();
    if let Some(t) = TOKEN.with(|c| c.borrow().fresh(now).cloned()) {
        return Ok(t);
    }
    let resp = perform(&crisscross::token_request(config))
        .await
        .map_err(CallError::Lost)?;
    let fresh = crisscross::parse_token(&resp, now).map_err(CallError::Provider)?;
    let token = fresh.token.clone();
    TOKEN.with(|c| c.borrow_mut().store(fresh));
    Ok(token)
}

async fn authorized<T>(
    config: &Config,
    build: impl Fn(&Secret) -> Result<HttpRequest, ProviderError>,
    parse: impl Fn(&HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, CallError> {
    let mut refreshed = false;
    loop {
        let token = token(config).await?;
        let req = build(&token).map_err(CallError::Provider)?;
        let resp = perform(&req).await.map_err(CallError::Lost)?;
        match parse(&resp) {
            Err(ProviderError::Unauthorized) if !refreshed => {
                refreshed = true;
                TOKEN.with(|c| c.borrow_mut().clear());
            }
            other => return other.map_err(CallError::Provider),
        }
    }
}

/// Creates a session and asks which operators it offers.
pub async fn open_session(
    config: &Config,
    input: &SessionInput<'_>,
) -> Result<(String, Vec<Operator>), CallError> {
    let session = authorized(
        config,
        |t| Ok(crisscross::session_request(config, t, input)),
        crisscross::parse_session,
    )
    .await?;
    let operators = authorized(
        config,
        |t| Ok(crisscross::available_methods_request(config, t, &session)),
        crisscross::parse_available_methods,
    )
    .await?;
    Ok((session, operators))
}

/// Starts (or, with the same key, replays) a mobile-money payment.
pub async fn start_payment(
    config: &Config,
    session: &str,
    operator: Operator,
    e164: &str,
    idempotency_key: &str,
) -> Result<ProviderPayment, CallError> {
    authorized(
        config,
        |t| crisscross::payment_request(config, t, session, operator, e164, idempotency_key),
        crisscross::parse_payment,
    )
    .await
}

/// Reads a transaction's current state.
pub async fn payment_status(
    config: &Config,
    transaction_id: &str,
) -> Result<ProviderPayment, CallError> {
    authorized(
        config,
        |t| Ok(crisscross::status_request(config, t, transaction_id)),
        crisscross::parse_payment,
    )
    .await
}
