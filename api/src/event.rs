//! Events Lipa sends to the merchant's server, signed twice over the exact bytes of the body:
//! `Lipa-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` (as Stripe
//! signs) and the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and
//! `webhook-signature`.

use serde::{Deserialize, Serialize};

use crate::country::Operator;
use crate::money::Currency;
use crate::payment::{FailureReason, PaymentStatus};
use crate::refund::RefundView;

/// Every event type Lipa sends, for `GET /v1/events?type=…`.
pub const EVENT_TYPES: [&str; 7] = [
    "payment.succeeded",
    "payment.failed",
    "payment.expired",
    "refund.succeeded",
    "refund.failed",
    "payout.succeeded",
    "payout.failed",
];

/// The header that carries the signature of a merchant webhook.
pub const SIGNATURE_HEADER: &str = "Lipa-Signature";
/// The header that carries a merchant webhook's event id (the body's `id`).
pub const EVENT_ID_HEADER: &str = "Lipa-Event-Id";
/// Standard Webhooks (standardwebhooks.com, spec v1): the event id, the same on every retry.
pub const WEBHOOK_ID_HEADER: &str = "webhook-id";
/// Standard Webhooks: when the attempt was signed, Unix seconds (`Lipa-Signature`'s `t`).
pub const WEBHOOK_TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per active
/// secret, space-separated, keyed with the bytes of the `whsec_` secret's base64.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "webhook-signature";

/// One merchant webhook delivery's body: payment events carry [`PaymentEventData`], refund
/// and payout events their [`crate::refund::RefundView`] / [`crate::payout::PayoutView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantEvent<T = PaymentEventData> {
    /// Unique event id, `evt_…`; dedupe on it.
    pub id: String,
    /// One of [`EVENT_TYPES`].
    #[serde(rename = "type")]
    pub kind: String,
    /// When Lipa recorded the change, Unix milliseconds.
    pub created_at_ms: i64,
    /// What the event is about.
    pub data: T,
}

/// A payment as the merchant's server sees it: the `data` of every `payment.*` event, each
/// payment of `GET /v1/checkouts/{id}`, and `GET /v1/payments/{id}` (which add `refunds`).
///
/// `status` is a plain string here as in refunds and payouts (`"succeeded"`, `"failed"`, …);
/// a failure's detail is in `failure_reason`, `failure_message` and `retryable`, which are
/// `null` otherwise.
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
    /// The amount as people read it (`"KES 1,500.00"`).
    #[serde(default)]
    pub amount_display: String,
    /// Currency.
    pub currency: Currency,
    /// Operator used.
    pub operator: Operator,
    /// Customer number, masked.
    pub phone_masked: String,
    /// Where the payment stands: `pending`, `action_required` (the customer has a step to
    /// take), `succeeded`, `failed` or `expired`.
    pub status: String,
    /// On `failed`: why, as a code (`insufficient_funds`, `wrong_pin`, …).
    #[serde(default)]
    pub failure_reason: Option<FailureReason>,
    /// On `failed`: why, in plain words for the customer.
    #[serde(default)]
    pub failure_message: Option<String>,
    /// On `failed`: whether the customer may try again on the same checkout.
    #[serde(default)]
    pub retryable: Option<bool>,
    /// Started, Unix ms.
    #[serde(default)]
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    #[serde(default)]
    pub updated_at_ms: i64,
    /// On `payment.succeeded`: another payment of the same checkout that succeeded first (a
    /// late approval of an earlier attempt). The customer paid twice: refund one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_succeeded_payment_id: Option<String>,
    /// In the merchant reads (never in events): the payment's refunds, oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunds: Option<Vec<RefundView>>,
}

/// The merchant-facing `status`, `failure_reason`, `failure_message` and `retryable` of a
/// payment's state (a payment recorded but not yet sent is `pending`).
pub fn merchant_status(
    status: &PaymentStatus,
) -> (
    &'static str,
    Option<FailureReason>,
    Option<String>,
    Option<bool>,
) {
    match status {
        PaymentStatus::Failed { reason, retryable } => (
            "failed",
            Some(*reason),
            Some(reason.message().to_string()),
            Some(*retryable),
        ),
        PaymentStatus::Created => ("pending", None, None, None),
        other => (other.name(), None, None, None),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_payment_has_a_string_status_and_its_reason_beside_it() {
        let failed = PaymentStatus::Failed {
            reason: FailureReason::InsufficientFunds,
            retryable: true,
        };
        let (status, reason, message, retryable) = merchant_status(&failed);
        assert_eq!(status, "failed");
        assert_eq!(reason, Some(FailureReason::InsufficientFunds));
        assert!(message.is_some_and(|m| m.contains("not enough money")));
        assert_eq!(retryable, Some(true));
        assert_eq!(
            merchant_status(&PaymentStatus::Created),
            ("pending", None, None, None)
        );
        assert_eq!(
            merchant_status(&PaymentStatus::Succeeded),
            ("succeeded", None, None, None)
        );
    }
}
