//! Xtopay's own JSON shapes.

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub(super) struct ReceiveRequest<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub phone: &'a str,
    pub provider: &'a str,
    pub description: &'a str,
    pub metadata: Metadata<'a>,
}

#[derive(Serialize)]
pub(super) struct Metadata<'a> {
    #[serde(rename = "clientReference")]
    pub client_reference: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ReceiveResponse {
    pub response_code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub data: Option<ReceiveData>,
}

#[derive(Deserialize)]
pub(super) struct ReceiveData {
    pub id: String,
    /// The guide's sample echoes `metadata.clientReference` here.
    #[serde(default)]
    pub reference: Option<String>,
    /// Minor units.
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
}

/// A status check's answer; also the shape of its not-found answer (no `data`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatusResponse {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub response_code: Option<String>,
    #[serde(default)]
    pub data: Option<StatusData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatusData {
    /// `Paid` or `Unpaid`.
    pub status: String,
    pub transaction_id: String,
    #[serde(default)]
    pub client_reference: Option<String>,
    #[serde(default)]
    pub currency_code: Option<String>,
    /// Minor units.
    #[serde(default)]
    pub amount: Option<i64>,
}

/// A callback, as Xtopay posts it (PascalCase).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Callback {
    /// `0000`, `2001`, …
    pub response_code: String,
    /// `success`, `failed`.
    #[serde(default)]
    pub message: String,
    /// The transaction.
    pub data: CallbackData,
}

/// The transaction part of a callback.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallbackData {
    /// Minor units requested.
    pub amount: i64,
    /// Fees.
    #[serde(default)]
    pub charges: i64,
    /// What the merchant receives.
    #[serde(default)]
    pub amount_after_charges: i64,
    /// In words, e.g. "FAILED: User entered wrong PIN".
    #[serde(default)]
    pub description: String,
    /// Lipa's payment id.
    pub client_reference: String,
    /// Xtopay's id.
    pub transaction_id: String,
}
