//! Dollr (`shared/providers/dollr.seed.txt`, NOTES.md): invoice collection over pawaPay rails,
//! refunds and payouts, with no webhooks at all.
//!
//! Collection, in the guide's order: JWT (`expires_in` in **minutes**) → party → counterparty
//! (`relationship_type: CUSTOMER`; both once per customer phone, the edge stores them) →
//! invoice (`fee_bearer`, IDLE) → items → publish (ACTIVE, locked) → mmo-provider-info →
//! checkout session (`source_type: INVOICE`) → payment account (`operation_type=COLLECTION`)
//! → execution with a UUID v4 `reference_id` stored before the call → `GET
//! /v1/status/collection/{reference_id}` polled (PENDING → PROCESSING → COMPLETED | FAILED) →
//! receipt by invoice id. Refunds: `sessions/refund` → `executions/refund` →
//! `status/refund/{reference_id}`; payouts: payment account (PAYOUT) → `sessions/payout` →
//! `executions/payout` with its `passcode` object → `status/payout/{reference_id}`.
//!
//! Choices where the guide is silent (its OpenAPI cannot be reached from here): created
//! resources answer with the resource itself (`{"id": …, …}`); amounts are major units
//! (`5000` RWF, `10.5` LRD); failure reasons are pawaPay's codes (`INSUFFICIENT_BALANCE`,
//! `PAYER_NOT_FOUND`, `PAYMENT_NOT_APPROVED`, …) in `failure_reason`; the execution answers
//! with `payment_intent_id`, which a refund session names as `original_payment_intent_id`;
//! the payout passcode object is `{"value": …}`; an unknown reference is 404. Errors are
//! FastAPI's: 422 with `detail[]` (`loc`, `msg`), other 4xx with `detail` as a sentence,
//! 429 with `Retry-After`.
//!
//! Reading statuses (collections, refunds and payouts alike): case-insensitively; a status
//! Lipa does not know is *in progress* with the raw value kept
//! ([`OperationStatus::unknown_status`]), never failed and never a decode error. Each status
//! carries its echo: `reference_id` (Lipa's stored UUID), `amount` (major units, read in the
//! answer's `currency`) and `currency`. A currency code Lipa does not know, or a negative
//! amount, is a decode error: such an answer cannot be about a Lipa payment.
//!
//! Guide doubts: the guide names the status endpoint but not its fields; Lipa reads
//! `reference_id`, `status`, `payment_intent_id`, `failure_reason`, `amount` and `currency`,
//! and needs only the first two. An amount without a currency is left out of the echo.

pub mod flow;
mod wire;

use lipa_api::{Country, Currency, FailureReason, Operator, PaymentStatus};

use crate::amount::{major_units, minor_units};
use crate::error::{decode_json, ProviderError};
use crate::http::{query_value, HttpRequest, HttpResponse, Method};
use crate::secret::Secret;
use crate::token::AccessToken;
use crate::{Echo, ProviderPayment};

/// Who pays Dollr's fee on an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeBearer {
    /// The fee is added to what the customer pays (the widget shows it before paying).
    Customer,
    /// The merchant absorbs the fee.
    Merchant,
}

impl FeeBearer {
    /// The name in Dollr's API and in Lipa's configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            FeeBearer::Customer => "CUSTOMER",
            FeeBearer::Merchant => "MERCHANT",
        }
    }

    /// Parses [`FeeBearer::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<FeeBearer> {
        [FeeBearer::Customer, FeeBearer::Merchant]
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// A merchant account at Dollr.
#[derive(Debug, Clone)]
pub struct Config {
    /// e.g. `https://api.heydollr.app` (no trailing slash).
    pub base_url: String,
    /// JWT client id.
    pub client_id: String,
    /// JWT client secret.
    pub client_secret: Secret,
    /// Who bears the fee on collection invoices.
    pub fee_bearer: FeeBearer,
    /// The merchant's Dollr wallet that payouts are paid from.
    pub wallet_id: String,
    /// The passcode that authorizes payouts.
    pub payout_passcode: Secret,
}

