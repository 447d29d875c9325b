//! CrissCross's own JSON shapes and how their codes map onto Lipa's.

use lipa_api::FailureReason;
use serde::{Deserialize, Serialize};

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

/// A transaction as the payment, status and webhook answers carry it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Transaction {
    pub transaction_id: String,
    pub status: TxStatus,
    #[serde(default)]
    pub auth_state: Option<AuthState>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum TxStatus {
    Pending,
    Completed,
    Settled,
    Failed,
    Errored,
    Cancelled,
    Expired,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum AuthState {
    None,
    PendingApproval,
    Authorized,
    AuthFailure {
        code: AuthFailureCode,
    },
    Error {
        #[serde(default, rename = "canRetry")]
        can_retry: bool,
        #[serde(default, rename = "canPoll")]
        can_poll: bool,
    },
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum AuthFailureCode {
    WrongPin,
    InsufficientFunds,
    Timeout,
    Cancelled,
    LimitExceeded,
    NotRegistered,
    Declined,
    #[serde(other)]
    Unrecognized,
}

impl AuthFailureCode {
    pub fn reason(self) -> FailureReason {
        match self {
            AuthFailureCode::WrongPin => FailureReason::WrongPin,
            AuthFailureCode::InsufficientFunds => FailureReason::InsufficientFunds,
            AuthFailureCode::Timeout => FailureReason::TimedOut,
            AuthFailureCode::Cancelled => FailureReason::Cancelled,
            AuthFailureCode::LimitExceeded => FailureReason::LimitReached,
            AuthFailureCode::NotRegistered => FailureReason::NotRegistered,
            AuthFailureCode::Declined | AuthFailureCode::Unrecognized => FailureReason::Declined,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ErrorResponse {
    pub message: String,
}

/// A webhook delivery, once its signature verified. It is a hint: confirm with a status read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// The event's id; dedupe on it.
    pub event_id: String,
    /// `transaction.completed`, `transaction.failed`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The transaction the event is about.
    pub transaction_id: String,
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
    #[serde(default)]
    pub message: Option<String>,
}
