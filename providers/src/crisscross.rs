//! CrissCross Direct API, mobile money (`shared/providers/crisscross.seed.txt`, NOTES.md).
//!
//! Flow: token → `POST /v1/checkout/session` → `GET /v1/payment/available-methods` →
//! `POST /v1/payment` → webhook and/or `GET /v1/payment/{transactionId}`.
//!
//! Choices where the guide is silent (its examples are not published in text):
//! - JSON field names are camelCase as in the guide's prose (`sessionId`, `transactionId`,
//!   `payerMobileNumber`, `authState`); the token answer is `{accessToken, expiresIn}`.
//! - `merchantReference` must be alphanumeric, so Lipa sends its checkout id without `_`.
//! - Webhooks: HMAC-SHA256 of the raw body, hex, in a header whose name is configuration
//!   ([`DEFAULT_SIGNATURE_HEADER`] by default). A webhook is only a hint: the edge confirms
//!   with [`status_request`] before recording anything.
//! - Auth-failure codes are open-ended strings; unknown ones become
//!   [`FailureReason::Declined`].
//! - A transaction `status` Lipa does not know is *pending*, with the raw value in
//!   [`ProviderPayment::unknown_status`]: never failed, never a decode error. An `authState`
//!   `type` Lipa does not know only counts where the status is a failure (a decline).
//! - Every answer about a transaction carries its echo: the session's `merchantReference`
//!   (Lipa's checkout id as [`merchant_reference`] writes it), `amount` in minor units and
//!   `currency`. A currency code Lipa does not know is a decode error: such an answer cannot
//!   be about a Lipa payment, and the edge keeps asking.
//!
//! Guide doubts (what the guide leaves open, and what Lipa does):
//! - Status case: the guide's prose writes `pending`, its JSON `PENDING`. Every status,
//!   `authState.type` and auth-failure code is read case-insensitively. The sandbox answers in
//!   lowercase for numbers ending 33.
//! - Matching webhooks: "by `payload.transactionId` (preferred) or
//!   `payload.merchantReference`". [`WebhookEvent`] exposes both. A session can carry several
//!   transactions in turn (a retry after a failure), so `merchantReference` names the
//!   checkout, not one transaction: the edge must still confirm with a status read.
//! - Dedupe: "by `eventId`". It is inside the signed body, so the dedupe key cannot be forged
//!   without the webhook secret (unlike a header beside the body).
//! - Session lifetime: the guide names `expiresAt` in no example; NOTES says timestamps are
//!   ISO-8601 UTC. [`parse_opened_session`] reads it when present and readable, and the
//!   edge otherwise counts [`SESSION_LIFETIME_S`] from the request.

pub mod flow;
mod iso8601;
mod wire;

use lipa_api::{Currency, FailureReason, Operator, PaymentStatus};

use crate::error::ProviderError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::signature::verify_hmac_sha256_hex;
use crate::token::AccessToken;
use crate::{Echo, ProviderPayment};

pub use wire::WebhookEvent;

/// The webhook signature header used when configuration names none.
pub const DEFAULT_SIGNATURE_HEADER: &str = "X-CrissCross-Signature";

/// How long a CrissCross session lives, in seconds.
pub const SESSION_LIFETIME_S: u32 = 3600;

/// A merchant account at CrissCross.
#[derive(Debug, Clone)]
pub struct Config {
    /// API base, e.g. `https://api.crisscross.money` (no trailing slash, no `/v1`).
    pub base_url: String,
    /// The merchant id.
    pub merchant_id: String,
    /// The API client secret.
    pub client_secret: Secret,
    /// The webhook endpoint's signing secret.
    pub webhook_secret: Secret,
    /// The header carrying the webhook signature.
    pub signature_header: String,
}

/// What a session is created for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput<'a> {
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Lipa's checkout id (made alphanumeric on the wire).
    pub reference: &'a str,
    /// ISO 3166-1 alpha-3 of the payer.
    pub location: &'a str,
}

/// `POST /v1/auth/oauth2/token`.
pub fn token_request(config: &Config) -> HttpRequest {
    let body = wire::TokenRequest {
        merchant_id: &config.merchant_id,
        client_secret: config.client_secret.expose(),
    };
    post(config, "/v1/auth/oauth2/token", None, &body, None)
}

/// Reads the token answer; `now_ms` dates its expiry.
pub fn parse_token(response: &HttpResponse, now_ms: i64) -> Result<AccessToken, ProviderError> {
    let t: wire::TokenResponse = decode(response)?;
    Ok(AccessToken {
        token: Secret::new(t.access_token),
        expires_at_ms: now_ms.saturating_add(t.expires_in.saturating_mul(1000)),
    })
}

