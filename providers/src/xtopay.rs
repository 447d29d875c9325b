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
//! `2001`, so polling goes on until the payment's window ends).

mod wire;

use lipa_api::{Currency, FailureReason, Operator, PaymentStatus};

use crate::error::ProviderError;
use crate::http::{find_header, HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::signature::verify_hmac_sha256_hex;
use crate::ProviderPayment;

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

impl ResponseCode {
    /// Parses the four-digit code.
    pub fn parse(code: &str) -> ResponseCode {
        match code {
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

/// Reads the receive answer: the payment as it stands, or the merchant-side refusal.
pub fn parse_receive(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    let Ok(r) = serde_json::from_str::<wire::ReceiveResponse>(&response.body) else {
        // Not Xtopay's JSON at all: classify by the HTTP status.
        return Err(
            crate::error::decode_json::<serde_json::Value>(response, |_| None)
                .err()
                .unwrap_or_else(|| ProviderError::Decode("not a receive response".into())),
        );
    };
    let code = ResponseCode::parse(&r.response_code);
    if let Some(action) = code.merchant_action() {
        return Err(ProviderError::Rejected {
            status: response.status,
            message: action.to_string(),
        });
    }
    let id = r.data.map(|d| d.id).unwrap_or_default();
    let status = match code {
        ResponseCode::Success => PaymentStatus::Succeeded,
        ResponseCode::Pending => PaymentStatus::Pending,
        ResponseCode::DebitFailed => PaymentStatus::Failed {
            reason: reason_from_description(&r.message),
            retryable: true,
        },
        ResponseCode::CustomerNotAllowed => PaymentStatus::Failed {
            reason: FailureReason::NotRegistered,
            retryable: true,
        },
        ResponseCode::Unknown if response.status >= 500 => {
            return Err(ProviderError::Unavailable {
                status: response.status,
            })
        }
        ResponseCode::Unknown
        | ResponseCode::Validation
        | ResponseCode::GatewayDeclined
        | ResponseCode::KeysOrScope => {
            return Err(ProviderError::Rejected {
                status: response.status,
                message: r.message,
            })
        }
    };
    Ok(ProviderPayment {
        provider_ref: id,
        status,
        can_poll: false,
        echo: Default::default(),
        unknown_status: None,
    })
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

/// Reads a status check: `Paid` with `isFulfilled` is success; `Unpaid` is still pending.
pub fn parse_status(response: &HttpResponse) -> Result<ProviderPayment, ProviderError> {
    let r: wire::StatusResponse = crate::error::decode_json(response, |body| {
        serde_json::from_str::<wire::StatusResponse>(body)
            .ok()
            .map(|r| r.message)
    })?;
    let d = r.data;
    let status = match d.status {
        wire::PaidStatus::Paid => PaymentStatus::Succeeded,
        wire::PaidStatus::Unpaid => PaymentStatus::Pending,
    };
    Ok(ProviderPayment {
        provider_ref: d.transaction_id,
        status,
        can_poll: false,
        echo: Default::default(),
        unknown_status: None,
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
    /// The payment the callback reports.
    pub fn payment(&self) -> ProviderPayment {
        let c = &self.callback;
        let status = match ResponseCode::parse(&c.response_code) {
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
            echo: Default::default(),
            unknown_status: None,
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
