//! Payouts: one Durable Object per merchant `Idempotency-Key`, so the same key can never pay
//! twice. The object checks the wallet with the provider before it records anything, stores
//! the payout and its reference before the money call, polls the provider until a final
//! state and delivers the signed `payout.*` event.

mod object;
pub mod record;

pub use object::PayoutObject;

use lipa_api::payout::CreatePayout;
use lipa_api::refund::TransferStatus;
use lipa_api::{ApiError, ErrorCode};
use lipa_providers::provider::{Capability, PayoutOrder, Provider, Recipient, Transfer};
use lipa_providers::schedule::no_callback_poll_delay_ms;
use lipa_providers::{CallError, ProviderError};
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use crate::checkout::log;
use crate::config::Config;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::providers::EdgeHost;
use crate::transfer::{log_unknown, Call, SEND_LEASE_MS};
use crate::{ids, store, stored};
use record::PayoutRecord;

/// The Durable Object namespace binding of payouts.
pub const BINDING: &str = "PAYOUT";
/// The storage key of the record.
const KEY: &str = "payout";
/// How long a payout session stays open at the provider.
const SESSION_LIFETIME_MS: i64 = 60 * 60 * 1000;

/// What the edge asks a Payout object: one enum both sides use, sent as the JSON body of a
/// POST to the object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutMessage {
    /// Create the payout (once per idempotency key).
    Create {
        /// What the merchant asked.
        request: PayoutRequest,
    },
    /// Read the payout.
    View,
    /// Send one of its events again.
    Resend {
        /// `evt_…`.
        event_id: String,
    },
}

/// What the merchant asked, with its idempotency key and the body's digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayoutRequest {
    /// The validated body.
    pub order: CreatePayout,
    /// The `Idempotency-Key` header.
    pub idempotency_key: String,
    /// SHA-256 of the body, hex.
    pub digest: String,
}

/// The object's name for an idempotency key.
pub fn object_name(idempotency_key: &str) -> String {
    format!("payout:{idempotency_key}")
}

fn iso8601(ms: i64) -> String {
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string())
}

impl PayoutObject {
    async fn dispatch(&self, req: &mut Request) -> EdgeResult<Response> {
        let message: PayoutMessage = crate::handlers::durable_message(req).await.map_err(|e| {
            log("payout_message_refused", &e.to_string());
            ApiError::new(ErrorCode::NotFound, "no such payout operation")
        })?;
        match message {
            PayoutMessage::Create { request } => self.create(request).await,
            PayoutMessage::View => {
                let rec = self
                    .load()
                    .await?
                    .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payout"))?;
                Ok(json_response(&rec.view(), 200)?)
            }
            PayoutMessage::Resend { event_id } => {
                let mut rec = self
                    .load()
                    .await?
                    .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payout"))?;
                if !crate::outbox::resend(&mut rec.outbox, &event_id, now_ms()) {
                    return Err(ApiError::new(ErrorCode::NotFound, "no such event").into());
                }
                self.save(&rec).await?;
                self.deliver_due().await?;
                let delivered = self.load().await?.is_some_and(|r| {
                    r.outbox.iter().any(|e| {
                        e.event_id == event_id
                            && e.next_attempt_at_ms.is_none()
                            && e.delivered_at_ms.is_some()
                    })
                });
                Ok(json_response(
                    &serde_json::json!({"id": event_id, "resent": true, "delivered": delivered}),
                    200,
                )?)
            }
        }
    }

    async fn load(&self) -> EdgeResult<Option<PayoutRecord>> {
        Ok(stored::load(&self.state.storage(), KEY).await?)
    }

    async fn save(&self, rec: &PayoutRecord) -> EdgeResult<()> {
        stored::save(&self.state.storage(), KEY, rec).await?;
        if let Some(at) = rec.next_wakeup_ms() {
            self.state
                .storage()
                .set_alarm((at - now_ms()).max(0))
                .await?;
        }
        Ok(())
    }

