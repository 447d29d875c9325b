//! Little Pay mobile money (`shared/providers/little.seed.txt`, NOTES.md).
//!
//! Flow: create a payment intent (`POST /api/payments/{tokenId}/pay`, Basic
//! `clientId:clientSecret`, with `key` = a reference Lipa stores before the call) → process it
//! (`POST /pay/{intentId}/process` with `type` MPESA / AIRTEL / MTN and `payment.mobile`) →
//! a callback signed RSA-SHA256 (PKCS#1 v1.5) over `timestamp + "." + JSON.stringify(payload)`
//! in `X-LittlePay-Signature` (base64) and `X-LittlePay-Timestamp`, or the status
//! `GET /api/payments-v2/{key}` with `X-API-KEY`, long-polled with `longPoll=true`.
//! `meta.stepUpUrl`, when set, is a page the customer must visit (a redirect step).
//!
//! Choices where the guides are silent: "payload" in the signed string is the whole callback
//! body as received (signing only its `payload` field would leave the status unsigned);
//! `amount` is in major units (the guide's examples send 1 for KES 1); processing uses the
//! same Basic credentials as creating the intent; the public key and the timestamp
//! tolerance (300 s by default) are configuration.
//!
//! Reading answers: statuses are read case-insensitively; one Lipa does not know is *pending*
//! with the raw value in [`ProviderPayment::unknown_status`], never failed. The overall
//! `status` decides when it is final; the attempts only refine a `PENDING` one (any attempt
//! `COMPLETED` → succeeded; every attempt `FAILED` → failed; otherwise pending). Every answer
//! carries its echo where it has one: `key` (Lipa's [`key_for`]), `amount` (major units,
//! converted to minor) and `currency`. A currency code Lipa does not know, or a negative
//! amount, is a decode error: such an answer cannot be about a Lipa payment.
//!
//! Guide doubts (what the guide leaves open, and what Lipa does):
//! - Long polling "will keep the connection open until the payment status is updated", with
//!   no bound. Lipa expects an answer within [`LONG_POLL_HOLD_MS`] (30 s) and sets its own
//!   timeout above that; a read that times out is *no news*, never a failure, and the next
//!   poll asks again. The sandbox holds 5 s.
//! - The status answer's `key` is empty in the guide's example and the answer names no
//!   currency. An empty `key` is read as absent (Lipa always sends one, so an empty key cannot
//!   name another payment). Without a currency the amount cannot be read:
//!   [`parse_status_in`] reads it in the payment's currency, [`parse_status`] leaves it out.
//!   The sandbox answers with an empty key for numbers ending 34.
//! - `attempts` has no stated order ("the array will only contain one item if you use the
//!   intentId"). Lipa reads it without relying on order. The sandbox lists attempts newest
//!   first for numbers ending 34, oldest first otherwise.
//! - Whether a `PENDING` overall status with a `COMPLETED` attempt is paid: Lipa reads it as
//!   succeeded (the attempt is the operator's answer; the overall status follows it). A final
//!   overall status always wins over its attempts.
//! - `amount` is in major units: the guide's examples show `1` with `KES`, and KES 0.01 is
//!   no amount an operator takes.

pub mod flow;
mod js_json;
mod wire;

use base64::Engine;
use lipa_api::{Country, Currency, FailureReason, NextAction, Operator, PaymentStatus};
use std::future::Future;

use crate::amount::{major_units, minor_units};
use crate::error::ProviderError;
use crate::http::{find_header, HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::signature::SignatureError;
use crate::{Echo, ProviderPayment};

pub use crate::host::RsaCheck;
pub use js_json::restringify;
pub use wire::Callback;

/// The callback's base64 signature header.
pub const SIGNATURE_HEADER: &str = "X-LittlePay-Signature";
/// The callback's Unix-seconds timestamp header.
pub const TIMESTAMP_HEADER: &str = "X-LittlePay-Timestamp";
/// Default tolerance between the callback's timestamp and now.
pub const DEFAULT_TOLERANCE_S: i64 = 300;
/// The longest Lipa expects Little to hold a long-polled status read (`longPoll=true`)
/// before answering: the edge's timeout for that read must be longer. The guide gives no
/// bound (see the module's guide doubts); a read cut by the timeout means *no news*.
pub const LONG_POLL_HOLD_MS: u64 = 30_000;

/// A merchant account at Little Pay.
#[derive(Debug, Clone)]
pub struct Config {
    /// e.g. `https://pay.little.africa` (no trailing slash).
    pub base_url: String,
    /// The token id in the create-intent path.
    pub token_id: String,
    /// Basic-auth client id.
    pub client_id: String,
    /// Basic-auth client secret.
    pub client_secret: Secret,
    /// The `X-API-KEY` for status reads.
    pub api_key: Secret,
    /// Little's published public key (PEM, SubjectPublicKeyInfo).
    pub public_key_pem: String,
    /// Accepted distance between a callback's timestamp and now, seconds.
    pub tolerance_s: i64,
}

/// Little's `type` for an operator.
pub fn payment_type(operator: Operator) -> Option<&'static str> {
    match operator {
        Operator::Mpesa => Some("MPESA"),
        Operator::AirtelMoney => Some("AIRTEL"),
        Operator::MtnMomo => Some("MTN"),
        Operator::OrangeMoney
        | Operator::MoovMoney
        | Operator::Wave
        | Operator::TelecelCash
        | Operator::AtMoney => None,
    }
}

