//! Xtopay Direct Receive Money (`shared/providers/xtopay.seed.txt`, NOTES.md).
//!
//! Flow: `POST /v1/payments/receive` (Basic `clientId:clientSecret`, amount in minor units,
//! `metadata.clientReference` = Lipa's payment id, stored before the call) → response code
//! `0001` (pending) → a coded callback, signed `x-xtopay-signature: sha256=<hex HMAC-SHA256 of
//! the raw body>` and deduplicated on `x-xtopay-event-id` → or, when no callback came within
//! five minutes, the mandatory `GET /v1/payments/:reference` (`Paid` / `Unpaid`).
//!
//! Choices where the guide is silent: the phone is sent in international form without `+`;
//! a status check's `Unpaid` is "not paid yet" (a failure is only known from a callback's
//! `2001`, so polling goes on until the payment's window ends). Statuses are matched
//! case-insensitively; a status or response code Lipa does not know is *pending* with
//! [`ProviderPayment::unknown_status`] set, never failed. `clientReference` has no documented
//! length (the guide's sample has 13 characters); Lipa's payment ids are 36 (`pay_` + 32,
//! carrying their checkout's id so that a callback finds its checkout without the index).
//!
//! A receive answer is never success: the guide's receive always answers `PROCESSING`, and
//! money has moved only once a callback (`0000`) or a status check (`Paid`) says so. The best
//! a receive answer gives is pending; its explicit refusals (`2001`, `4103`, and the
//! merchant's `4000` / `4070` / `4101`) are failures or [`ProviderError::Rejected`].
//!
//! Guide doubts:
//! - *Unknown reference.* The guide does not say what the status check answers for a
//!   client reference it does not know. Lipa reads as "not known" ([`parse_status_known`] →
//!   `Ok(None)`) a 404, or a 2xx without `data`, whose body is Xtopay's
//!   `{responseCode, message}` with a message saying "not found"; anything else stays an
//!   error. The sandbox can answer either way (404 by default, or a 200 with code `4000`).
//! - *Resending.* The guide does not say whether a receive is idempotent on
//!   `clientReference`. Lipa resends a receive, with the same reference, only after the status
//!   check said it does not know the reference; the sandbox replays the first answer for a
//!   reference it knows (one charge) and refuses the reference with other parameters (`4000`).
//! - *Echo.* The receive answer's `data.reference` is taken for the client reference (the
//!   guide's sample echoes `metadata.clientReference` there), with `data.amount` (minor units)
//!   and `data.currency`; the status check carries `clientReference`, `amount`,
//!   `currencyCode`; a callback carries `ClientReference` and `Amount` (no currency).

pub mod flow;
mod wire;

use lipa_api::{Currency, FailureReason, Operator, PaymentStatus};

use crate::error::ProviderError;
use crate::http::{find_header, HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::signature::verify_hmac_sha256_hex;
use crate::{Echo, ProviderPayment};

pub use wire::Callback;

/// The callback's signature header.
pub const SIGNATURE_HEADER: &str = "x-xtopay-signature";
/// The callback's event-id header, to dedupe on.
pub const EVENT_ID_HEADER: &str = "x-xtopay-event-id";
/// The guide's rule: without a callback, check the status this long after initiation.
pub const STATUS_CHECK_AFTER_MS: i64 = 5 * 60 * 1000;

/// A merchant account at Xtopay.
#[derive(Debug, Clone)]
pub struct Config {
    /// e.g. `https://api.xtopay.co` (no trailing slash).
    pub base_url: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret,
    /// The webhook endpoint's signing secret.
    pub webhook_secret: Secret,
}

/// Xtopay's response codes, each with what it means for the payment and who must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseCode {
    /// `0000`: processed successfully.
    Success,
    /// `0001`: accepted, a callback follows.
    Pending,
    /// `2001`: the debit failed (PIN, timeout, funds, limits): the customer can act.
    DebitFailed,
    /// `4000`: validation error: Lipa sent something wrong.
    Validation,
    /// `4070`: declined by the gateway (fees not set, below minimum): the merchant must act.
    GatewayDeclined,
    /// `4101`: key mismatch or direct-receive scope disabled: the merchant must fix its keys.
    KeysOrScope,
    /// `4103`: the customer's account may not transact on this channel.
    CustomerNotAllowed,
    /// A code the guide does not list.
    Unknown,
}

