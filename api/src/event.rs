//! Events Lipa sends to the merchant's server, signed with `Lipa-Signature`.
//!
//! The signature header is `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
//! computed over the exact bytes of the body.

use serde::{Deserialize, Serialize};

use crate::country::Operator;
use crate::money::Currency;
use crate::payment::PaymentStatus;

/// The header that carries the signature of a merchant webhook.
pub const SIGNATURE_HEADER: &str = "Lipa-Signature";
/// The header that carries a merchant webhook's event id (the body's `id`).
pub const EVENT_ID_HEADER: &str = "Lipa-Event-Id";

/// One merchant webhook delivery's body: payment events carry [`PaymentEventData`], refund
/// and payout events their [`crate::refund::RefundView`] / [`crate::payout::PayoutView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantEvent<T = PaymentEventData> {
    /// Unique event id, `evt_…`; dedupe on it.
    pub id: String,
    /// `payment.succeeded`, `payment.failed` or `payment.expired`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When Lipa recorded the change, Unix milliseconds.
    pub created_at_ms: i64,
    /// What the event is about.
    pub data: T,
}

/// The payment an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEventData {
    /// Lipa's checkout id.
    pub checkout_id: String,
    /// Lipa's payment id.
    pub payment_id: String,
    /// The merchant's own reference.
    pub reference: String,
    /// Amount in minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Operator used.
    pub operator: Operator,
    /// Customer number, masked.
    pub phone_masked: String,
    /// The payment's final state.
    pub status: PaymentStatus,
    /// On `payment.succeeded`: another payment of the same checkout that succeeded first (a
    /// late approval of an earlier attempt). The customer paid twice: refund one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_succeeded_payment_id: Option<String>,
}

impl MerchantEvent<PaymentEventData> {
    /// The event type for a terminal status, or `None` while the payment is live.
    pub fn kind_for(status: &PaymentStatus) -> Option<&'static str> {
        match status {
            PaymentStatus::Succeeded => Some("payment.succeeded"),
            PaymentStatus::Failed { .. } => Some("payment.failed"),
            PaymentStatus::Expired => Some("payment.expired"),
            PaymentStatus::Created
            | PaymentStatus::Pending
            | PaymentStatus::ActionRequired { .. } => None,
        }
    }
}