/// The three money movements, each with its own session, execution and status paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Money in from a customer.
    Collection,
    /// Money back to a customer for a collection.
    Refund,
    /// Money out to a wallet.
    Payout,
}

impl Operation {
    fn path(self) -> &'static str {
        match self {
            Operation::Collection => "collection",
            Operation::Refund => "refund",
            Operation::Payout => "payout",
        }
    }

    fn account_type(self) -> &'static str {
        match self {
            Operation::Collection | Operation::Refund => "COLLECTION",
            Operation::Payout => "PAYOUT",
        }
    }
}

/// The pawaPay gateway provider Dollr names an operator by, in the markets Lipa routes to it.
pub fn gateway_provider(country: Country, operator: Operator) -> Option<&'static str> {
    match (country, operator) {
        (Country::RW, Operator::MtnMomo) => Some("MTN_MOMO_RWA"),
        (Country::RW, Operator::AirtelMoney) => Some("AIRTEL_RWA"),
        (Country::LR, Operator::MtnMomo) => Some("MTN_MOMO_LBR"),
        (Country::LR, Operator::OrangeMoney) => Some("ORANGE_MONEY_LBR"),
        _ => None,
    }
}

/// Whether Dollr can collect from `operator` in `country`.
pub fn supports(country: Country, operator: Operator) -> bool {
    gateway_provider(country, operator).is_some()
}

fn json_request(
    method: Method,
    config: &Config,
    token: Option<&Secret>,
    path: &str,
    body: Option<serde_json::Value>,
) -> HttpRequest {
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    if let Some(token) = token {
        headers.push(("Authorization".into(), format!("Bearer {}", token.expose())));
    }
    HttpRequest {
        method,
        url: format!("{}{path}", config.base_url),
        headers,
        body: body.map(|b| b.to_string()),
    }
}

fn post(config: &Config, token: &Secret, path: &str, body: serde_json::Value) -> HttpRequest {
    json_request(Method::Post, config, Some(token), path, Some(body))
}

fn get(config: &Config, token: &Secret, path: &str) -> HttpRequest {
    json_request(Method::Get, config, Some(token), path, None)
}

