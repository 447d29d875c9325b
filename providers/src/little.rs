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

mod js_json;
mod wire;

use base64::Engine;
use lipa_api::{Country, Currency, FailureReason, NextAction, Operator, PaymentStatus};
use std::future::Future;

use crate::amount::major_units;
use crate::error::ProviderError;
use crate::http::{find_header, HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::signature::SignatureError;
use crate::ProviderPayment;

pub use js_json::restringify;
pub use wire::Callback;

/// The callback's base64 signature header.
pub const SIGNATURE_HEADER: &str = "X-LittlePay-Signature";
/// The callback's Unix-seconds timestamp header.
pub const TIMESTAMP_HEADER: &str = "X-LittlePay-Timestamp";
/// Default tolerance between the callback's timestamp and now.
pub const DEFAULT_TOLERANCE_S: i64 = 300;

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

/// Reads the process answer: pending, a step-up page, or already final.
pub fn parse_process(
    response: &HttpResponse,
    intent_id: &str,
) -> Result<ProviderPayment, ProviderError> {
    let r: wire::ProcessResponse = crate::error::decode_json(response, message_of)?;
    let status = match (r.data.status, r.data.meta.step_up_url) {
        (wire::Status::Pending, Some(url))
            if url.starts_with("https://") || url.starts_with("http://") =>
        {
            PaymentStatus::ActionRequired {
                action: NextAction::Redirect { url },
            }
        }
        (wire::Status::Pending, _) => PaymentStatus::Pending,
        (wire::Status::Completed, _) => PaymentStatus::Succeeded,
        (wire::Status::Failed, _) => PaymentStatus::Failed {
            reason: reason_from_message(&r.data.message),
            retryable: true,
        },
    };
    Ok(ProviderPayment {
        provider_ref: intent_id.to_string(),
        status,
        can_poll: false,
        echo: Default::default(),
        unknown_status: None,
    })
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

/// Reads a status: the payment's status, refined by its latest attempt.
pub fn parse_status(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    let r: wire::StatusResponse = crate::error::decode_json(response, message_of)?;
    let latest = r
        .data
        .attempts
        .last()
        .map(|a| a.status)
        .unwrap_or(r.data.status);
    let status = match (r.data.status, latest) {
        (wire::Status::Completed, _) | (_, wire::Status::Completed) => PaymentStatus::Succeeded,
        (wire::Status::Failed, _) | (wire::Status::Pending, wire::Status::Failed) => {
            PaymentStatus::Failed {
                reason: FailureReason::Declined,
                retryable: true,
            }
        }
        (wire::Status::Pending, wire::Status::Pending) => PaymentStatus::Pending,
    };
    Ok(ProviderPayment {
        provider_ref: r.data.reference,
        status,
        can_poll: false,
        echo: Default::default(),
        unknown_status: None,
    })
}

/// What an RSA-SHA256 (PKCS#1 v1.5) verifier is given: the public key as SubjectPublicKeyInfo
/// DER, the exact signed bytes and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaCheck {
    /// Little's public key, DER.
    pub public_key_der: Vec<u8>,
    /// `timestamp + "." + JSON.stringify(body)`.
    pub message: Vec<u8>,
    /// The decoded `X-LittlePay-Signature`.
    pub signature: Vec<u8>,
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
    if (now_s - ts).abs() > config.tolerance_s {
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
    serde_json::from_str(text).map_err(|e| ProviderError::Decode(e.to_string()))
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
    /// The payment the callback reports.
    pub fn payment(&self) -> ProviderPayment {
        let status = match self.status {
            wire::Status::Completed => PaymentStatus::Succeeded,
            wire::Status::Failed => PaymentStatus::Failed {
                reason: FailureReason::Declined,
                retryable: true,
            },
            wire::Status::Pending => PaymentStatus::Pending,
        };
        ProviderPayment {
            provider_ref: self.reference.clone(),
            status,
            can_poll: false,
            echo: Default::default(),
            unknown_status: None,
        }
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