/// The session's `merchantReference` for Lipa's checkout id: CrissCross wants it
/// alphanumeric, so `co_abc123` is sent (and echoed back) as `coabc123`. The edge compares
/// [`Echo::reference`] with this.
pub fn merchant_reference(checkout_id: &str) -> String {
    checkout_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// `POST /v1/checkout/session`.
pub fn session_request(config: &Config, token: &Secret, input: &SessionInput) -> HttpRequest {
    let reference = merchant_reference(input.reference);
    let body = wire::SessionRequest {
        amount: input.amount,
        currency: input.currency.code(),
        merchant_reference: &reference,
        merchant_id: &config.merchant_id,
        payer_details: wire::PayerDetails {
            location: input.location,
        },
        integration_type: "direct",
        lifetime: SESSION_LIFETIME_S,
    };
    post(config, "/v1/checkout/session", Some(token), &body, None)
}

/// Reads the session id.
pub fn parse_session(response: &HttpResponse) -> Result<String, ProviderError> {
    parse_opened_session(response).map(|s| s.id)
}

/// A session CrissCross opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// `sessionId`.
    pub id: String,
    /// `expiresAt` in Unix milliseconds; `None` when the answer has none or it is not
    /// ISO-8601 (count [`SESSION_LIFETIME_S`] from the request instead).
    pub expires_at_ms: Option<i64>,
}

/// Reads the session answer: its id and when it expires.
pub fn parse_opened_session(response: &HttpResponse) -> Result<Session, ProviderError> {
    let s: wire::SessionResponse = decode(response)?;
    Ok(Session {
        expires_at_ms: s.expires_at.as_deref().and_then(iso8601::unix_ms),
        id: s.session_id,
    })
}

/// `GET /v1/payment/available-methods?sessionId=…`.
pub fn available_methods_request(config: &Config, token: &Secret, session_id: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/v1/payment/available-methods?sessionId={}",
            config.base_url,
            query_escape(session_id)
        ),
        headers: vec![auth_header(token)],
        body: None,
    }
}

/// The operators the session offers (mobile money only; options Lipa does not know are
/// left out).
pub fn parse_available_methods(response: &HttpResponse) -> Result<Vec<Operator>, ProviderError> {
    let m: wire::AvailableMethods = decode(response)?;
    Ok(m.payment_methods
        .into_iter()
        .filter(|pm| pm.kind == "mobilemoney")
        .flat_map(|pm| pm.provider.options)
        .filter_map(|o| operator_from_code(&o.code))
        .collect())
}

/// `POST /v1/payment` for a mobile-money payment, carrying the stored `idempotency_key`.
pub fn payment_request(
    config: &Config,
    token: &Secret,
    session_id: &str,
    operator: Operator,
    e164: &str,
    idempotency_key: &str,
) -> Result<HttpRequest, ProviderError> {
    let provider = operator_code(operator).ok_or_else(|| {
        ProviderError::Unsupported(format!("CrissCross does not offer {}", operator.name()))
    })?;
    let body = wire::PaymentRequest {
        kind: "mobilemoney",
        session_id,
        payment_details: wire::PaymentDetails {
            provider,
            payer_mobile_number: e164,
        },
    };
    Ok(post(
        config,
        "/v1/payment",
        Some(token),
        &body,
        Some(idempotency_key),
    ))
}

/// Reads a transaction (the answer to the payment or to a status read). A 2xx that is not a
/// transaction is [`ProviderError::Decode`]: the outcome is unknown, keep asking.
pub fn parse_payment(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    normalize(decode::<wire::Transaction>(response)?)
}

/// `GET /v1/payment/{transactionId}`.
pub fn status_request(config: &Config, token: &Secret, transaction_id: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/v1/payment/{}",
            config.base_url,
            query_escape(transaction_id)
        ),
        headers: vec![auth_header(token)],
        body: None,
    }
}

/// A refund as CrissCross reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// CrissCross's refund id.
    pub refund_id: String,
    /// `None` while pending; `Some(Ok)` completed; `Some(Err(message))` failed.
    pub outcome: Option<Result<(), String>>,
}

/// `POST /v1/payment/refunds` for (part of) a completed transaction, minor units, with the
/// refund's stored reference as `Idempotency-Key` (the guide names the endpoint only; the
/// body follows the payment's conventions: camelCase, minor units).
pub fn refund_request(
    config: &Config,
    token: &Secret,
    transaction_id: &str,
    amount: i64,
    reason: &str,
    idempotency_key: &str,
) -> HttpRequest {
    let body = wire::RefundRequest {
        transaction_id,
        amount,
        reason,
    };
    post(
        config,
        "/v1/payment/refunds",
        Some(token),
        &body,
        Some(idempotency_key),
    )
}

/// `GET /v1/payment/refunds/{refundId}`.
pub fn refund_status_request(config: &Config, token: &Secret, refund_id: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/v1/payment/refunds/{}",
            config.base_url,
            query_escape(refund_id)
        ),
        headers: vec![auth_header(token)],
        body: None,
    }
}

/// Reads a refund (the answer to the request or to a status read).
pub fn parse_refund(response: &HttpResponse) -> Result<Refund, ProviderError> {
    let r: wire::RefundResponse = decode(response)?;
    Ok(Refund {
        // Lipa's own words by status: CrissCross's `message` is its text, never shown.
        outcome: match r.status.trim().to_ascii_lowercase().as_str() {
            "completed" | "succeeded" => Some(Ok(())),
            status @ ("failed" | "rejected" | "cancelled") => {
                Some(Err(format!("CrissCross reports the refund {status}")))
            }
            _ => None,
        },
        refund_id: r.refund_id,
    })
}

