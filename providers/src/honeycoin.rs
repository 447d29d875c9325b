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
//!   answering `{success, data: [{id, name, currency}]}`.
//! - The token answer is `{success, token, expiresAt}`; Lipa treats it as valid for the
//!   documented 2 hours from receipt, whatever `expiresAt` says, and refreshes early.
//! - `amount` is in major units (KES 1,500.00 → 1500; UGX has no minor unit); answers are
//!   turned back into minor units for [`Echo`].
//! - `momoOperatorId` comes from the providers list ([`operator_id_for`]), for KES too: the
//!   guide's second KES example charges Airtel Money with `"momoOperatorId": "airtel"`, so a
//!   Kenyan Airtel charge must name it (without it HoneyCoin charges M-Pesa).
//! - Statuses are matched case-insensitively (the guide writes `successful` and
//!   `SUCCESSFUL`); one Lipa does not know is *pending* with
//!   [`ProviderPayment::unknown_status`] set, never failed.
//! - `externalReference` has no documented length or alphabet; Lipa's payment ids are 36
//!   characters of `[a-z0-9_]` (`pay_` + 32, as long as a UUID), and carry their checkout's id
//!   so that a webhook finds its checkout without the index.
//! - Webhooks carry no event id: Lipa dedupes on what the body says (transaction, status and
//!   step), see [`WebhookEvent::dedupe_key`]. `X-Webhook-Signature` is the shared secret
//!   itself (compared in constant time): it vouches for the sender, not for a body, so the
//!   webhook is a hint, confirmed with a status read.
//!
//! Guide doubts:
//! - *Status by externalReference.* The guide says to use "the get transaction endpoint with
//!   either the transactionId … or your externalReference", and NOTES.md gives the endpoint as
//!   `GET …/transactions/{transactionId}` "also by externalReference". Lipa reads that as the
//!   same path segment: `GET /transactions/{externalReference}`
//!   ([`status_by_reference_request`]). It could also mean a query parameter
//!   (`GET /transactions?externalReference=`); the sandbox answers both forms.
//! - *No such transaction.* The guide documents no not-found answer. Only a 404 whose body is
//!   HoneyCoin's `{success: false, message}` with a message saying "not found" counts as "HoneyCoin
//!   has no such transaction" ([`parse_status`] → `Ok(None)`); any other 404 (a wrong route, a
//!   proxy page) stays an error.
//! - *Echo.* The get-transaction answer carries `externalReference`, `amount` and `currency`;
//!   the guide's webhooks carry only `externalReference` (amount and currency are read when
//!   present). The charge answer carries none of them.

pub mod flow;
mod wire;

use lipa_api::{Country, Currency, FailureReason, NextAction, Operator, PaymentStatus};

use crate::amount::{major_units, minor_units};
use crate::error::ProviderError;
use crate::http::{find_header, HttpRequest, HttpResponse, Method};
use crate::provider::OtpOutcome;
use crate::secret::Secret;
use crate::token::AccessToken;
use crate::{Echo, ProviderPayment};

pub use wire::{WebhookData, WebhookEvent};

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
    /// HoneyCoin's operator id ([`operator_id_for`]). The guide makes it mandatory unless the
    /// currency is KES; without it a KES charge goes to M-Pesa.
    pub momo_operator_id: Option<&'a str>,
}