impl From<&str> for ResponseCode {
    /// Reads the four-digit code; one Lipa does not know is [`ResponseCode::Unknown`] (keep
    /// polling).
    fn from(code: &str) -> ResponseCode {
        match code.trim() {
            "0000" => ResponseCode::Success,
            "0001" => ResponseCode::Pending,
            "2001" => ResponseCode::DebitFailed,
            "4000" => ResponseCode::Validation,
            "4070" => ResponseCode::GatewayDeclined,
            "4101" => ResponseCode::KeysOrScope,
            "4103" => ResponseCode::CustomerNotAllowed,
            _ => ResponseCode::Unknown,
        }
    }
}

impl ResponseCode {
    /// What the merchant should do, for the codes that are the merchant's to fix.
    pub fn merchant_action(self) -> Option<&'static str> {
        match self {
            ResponseCode::Validation => Some("Xtopay refused the request's format (4000): check amounts and phone prefixes."),
            ResponseCode::GatewayDeclined => Some("Xtopay's gateway declined (4070): gateway fees are not set or the amount is below the minimum; contact your Xtopay relationship manager."),
            ResponseCode::KeysOrScope => Some("Xtopay refused the keys (4101): the public/private keys do not match or the mobilemoney-receive-direct scope is not enabled."),
            ResponseCode::Success
            | ResponseCode::Pending
            | ResponseCode::DebitFailed
            | ResponseCode::CustomerNotAllowed
            | ResponseCode::Unknown => None,
        }
    }
}

/// Xtopay's channel code for an operator.
pub fn channel(operator: Operator) -> Option<&'static str> {
    match operator {
        Operator::MtnMomo => Some("MTN"),
        Operator::TelecelCash => Some("TELECEL"),
        Operator::AtMoney => Some("AIRTELTIGO"),
        Operator::Mpesa => Some("MPESA"),
        Operator::AirtelMoney | Operator::OrangeMoney | Operator::MoovMoney | Operator::Wave => {
            None
        }
    }
}

/// Whether Xtopay takes `operator` in `country` (the guide's channel table).
pub fn supports(country: lipa_api::Country, operator: Operator) -> bool {
    use lipa_api::Country;
    match (country, operator) {
        (Country::GH, Operator::MtnMomo | Operator::TelecelCash | Operator::AtMoney)
        | (Country::UG | Country::CI, Operator::MtnMomo)
        | (Country::KE, Operator::Mpesa) => true,
        (Country::KE | Country::UG | Country::GH | Country::CI | Country::RW | Country::LR, _) => {
            false
        }
    }
}

/// A receive-money request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receive<'a> {
    /// Minor units (integers only).
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// E.164 with the plus.
    pub e164: &'a str,
    /// The operator.
    pub operator: Operator,
    /// Shown on the customer's phone.
    pub description: &'a str,
    /// Lipa's payment id.
    pub client_reference: &'a str,
}

fn basic(config: &Config) -> (String, String) {
    let raw = format!("{}:{}", config.client_id, config.client_secret.expose());
    (
        "Authorization".into(),
        format!("Basic {}", base64_encode(raw.as_bytes())),
    )
}

/// `POST /v1/payments/receive`.
pub fn receive_request(config: &Config, r: &Receive) -> Result<HttpRequest, ProviderError> {
    let provider = channel(r.operator).ok_or_else(|| {
        ProviderError::Unsupported(format!("Xtopay has no channel for {}", r.operator.name()))
    })?;
    let body = wire::ReceiveRequest {
        amount: r.amount,
        currency: r.currency.code(),
        phone: r.e164.trim_start_matches('+'),
        provider,
        description: if r.description.is_empty() {
            "Payment"
        } else {
            r.description
        },
        metadata: wire::Metadata {
            client_reference: r.client_reference,
        },
    };
    Ok(HttpRequest {
        method: Method::Post,
        url: format!("{}/v1/payments/receive", config.base_url),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            basic(config),
        ],
        body: serde_json::to_string(&body).ok(),
    })
}

