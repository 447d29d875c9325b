//! What refunds and payouts share: the provider's answer about a transfer, and the signed
//! merchant event each final state queues.

use lipa_api::event::MerchantEvent;
use lipa_api::refund::TransferStatus;
use lipa_providers::provider::Transfer;
use serde::Serialize;

use crate::outbox::OutboundEvent;

/// How long a send (a payment's start, a refund, a payout) may take before the alarm asks
/// about it: past the longest chain of calls a send makes (Dollr's invoice collection: about
/// eleven, and two more after a token refresh, each with the call timeout), so the alarm never
/// reads or sends one still being sent. Each is stored with this lease as its next status read
/// before its first request goes out: a send whose answer is never stored (the object evicted
/// or its commit failed meanwhile) is read later like one whose answer was lost.
pub const SEND_LEASE_MS: i64 = 20 * lipa_providers::call::PROVIDER_TIMEOUT_MS as i64;

/// Which call an answer about a refund or payout came from: only the send's explicit refusal
/// fails it; any error of a status read leaves it where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// The request that moves money.
    Send,
    /// A read of where it stands.
    StatusRead,
}

/// Logs a refund's or payout's status the provider's adapter does not know (kept pending).
pub fn log_unknown(what: &str, transfer: &Transfer) {
    if let Some(raw) = &transfer.unknown_status {
        crate::checkout::log(
            "provider_status_unknown",
            &format!("{what}: {raw:?} (kept pending)"),
        );
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
            logged: false,
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
