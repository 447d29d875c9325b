//! HoneyCoin mobile-money charge (`shared/providers/honeycoin.seed.txt`, NOTES.md).
//!
//! Flow: bearer token (`api-key` + `publicKey`, 2 h) → `POST …/fiat/deposit` with
//! `externalReference` = Lipa's payment id (stored before the call, reused on every retry) →
//! webhooks `transaction_created` / `transaction_updated`, possibly with
//! `stepRequired: otp | redirect` → `POST …/fiat/deposit/:transactionId/validate-otp` → the
//! final state, always confirmed with `GET …/transactions/:transactionId`.
//!
//! Choices where the guide is silent, written down here and mirrored by the sandbox:
//! - Base URL includes `/api/b2b` (production) or `/api/sandbox/b2b`; paths below are relative
//!   to it. Charge: `POST /fiat/deposit`. Providers: `GET /utilities/momo-providers?currency=`
//!   answering `{success, data: [{id, name, currency}]}`. Status by reference:
//!   `GET /transactions/external/:externalReference`.
//! - The token answer is `{success, token, expiresAt}`; Lipa treats it as valid for the
//!   documented 2 hours from receipt, whatever `expiresAt` says, and refreshes early.
//! - `amount` is in major units (KES 1,500.00 → 1500; UGX has no minor unit).
//! - Webhooks carry no event id: Lipa dedupes on transaction, event, status, step and
//!   timestamp together. `X-Webhook-Signature` is the shared secret itself (compared in
//!   constant time); the webhook is a hint, confirmed with a status read.

mod wire;

use lipa_api::{Country, Currency, FailureReason, NextAction, Operator, PaymentStatus};

use crate::amount::major_units;
use crate::error::ProviderError;
use crate::http::{find_header, HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::token::AccessToken;
use crate::ProviderPayment;

pub use wire::WebhookEvent;

/// The header that carries the shared webhook secret.
pub const SIGNATURE_HEADER: &str = "X-Webhook-Signature";
/// How long a token lives (NOTES.md: 2 hours).
pub const TOKEN_LIFETIME_MS: i64 = 2 * 60 * 60 * 1000;

/// A merchant account at HoneyCoin.
#[derive(Debug, Clone)]
pub struct Config {
    /// e.g. `https://api-v2.honeycoin.app/api/b2b` (no trailing slash).
    pub base_url: String,
    /// The `api-key` header value (`HC_…`).
    pub api_key: Secret,
    /// The account's public key, sent when asking for a token.
    pub public_key: String,
    /// The shared webhook secret.
    pub webhook_secret: Secret,
}

/// What a charge is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge<'a> {
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Lipa's payment id, the idempotency key.
    pub external_reference: &'a str,
    /// E.164 with the plus; sent without it.
    pub e164: &'a str,
    /// HoneyCoin's operator id, mandatory unless the currency is KES.
    pub momo_operator_id: Option<&'a str>,
}

/// A mobile-money operator as HoneyCoin lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomoProvider {
    /// HoneyCoin's id, for `momoOperatorId`.
    pub id: String,
    /// The operator it is, when Lipa knows it.
    pub operator: Option<Operator>,
}

/// Whether Lipa routes `operator` in `country` through HoneyCoin's mobile-money charge.
pub fn supports(country: Country, operator: Operator) -> bool {
    match (country, operator) {
        (Country::KE, Operator::Mpesa | Operator::AirtelMoney)
        | (Country::UG, Operator::MtnMomo | Operator::AirtelMoney) => true,
        (Country::KE | Country::UG | Country::GH | Country::CI | Country::RW | Country::LR, _) => {
            false
        }
    }
}

/// `POST /auth/generate-bearer-token`.
pub fn token_request(config: &Config) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: format!("{}/auth/generate-bearer-token", config.base_url),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("api-key".into(), config.api_key.expose().into()),
        ],
        body: Some(serde_json::json!({"publicKey": config.public_key}).to_string()),
    }
}