    /// The provider that pays out to this wallet, configured for payouts.
    fn provider_for<'c>(
        config: &'c Config,
        order: &CreatePayout,
    ) -> Result<&'c dyn Provider, ApiError> {
        let routed = config.routes.provider_for(order.country, order.operator);
        let provider = routed.and_then(|id| config.providers.get(id));
        let refused = |why: &str| {
            ApiError::field(
                ErrorCode::InvalidField,
                "operator",
                format!(
                    "payouts to {} in {} are not available: {why}",
                    order.operator.name(),
                    order.country.name(),
                ),
            )
        };
        let Some(provider) = provider else {
            return Err(refused("this edge routes them to no provider"));
        };
        match provider.payouts() {
            Capability::Offered => Ok(provider),
            Capability::NotOffered(why) => Err(refused(&why)),
            Capability::NotConfigured(why) => Err(ApiError::new(ErrorCode::Misconfigured, why)),
        }
    }

    async fn create(&self, req: PayoutRequest) -> EdgeResult<Response> {
        if let Some(existing) = self.load().await? {
            existing.check_replay(&req.digest)?;
            return Ok(json_response(&existing.view(), 200)?);
        }
        if self.creating.replace(true) {
            return Err(crate::idempotency::in_use().into());
        }
        let created = self.create_new(req).await;
        self.creating.set(false);
        created
    }

    async fn create_new(&self, req: PayoutRequest) -> EdgeResult<Response> {
        let config = Config::from_env(&self.env)?;
        let provider = Self::provider_for(&config, &req.order)?;
        let order = &req.order;
        let e164 = order.phone.e164();
        let host = EdgeHost::new(&self.env);
        let plan = provider
            .payout_check(&host.host(), &recipient(order, &e164))
            .await
            .map_err(|e| {
                // The provider's words stay in the log; the merchant gets ours.
                log("payout_wallet_check_failed", &e.to_string());
                match e {
                    // Lipa's own words: the wallet the provider predicts is not the operator's.
                    CallError::Provider(ProviderError::Unsupported(why)) => ApiError::field(
                        ErrorCode::ProviderRefused,
                        "phone",
                        format!("this number cannot receive a payout: {why}"),
                    ),
                    CallError::Provider(ProviderError::Rejected { .. }) => ApiError::field(
                        ErrorCode::ProviderRefused,
                        "phone",
                        format!(
                            "this number cannot receive a payout: {} does not see it as a {} wallet",
                            provider.id().brand(),
                            order.operator.name()
                        ),
                    ),
                    other => ApiError::new(
                        ErrorCode::ProviderUnavailable,
                        format!(
                            "the wallet could not be checked right now: {}",
                            other.public_message()
                        ),
                    ),
                }
            })?;

        let now = now_ms();
        let rec = PayoutRecord {
            id: ids::random_id("po_", 24)?,
            order: req.order.clone(),
            provider: provider.id(),
            idempotency_key: req.idempotency_key.clone(),
            request_digest: req.digest.clone(),
            reference_id: ids::uuid_v4()?,
            provider_ref: None,
            received: false,
            status: TransferStatus::Pending,
            failure_message: None,
            created_at_ms: now,
            updated_at_ms: now,
            // Read later if its answer is never stored (see `SEND_LEASE_MS`).
            next_poll_at_ms: Some(now + SEND_LEASE_MS),
            outbox: vec![],
        };
        self.save(&rec).await?;
        if let Err(e) =
            store::insert_payout(&self.env, &rec.id, &object_name(&rec.idempotency_key), now).await
        {
            log("payout_index_failed", &e.to_string());
        }
        log(
            "payout_created",
            &format!("{} to {}", rec.id, order.phone.masked()),
        );
        let outcome = self.send(provider, &rec, &plan).await;
        let rec = self.record(outcome, Call::Send).await?;
        if rec.status == TransferStatus::Failed {
            return Err(ApiError::new(
                ErrorCode::ProviderRefused,
                rec.failure_message
                    .unwrap_or_else(|| "the provider refused the payout".into()),
            )
            .into());
        }
        Ok(json_response(&rec.view(), 201)?)
    }

    /// Stores a provider answer and schedules the next question. Only the send's explicit
    /// refusal fails a payout; an error while reading its status is unknown.
    async fn record(
        &self,
        outcome: Result<Transfer, CallError>,
        call: Call,
    ) -> EdgeResult<PayoutRecord> {
        let mut rec = self
            .load()
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payout"))?;
        let now = now_ms();
        let event_id = ids::random_id("evt_", 24)?;
        let retry_after_ms = outcome.as_ref().err().and_then(CallError::retry_after_ms);
        match outcome {
            Ok(update) => {
                log_unknown("payout", &update);
                rec.apply(&update, &event_id, now)
            }
            Err(e) if e.outcome_unknown() || call == Call::StatusRead => {
                log("payout_answer_unknown", &e.to_string());
            }
            Err(e) => {
                log("payout_refused", &e.to_string());
                let refused = Transfer {
                    status: TransferStatus::Failed,
                    failure_message: Some(e.public_message()),
                    ..Transfer::pending(None)
                };
                rec.apply(&refused, &event_id, now);
            }
        }
        rec.next_poll_at_ms = if rec.status.is_terminal() {
            None
        } else {
            no_callback_poll_delay_ms(now - rec.created_at_ms)
                .map(|d| now + d.max(retry_after_ms.unwrap_or(0)))
        };
        self.save(&rec).await?;
        self.deliver_due().await?;
        Ok(rec)
    }

    /// Sends the stored payout (its stored `reference_id`) as `plan`ned by the wallet check.
    async fn send(
        &self,
        provider: &dyn Provider,
        rec: &PayoutRecord,
        plan: &str,
    ) -> Result<Transfer, CallError> {
        let e164 = rec.order.phone.e164();
        let expires_at = iso8601(now_ms() + SESSION_LIFETIME_MS);
        let host = EdgeHost::new(&self.env);
        provider
            .payout(
                &host.host(),
                &recipient(&rec.order, &e164),
                plan,
                &PayoutOrder {
                    amount: rec.order.amount,
                    currency: rec.order.currency,
                    reference_id: &rec.reference_id,
                    expires_at: &expires_at,
                },
            )
            .await
    }

    /// The alarm: ask about a due payout, deliver its event.
    async fn wake(&self) -> EdgeResult<()> {
        let Some(rec) = self.load().await? else {
            return Ok(());
        };
        if !rec.status.is_terminal() && rec.next_poll_at_ms.is_some_and(|t| t <= now_ms()) {
            let config = Config::from_env(&self.env)?;
            let provider = Self::provider_for(&config, &rec.order)?;
            let host = EdgeHost::new(&self.env);
            let read = provider
                .payout_status(&host.host(), &rec.reference_id)
                .await;
            let (answer, call) = match after_read(read, rec.is_received()) {
                AfterRead::Answer(answer) => (answer, Call::StatusRead),
                // Never received: nothing moved, and the same reference is sent again, under
                // a new lease stored first (on the record as stored now: the read above was
                // I/O), so a resend whose answer is never stored is read again later.
                AfterRead::SendAgain => {
                    let Some(mut leased) = self.load().await? else {
                        return Ok(());
                    };
                    if leased.status.is_terminal() || leased.is_received() {
                        return self.deliver_due().await;
                    }
                    leased.next_poll_at_ms = Some(now_ms() + SEND_LEASE_MS);
                    self.save(&leased).await?;
                    let e164 = leased.order.phone.e164();
                    let sent = match provider
                        .payout_check(&host.host(), &recipient(&leased.order, &e164))
                        .await
                    {
                        Ok(plan) => self.send(provider, &leased, &plan).await,
                        Err(e) => Err(e),
                    };
                    (sent, Call::Send)
                }
            };
            self.record(answer, call).await?;
        }
        self.deliver_due().await
    }

    async fn deliver_due(&self) -> EdgeResult<()> {
        let Some(mut rec) = self.load().await? else {
            return Ok(());
        };
        let leased = crate::outbox::lease_due(&mut rec.outbox, now_ms());
        if leased.is_empty() {
            return Ok(());
        }
        self.save(&rec).await?;
        let config = Config::from_env(&self.env)?;
        let results = crate::merchant_webhook::attempt(
            &self.env,
            &config.merchant,
            &object_name(&rec.idempotency_key),
            &leased,
        )
        .await;
        let Some(mut rec) = self.load().await? else {
            return Ok(());
        };
        crate::merchant_webhook::record_attempts(&mut rec.outbox, &results, now_ms());
        self.save(&rec).await
    }
}

