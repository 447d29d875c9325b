//! A payout's stored state and the pure rules that change it.

use lipa_api::payout::{CreatePayout, PayoutView};
use lipa_api::refund::TransferStatus;
use lipa_api::{ApiError, ErrorCode};
use lipa_providers::ProviderId;
use serde::{Deserialize, Serialize};

use crate::outbox::OutboundEvent;
use crate::transfer::final_event;
use lipa_providers::provider::Transfer;

/// Everything a Payout object stores, as one value under one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRecord {
    /// `po_…`.
    pub id: String,
    /// What the merchant asked for.
    pub order: CreatePayout,
    /// The provider that pays out.
    pub provider: ProviderId,
    /// The merchant's `Idempotency-Key` (it also names the object).
    pub idempotency_key: String,
    /// SHA-256 of the request body.
    pub request_digest: String,
    /// The reference sent to the provider, stored before the first call.
    pub reference_id: String,
    /// The provider's id, once known.
    pub provider_ref: Option<String>,
    /// Whether the provider has answered about this payout (its send or a status read): from
    /// then on it holds the payout, with or without an id (Dollr's intent id comes "once it
    /// has one"), and a "not found" is its loss, never a reason to send again.
    #[serde(default)]
    pub received: bool,
    /// Where it stands.
    pub status: TransferStatus,
    /// Why it failed.
    pub failure_message: Option<String>,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
    /// When to ask the provider next.
    pub next_poll_at_ms: Option<i64>,
    /// The `payout.*` event, once final.
    pub outbox: Vec<OutboundEvent>,
}

impl PayoutRecord {
    /// Whether a repeated request with this key is the same request (same body).
    pub fn check_replay(&self, digest: &str) -> Result<(), ApiError> {
        if self.request_digest == digest {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::IdempotencyConflict,
                "this Idempotency-Key was used with another request body",
            ))
        }
    }

    /// Applies a provider answer; a newly final payout queues its event, and never changes
    /// again.
    pub fn apply(&mut self, update: &Transfer, event_id: &str, now_ms: i64) {
        self.received = true;
        if self.provider_ref.is_none() {
            self.provider_ref.clone_from(&update.provider_ref);
        }
        if self.status.is_terminal() || self.status == update.status {
            return;
        }
        self.status = update.status.clone();
        self.failure_message.clone_from(&update.failure_message);
        self.updated_at_ms = now_ms;
        if self.status.is_terminal() {
            self.next_poll_at_ms = None;
            if let Some(e) = final_event("payout", &self.status, self.view(), event_id, now_ms) {
                self.outbox.push(e);
            }
        }
    }

    /// The earliest time anything is due (a poll or a delivery).
    pub fn next_wakeup_ms(&self) -> Option<i64> {
        self.outbox
            .iter()
            .filter_map(|e| e.next_attempt_at_ms)
            .chain(self.next_poll_at_ms)
            .min()
    }

    /// Whether the provider holds it: it answered about it, or (a record stored before
    /// [`PayoutRecord::received`] was kept) it gave it an id.
    pub fn is_received(&self) -> bool {
        self.received || self.provider_ref.is_some()
    }

    /// The payout as the merchant sees it.
    pub fn view(&self) -> PayoutView {
        PayoutView {
            id: self.id.clone(),
            amount: self.order.amount,
            amount_display: lipa_api::money::format_amount(self.order.amount, self.order.currency),
            currency: self.order.currency,
            operator: self.order.operator,
            phone_masked: self.order.phone.masked(),
            reference: self.order.reference.clone(),
            status: self.status.clone(),
            failure_message: self.failure_message.clone(),
            created_at_ms: self.created_at_ms,
            updated_at_ms: self.updated_at_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lipa_api::{Country, Currency, Operator};

    fn payout() -> PayoutRecord {
        PayoutRecord {
            id: "po_1".into(),
            order: CreatePayout {
                amount: 7_000,
                currency: Currency::RWF,
                country: Country::RW,
                operator: Operator::MtnMomo,
                phone: lipa_api::phone::Msisdn::parse(Country::RW, "0788000001").unwrap(),
                reference: Some("wd-1".into()),
            },
            provider: ProviderId::Dollr,
            idempotency_key: "k".into(),
            request_digest: "d".into(),
            reference_id: "r".into(),
            provider_ref: None,
            received: false,
            status: TransferStatus::Pending,
            failure_message: None,
            created_at_ms: 0,
            updated_at_ms: 0,
            next_poll_at_ms: Some(2_500),
            outbox: vec![],
        }
    }

    #[test]
    fn any_answer_marks_a_payout_received_even_without_an_id() {
        let mut p = payout();
        assert!(!p.is_received());
        p.apply(&Transfer::pending(None), "evt_0", 1);
        assert!(p.is_received());
        assert_eq!(p.provider_ref, None);
    }

    #[test]
    fn a_record_stored_before_received_was_kept_reads_it_from_its_id() {
        let mut p = payout();
        p.provider_ref = Some("pi_1".into());
        let mut stored = serde_json::to_value(&p).unwrap();
        stored.as_object_mut().unwrap().remove("received");
        let read: PayoutRecord = serde_json::from_value(stored).unwrap();
        assert!(!read.received);
        assert!(read.is_received());
    }

    #[test]
    fn a_payout_reaches_one_final_state_with_one_event() {
        let mut p = payout();
        assert_eq!(p.next_wakeup_ms(), Some(2_500));
        p.apply(&Transfer::pending(Some("pi_1".into())), "evt_0", 1);
        assert!(p.outbox.is_empty());
        let done = Transfer {
            provider_ref: Some("pi_1".into()),
            status: TransferStatus::Succeeded,
            failure_message: None,
            unknown_status: None,
        };
        p.apply(&done, "evt_1", 5);
        p.apply(
            &Transfer {
                status: TransferStatus::Failed,
                ..done
            },
            "evt_2",
            6,
        );
        assert_eq!(p.status, TransferStatus::Succeeded);
        assert_eq!(p.outbox.len(), 1);
        assert!(p.outbox[0].body.contains("payout.succeeded"));
        assert!(p.outbox[0].body.contains("+250 ••• ••• 001") || p.outbox[0].body.contains("001"));
        assert_eq!(p.next_wakeup_ms(), Some(5), "the event is due at once");
    }

    #[test]
    fn a_key_replayed_with_another_body_is_refused() {
        let p = payout();
        assert!(p.check_replay("d").is_ok());
        assert_eq!(
            p.check_replay("x").unwrap_err().code,
            ErrorCode::IdempotencyConflict
        );
    }
}
