//! Refunds of a checkout's payment: stored with the checkout (one writer decides how much is
//! left to refund), and the pure rules that create and change them.

use lipa_api::refund::{CreateRefund, RefundView, TransferStatus};
use lipa_api::{ApiError, ErrorCode, PaymentStatus};
use serde::{Deserialize, Serialize};

use super::record::{CheckoutRecord, PaymentRecord};
use crate::transfer::final_event;
use lipa_providers::provider::Transfer;

/// One refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// `re_…`.
    pub id: String,
    /// The refunded payment.
    pub payment_id: String,
    /// Minor units.
    pub amount: i64,
    /// The merchant's reason.
    pub reason: Option<String>,
    /// Where it stands.
    pub status: TransferStatus,
    /// Why it failed.
    pub failure_message: Option<String>,
    /// The reference sent to the provider, stored before the first call.
    pub reference_id: String,
    /// The provider's refund id, once known.
    pub provider_ref: Option<String>,
    /// The merchant's `Idempotency-Key`.
    pub idempotency_key: String,
    /// SHA-256 of the request body sent with that key.
    pub request_digest: String,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
    /// When to ask the provider next.
    pub next_poll_at_ms: Option<i64>,
}

/// What the merchant asked, with its idempotency key and the body's digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRequest {
    /// The parsed body.
    pub input: CreateRefund,
    /// The `Idempotency-Key` header.
    pub idempotency_key: String,
    /// SHA-256 of the body, hex.
    pub digest: String,
}

impl CheckoutRecord {
    /// A refund by id.
    pub fn refund(&self, refund_id: &str) -> Option<&RefundRecord> {
        self.refunds.iter().find(|r| r.id == refund_id)
    }

    /// The refund made earlier with this idempotency key: `Ok(None)` if none, the refund if
    /// the body was the same, 422 if it was not.
    pub fn refund_for_key(&self, req: &RefundRequest) -> Result<Option<&RefundRecord>, ApiError> {
        match self
            .refunds
            .iter()
            .find(|r| r.idempotency_key == req.idempotency_key)
        {
            None => Ok(None),
            Some(r) if r.request_digest == req.digest => Ok(Some(r)),
            Some(_) => Err(ApiError::new(
                ErrorCode::IdempotencyConflict,
                "this Idempotency-Key was used with another request body",
            )),
        }
    }

    /// How much of `payment_id` can still be refunded: a succeeded payment's amount less every
    /// refund that has not failed.
    pub fn refundable(&self, payment_id: &str) -> Result<(&PaymentRecord, i64), ApiError> {
        let payment = self
            .payments
            .iter()
            .find(|p| p.id == payment_id)
            .ok_or_else(|| ApiError::field(ErrorCode::NotFound, "payment_id", "no such payment"))?;
        if payment.status != PaymentStatus::Succeeded {
            return Err(ApiError::field(
                ErrorCode::NotSucceeded,
                "payment_id",
                format!(
                    "only a succeeded payment can be refunded; this one is {}",
                    payment.status.name()
                ),
            ));
        }
        let committed: i64 = self
            .refunds
            .iter()
            .filter(|r| r.payment_id == payment_id && r.status != TransferStatus::Failed)
            .map(|r| r.amount)
            .sum();
        Ok((payment, self.amount - committed))
    }

    /// The amount a refund request may take, or why it may not.
    pub fn check_refund(&self, input: &CreateRefund) -> Result<i64, ApiError> {
        let (_, left) = self.refundable(&input.payment_id)?;
        if left <= 0 {
            return Err(ApiError::field(
                ErrorCode::NotRefundable,
                "payment_id",
                "this payment has been refunded in full already",
            ));
        }
        match input.amount {
            None => Ok(left),
            Some(a) if a <= left => Ok(a),
            Some(a) => Err(ApiError::field(
                ErrorCode::InvalidField,
                "amount",
                format!(
                    "{} is more than the {} left to refund on this payment",
                    lipa_api::money::format_amount(a, self.currency),
                    lipa_api::money::format_amount(left, self.currency)
                ),
            )),
        }
    }

    /// Applies a provider answer about a refund; a newly final refund queues its event. A
    /// final refund never changes again.
    pub fn apply_refund(
        &mut self,
        refund_id: &str,
        update: &Transfer,
        event_id: &str,
        now_ms: i64,
    ) {
        let Some(r) = self.refunds.iter_mut().find(|r| r.id == refund_id) else {
            return;
        };
        if r.provider_ref.is_none() {
            r.provider_ref.clone_from(&update.provider_ref);
        }
        if r.status.is_terminal() || r.status == update.status {
            return;
        }
        r.status = update.status.clone();
        r.failure_message.clone_from(&update.failure_message);
        r.updated_at_ms = now_ms;
        if r.status.is_terminal() {
            r.next_poll_at_ms = None;
            let r = r.clone();
            let view = self.refund_view(&r);
            if let Some(e) = final_event("refund", &r.status, view, event_id, now_ms) {
                self.outbox.push(e);
            }
        }
    }

    /// A refund as the merchant sees it.
    pub fn refund_view(&self, r: &RefundRecord) -> RefundView {
        RefundView {
            id: r.id.clone(),
            payment_id: r.payment_id.clone(),
            checkout_id: self.id.clone(),
            reference: self.reference.clone(),
            amount: r.amount,
            amount_display: lipa_api::money::format_amount(r.amount, self.currency),
            currency: self.currency,
            status: r.status.clone(),
            failure_message: r.failure_message.clone(),
            reason: r.reason.clone(),
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
        }
    }
}

#[cfg(test)]
mod tests;