/// Whether Little takes `operator` in `country`.
pub fn supports(country: Country, operator: Operator) -> bool {
    match (country, operator) {
        (Country::KE, Operator::Mpesa | Operator::AirtelMoney)
        | (Country::UG, Operator::MtnMomo | Operator::AirtelMoney)
        | (Country::GH, Operator::MtnMomo) => true,
        (Country::KE | Country::UG | Country::GH | Country::CI | Country::RW | Country::LR, _) => {
            false
        }
    }
}

/// Little's `key` (8–12 alphanumerics) from Lipa's stored idempotency key: its first 12
/// hex digits.
pub fn key_for(idempotency_key: &str) -> String {
    idempotency_key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect()
}

/// What an intent is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent<'a> {
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Shown to the customer.
    pub description: &'a str,
    /// Where Little posts the callback.
    pub callback_url: &'a str,
    /// Lipa's stored reference ([`key_for`]).
    pub key: &'a str,
}

fn basic(config: &Config) -> (String, String) {
    let raw = format!("{}:{}", config.client_id, config.client_secret.expose());
    (
        "Authorization".into(),
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ),
    )
}

/// `POST /api/payments/{tokenId}/pay`.
pub fn intent_request(config: &Config, intent: &Intent) -> HttpRequest {
    let body = serde_json::json!({
        "amount": major_units(intent.amount, intent.currency),
        "currency": intent.currency.code(),
        "description": intent.description,
        "callbackUrl": intent.callback_url,
        "key": intent.key,
        "expiresAt": 30,
    });
    HttpRequest {
        method: Method::Post,
        url: format!("{}/api/payments/{}/pay", config.base_url, config.token_id),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            basic(config),
        ],
        body: Some(body.to_string()),
    }
}

/// Reads the intent id (`data.reference`).
pub fn parse_intent(response: &HttpResponse) -> Result<String, ProviderError> {
    crate::error::decode_json::<wire::IntentResponse>(response, message_of)
        .map(|r| r.data.reference)
}

/// `POST /pay/{intentId}/process`.
pub fn process_request(
    config: &Config,
    intent_id: &str,
    operator: Operator,
    e164: &str,
) -> Result<HttpRequest, ProviderError> {
    let kind = payment_type(operator).ok_or_else(|| {
        ProviderError::Unsupported(format!("Little Pay does not take {}", operator.name()))
    })?;
    let body =
        serde_json::json!({"type": kind, "payment": {"mobile": e164.trim_start_matches('+')}});
    Ok(HttpRequest {
        method: Method::Post,
        url: format!("{}/pay/{}/process", config.base_url, segment(intent_id)),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            basic(config),
        ],
        body: Some(body.to_string()),
    })
}

/// Reads the process answer: pending, a step-up page, or already final. A 2xx that is not
/// this answer is [`ProviderError::Decode`]: the outcome is unknown, keep asking.
pub fn parse_process(
    response: &HttpResponse,
    intent_id: &str,
) -> Result<ProviderPayment, ProviderError> {
    let r: wire::ProcessResponse = crate::error::decode_json(response, message_of)?;
    let echo = echo(
        None,
        r.data.meta.amount,
        r.data.meta.currency.as_deref(),
        None,
    )?;
    let (status, unknown_status) = match (
        wire::Status::try_from(r.data.status.as_str()).ok(),
        r.data.meta.step_up_url,
    ) {
        (Some(wire::Status::Pending), Some(url))
            if url.starts_with("https://") || url.starts_with("http://") =>
        {
            let action = NextAction::Redirect { url };
            (PaymentStatus::ActionRequired { action }, None)
        }
        (Some(wire::Status::Pending), _) => (PaymentStatus::Pending, None),
        (Some(wire::Status::Completed), _) => (PaymentStatus::Succeeded, None),
        (Some(wire::Status::Failed), _) => (
            PaymentStatus::Failed {
                reason: reason_from_message(&r.data.message),
                retryable: true,
            },
            None,
        ),
        (None, _) => (PaymentStatus::Pending, Some(r.data.status)),
    };
    Ok(normalized(
        intent_id.to_string(),
        status,
        unknown_status,
        echo,
    ))
}