/// FastAPI's error body as one sentence naming the fields: `body.currency: field required`.
fn message_of(body: &str) -> Option<String> {
    let parsed: wire::ErrorBody = serde_json::from_str(body).ok()?;
    Some(match parsed.detail {
        wire::Detail::Text(text) => text,
        wire::Detail::Fields(fields) => fields
            .iter()
            .map(|f| {
                let loc: Vec<String> = f
                    .loc
                    .iter()
                    .map(|p| match p {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                format!("{}: {}", loc.join("."), f.msg)
            })
            .collect::<Vec<_>>()
            .join("; "),
    })
}

fn decode<T: serde::de::DeserializeOwned>(response: &HttpResponse) -> Result<T, ProviderError> {
    decode_json(response, message_of)
}

/// `POST /v1/jwt/client/obtain/token`.
pub fn token_request(config: &Config) -> HttpRequest {
    json_request(
        Method::Post,
        config,
        None,
        "/v1/jwt/client/obtain/token",
        Some(serde_json::json!({
            "client_id": config.client_id,
            "client_secret": config.client_secret.expose(),
        })),
    )
}

/// Reads the token; `expires_in` counts minutes from `now_ms`.
pub fn parse_token(response: &HttpResponse, now_ms: i64) -> Result<AccessToken, ProviderError> {
    let t: wire::TokenResponse = decode(response)?;
    if t.expires_in <= 0 {
        return Err(ProviderError::Decode(format!(
            "token expires_in {} minutes",
            t.expires_in
        )));
    }
    Ok(AccessToken {
        token: Secret::new(t.access_token),
        expires_at_ms: now_ms.saturating_add(t.expires_in.saturating_mul(60_000)),
    })
}

/// The id of any created resource.
pub fn parse_created(response: &HttpResponse) -> Result<String, ProviderError> {
    decode::<wire::Created>(response).map(|c| c.id)
}

/// `POST /v1/parties/create`: the customer as a contact, named by their number.
pub fn party_request(config: &Config, token: &Secret, e164: &str) -> HttpRequest {
    post(
        config,
        token,
        "/v1/parties/create",
        serde_json::json!({"name": e164, "phone_number": e164, "type": "INDIVIDUAL"}),
    )
}

/// `POST /v1/counterparties/create`: the party as this merchant's customer.
pub fn counterparty_request(config: &Config, token: &Secret, party_id: &str) -> HttpRequest {
    post(
        config,
        token,
        "/v1/counterparties/create",
        serde_json::json!({"party_id": party_id, "relationship_type": "CUSTOMER"}),
    )
}

/// What one checkout's invoice bills.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceInput<'a> {
    /// The customer's counterparty.
    pub counterparty_id: &'a str,
    /// Minor units.
    pub amount: i64,
    /// The checkout's currency.
    pub currency: Currency,
    /// The checkout's description (the one line item's name).
    pub description: &'a str,
    /// Lipa's payment id, kept in the note.
    pub payment_id: &'a str,
}

/// `POST /v1/invoices/create` (IDLE until published).
pub fn invoice_request(config: &Config, token: &Secret, input: &InvoiceInput) -> HttpRequest {
    post(
        config,
        token,
        "/v1/invoices/create",
        serde_json::json!({
            "counterparty_id": input.counterparty_id,
            "currency": input.currency.code(),
            "note": format!("Lipa payment {}", input.payment_id),
            "fee_bearer": config.fee_bearer.as_str(),
            "as_payment_link": false,
        }),
    )
}

/// `POST /v1/invoices/{invoice_id}/items/add`: the checkout as one line.
pub fn item_request(
    config: &Config,
    token: &Secret,
    invoice_id: &str,
    input: &InvoiceInput,
) -> HttpRequest {
    let name = if input.description.is_empty() {
        "Payment"
    } else {
        input.description
    };
    post(
        config,
        token,
        &format!("/v1/invoices/{invoice_id}/items/add"),
        serde_json::json!({
            "name": name,
            "currency": input.currency.code(),
            "qty": 1,
            "amount": major_units(input.amount, input.currency),
        }),
    )
}

/// `PUT /v1/invoices/publish/{id}` (IDLE → ACTIVE).
pub fn publish_request(config: &Config, token: &Secret, invoice_id: &str) -> HttpRequest {
    json_request(
        Method::Put,
        config,
        Some(token),
        &format!("/v1/invoices/publish/{invoice_id}"),
        None,
    )
}

/// Checks that the invoice is now ACTIVE.
pub fn parse_published(response: &HttpResponse) -> Result<(), ProviderError> {
    let invoice: wire::Invoice = decode(response)?;
    if invoice.status == "ACTIVE" {
        Ok(())
    } else {
        Err(ProviderError::Decode(format!(
            "invoice {} is {} after publishing",
            invoice.id, invoice.status
        )))
    }
}

/// Dollr's fee for an amount, minor units of the checkout's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeePreview {
    /// The amount billed.
    pub amount: i64,
    /// Dollr's fee.
    pub fee: i64,
    /// What the customer pays when they bear the fee.
    pub total: i64,
}

/// `GET /v1/predictions/amount-and-fees`.
pub fn fees_request(
    config: &Config,
    token: &Secret,
    amount: i64,
    currency: Currency,
) -> HttpRequest {
    get(
        config,
        token,
        &format!(
            "/v1/predictions/amount-and-fees?amount={}&currency={}&operation_type=COLLECTION&fee_bearer={}",
            major_units(amount, currency),
            currency.code(),
            config.fee_bearer.as_str()
        ),
    )
}

/// Reads the preview in minor units of `currency`.
pub fn parse_fees(
    response: &HttpResponse,
    currency: Currency,
) -> Result<FeePreview, ProviderError> {
    let f: wire::Fees = decode(response)?;
    if f.currency != currency.code() {
        return Err(ProviderError::Decode(format!(
            "fees in {} for a {} invoice",
            f.currency,
            currency.code()
        )));
    }
    let minor = |v: f64| {
        minor_units(v, currency).ok_or_else(|| ProviderError::Decode(format!("amount {v}")))
    };
    Ok(FeePreview {
        amount: minor(f.amount)?,
        fee: minor(f.fee)?,
        total: minor(f.total_amount)?,
    })
}

