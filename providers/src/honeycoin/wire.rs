//! HoneyCoin's own JSON shapes. Status values are kept as the strings HoneyCoin sent: the
//! adapter matches them case-insensitively and keeps a value it does not know.

use serde::{Deserialize, Serialize};

use crate::status::{named, UnknownStatus};

#[derive(Deserialize)]
pub(super) struct TokenResponse {
    pub token: String,
}

#[derive(Deserialize)]
pub(super) struct Envelope<T> {
    pub data: T,
}

#[derive(Deserialize)]
pub(super) struct MomoProvider {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ChargeRequest<'a> {
    pub amount: serde_json::Number,
    pub currency: &'a str,
    pub external_reference: &'a str,
    pub phone_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub momo_operator_id: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ChargeResponse {
    pub transaction_id: String,
}

/// A transaction as the get-transaction endpoint answers it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Transaction {
    pub transaction_id: String,
    /// The field HoneyCoin says to fulfil on (`successful`, `failed`, `pending`).
    pub charge_status: String,
    /// Major units of `currency`.
    #[serde(default)]
    pub amount: Option<serde_json::Number>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub external_reference: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub step_required: Option<String>,
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// HoneyCoin's error body.
#[derive(Deserialize)]
pub(super) struct ErrorResponse {
    #[serde(default)]
    pub success: Option<bool>,
    pub message: String,
}

#[derive(Deserialize)]
pub(super) struct OtpResponse {
    pub success: bool,
    #[serde(default)]
    pub message: String,
}

/// A webhook delivery, once its secret matched. A hint: confirm with a status read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookEvent {
    /// An event id, if HoneyCoin puts one in the body (the guide's samples have none).
    #[serde(default, rename = "eventId", alias = "id")]
    pub event_id: Option<String>,
    /// `transaction_created` or `transaction_updated`.
    pub event: String,
    /// The transaction.
    pub data: WebhookData,
    /// When HoneyCoin sent it.
    #[serde(default)]
    pub timestamp: String,
}

/// The transaction part of a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookData {
    /// HoneyCoin's transaction id.
    pub transaction_id: String,
    /// `pending`, `successful`, `failed` (the guide's prose also writes them in capitals).
    pub status: String,
    /// Lipa's payment id.
    #[serde(default)]
    pub external_reference: Option<String>,
    /// `otp` or `redirect`.
    #[serde(default)]
    pub step_required: Option<String>,
    /// Where the customer completes a `redirect` step.
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// Why a transaction failed, in words.
    #[serde(default)]
    pub note: Option<String>,
    /// Major units of `currency`, when the webhook carries it (the guide's samples do not).
    #[serde(default)]
    pub amount: Option<serde_json::Number>,
    /// The currency, when the webhook carries it (the guide's samples do not).
    #[serde(default)]
    pub currency: Option<String>,
}

/// `chargeStatus`, as Lipa knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChargeStatus {
    Pending,
    Successful,
    Failed,
}

impl TryFrom<&str> for ChargeStatus {
    type Error = UnknownStatus;

    /// The status named by `text`, in any case.
    fn try_from(text: &str) -> Result<ChargeStatus, UnknownStatus> {
        named(
            text,
            &[
                (ChargeStatus::Pending, "pending"),
                (ChargeStatus::Successful, "successful"),
                (ChargeStatus::Failed, "failed"),
            ],
        )
    }
}