/// `GET /api/payments-v2/{key}`, long-polled (held until a change or Little's timeout).
pub fn status_request(config: &Config, key: &str, long_poll: bool) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!(
            "{}/api/payments-v2/{}{}",
            config.base_url,
            segment(key),
            if long_poll { "?longPoll=true" } else { "" }
        ),
        headers: vec![("X-API-KEY".into(), config.api_key.expose().into())],
        body: None,
    }
}

/// Reads a status: the payment's status, refined by its attempts while it is pending. The
/// guide's status answer names no currency, so its `amount` is left out of the echo unless
/// the answer carries one (see [`parse_status_in`]).
pub fn parse_status(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    read_status(response, None)
}

/// [`parse_status`] for a payment in `currency`: an answer that names no currency (the
/// guide's does not) has its `amount` read in `currency`, so the echo carries it; the echo's
/// currency stays what the answer says.
pub fn parse_status_in(
    response: &HttpResponse,
    currency: Currency,
) -> Result<ProviderPayment, ProviderError> {
    read_status(response, Some(currency))
}

fn read_status(
    response: &HttpResponse,
    payment_currency: Option<Currency>,
) -> Result<ProviderPayment, ProviderError> {
    let r: wire::StatusResponse = crate::error::decode_json(response, message_of)?;
    let d = r.data;
    let echo = echo(
        d.key.as_deref(),
        d.amount,
        d.currency.as_deref(),
        payment_currency,
    )?;
    let (status, unknown_status) = match wire::Status::try_from(d.status.as_str()).ok() {
        Some(wire::Status::Completed) => (PaymentStatus::Succeeded, None),
        Some(wire::Status::Failed) => (declined(), None),
        Some(wire::Status::Pending) => refine(&d.attempts),
        None => (PaymentStatus::Pending, Some(d.status)),
    };
    Ok(normalized(d.reference, status, unknown_status, echo))
}

/// Whether a status answer shows an intent nobody processed: `PENDING` with an empty
/// `attempts` list. Its payment was never sent (the process call never reached Little), so a
/// start whose answer was lost may be sent again. An answer without `attempts` is not read as
/// one.
pub fn never_processed(response: &HttpResponse) -> bool {
    serde_json::from_str::<serde_json::Value>(&response.body).is_ok_and(|v| {
        let status = v.pointer("/data/status").and_then(|s| s.as_str());
        v.pointer("/data/attempts")
            .and_then(|a| a.as_array())
            .is_some_and(|a| a.is_empty())
            && status.and_then(|s| wire::Status::try_from(s).ok()) == Some(wire::Status::Pending)
    })
}

/// A pending payment's status refined by its attempts, read in any order: a completed attempt
/// pays it, and it failed when every attempt failed; otherwise it is pending, with the raw
/// status of an attempt Lipa does not know.
fn refine(attempts: &[wire::Attempt]) -> (PaymentStatus, Option<String>) {
    let statuses: Vec<Option<wire::Status>> = attempts
        .iter()
        .map(|a| wire::Status::try_from(a.status.as_str()).ok())
        .collect();
    if statuses.contains(&Some(wire::Status::Completed)) {
        (PaymentStatus::Succeeded, None)
    } else if !statuses.is_empty() && statuses.iter().all(|s| *s == Some(wire::Status::Failed)) {
        (declined(), None)
    } else {
        let raw = attempts
            .iter()
            .zip(&statuses)
            .find(|(_, status)| status.is_none())
            .map(|(a, _)| a.status.clone());
        (PaymentStatus::Pending, raw)
    }
}

/// A failure Little gives no reason for.
fn declined() -> PaymentStatus {
    PaymentStatus::Failed {
        reason: FailureReason::Declined,
        retryable: true,
    }
}

/// The normalized answer; `unknown_status` is the raw status when Lipa does not know it (the
/// status is then pending).
fn normalized(
    provider_ref: String,
    status: PaymentStatus,
    unknown_status: Option<String>,
    echo: Echo,
) -> ProviderPayment {
    ProviderPayment {
        provider_ref,
        status,
        can_poll: false,
        echo,
        unknown_status,
    }
}

