//! What refunds and payouts share: the provider's answer about a transfer, and the signed
//! merchant event each final state queues.

use lipa_api::event::MerchantEvent;
use lipa_api::refund::TransferStatus;
use lipa_providers::dollr::{OperationState, OperationStatus};
use serde::Serialize;

use crate::outbox::OutboundEvent;

/// Which call an answer about a refund or payout came from: only the send's explicit refusal
/// fails it; any error of a status read leaves it where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// The request that moves money.
    Send,
    /// A read of where it stands.
    StatusRead,
}

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

impl From<OperationStatus> for TransferUpdate {
    /// Dollr's answer about a refund or payout. A status Dollr's adapter does not know is
    /// still under way (its raw value is logged by [`TransferUpdate::from_dollr`]).
    fn from(s: OperationStatus) -> TransferUpdate {
        let provider_ref = s.payment_intent_id;
        match s.state {
            OperationState::InProgress => TransferUpdate::pending(provider_ref),
            OperationState::Completed => TransferUpdate {
                provider_ref,
                status: TransferStatus::Succeeded,
                failure_message: None,
            },
            OperationState::Failed(reason) => TransferUpdate {
                provider_ref,
                status: TransferStatus::Failed,
                failure_message: Some(reason.message().to_string()),
            },
        }
    }
}

impl TransferUpdate {
    /// Dollr's answer about a refund or payout, logging a status the adapter does not know.
    pub fn from_dollr(s: OperationStatus) -> TransferUpdate {
        if let Some(raw) = &s.unknown_status {
            crate::checkout::log(
                "provider_status_unknown",
                &format!("dollr transfer: {raw:?} (kept pending)"),
            );
        }
        s.into()
    }

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