/// Reads the receive answer. Never success: `0001` and `0000` are pending (the customer has
/// not approved yet; a callback or a status check says `Paid`), a code Lipa does not know on
/// a 2xx is pending with [`ProviderPayment::unknown_status`]; `2001` and `4103` are failures,
/// the merchant's `4000` / `4070` / `4101` are [`ProviderError::Rejected`]. A 2xx that is not
/// Xtopay's JSON is [`ProviderError::Decode`]: the outcome is unknown.
pub fn parse_receive(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    let Ok(r) = serde_json::from_str::<wire::ReceiveResponse>(&response.body) else {
        return Err(classify(response, None));
    };
    let code = ResponseCode::from(r.response_code.as_str());
    if let Some(action) = code.merchant_action() {
        return Err(ProviderError::Rejected {
            status: response.status,
            message: action.to_string(),
        });
    }
    let (status, unknown_status) = match code {
        ResponseCode::Success | ResponseCode::Pending => (PaymentStatus::Pending, None),
        ResponseCode::DebitFailed => (
            PaymentStatus::Failed {
                reason: reason_from_description(&r.message),
                retryable: true,
            },
            None,
        ),
        ResponseCode::CustomerNotAllowed => (
            PaymentStatus::Failed {
                reason: FailureReason::NotRegistered,
                retryable: true,
            },
            None,
        ),
        ResponseCode::Unknown if (200..300).contains(&response.status) => {
            (PaymentStatus::Pending, Some(r.response_code.clone()))
        }
        ResponseCode::Unknown
        | ResponseCode::Validation
        | ResponseCode::GatewayDeclined
        | ResponseCode::KeysOrScope => return Err(classify(response, Some(r.message))),
    };
    let (provider_ref, echo) = match r.data {
        Some(d) => (
            d.id,
            Echo {
                reference: d.reference,
                amount: d.amount,
                currency: currency(d.currency.as_deref())?,
            },
        ),
        None => (String::new(), Echo::default()),
    };
    Ok(ProviderPayment {
        provider_ref,
        status,
        can_poll: false,
        echo,
        unknown_status,
    })
}

/// The error for an answer that is not a payment: a 2xx is [`ProviderError::Decode`]; any
/// other status is classified by it, with Xtopay's `message` when there is one.
fn classify(response: &HttpResponse, message: Option<String>) -> ProviderError {
    if (200..300).contains(&response.status) {
        return ProviderError::Decode(format!(
            "not an Xtopay answer: {}",
            response.body.chars().take(200).collect::<String>()
        ));
    }
    crate::error::decode_json::<serde_json::Value>(response, |_| message.clone())
        .err()
        .unwrap_or_else(|| ProviderError::Decode("not an Xtopay answer".into()))
}

/// A currency code as Xtopay writes it (case-insensitive); one Lipa does not know is
/// [`ProviderError::Decode`], never left out of an echo.
fn currency(code: Option<&str>) -> Result<Option<Currency>, ProviderError> {
    code.map(|c| {
        Currency::from_code(&c.trim().to_ascii_uppercase())
            .ok_or_else(|| ProviderError::Decode(format!("currency {c}")))
    })
    .transpose()
}

/// `GET /v1/payments/:reference` with Lipa's client reference.
pub fn status_request(config: &Config, client_reference: &str) -> HttpRequest {
    let reference: String = client_reference
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    HttpRequest {
        method: Method::Get,
        url: format!("{}/v1/payments/{reference}", config.base_url),
        headers: vec![basic(config)],
        body: None,
    }
}

/// Reads a status check: `Paid` is success, `Unpaid` still pending, a status Lipa does not
/// know pending with [`ProviderPayment::unknown_status`]. `Ok(None)` when Xtopay does not
/// know the client reference (see "Guide doubts"): the receive never arrived and may be sent
/// again with the same reference. A 2xx that cannot be read is [`ProviderError::Decode`].
pub fn parse_status_known(
    response: &HttpResponse,
) -> Result<Option<ProviderPayment>, ProviderError> {
    if is_not_found(response) {
        return Ok(None);
    }
    let r: wire::StatusResponse = crate::error::decode_json(response, |body| {
        serde_json::from_str::<wire::StatusResponse>(body)
            .ok()
            .map(|r| r.message)
    })?;
    let d = r.data.ok_or_else(|| {
        ProviderError::Decode(format!("status check without data: {}", r.message))
    })?;
    let (status, unknown_status) = match d.status.trim().to_ascii_lowercase().as_str() {
        "paid" => (PaymentStatus::Succeeded, None),
        "unpaid" => (PaymentStatus::Pending, None),
        _ => (PaymentStatus::Pending, Some(d.status.clone())),
    };
    Ok(Some(ProviderPayment {
        provider_ref: d.transaction_id,
        status,
        can_poll: false,
        echo: Echo {
            reference: d.client_reference,
            amount: d.amount,
            currency: currency(d.currency_code.as_deref())?,
        },
        unknown_status,
    }))
}