/// How Dollr will reach a wallet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wallet {
    /// e.g. `MOBILE_MONEY`.
    pub method: String,
    /// e.g. `MTN_MOMO_RWA`.
    pub provider: String,
}

/// `GET /v1/predictions/mmo-provider-info`.
pub fn mmo_request(config: &Config, token: &Secret, e164: &str, op: Operation) -> HttpRequest {
    get(
        config,
        token,
        &format!(
            "/v1/predictions/mmo-provider-info?phone={}&operation_type={}",
            query_value(e164),
            op.account_type()
        ),
    )
}

/// Reads the predicted wallet.
pub fn parse_mmo(response: &HttpResponse) -> Result<Wallet, ProviderError> {
    let m: wire::MmoInfo = decode(response)?;
    Ok(Wallet {
        method: m.payment_method,
        provider: m.gateway_provider,
    })
}

/// Checks the predicted wallet against the operator the customer chose.
pub fn check_wallet(
    wallet: &Wallet,
    country: Country,
    operator: Operator,
) -> Result<(), ProviderError> {
    if gateway_provider(country, operator) == Some(wallet.provider.as_str()) {
        Ok(())
    } else {
        Err(ProviderError::Rejected {
            status: 422,
            message: format!(
                "this number is not a {} wallet (Dollr predicts {})",
                operator.name(),
                wallet.provider
            ),
        })
    }
}

/// `POST /v1/sessions/checkout` for a published invoice.
pub fn checkout_session_request(config: &Config, token: &Secret, invoice_id: &str) -> HttpRequest {
    post(
        config,
        token,
        "/v1/sessions/checkout",
        serde_json::json!({"source_id": invoice_id, "source_type": "INVOICE"}),
    )
}

/// The wallet a payment account registers.
#[derive(Debug, Clone, Copy)]
pub struct AccountInput<'a> {
    /// The wallet holder's party.
    pub party_id: &'a str,
    /// The wallet number.
    pub e164: &'a str,
    /// The wallet's country.
    pub country: Country,
    /// As predicted.
    pub wallet: &'a Wallet,
}

/// `POST /v1/payment-accounts/create?operation_type=…`.
pub fn payment_account_request(
    config: &Config,
    token: &Secret,
    op: Operation,
    input: &AccountInput,
) -> HttpRequest {
    post(
        config,
        token,
        &format!(
            "/v1/payment-accounts/create?operation_type={}",
            op.account_type()
        ),
        serde_json::json!({
            "account_name": input.e164,
            "provider": input.wallet.provider,
            "method": input.wallet.method,
            "party_id": input.party_id,
            "country_code": input.country.alpha3(),
            "insensitive_account_number": input.e164.trim_start_matches('+'),
        }),
    )
}

/// `POST /v1/executions/collection` with the reference stored before the call.
pub fn collection_request(
    config: &Config,
    token: &Secret,
    session_id: &str,
    payment_account_id: &str,
    currency: Currency,
    reference_id: &str,
) -> HttpRequest {
    post(
        config,
        token,
        "/v1/executions/collection",
        serde_json::json!({
            "session_id": session_id,
            "payment_account_id": payment_account_id,
            "currency": currency.code(),
            "reference_id": reference_id,
        }),
    )
}

/// `POST /v1/sessions/refund` for (part of) a completed collection.
pub fn refund_session_request(
    config: &Config,
    token: &Secret,
    payment_intent_id: &str,
    amount: i64,
    currency: Currency,
) -> HttpRequest {
    post(
        config,
        token,
        "/v1/sessions/refund",
        serde_json::json!({
            "original_payment_intent_id": payment_intent_id,
            "amount": major_units(amount, currency),
        }),
    )
}

/// `POST /v1/executions/refund`.
pub fn refund_execution_request(
    config: &Config,
    token: &Secret,
    session_id: &str,
    reference_id: &str,
) -> HttpRequest {
    post(
        config,
        token,
        "/v1/executions/refund",
        serde_json::json!({"session_id": session_id, "reference_id": reference_id}),
    )
}