/// Reads the token; it lives [`TOKEN_LIFETIME_MS`] from `now_ms`.
pub fn parse_token(response: &HttpResponse, now_ms: i64) -> Result<AccessToken, ProviderError> {
    let t: wire::TokenResponse = decode(response)?;
    Ok(AccessToken {
        token: Secret::new(t.token),
        expires_at_ms: now_ms.saturating_add(TOKEN_LIFETIME_MS),
    })
}

/// `GET /utilities/momo-providers?currency=…`.
pub fn providers_request(config: &Config, token: &Secret, currency: Currency) -> HttpRequest {
    get(
        config,
        token,
        &format!("/utilities/momo-providers?currency={}", currency.code()),
    )
}

/// Reads the provider list.
pub fn parse_providers(response: &HttpResponse) -> Result<Vec<MomoProvider>, ProviderError> {
    let list: wire::Envelope<Vec<wire::MomoProvider>> = decode(response)?;
    Ok(list
        .data
        .into_iter()
        .map(|p| MomoProvider {
            operator: operator_for_name(&p.id).or_else(|| operator_for_name(&p.name)),
            id: p.id,
        })
        .collect())
}

fn operator_for_name(name: &str) -> Option<Operator> {
    let n = name.to_ascii_lowercase();
    if n.contains("mpesa") || n.contains("m-pesa") {
        Some(Operator::Mpesa)
    } else if n.contains("airtel") {
        Some(Operator::AirtelMoney)
    } else if n.contains("mtn") {
        Some(Operator::MtnMomo)
    } else {
        None
    }
}

/// `POST /fiat/deposit`. Refuses a non-KES charge without an operator id before any call.
pub fn charge_request(
    config: &Config,
    token: &Secret,
    charge: &Charge,
) -> Result<HttpRequest, ProviderError> {
    if charge.currency != Currency::KES && charge.momo_operator_id.is_none() {
        return Err(ProviderError::Unsupported(format!(
            "HoneyCoin needs momoOperatorId for {}",
            charge.currency.code()
        )));
    }
    let body = wire::ChargeRequest {
        amount: major_units(charge.amount, charge.currency),
        currency: charge.currency.code(),
        external_reference: charge.external_reference,
        phone_number: charge.e164.trim_start_matches('+'),
        momo_operator_id: charge.momo_operator_id,
    };
    Ok(post(config, token, "/fiat/deposit", &body))
}

/// Reads the charge answer: HoneyCoin's transaction id.
pub fn parse_charge(response: &HttpResponse) -> Result<String, ProviderError> {
    let c: wire::ChargeResponse = decode(response)?;
    Ok(c.transaction_id)
}

/// `GET /transactions/:transactionId`.
pub fn status_request(config: &Config, token: &Secret, transaction_id: &str) -> HttpRequest {
    get(
        config,
        token,
        &format!("/transactions/{}", path_segment(transaction_id)),
    )
}

/// `GET /transactions/external/:externalReference`: the question to ask after a lost charge.
pub fn status_by_reference_request(
    config: &Config,
    token: &Secret,
    external_reference: &str,
) -> HttpRequest {
    get(
        config,
        token,
        &format!(
            "/transactions/external/{}",
            path_segment(external_reference)
        ),
    )
}

/// Reads a transaction. `Ok(None)` when HoneyCoin has none (404): the charge never arrived.
pub fn parse_status(response: &HttpResponse) -> Result<Option<ProviderPayment>, ProviderError> {
    if response.status == 404 {
        return Ok(None);
    }
    let t: wire::Envelope<wire::Transaction> = decode(response)?;
    Ok(Some(normalize(t.data)))
}

/// `POST /fiat/deposit/:transactionId/validate-otp`. The code goes only into this body.
pub fn validate_otp_request(
    config: &Config,
    token: &Secret,
    transaction_id: &str,
    otp: &str,
) -> HttpRequest {
    post(
        config,
        token,
        &format!(
            "/fiat/deposit/{}/validate-otp",
            path_segment(transaction_id)
        ),
        &serde_json::json!({ "otp": otp }),
    )
}