/// A text field an answer really carries: an empty one is absent.
fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// What an answer carries of Lipa's key, the amount (major units, read in the answer's
/// currency, else in `fallback`) and the currency. An empty key or currency is absent.
fn echo(
    key: Option<&str>,
    amount: Option<f64>,
    currency: Option<&str>,
    fallback: Option<Currency>,
) -> Result<Echo, ProviderError> {
    let currency = present(currency)
        .map(|code| {
            Currency::from_code(&code.to_ascii_uppercase()).ok_or_else(|| {
                ProviderError::Decode(format!("currency {code} is not one Lipa uses"))
            })
        })
        .transpose()?;
    let amount = match (amount, currency.or(fallback)) {
        (Some(major), Some(c)) => Some(
            minor_units(major, c)
                .ok_or_else(|| ProviderError::Decode(format!("amount {major}")))?,
        ),
        _ => None,
    };
    Ok(Echo {
        reference: present(key).map(str::to_string),
        amount,
        currency,
    })
}

/// Verifies a callback: timestamp within the tolerance of `now_s`, then the RSA-SHA256
/// signature over `timestamp + "." + JSON.stringify(body)` by `rsa_verify` (the edge hands it
/// to WebCrypto); only then is the body parsed.
pub async fn verify_callback<F, Fut>(
    config: &Config,
    headers: &[(String, String)],
    body: &[u8],
    now_s: i64,
    rsa_verify: F,
) -> Result<Callback, ProviderError>
where
    F: FnOnce(RsaCheck) -> Fut,
    Fut: Future<Output = Result<(), SignatureError>>,
{
    let malformed = |_| ProviderError::Signature(SignatureError::Malformed);
    let sig = find_header(headers, SIGNATURE_HEADER)
        .ok_or(ProviderError::Signature(SignatureError::Missing))?;
    let ts_text = find_header(headers, TIMESTAMP_HEADER)
        .ok_or(ProviderError::Signature(SignatureError::Missing))?
        .trim();
    let ts: i64 = ts_text.parse().map_err(malformed)?;
    // `abs_diff`: a timestamp near i64::MIN must read as stale, not overflow.
    let fresh = u64::try_from(config.tolerance_s).is_ok_and(|tol| now_s.abs_diff(ts) <= tol);
    if !fresh {
        return Err(ProviderError::Signature(SignatureError::Stale));
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(sig.trim())
        .map_err(|_| ProviderError::Signature(SignatureError::Malformed))?;
    let text = std::str::from_utf8(body)
        .map_err(|_| ProviderError::Signature(SignatureError::Malformed))?;
    let canonical =
        restringify(text).map_err(|_| ProviderError::Signature(SignatureError::Malformed))?;
    let public_key_der =
        public_key_der(&config.public_key_pem).map_err(ProviderError::Signature)?;
    rsa_verify(RsaCheck {
        public_key_der,
        message: format!("{ts_text}.{canonical}").into_bytes(),
        signature,
    })
    .await
    .map_err(ProviderError::Signature)?;
    let decode = |e: serde_json::Error| ProviderError::Decode(e.to_string());
    let mut callback: Callback = serde_json::from_str(text).map_err(decode)?;
    let amount: wire::CallbackAmount = serde_json::from_str(text).map_err(decode)?;
    callback.echo = echo(
        Some(&callback.key),
        amount.amount,
        amount.currency.as_deref(),
        None,
    )?;
    Ok(callback)
}

/// The DER inside a `-----BEGIN PUBLIC KEY-----` PEM (SubjectPublicKeyInfo).
pub fn public_key_der(pem: &str) -> Result<Vec<u8>, SignatureError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let start = pem.find(BEGIN).ok_or(SignatureError::BadKey)? + BEGIN.len();
    let len = pem[start..].find(END).ok_or(SignatureError::BadKey)?;
    let base64: String = pem[start..start + len]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| SignatureError::BadKey)
}

impl Callback {
    /// The payment the callback reports, with its echo (key, amount, currency).
    pub fn payment(&self) -> ProviderPayment {
        let (status, unknown_status) = match wire::Status::try_from(self.status.as_str()).ok() {
            Some(wire::Status::Completed) => (PaymentStatus::Succeeded, None),
            Some(wire::Status::Failed) => (declined(), None),
            Some(wire::Status::Pending) => (PaymentStatus::Pending, None),
            None => (PaymentStatus::Pending, Some(self.status.clone())),
        };
        normalized(
            self.reference.clone(),
            status,
            unknown_status,
            self.echo.clone(),
        )
    }
}

/// A failure message in plain words, as a typed reason.
pub fn reason_from_message(text: &str) -> FailureReason {
    let t = text.to_ascii_lowercase();
    if t.contains("pin") {
        FailureReason::WrongPin
    } else if t.contains("insufficient") || t.contains("balance") {
        FailureReason::InsufficientFunds
    } else if t.contains("timeout") || t.contains("timed out") {
        FailureReason::TimedOut
    } else if t.contains("cancel") {
        FailureReason::Cancelled
    } else {
        FailureReason::Declined
    }
}

fn message_of(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
}

fn segment(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

#[cfg(test)]
mod tests;
