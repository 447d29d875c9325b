//! The Checkout object's refunds and receipts: load → pure rule from [`super::refund`] →
//! store → provider → store, so a refund and its reference exist before any provider hears
//! of them and a failed refund leaves the payment as it was.

use lipa_api::money::format_amount;
use lipa_api::receipt::{ReceiptLine, ReceiptView};
use lipa_api::refund::TransferStatus;
use lipa_api::{ApiError, ErrorCode, PaymentStatus};
use lipa_providers::provider::{Capability, RefundOrder, Transfer};
use lipa_providers::schedule::no_callback_poll_delay_ms;
use lipa_providers::CallError;
use worker::Response;

use super::record::{CheckoutRecord, PaymentRecord};
use super::refund::{RefundRecord, RefundRequest};
use super::{log, not_found, CheckoutObject};
use crate::config::Config;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::ids;
use crate::providers::{attempt, EdgeHost};
use crate::store;
use crate::transfer::{log_unknown, Call, SEND_LEASE_MS};

/// A refund as its provider sees it.
fn refund_order<'a>(rec: &CheckoutRecord, refund: &'a RefundRecord) -> RefundOrder<'a> {
    RefundOrder {
        amount: refund.amount,
        currency: rec.currency,
        reason: refund.reason.as_deref(),
        reference_id: &refund.reference_id,
        provider_ref: refund.provider_ref.as_deref(),
    }
}

impl CheckoutObject {
    /// `POST /refunds` (internal): creates the refund once per idempotency key.
    pub(super) async fn create_refund(&self, req: RefundRequest) -> EdgeResult<Response> {
        let rec = self.load_existing().await?;
        if let Some(done) = rec.refund_for_key(&req)? {
            return Ok(json_response(&rec.refund_view(done), 200)?);
        }
        let amount = rec.check_refund(&req.input)?;
        let payment = rec
            .payments
            .iter()
            .find(|p| p.id == req.input.payment_id)
            .cloned()
            .ok_or_else(not_found)?;
        let config = self.config()?;
        match config.provider(payment.provider)?.refunds() {
            Capability::Offered => {}
            Capability::NotOffered(why) => {
                return Err(ApiError::new(ErrorCode::ProviderRefused, why).into())
            }
            Capability::NotConfigured(why) => {
                return Err(ApiError::new(ErrorCode::Misconfigured, why).into())
            }
        }
        let now = now_ms();
        let refund = RefundRecord {
            id: ids::random_id("re_", 24)?,
            payment_id: req.input.payment_id.clone(),
            amount,
            reason: req.input.reason.clone(),
            status: TransferStatus::Pending,
            failure_message: None,
            reference_id: ids::uuid_v4()?,
            provider_ref: None,
            idempotency_key: req.idempotency_key.clone(),
            request_digest: req.digest.clone(),
            created_at_ms: now,
            updated_at_ms: now,
            // Read later if its answer is never stored (see `SEND_LEASE_MS`).
            next_poll_at_ms: Some(now + SEND_LEASE_MS),
        };
        let mut rec = rec;
        rec.refunds.push(refund.clone());
        self.save(&rec).await?;
        if let Err(e) = store::insert_refund(&self.env, &refund.id, &rec.id, now).await {
            log("refund_index_failed", &e.to_string());
        }
        log(
            "refund_created",
            &format!("{} of {}", refund.id, refund.payment_id),
        );

        let outcome = self
            .transfer_refund(&config, &rec, &payment, &refund, Call::Send)
            .await;
        let rec = self.record_refund(&refund.id, outcome, Call::Send).await?;
        let stored = rec.refund(&refund.id).ok_or_else(not_found)?;
        if stored.status == TransferStatus::Failed {
            // Refused before any money moved: the merchant hears why, and the refund stays
            // on record as failed (the same key answers the same).
            let message = stored
                .failure_message
                .clone()
                .unwrap_or_else(|| "the provider refused the refund".into());
            return Err(ApiError::new(ErrorCode::ProviderRefused, message).into());
        }
        Ok(json_response(&rec.refund_view(stored), 201)?)
    }

    /// Stores a provider's answer about a refund and schedules the next question. Only the
    /// send's explicit refusal fails a refund; an error while reading its status is unknown.
    async fn record_refund(
        &self,
        refund_id: &str,
        outcome: Result<Transfer, CallError>,
        call: Call,
    ) -> EdgeResult<super::record::CheckoutRecord> {
        let now = now_ms();
        let mut rec = self.load_existing().await?;
        let retry_after_ms = outcome.as_ref().err().and_then(CallError::retry_after_ms);
        let event_id = ids::random_id("evt_", 24)?;
        match outcome {
            Ok(update) => {
                log_unknown("refund", &update);
                rec.apply_refund(refund_id, &update, &event_id, now)
            }
            Err(e) if e.outcome_unknown() || call == Call::StatusRead => {
                log("refund_answer_unknown", &e.to_string());
            }
            Err(e) => {
                log("refund_refused", &e.to_string());
                let refused = Transfer {
                    status: TransferStatus::Failed,
                    failure_message: Some(e.public_message()),
                    ..Transfer::pending(None)
                };
                rec.apply_refund(refund_id, &refused, &event_id, now);
            }
        }
        if let Some(r) = rec.refunds.iter_mut().find(|r| r.id == refund_id) {
            r.next_poll_at_ms = if r.status.is_terminal() {
                None
            } else {
                no_callback_poll_delay_ms(now - r.created_at_ms)
                    .map(|d| now + d.max(retry_after_ms.unwrap_or(0)))
            };
        }
        self.save(&rec).await?;
        self.deliver_due().await?;
        Ok(rec)
    }