/// Verifies a webhook's signature over the raw body, then parses it. Nothing is parsed
/// before the signature verifies, so `eventId` (the dedupe key) is signed content.
pub fn verify_webhook(
    config: &Config,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<WebhookEvent, ProviderError> {
    let signature = crate::http::find_header(headers, &config.signature_header);
    verify_hmac_sha256_hex(&config.webhook_secret, body, signature)
        .map_err(ProviderError::Signature)?;
    let mut event: WebhookEvent =
        serde_json::from_slice(body).map_err(|e| ProviderError::Decode(e.to_string()))?;
    event.payment = serde_json::from_slice::<wire::Transaction>(body)
        .ok()
        .and_then(|t| normalize(t).ok());
    Ok(event)
}

/// CrissCross's code for an operator, or `None` where CrissCross does not offer it.
pub fn operator_code(operator: Operator) -> Option<&'static str> {
    match operator {
        Operator::Mpesa => Some("mpesa"),
        Operator::AirtelMoney => Some("airtel"),
        Operator::MtnMomo => Some("mtn"),
        Operator::OrangeMoney => Some("orange"),
        Operator::MoovMoney => Some("moov"),
        Operator::Wave => Some("wave"),
        Operator::TelecelCash | Operator::AtMoney => None,
    }
}

fn operator_from_code(code: &str) -> Option<Operator> {
    Operator::ALL
        .into_iter()
        .find(|op| operator_code(*op) == Some(code))
}

fn normalize(t: wire::Transaction) -> Result<ProviderPayment, ProviderError> {
    let echo = Echo {
        currency: present(t.currency.as_deref()).map(currency).transpose()?,
        reference: present(t.merchant_reference.as_deref()).map(str::to_string),
        amount: t.amount,
    };
    let known = wire::TxStatus::try_from(t.status.as_str()).ok();
    let (status, can_poll) = known.map_or((PaymentStatus::Pending, false), |known| {
        status_of(known, t.auth_state.as_ref())
    });
    Ok(ProviderPayment {
        provider_ref: t.transaction_id,
        status,
        can_poll,
        echo,
        unknown_status: known.is_none().then_some(t.status),
    })
}

/// A known status, refined by `authState`: the state and whether polling may still change a
/// system error.
fn status_of(status: wire::TxStatus, auth: Option<&wire::AuthState>) -> (PaymentStatus, bool) {
    use wire::TxStatus::*;
    let failed = |reason, retryable| (PaymentStatus::Failed { reason, retryable }, false);
    let is = |kind| auth.is_some_and(|a| a.is(kind));
    match status {
        Completed | Settled => (PaymentStatus::Succeeded, false),
        Expired => (PaymentStatus::Expired, false),
        Cancelled => failed(FailureReason::Cancelled, true),
        _ if is("error") && auth.is_some_and(|a| a.can_poll) => (PaymentStatus::Pending, true),
        Pending => (PaymentStatus::Pending, false),
        Failed | Errored if is("auth_failure") => failed(
            wire::failure_reason(auth.and_then(|a| a.code.as_deref())),
            true,
        ),
        Failed | Errored if is("error") => failed(
            FailureReason::ProviderError,
            auth.is_some_and(|a| a.can_retry),
        ),
        Failed | Errored => failed(FailureReason::Declined, true),
    }
}

/// A text field an answer really carries: an empty one is treated as absent.
fn present(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.trim().is_empty())
}

/// A currency code in an answer; one Lipa does not know cannot belong to a Lipa payment.
fn currency(code: &str) -> Result<Currency, ProviderError> {
    Currency::from_code(&code.trim().to_ascii_uppercase())
        .ok_or_else(|| ProviderError::Decode(format!("currency {code} is not one Lipa uses")))
}

fn post<T: serde::Serialize>(
    config: &Config,
    path: &str,
    token: Option<&Secret>,
    body: &T,
    idempotency_key: Option<&str>,
) -> HttpRequest {
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if let Some(token) = token {
        headers.push(auth_header(token));
    }
    if let Some(key) = idempotency_key {
        headers.push(("Idempotency-Key".to_string(), key.to_string()));
    }
    HttpRequest {
        method: Method::Post,
        url: format!("{}{path}", config.base_url),
        headers,
        // Serializing these plain structs of strings and integers cannot fail.
        body: serde_json::to_string(body).ok(),
    }
}

fn auth_header(token: &Secret) -> (String, String) {
    (
        "Authorization".to_string(),
        format!("Bearer {}", token.expose()),
    )
}

fn query_escape(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

fn decode<T: serde::de::DeserializeOwned>(response: &HttpResponse) -> Result<T, ProviderError> {
    crate::error::decode_json(response, |body| {
        serde_json::from_str::<wire::ErrorResponse>(body)
            .ok()
            .map(|e| e.message)
    })
}

#[cfg(test)]
mod tests;