/// A mobile-money operator as HoneyCoin lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// The `momoOperatorId` to charge `operator` in `currency` with, from HoneyCoin's providers
/// list (`listed`, from [`parse_providers`]). Where the list does not name the operator, the
/// guide's own KES examples decide: Airtel Money is `"airtel"`, M-Pesa is the charge without
/// an operator id. Any other currency needs a listed id.
pub fn operator_id_for(
    currency: Currency,
    operator: Operator,
    listed: &[MomoProvider],
) -> Result<Option<String>, ProviderError> {
    if let Some(p) = listed.iter().find(|p| p.operator == Some(operator)) {
        return Ok(Some(p.id.clone()));
    }
    match (currency, operator) {
        (Currency::KES, Operator::AirtelMoney) => Ok(Some("airtel".into())),
        (Currency::KES, Operator::Mpesa) => Ok(None),
        _ => Err(ProviderError::Unsupported(format!(
            "HoneyCoin lists no {} for {}",
            operator.name(),
            currency.code()
        ))),
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

/// `GET /transactions/:externalReference`: the guide's one get-transaction endpoint, asked
/// with Lipa's reference (see "Guide doubts"); the question to ask after a lost charge.
pub fn status_by_reference_request(
    config: &Config,
    token: &Secret,
    external_reference: &str,
) -> HttpRequest {
    status_request(config, token, external_reference)
}

/// Reads a transaction. `Ok(None)` only when HoneyCoin clearly has none (a 404 saying "not
/// found"): the charge never arrived. A 2xx that cannot be read is [`ProviderError::Decode`].
pub fn parse_status(response: &HttpResponse) -> Result<Option<ProviderPayment>, ProviderError> {
    if is_not_found(response) {
        return Ok(None);
    }
    let t: wire::Envelope<wire::Transaction> = decode(response)?;
    normalize(t.data).map(Some)
}

/// A 404 in HoneyCoin's error shape saying the transaction is not found.
fn is_not_found(response: &HttpResponse) -> bool {
    response.status == 404
        && serde_json::from_str::<wire::ErrorResponse>(&response.body).is_ok_and(|e| {
            e.success != Some(true) && e.message.to_ascii_lowercase().contains("not found")
        })
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

/// Checks `X-Webhook-Signature` against the shared secret in constant time, then parses. A
/// body whose amount or currency cannot be read is [`ProviderError::Decode`].
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
    let event: WebhookEvent =
        serde_json::from_slice(body).map_err(|e| ProviderError::Decode(e.to_string()))?;
    event.echo()?;
    Ok(event)
}

impl WebhookEvent {
    /// The key Lipa dedupes deliveries on, from the body alone: the event id when the body
    /// has one, else the transaction and the state it reports (status and step, lower case).
    /// A retry of the same news has the same key whatever its timestamp; `transaction_created`
    /// and `transaction_updated` saying the same state are the same news.
    pub fn dedupe_key(&self) -> String {
        match self.event_id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => format!("hc:evt:{id}"),
            None => format!(
                "hc:{}:{}:{}",
                self.data.transaction_id,
                self.data.status.trim().to_ascii_lowercase(),
                self.data
                    .step_required
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            ),
        }
    }

    /// What binds the webhook to a payment: `externalReference`, and the amount (minor
    /// units) and currency when the body carries them.
    pub fn echo(&self) -> Result<Echo, ProviderError> {
        echo(
            self.data.external_reference.clone(),
            self.data.amount.as_ref(),
            self.data.currency.as_deref(),
        )
    }

    /// The payment as the webhook reports it (transaction id, status, echo). A hint only:
    /// confirm with a status read before acting.
    pub fn payment(&self) -> Result<ProviderPayment, ProviderError> {
        let d = &self.data;
        let (status, unknown_status) = normalize_status(
            &d.status,
            d.step_required.as_deref(),
            d.redirect_url.as_deref(),
            d.note.as_deref(),
        );
        Ok(ProviderPayment {
            provider_ref: d.transaction_id.clone(),
            status,
            can_poll: false,
            echo: self.echo()?,
            unknown_status,
        })
    }
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

fn normalize(t: wire::Transaction) -> Result<ProviderPayment, ProviderError> {
    let echo = echo(
        t.external_reference,
        t.amount.as_ref(),
        t.currency.as_deref(),
    )?;
    let (status, unknown_status) = normalize_status(
        &t.charge_status,
        t.step_required.as_deref(),
        t.redirect_url.as_deref(),
        t.note.as_deref(),
    );
    Ok(ProviderPayment {
        provider_ref: t.transaction_id,
        status,
        can_poll: false,
        echo,
        unknown_status,
    })
}

/// A charge status and step as Lipa's status, and the raw value when Lipa does not know it.
fn normalize_status(
    charge_status: &str,
    step: Option<&str>,
    redirect_url: Option<&str>,
    note: Option<&str>,
) -> (PaymentStatus, Option<String>) {
    match wire::ChargeStatus::try_from(charge_status) {
        Ok(wire::ChargeStatus::Successful) => (PaymentStatus::Succeeded, None),
        Ok(wire::ChargeStatus::Failed) => (
            PaymentStatus::Failed {
                reason: reason_from_note(note),
                retryable: true,
            },
            None,
        ),
        Ok(wire::ChargeStatus::Pending) => pending_step(step, redirect_url),
        Err(unknown) => (PaymentStatus::Pending, Some(unknown.0)),
    }
}

/// A pending transaction's step: an action for the customer, or plain pending.
fn pending_step(step: Option<&str>, redirect_url: Option<&str>) -> (PaymentStatus, Option<String>) {
    let Some(step) = step.map(str::trim).filter(|s| !s.is_empty()) else {
        return (PaymentStatus::Pending, None);
    };
    match step.to_ascii_lowercase().as_str() {
        "otp" => (
            PaymentStatus::ActionRequired {
                action: NextAction::Otp,
            },
            None,
        ),
        "redirect" => match redirect_url {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => (
                PaymentStatus::ActionRequired {
                    action: NextAction::Redirect { url: url.into() },
                },
                None,
            ),
            _ => (PaymentStatus::Pending, None),
        },
        _ => (
            PaymentStatus::Pending,
            Some(format!("pending, stepRequired {step}")),
        ),
    }
}

/// The echo of an answer: a currency Lipa does not know, or an amount that is not one, is
/// [`ProviderError::Decode`] (never silently left out); an amount without a currency cannot
/// be read in minor units and is left out.
fn echo(
    reference: Option<String>,
    amount: Option<&serde_json::Number>,
    currency: Option<&str>,
) -> Result<Echo, ProviderError> {
    let currency = currency
        .map(|c| {
            Currency::from_code(&c.trim().to_ascii_uppercase())
                .ok_or_else(|| ProviderError::Decode(format!("currency {c}")))
        })
        .transpose()?;
    let amount = match (amount, currency) {
        (Some(a), Some(c)) => Some(
            a.as_f64()
                .and_then(|v| minor_units(v, c))
                .ok_or_else(|| ProviderError::Decode(format!("amount {a}")))?,
        ),
        _ => None,
    };
    Ok(Echo {
        reference,
        amount,
        currency,
    })
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