/// What a payout sends.
#[derive(Debug, Clone, Copy)]
pub struct PayoutInput<'a> {
    /// The recipient's payment account (operation PAYOUT).
    pub payment_account_id: &'a str,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// When the session lapses, ISO 8601.
    pub expires_at: &'a str,
}

/// `POST /v1/sessions/payout` from the merchant's wallet.
pub fn payout_session_request(config: &Config, token: &Secret, input: &PayoutInput) -> HttpRequest {
    post(
        config,
        token,
        "/v1/sessions/payout",
        serde_json::json!({
            "wallet_id": config.wallet_id,
            "payment_account_id": input.payment_account_id,
            "amount": major_units(input.amount, input.currency),
            "currency": input.currency.code(),
            "expires_at": input.expires_at,
        }),
    )
}

/// `POST /v1/executions/payout` with the passcode object.
pub fn payout_execution_request(
    config: &Config,
    token: &Secret,
    session_id: &str,
    reference_id: &str,
) -> HttpRequest {
    post(
        config,
        token,
        "/v1/executions/payout",
        serde_json::json!({
            "session_id": session_id,
            "reference_id": reference_id,
            "passcode": {"value": config.payout_passcode.expose()},
        }),
    )
}

/// Where one collection, refund or payout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationStatus {
    /// Lipa's reference.
    pub reference_id: String,
    /// Dollr's payment intent, once it has one.
    pub payment_intent_id: Option<String>,
    /// The state.
    pub state: OperationState,
    /// What the answer carries of `reference_id`, amount (minor units) and currency: check it
    /// against the collection, refund or payout before believing `state`.
    pub echo: Echo,
    /// Dollr's own status when Lipa does not know it; `state` is then
    /// [`OperationState::InProgress`] (keep polling, never failed).
    pub unknown_status: Option<String>,
}

/// The states Lipa distinguishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationState {
    /// PENDING or PROCESSING (which may last minutes: never retried or cancelled), or a
    /// status Lipa does not know.
    InProgress,
    /// COMPLETED.
    Completed,
    /// FAILED, with the reason.
    Failed(FailureReason),
}

impl OperationStatus {
    /// The collection as the checkout records it; Dollr's payment intent is its reference.
    pub fn payment(&self) -> ProviderPayment {
        ProviderPayment {
            provider_ref: self
                .payment_intent_id
                .clone()
                .unwrap_or_else(|| self.reference_id.clone()),
            status: match &self.state {
                OperationState::InProgress => PaymentStatus::Pending,
                OperationState::Completed => PaymentStatus::Succeeded,
                OperationState::Failed(reason) => PaymentStatus::Failed {
                    reason: *reason,
                    retryable: true,
                },
            },
            can_poll: false,
            echo: self.echo.clone(),
            unknown_status: self.unknown_status.clone(),
        }
    }
}

/// An execution's answer or a status read, normalized.
fn operation_status(s: wire::StatusResponse) -> Result<OperationStatus, ProviderError> {
    let currency = present(s.currency.as_deref())
        .map(|code| {
            Currency::from_code(&code.to_ascii_uppercase()).ok_or_else(|| {
                ProviderError::Decode(format!("currency {code} is not one Lipa uses"))
            })
        })
        .transpose()?;
    let amount = match (s.amount, currency) {
        (Some(major), Some(c)) => Some(
            minor_units(major, c)
                .ok_or_else(|| ProviderError::Decode(format!("amount {major}")))?,
        ),
        _ => None,
    };
    let known = wire::Status::try_from(s.status.as_str()).ok();
    let state = match known {
        Some(wire::Status::Pending | wire::Status::Processing) | None => OperationState::InProgress,
        Some(wire::Status::Completed) => OperationState::Completed,
        Some(wire::Status::Failed) => {
            OperationState::Failed(reason_from_failure(s.failure_reason.as_deref()))
        }
    };
    Ok(OperationStatus {
        echo: Echo {
            reference: present(Some(&s.reference_id)).map(str::to_string),
            amount,
            currency,
        },
        unknown_status: known.is_none().then_some(s.status),
        reference_id: s.reference_id,
        payment_intent_id: s.payment_intent_id,
        state,
    })
}

