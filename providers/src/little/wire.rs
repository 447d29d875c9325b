//! Little Pay's own JSON shapes.

use serde::Deserialize;

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub(super) enum Status {
    Pending,
    Completed,
    Failed,
}

#[derive(Deserialize)]
pub(super) struct IntentResponse {
    pub data: IntentData,
}

#[derive(Deserialize)]
pub(super) struct IntentData {
    pub reference: String,
}

#[derive(Deserialize)]
pub(super) struct ProcessResponse {
    pub data: ProcessData,
}

#[derive(Deserialize)]
pub(super) struct ProcessData {
    pub status: Status,
    #[serde(default)]
    pub message: String,
    pub meta: ProcessMeta,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProcessMeta {
    #[serde(default)]
    pub step_up_url: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct StatusResponse {
    pub data: StatusData,
}

#[derive(Deserialize)]
pub(super) struct StatusData {
    pub reference: String,
    pub status: Status,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

#[derive(Deserialize)]
pub(super) struct Attempt {
    pub status: Status,
}

/// A callback body, once its signature verified.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Callback {
    /// Little's reference (the intent id).
    pub reference: String,
    /// `PENDING`, `COMPLETED`, `FAILED`.
    pub(super) status: Status,
    /// Lipa's key.
    #[serde(default)]
    pub key: String,
}
