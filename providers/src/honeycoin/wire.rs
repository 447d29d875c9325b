//! HoneyCoin's own JSON shapes.

use serde::{Deserialize, Serialize};

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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Transaction {
    pub transaction_id: String,
    pub charge_status: ChargeStatus,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub step_required: Option<Step>,
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// `chargeStatus`: the field HoneyCoin says to fulfil on.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum ChargeStatus {
    Successful,
    Failed,
    Pending,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum Step {
    Otp,
    Redirect,
}

#[derive(Deserialize)]
pub(super) struct OtpResponse {
    pub success: bool,
    #[serde(default)]
    pub message: String,
}

#[derive(Deserialize)]
pub(super) struct ErrorResponse {
    pub message: String,
}

/// A webhook delivery, once its secret matched. A hint: confirm with a status read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookEvent {
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
    /// `pending`, `successful`, `failed`.
    pub status: String,
    /// Lipa's payment id.
    #[serde(default)]
    pub external_reference: Option<String>,
    /// `otp` or `redirect`.
    #[serde(default)]
    pub step_required: Option<String>,
}

impl WebhookEvent {
    /// The key Lipa dedupes deliveries on (HoneyCoin sends no event id).
    pub fn dedupe_key(&self) -> String {
        format!(
            "hc:{}:{}:{}:{}:{}",
            self.data.transaction_id,
            self.event,
            self.data.status,
            self.data.step_required.as_deref().unwrap_or(""),
            self.timestamp
        )
    }
}
