//! What refunds and payouts share: the provider's answer about a transfer, and the signed
//! merchant event each final state queues.

use lipa_api::event::MerchantEvent;
use lipa_api::refund::TransferStatus;
use serde::Serialize;

use crate::outbox::OutboundEvent;

/// A provider's answer about a refund or payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferUpdate {
    /// The provider's id for it, when it gives one.
    pub provider_ref: Option<String>,
    /// Where it stands.
    pub status: TransferStatus,
    /// Why it failed, in plain words.
    pub failure_message: Option<String>,
}

impl TransferUpdate {
    /// Still under way.
    pub fn pending(provider_ref: Option<String>) -> TransferUpdate {
        TransferUpdate {
            provider_ref,
            status: TransferStatus::Pending,
            failure_message: None,
        }
    }
}

/// The merchant event `{prefix}.succeeded` / `{prefix}.failed` for a final transfer.
pub fn final_event<T: Serialize>(
    prefix: &str,
    status: &TransferStatus,
    data: T,
    event_id: &str,
    now_ms: i64,
) -> Option<OutboundEvent> {
    let outcome = match status {
        TransferStatus::Pending => return None,
        TransferStatus::Succeeded => "succeeded",
        TransferStatus::Failed => "failed",
    };
    let event = MerchantEvent {
        id: event_id.to_string(),
        kind: format!("{prefix}.{outcome}"),
        created_at_ms: now_ms,
        data,
    };
    serde_json::to_string(&event)
        .ok()
        .map(|body| OutboundEvent {
            event_id: event_id.to_string(),
            body,
            attempts: 0,
            next_attempt_at_ms: Some(now_ms),
            delivered_at_ms: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_final_transfers_make_events() {
        assert!(final_event("refund", &TransferStatus::Pending, 1, "evt_1", 0).is_none());
        let e = final_event("payout", &TransferStatus::Failed, 1, "evt_2", 5).unwrap();
        let v: serde_json::Value = serde_json::from_str(&e.body).unwrap();
        assert_eq!(v["type"], "payout.failed");
        assert_eq!(v["id"], "evt_2");
        assert_eq!(e.next_attempt_at_ms, Some(5));
    }
}
