//! CrissCross's own JSON shapes and how their codes map onto Lipa's.

use lipa_api::FailureReason;
use serde::{Deserialize, Serialize};

use crate::status::{named, UnknownStatus};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenRequest<'a> {
    pub merchant_id: &'a str,
    pub client_secret: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenResponse {
    pub access_token: String,
    pub expires_in: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SessionRequest<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub merchant_reference: &'a str,
    pub merchant_id: &'a str,
    pub payer_details: PayerDetails<'a>,
    pub integration_type: &'a str,
    pub lifetime: u32,
}

#[derive(Serialize)]
pub(super) struct PayerDetails<'a> {
    pub location: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SessionResponse {
    pub session_id: String,
    /// ISO-8601.
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AvailableMethods {
    pub payment_methods: Vec<PaymentMethod>,
}

#[derive(Deserialize)]
pub(super) struct PaymentMethod {
    #[serde(rename = "type")]
    pub kind: String,
    pub provider: ProviderOptions,
}

#[derive(Deserialize)]
pub(super) struct ProviderOptions {
    pub options: Vec<ProviderOption>,
}

#[derive(Deserialize)]
pub(super) struct ProviderOption {
    pub code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PaymentRequest<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub session_id: &'a str,
    pub payment_details: PaymentDetails<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PaymentDetails<'a> {
    pub provider: &'a str,
    pub payer_mobile_number: &'a str,
}

/// A transaction as the payment, status and webhook answers carry it. Only `transactionId`
/// and `status` are required; every code is read as a string so that a value Lipa does not
/// know is reported, never a decode error.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Transaction {
    pub transaction_id: String,
    pub status: String,
    #[serde(default)]
    pub auth_state: Option<AuthState>,
    #[serde(default)]
    pub merchant_reference: Option<String>,
    /// Minor units.
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
}

/// `status`, as Lipa knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxStatus {
    Pending,
    Completed,
    Settled,
    Failed,
    Errored,
    Cancelled,
    Expired,
}

impl TryFrom<&str> for TxStatus {
    type Error = UnknownStatus;

    /// The status named by `text`, in any case (the guide's prose writes `pending`, its JSON
    /// `PENDING`).
    fn try_from(text: &str) -> Result<TxStatus, UnknownStatus> {
        use TxStatus::*;
        named(
            text,
            &[
                (Pending, "pending"),
                (Completed, "completed"),
                (Settled, "settled"),
                (Failed, "failed"),
                (Errored, "errored"),
                (Cancelled, "cancelled"),
                (Expired, "expired"),
            ],
        )
    }
}

/// `authState`: `type` is `pending_approval`, `authorized`, `auth_failure` (with `code`) or
/// `error` (with `canRetry` and `canPoll`).
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub(super) struct AuthState {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default, rename = "canRetry")]
    pub can_retry: bool,
    #[serde(default, rename = "canPoll")]
    pub can_poll: bool,
}

impl AuthState {
    /// Whether `type` is `kind`, in any case.
    pub fn is(&self, kind: &str) -> bool {
        self.kind.trim().eq_ignore_ascii_case(kind)
    }
}

/// An auth-failure `code` as a typed reason; codes Lipa does not know are declines.
pub(super) fn failure_reason(code: Option<&str>) -> FailureReason {
    let code = code.unwrap_or("").trim().to_ascii_lowercase();
    match code.as_str() {
        "wrong_pin" => FailureReason::WrongPin,
        "insufficient_funds" => FailureReason::InsufficientFunds,
        "timeout" => FailureReason::TimedOut,
        "cancelled" => FailureReason::Cancelled,
        "limit_exceeded" => FailureReason::LimitReached,
        "not_registered" => FailureReason::NotRegistered,
        _ => FailureReason::Declined,
    }
}

#[derive(Deserialize)]
pub(super) struct ErrorResponse {
    pub message: String,
}

/// A webhook delivery, once its signature verified. It is a hint: confirm with a status read.
/// Every field comes from the signed body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// The event's id, inside the signed body; dedupe on it.
    pub event_id: String,
    /// `transaction.completed`, `transaction.failed`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The transaction the event is about: match the payment by it first (the guide's
    /// preferred key).
    pub transaction_id: String,
    /// The session's `merchantReference` ([`super::merchant_reference`] of the checkout id):
    /// the guide's second way to match an event, for a payment whose transaction id Lipa
    /// never learnt (a lost payment answer).
    #[serde(default)]
    pub merchant_reference: Option<String>,
    /// What the event reports, normalized as a status read would be (with its echo); `None`
    /// when the payload does not have a transaction's shape. Still only a hint.
    #[serde(skip)]
    pub payment: Option<crate::ProviderPayment>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefundRequest<'a> {
    pub transaction_id: &'a str,
    pub amount: i64,
    pub reason: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefundResponse {
    pub refund_id: String,
    pub status: String,
}
