//! Little Pay's own JSON shapes. Statuses are read as strings so that a value Lipa does not
//! know is reported, never a decode error.

use serde::Deserialize;

use crate::status::{named, UnknownStatus};

use crate::Echo;

/// A status as Lipa knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
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
                (Status::Completed, "COMPLETED"),
                (Status::Failed, "FAILED"),
            ],
        )
    }
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
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub meta: ProcessMeta,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProcessMeta {
    #[serde(default)]
    pub step_up_url: Option<String>,
    /// Major units.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct StatusResponse {
    pub data: StatusData,
}

#[derive(Deserialize)]
pub(super) struct StatusData {
    pub reference: String,
    pub status: String,
    /// Lipa's key; the guide's example shows it empty.
    #[serde(default)]
    pub key: Option<String>,
    /// Major units.
    #[serde(default)]
    pub amount: Option<f64>,
    /// Not in the guide's status example; read when present.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

#[derive(Deserialize)]
pub(super) struct Attempt {
    pub status: String,
}

/// A callback body, once its signature verified.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Callback {
    /// Little's reference (the intent id).
    pub reference: String,
    /// `PENDING`, `COMPLETED`, `FAILED`, as sent.
    pub(super) status: String,
    /// Lipa's key.
    #[serde(default)]
    pub key: String,
    /// What the callback carries of key, amount and currency; filled once it verified.
    #[serde(skip)]
    pub(super) echo: Echo,
}

/// The callback's amount and currency, read beside [`Callback`].
#[derive(Deserialize)]
pub(super) struct CallbackAmount {
    /// Major units.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
}