/// [`parse_status_known`] for callers that need a payment: an unknown reference is
/// [`ProviderError::Rejected`] when Xtopay answered 404, [`ProviderError::Decode`] (keep
/// asking) when it answered a 2xx.
pub fn parse_status(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    parse_status_known(response)?.ok_or_else(|| {
        let message = "Xtopay does not know this clientReference".to_string();
        if response.status == 404 {
            ProviderError::Rejected {
                status: 404,
                message,
            }
        } else {
            ProviderError::Decode(message)
        }
    })
}

/// The status check's not-found answer: a 404 or a 2xx, in Xtopay's shape, without `data`,
/// saying "not found".
fn is_not_found(response: &HttpResponse) -> bool {
    (response.status == 404 || (200..300).contains(&response.status))
        && serde_json::from_str::<wire::StatusResponse>(&response.body).is_ok_and(|r| {
            r.data.is_none()
                && r.response_code.is_some()
                && r.message.to_ascii_lowercase().contains("not found")
        })
}

/// A verified callback, with the key to dedupe it on.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedCallback {
    /// `x-xtopay-event-id`, or the transaction and code when the header is absent.
    pub event_id: String,
    /// The callback.
    pub callback: Callback,
}

impl VerifiedCallback {
    /// The payment the callback reports, with its echo (`ClientReference`, `Amount`; a
    /// callback carries no currency). A code Lipa does not know is pending with
    /// [`ProviderPayment::unknown_status`].
    pub fn payment(&self) -> ProviderPayment {
        let c = &self.callback;
        let code = ResponseCode::from(c.response_code.as_str());
        let status = match code {
            ResponseCode::Success => PaymentStatus::Succeeded,
            ResponseCode::DebitFailed => PaymentStatus::Failed {
                reason: reason_from_description(&c.data.description),
                retryable: true,
            },
            ResponseCode::CustomerNotAllowed => PaymentStatus::Failed {
                reason: FailureReason::NotRegistered,
                retryable: true,
            },
            ResponseCode::Pending | ResponseCode::Unknown => PaymentStatus::Pending,
            ResponseCode::Validation
            | ResponseCode::GatewayDeclined
            | ResponseCode::KeysOrScope => PaymentStatus::Failed {
                reason: FailureReason::ProviderError,
                retryable: false,
            },
        };
        ProviderPayment {
            provider_ref: c.data.transaction_id.clone(),
            status,
            can_poll: false,
            echo: Echo {
                reference: Some(c.data.client_reference.clone()),
                amount: Some(c.data.amount),
                currency: None,
            },
            unknown_status: (code == ResponseCode::Unknown).then(|| c.response_code.clone()),
        }
    }
}

/// Verifies `x-xtopay-signature: sha256=<hex>` over the raw body, then parses.
pub fn verify_callback(
    config: &Config,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<VerifiedCallback, ProviderError> {
    let signature = find_header(headers, SIGNATURE_HEADER)
        .map(|v| v.trim().strip_prefix("sha256=").unwrap_or("not-hex"));
    verify_hmac_sha256_hex(&config.webhook_secret, body, signature)
        .map_err(ProviderError::Signature)?;
    let callback: Callback =
        serde_json::from_slice(body).map_err(|e| ProviderError::Decode(e.to_string()))?;
    let event_id = find_header(headers, EVENT_ID_HEADER)
        .map(|v| format!("xt:{v}"))
        .unwrap_or_else(|| {
            format!(
                "xt:{}:{}",
                callback.data.transaction_id, callback.response_code
            )
        });
    Ok(VerifiedCallback { event_id, callback })
}

/// A failure description in plain words, as a typed reason.
pub fn reason_from_description(text: &str) -> FailureReason {
    let t = text.to_ascii_lowercase();
    if t.contains("pin") {
        FailureReason::WrongPin
    } else if t.contains("insufficient")
        || t.contains("funds")
        || t.contains("balance") && !t.contains("limit")
    {
        FailureReason::InsufficientFunds
    } else if t.contains("timeout") || t.contains("timed out") || t.contains("time out") {
        FailureReason::TimedOut
    } else if t.contains("cancel") || t.contains("rejected") {
        FailureReason::Cancelled
    } else if t.contains("limit") {
        FailureReason::LimitReached
    } else if t.contains("not registered") {
        FailureReason::NotRegistered
    } else {
        FailureReason::Declined
    }
}

fn base64_encode(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