/// What a payout's status read leads to.
#[derive(Debug)]
enum AfterRead {
    /// The read's answer, to record as a status read (an error leaves the payout pending).
    Answer(Result<Transfer, CallError>),
    /// The provider never received it: send it again with the same reference.
    SendAgain,
}

/// A status read of a payout the provider has `received` ([`PayoutRecord::is_received`]) or
/// not. "Not found" means never received only when the provider never answered about the
/// payout: once it has, a "not found" is its own loss or delay, unknown, never a reason to send
/// the money again (whose refusal, as a send's, would fail a payout that was made).
fn after_read(read: Result<Option<Transfer>, CallError>, received: bool) -> AfterRead {
    match read {
        Ok(Some(found)) => AfterRead::Answer(Ok(found)),
        Ok(None) if !received => AfterRead::SendAgain,
        Ok(None) => AfterRead::Answer(Err(CallError::Provider(ProviderError::Decode(
            "the provider does not find a payout it answered about".into(),
        )))),
        Err(e) => AfterRead::Answer(Err(e)),
    }
}

/// Who a payout goes to, as its provider sees it.
fn recipient<'a>(order: &CreatePayout, e164: &'a str) -> Recipient<'a> {
    Recipient {
        e164,
        country: order.country,
        operator: order.operator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payout_the_provider_never_received_is_sent_again() {
        assert!(matches!(after_read(Ok(None), false), AfterRead::SendAgain));
    }

    #[test]
    fn a_payout_the_provider_answered_about_is_never_sent_again_and_stays_unknown() {
        match after_read(Ok(None), true) {
            AfterRead::Answer(Err(e)) => assert!(e.outcome_unknown(), "{e}"),
            other => panic!("a received payout must not be resent: {other:?}"),
        }
    }

    #[test]
    fn a_found_payout_or_a_failed_read_is_recorded_as_a_status_read() {
        let found = Transfer::pending(Some("dl_exec_1".into()));
        assert!(matches!(
            after_read(Ok(Some(found)), true),
            AfterRead::Answer(Ok(t)) if t.provider_ref.as_deref() == Some("dl_exec_1")
        ));
        let lost = CallError::Lost(lipa_providers::host::Lost::Timeout);
        assert!(matches!(
            after_read(Err(lost), false),
            AfterRead::Answer(Err(CallError::Lost(_)))
        ));
    }
}