/// A text field an answer really carries: an empty one is absent.
fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Reads an execution's answer. A 2xx that is not this answer is [`ProviderError::Decode`]:
/// the outcome is unknown, ask the status by the same `reference_id`.
pub fn parse_execution(response: &HttpResponse) -> Result<OperationStatus, ProviderError> {
    operation_status(decode(response)?)
}

/// `GET /v1/status/{collection|refund|payout}/{reference_id}`.
pub fn status_request(
    config: &Config,
    token: &Secret,
    op: Operation,
    reference_id: &str,
) -> HttpRequest {
    get(
        config,
        token,
        &format!("/v1/status/{}/{reference_id}", op.path()),
    )
}

/// Reads a status; `None` when Dollr has never heard of the reference (404).
pub fn parse_status(response: &HttpResponse) -> Result<Option<OperationStatus>, ProviderError> {
    if response.status == 404 {
        return Ok(None);
    }
    operation_status(decode(response)?).map(Some)
}

/// pawaPay's failure codes as typed reasons.
pub fn reason_from_failure(code: Option<&str>) -> FailureReason {
    match code.unwrap_or("") {
        "INSUFFICIENT_BALANCE" => FailureReason::InsufficientFunds,
        "PAYER_NOT_FOUND" | "INVALID_PHONE_NUMBER" => FailureReason::NotRegistered,
        "PAYMENT_NOT_APPROVED" => FailureReason::Cancelled,
        "WRONG_PIN" | "INVALID_PIN" => FailureReason::WrongPin,
        "PAYER_LIMIT_REACHED" | "WALLET_LIMIT_REACHED" => FailureReason::LimitReached,
        "TIMEOUT" | "EXPIRED" => FailureReason::TimedOut,
        "OTHER_ERROR" | "UNSPECIFIED_FAILURE" | "PROVIDER_TEMPORARILY_UNAVAILABLE" => {
            FailureReason::ProviderError
        }
        _ => FailureReason::Declined,
    }
}

/// A completed collection's receipt, minor units.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Receipt {
    /// The invoice's amount.
    pub amount: i64,
    /// Dollr's fee.
    pub fee: i64,
    /// What moved in total.
    pub total: i64,
    /// The currency.
    pub currency: Currency,
    /// The FX rate applied, when any.
    pub fx_rate: Option<f64>,
    /// The gateway provider that moved the money.
    pub provider: Option<String>,
    /// When it was paid, ISO 8601.
    pub paid_at: Option<String>,
    /// The line items.
    pub items: Vec<ReceiptItem>,
}

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReceiptItem {
    /// What was bought.
    pub name: String,
    /// How many.
    pub qty: i64,
    /// Minor units per line.
    pub amount: i64,
}

/// `GET /v1/invoices/receipt/{id}` (available once the collection completed).
pub fn receipt_request(config: &Config, token: &Secret, invoice_id: &str) -> HttpRequest {
    get(config, token, &format!("/v1/invoices/receipt/{invoice_id}"))
}

/// Reads the receipt in minor units.
pub fn parse_receipt(response: &HttpResponse) -> Result<Receipt, ProviderError> {
    let r: wire::Receipt = decode(response)?;
    let currency = Currency::from_code(&r.currency)
        .ok_or_else(|| ProviderError::Decode(format!("currency {}", r.currency)))?;
    let minor = |v: f64| {
        minor_units(v, currency).ok_or_else(|| ProviderError::Decode(format!("amount {v}")))
    };
    Ok(Receipt {
        amount: minor(r.amount)?,
        fee: minor(r.fee)?,
        total: minor(r.total_amount)?,
        currency,
        fx_rate: r.fx_rate,
        provider: r.provider,
        paid_at: r.paid_at,
        items: r
            .items
            .into_iter()
            .map(|i| {
                Ok(ReceiptItem {
                    amount: minor(i.amount)?,
                    name: i.name,
                    qty: i.qty,
                })
            })
            .collect::<Result<_, ProviderError>>()?,
    })
}

#[cfg(test)]
mod tests;