    /// The alarm's share: asks about one due refund.
    pub(super) async fn poll_due_refund(&self) -> EdgeResult<()> {
        let rec = self.load_existing().await?;
        let now = now_ms();
        let Some(refund) = rec
            .refunds
            .iter()
            .find(|r| !r.status.is_terminal() && r.next_poll_at_ms.is_some_and(|t| t <= now))
            .cloned()
        else {
            return Ok(());
        };
        let Some(payment) = rec.payments.iter().find(|p| p.id == refund.payment_id) else {
            return Ok(());
        };
        let config = self.config()?;
        let answer = self
            .transfer_refund(&config, &rec, payment, &refund, Call::StatusRead)
            .await;
        self.record_refund(&refund.id, answer, Call::StatusRead)
            .await
            .map(|_| ())
    }

    /// Sends a refund to the payment's provider, or reads where it stands.
    async fn transfer_refund(
        &self,
        config: &Config,
        rec: &CheckoutRecord,
        payment: &PaymentRecord,
        refund: &RefundRecord,
        call: Call,
    ) -> Result<Transfer, CallError> {
        let provider = config.provider(payment.provider)?;
        let host = EdgeHost::new(&self.env);
        let e164 = payment.msisdn.e164();
        let paid = attempt(payment, &e164);
        let order = refund_order(rec, refund);
        match call {
            Call::Send => provider.refund(&host.host(), &paid, &order).await,
            Call::StatusRead => provider.refund_status(&host.host(), &paid, &order).await,
        }
    }

    /// `GET /refund?id=` (internal).
    pub(super) async fn refund_by_id(&self, refund_id: &str) -> EdgeResult<Response> {
        let rec = self.load_existing().await?;
        let refund = rec
            .refund(refund_id)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such refund"))?;
        Ok(json_response(&rec.refund_view(refund), 200)?)
    }

    /// `GET /receipt?payment=` (internal): Lipa's record of a succeeded payment, with the
    /// provider's own receipt where it issues one (Dollr: fee, FX rate, line items).
    pub(super) async fn receipt(&self, payment_id: &str) -> EdgeResult<Response> {
        let rec = self.load_existing().await?;
        let payment = rec
            .payments
            .iter()
            .find(|p| p.id == payment_id)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payment"))?;
        if payment.status != PaymentStatus::Succeeded {
            return Err(ApiError::new(
                ErrorCode::NotSucceeded,
                format!(
                    "a receipt exists once the payment succeeded; it is {}",
                    payment.status.name()
                ),
            )
            .into());
        }
        let mut receipt = ReceiptView {
            payment_id: payment.id.clone(),
            checkout_id: rec.id.clone(),
            reference: rec.reference.clone(),
            amount: rec.amount,
            amount_display: format_amount(rec.amount, rec.currency),
            fee: None,
            total: rec.amount,
            total_display: format_amount(rec.amount, rec.currency),
            currency: rec.currency,
            fx_rate: None,
            operator: payment.operator,
            phone_masked: payment.msisdn.masked(),
            provider: payment.provider.name().to_string(),
            provider_reference: payment.provider_ref.clone(),
            paid_at: None,
            succeeded_at_ms: payment.updated_at_ms,
            items: vec![ReceiptLine {
                name: rec.description.clone(),
                qty: 1,
                amount: rec.amount,
            }],
        };
        let config = self.config()?;
        let provider = config.provider(payment.provider).map_err(unavailable)?;
        let host = EdgeHost::new(&self.env);
        let e164 = payment.msisdn.e164();
        let issued = provider
            .receipt(&host.host(), &attempt(payment, &e164))
            .await
            .map_err(unavailable)?;
        if let Some(issued) = issued {
            receipt.fee = Some(issued.fee);
            receipt.total = issued.total;
            receipt.total_display = format_amount(issued.total, rec.currency);
            receipt.fx_rate = issued.fx_rate;
            receipt.paid_at = issued.paid_at;
            receipt.items = issued
                .items
                .into_iter()
                .map(|(name, qty, amount)| ReceiptLine { name, qty, amount })
                .collect();
        }
        Ok(json_response(&receipt, 200)?)
    }
}

fn unavailable(e: CallError) -> ApiError {
    log("receipt_failed", &e.to_string());
    ApiError::new(
        ErrorCode::ProviderUnavailable,
        format!(
            "the provider's receipt could not be read: {}",
            e.public_message()
        ),
    )
}