/// What HoneyCoin said about a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpOutcome {
    /// Accepted: the charge goes on in the background.
    Accepted,
    /// Refused; HoneyCoin's message says why (e.g. attempts left).
    Refused(String),
}

/// Reads the validate-otp answer: a 400 with `success: false` is a refused code.
pub fn parse_validate_otp(response: &HttpResponse) -> Result<OtpOutcome, ProviderError> {
    if response.status == 400 || response.status == 422 {
        let msg = serde_json::from_str::<wire::ErrorResponse>(&response.body)
            .map(|e| e.message)
            .unwrap_or_else(|_| "the code was not accepted".into());
        return Ok(OtpOutcome::Refused(msg));
    }
    let r: wire::OtpResponse = decode(response)?;
    Ok(if r.success {
        OtpOutcome::Accepted
    } else {
        OtpOutcome::Refused(r.message)
    })
}

/// Checks `X-Webhook-Signature` against the shared secret in constant time, then parses.
pub fn verify_webhook(
    config: &Config,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<WebhookEvent, ProviderError> {
    use crate::signature::SignatureError;
    let given = find_header(headers, SIGNATURE_HEADER)
        .ok_or(ProviderError::Signature(SignatureError::Missing))?;
    if !crate::signature::constant_time_eq(
        given.as_bytes(),
        config.webhook_secret.expose().as_bytes(),
    ) {
        return Err(ProviderError::Signature(SignatureError::Mismatch));
    }
    serde_json::from_slice(body).map_err(|e| ProviderError::Decode(e.to_string()))
}

/// A failure note in plain words, as a typed reason.
pub fn reason_from_note(note: Option<&str>) -> FailureReason {
    let n = note.unwrap_or("").to_ascii_lowercase();
    if n.contains("insufficient") || n.contains("balance") {
        FailureReason::InsufficientFunds
    } else if n.contains("pin") {
        FailureReason::WrongPin
    } else if n.contains("time out")
        || n.contains("timeout")
        || n.contains("timed out")
        || n.contains("could not be reached")
    {
        FailureReason::TimedOut
    } else if n.contains("cancel")
        || n.contains("rejected by user")
        || n.contains("declined by user")
    {
        FailureReason::Cancelled
    } else if n.contains("limit") {
        FailureReason::LimitReached
    } else if n.contains("not registered") || n.contains("invalid account") {
        FailureReason::NotRegistered
    } else if n.contains("system") || n.contains("service unavailable") {
        FailureReason::ProviderError
    } else {
        FailureReason::Declined
    }
}

fn normalize(t: wire::Transaction) -> ProviderPayment {
    use wire::{ChargeStatus, Step};
    let status = match (t.charge_status, t.step_required) {
        (ChargeStatus::Successful, _) => PaymentStatus::Succeeded,
        (ChargeStatus::Failed, _) => PaymentStatus::Failed {
            reason: reason_from_note(t.note.as_deref()),
            retryable: true,
        },
        (ChargeStatus::Pending, None) => PaymentStatus::Pending,
        (ChargeStatus::Pending, Some(Step::Otp)) => PaymentStatus::ActionRequired {
            action: NextAction::Otp,
        },
        (ChargeStatus::Pending, Some(Step::Redirect)) => match t.redirect_url {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                PaymentStatus::ActionRequired {
                    action: NextAction::Redirect { url },
                }
            }
            _ => PaymentStatus::Pending,
        },
    };
    ProviderPayment {
        provider_ref: t.transaction_id,
        status,
        can_poll: false,
        echo: Default::default(),
        unknown_status: None,
    }
}

fn path_segment(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

fn auth(token: &Secret) -> (String, String) {
    ("Authorization".into(), format!("Bearer {}", token.expose()))
}

fn get(config: &Config, token: &Secret, path: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!("{}{path}", config.base_url),
        headers: vec![auth(token)],
        body: None,
    }
}

fn post<T: serde::Serialize>(config: &Config, token: &Secret, path: &str, body: &T) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: format!("{}{path}", config.base_url),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            auth(token),
        ],
        body: serde_json::to_string(body).ok(),
    }
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
