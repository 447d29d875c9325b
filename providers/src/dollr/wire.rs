//! Dollr's own JSON shapes (FastAPI, snake_case).

use serde::Deserialize;

use crate::status::{named, UnknownStatus};

#[derive(Deserialize)]
pub(super) struct TokenResponse {
    pub access_token: String,
    /// Minutes, not seconds.
    pub expires_in: i64,
}

/// Every created resource answers with at least its id.
#[derive(Deserialize)]
pub(super) struct Created {
    pub id: String,
}

#[derive(Deserialize)]
pub(super) struct Invoice {
    pub id: String,
    pub status: String,
}

#[derive(Deserialize)]
pub(super) struct Fees {
    pub amount: f64,
    pub fee: f64,
    pub total_amount: f64,
    pub currency: String,
}

#[derive(Deserialize)]
pub(super) struct MmoInfo {
    pub payment_method: String,
    pub gateway_provider: String,
}

/// An execution's answer and a status read have the same shape. `status` is read as a string
/// so that a value Lipa does not know is reported, never a decode error.
#[derive(Deserialize)]
pub(super) struct StatusResponse {
    pub reference_id: String,
    pub status: String,
    #[serde(default)]
    pub payment_intent_id: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    /// Major units.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
}

/// A status as Lipa knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
    Processing,
    Completed,
    Failed,
}

impl TryFrom<&str> for Status {
    type Error = UnknownStatus;

    /// The status named by `text`, in any case.
    fn try_from(text: &str) -> Result<Status, UnknownStatus> {
        named(
            text,
            &[
                (Status::Pending, "PENDING"),
                (Status::Processing, "PROCESSING"),
                (Status::Completed, "COMPLETED"),
                (Status::Failed, "FAILED"),
            ],
        )
    }
}

#[derive(Deserialize)]
pub(super) struct Receipt {
    pub currency: String,
    pub amount: f64,
    pub fee: f64,
    pub total_amount: f64,
    #[serde(default)]
    pub fx_rate: Option<f64>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub paid_at: Option<String>,
    #[serde(default)]
    pub items: Vec<ReceiptItem>,
}

#[derive(Deserialize)]
pub(super) struct ReceiptItem {
    pub name: String,
    pub qty: i64,
    pub amount: f64,
}

/// FastAPI's error body: `detail` is a list of field errors (422) or a sentence.
#[derive(Deserialize)]
pub(super) struct ErrorBody {
    pub detail: Detail,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Detail {
    Fields(Vec<FieldError>),
    Text(String),
}

#[derive(Deserialize)]
pub(super) struct FieldError {
    #[serde(default)]
    pub loc: Vec<serde_json::Value>,
    pub msg: String,
}
