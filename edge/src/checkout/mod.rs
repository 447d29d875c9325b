//! The Checkout Durable Object: the single writer of one checkout's state.
//!
//! It stores each payment and its idempotency reference before calling the provider the
//! routing table chose, applies provider answers that echo their payment (webhooks only as
//! hints, confirmed by a status read), takes one-time codes, polls on an alarm where no
//! webhook comes, and delivers signed merchant webhooks with retries.
//!
//! **One writer, for real.** The object's input gate opens on every awaited fetch (a
//! provider, D1, another object), so another request can run while one waits. Every change
//! is therefore read → decide (a pure rule from [`record`]) → write with no I/O between, on
//! the record as stored at that moment, never on a copy read before an await: a Pay holds its
//! payment in the object's memory before anything else is awaited and stores it as in flight
//! before the provider is called, OTP attempts are counted on the
//! stored record, a guest's phone-verification code is issued and checked on it
//! ([`verification`], `verifying.rs`), and a provider's answer is applied to the record read
//! after the answer.

pub mod message;
mod object;
mod preparing;
pub mod record;
pub mod refund;
mod refunding;
pub mod verification;
mod verifying;

pub use message::{CheckoutMessage, LIVE_PATH};
pub use object::CheckoutObject;

use futures_util::future::Shared;
use lipa_api::phone::Msisdn;
use lipa_api::{ApiError, ErrorCode, PaymentStatus, StartPayment, SubmitOtp};
use lipa_providers::provider::{Hint, OtpOutcome, Prepared, Reading};
use lipa_providers::{CallError, ProviderError, ProviderId, ProviderPayment};
use std::rc::Rc;

use worker::{Request, Response};

use crate::config::Config;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::ids;
use crate::providers::{attempt, order, EdgeHost};
use crate::transfer::SEND_LEASE_MS;
use crate::{store, stored};
use record::{Binding, CheckoutRecord, PaymentRecord};

/// The storage key of the record.
const KEY: &str = "checkout";
/// How many live channels one checkout keeps open (a customer's tabs, with room to spare).
const MAX_LIVE_CHANNELS: usize = 8;
/// The internal header that carries the widget's client secret to the object on the live
/// channel's upgrade request.
pub const CLIENT_SECRET_HEADER: &str = "x-lipa-client-secret";

impl CheckoutObject {
    async fn dispatch(&self, req: &mut Request) -> EdgeResult<Response> {
        if req.path() == LIVE_PATH {
            let secret = req.headers().get(CLIENT_SECRET_HEADER)?.unwrap_or_default();
            let rec = self.authorize(&secret).await?;
            return self.live(&rec);
        }
        let message: CheckoutMessage =
            crate::handlers::durable_message(req).await.map_err(|e| {
                log("checkout_message_refused", &e.to_string());
                ApiError::new(ErrorCode::NotFound, "no such checkout operation")
            })?;
        match message {
            CheckoutMessage::Init { record } => self.init(*record).await,
            CheckoutMessage::View { client_secret } => {
                let rec = self.authorize(&client_secret).await?;
                self.view(rec).await
            }
            // Authorized here; the handlers read the record again themselves, so every
            // decision is made on the stored state (see the module doc).
            CheckoutMessage::StartPayment {
                client_secret,
                client_ip,
                body,
            } => {
                self.authorize(&client_secret).await?;
                self.start_payment(&body, client_ip).await
            }
            CheckoutMessage::SubmitOtp {
                client_secret,
                body,
            } => {
                self.authorize(&client_secret).await?;
                self.submit_otp(&body).await
            }
            CheckoutMessage::SendCode {
                client_secret,
                client_ip,
                host,
                body,
            } => {
                self.authorize(&client_secret).await?;
                self.send_code(&body, client_ip, host).await
            }
            CheckoutMessage::CheckCode {
                client_secret,
                body,
            } => {
                self.authorize(&client_secret).await?;
                self.check_code(&body).await
            }
            CheckoutMessage::Check { client_secret } => {
                self.authorize(&client_secret).await?;
                self.check().await
            }
            CheckoutMessage::CreateRefund { refund } => self.create_refund(refund).await,
            CheckoutMessage::Refund { id } => self.refund_by_id(&id).await,
            CheckoutMessage::MerchantView => {
                let rec = self.load_existing().await?;
                Ok(json_response(&rec.merchant_view(now_ms()), 200)?)
            }
            CheckoutMessage::MerchantPayment { payment_id } => {
                let rec = self.load_existing().await?;
                let payment = rec
                    .payments
                    .iter()
                    .find(|p| p.id == payment_id)
                    .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such payment"))?;
                Ok(json_response(&rec.merchant_payment_read(payment), 200)?)
            }
            CheckoutMessage::Receipt { payment_id } => self.receipt(&payment_id).await,
            CheckoutMessage::Resend { event_id } => self.resend(&event_id).await,
            CheckoutMessage::ProviderHint {
                provider,
                hint,
                strict,
            } => self.provider_hint(provider, hint, strict).await,
        }
    }

    fn config(&self) -> EdgeResult<Rc<Config>> {
        Ok(Config::from_env(&self.env)?)
    }

    /// The stored record. Only [`Self::save`] writes it, so the copy this object last read or
    /// wrote is what storage holds: it is read from storage once per object lifetime, and
    /// after that from memory (each read still a fresh copy, to be read again after any
    /// await, as from storage). A failed commit resets the object, memory and all.
    async fn load(&self) -> EdgeResult<Option<CheckoutRecord>> {
        if let Some(rec) = self.record.borrow().as_ref() {
            return Ok(Some(rec.clone()));
        }
        let stored: Option<CheckoutRecord> = stored::load(&self.state.storage(), KEY).await?;
        let mut kept = self.record.borrow_mut();
        if kept.is_none() {
            kept.clone_from(&stored);
        }
        Ok(kept.clone())
    }

    async fn load_existing(&self) -> EdgeResult<CheckoutRecord> {
        self.load().await?.ok_or_else(|| not_found().into())
    }

    async fn save(&self, rec: &CheckoutRecord) -> EdgeResult<()> {
        if let Err(e) = stored::save(&self.state.storage(), KEY, rec).await {
            // Not known to be stored: the next read asks storage.
            *self.record.borrow_mut() = None;
            return Err(e.into());
        }
        *self.record.borrow_mut() = Some(rec.clone());
        if let Some(at) = rec.next_wakeup_ms() {
            let delay = (at - now_ms()).max(0);
            self.state.storage().set_alarm(delay).await?;
        }
        self.announce(rec);
        Ok(())
    }

    /// Accepts a widget's live channel (hibernatable: the object may sleep while it is open)
    /// and tells it at once where the latest payment stands, so a change made between the
    /// widget's last read and this connection is not missed.
    fn live(&self, rec: &CheckoutRecord) -> EdgeResult<Response> {
        // A flood of connections cannot pile up: past the cap, the oldest lines are closed
        // (a real widget on one of them reconnects with backoff).
        let mut open: Vec<(String, worker::WebSocket)> = self
            .state
            .get_websockets()
            .into_iter()
            .map(|ws| (self.state.get_tags(&ws).concat(), ws))
            .collect();
        open.sort_by(|a, b| a.0.cmp(&b.0));
        let excess = (open.len() + 1).saturating_sub(MAX_LIVE_CHANNELS);
        for (_, ws) in open.iter().take(excess) {
            log("live_channel_closed_over_cap", &rec.id);
            let _ = ws.close(Some(1008), Some("too many live channels for this checkout"));
        }
        let pair = worker::WebSocketPair::new()?;
        // Tagged with when it opened (zero-padded, so tags sort by age).
        self.state
            .accept_websocket_with_tags(&pair.server, &[&format!("{:015}", now_ms())]);
        if let Some(message) = announcement(rec) {
            pair.server.send_with_str(&message)?;
        }
        let mut resp = Response::from_websocket(pair.client)?;
        resp.headers_mut().set(
            "Sec-WebSocket-Protocol",
            crate::handlers::widget::LIVE_PROTOCOL,
        )?;
        Ok(resp)
    }

    /// Sends every open live channel the latest payment as the widget reads it, so the
    /// widget moves on without reading the checkout again.
    fn announce(&self, rec: &CheckoutRecord) {
        let Some(message) = announcement(rec) else {
            return;
        };
        for ws in self.state.get_websockets() {
            if let Err(e) = ws.send_with_str(&message) {
                log("live_send_failed", &e.to_string());
            }
        }
    }

    /// The record, when `given` is its client secret or its `pay_url`'s link token (which
    /// can do exactly what the client secret can).
    async fn authorize(&self, given: &str) -> EdgeResult<CheckoutRecord> {
        let rec = self.load_existing().await?;
        let digest = ids::sha256_hex(given);
        let secret_ok = ids::constant_time_eq(&digest, &rec.client_secret_digest);
        let link_ok = rec
            .link_digest
            .as_deref()
            .is_some_and(|d| ids::constant_time_eq(&digest, d));
        if secret_ok | link_ok {
            Ok(rec)
        } else {
            log("client_secret_refused", &rec.id);
            // The same answer as for an unknown checkout: a wrong secret learns nothing.
            Err(not_found().into())
        }
    }

    async fn init(&self, rec: CheckoutRecord) -> EdgeResult<Response> {
        let config = self.config()?;
        if self.load().await?.is_some() {
            return Err(ApiError::new(ErrorCode::Internal, "checkout id collision").into());
        }
        self.save(&rec).await?;
        // The customer's first screen must not wait for a provider, nor the merchant's server:
        // what the checkout needs before paying (CrissCross's session, Dollr's fee) is
        // prepared by the alarm, now; a widget that reads the checkout first prepares it then.
        // A checkout whose providers need nothing prepared costs no alarm.
        if !preparing::due(&config, &rec, now_ms()).is_empty() {
            self.state.storage().set_alarm(0).await?;
        }
        Ok(json_response(&serde_json::json!({ "id": rec.id }), 201)?)
    }

    async fn view(&self, rec: CheckoutRecord) -> EdgeResult<Response> {
        let config = self.config()?;
        let rec = self.ensure_prepared(&config, rec).await;
        Ok(json_response(
            &rec.view(&config.merchant.name, &config.routes),
            200,
        )?)
    }

    /// Prepares the checkout with every provider one of its operators routes to that needs
    /// it (CrissCross's session, Dollr's fee when the customer bears it), where nothing is
    /// prepared or what is ends within [`preparing::PREPARATION_RENEW_MARGIN_MS`]. One run is
    /// in flight at a time: a caller that finds one awaits it (see [`preparing`]). A failure
    /// leaves the record as it was (retried on the next read).
    async fn ensure_prepared(&self, config: &Config, rec: CheckoutRecord) -> CheckoutRecord {
        let due = preparing::due(config, &rec, now_ms());
        if due.is_empty() {
            return rec;
        }
        let run = {
            let mut slot = self.preparing.borrow_mut();
            match slot.as_ref().filter(|run| run.peek().is_none()) {
                Some(run) => run.clone(),
                None => {
                    let run = preparing::start(&self.env, &rec, due);
                    *slot = Some(run.clone());
                    run
                }
            }
        };
        let prepared = run.clone().await;
        {
            let mut slot = self.preparing.borrow_mut();
            if slot.as_ref().is_some_and(|kept| Shared::ptr_eq(kept, &run)) {
                *slot = None;
            }
        }
        let mut rec = rec;
        for (id, p) in prepared {
            rec = match self.store_prepared(id, p).await {
                Ok(fresh) => fresh,
                Err(e) => {
                    log("preparation_not_stored", &e.to_string());
                    rec
                }
            };
        }
        rec
    }

    /// Read, decide, write: stores a preparation unless one stored meanwhile still holds (a
    /// payment may already have been started with it).
    async fn store_prepared(
        &self,
        id: ProviderId,
        prepared: Prepared,
    ) -> EdgeResult<CheckoutRecord> {
        let mut fresh = self.load_existing().await?;
        if preparing::needs_preparing(&fresh, id, now_ms()) {
            fresh.prepared.insert(id, prepared);
            self.save(&fresh).await?;
        }
        Ok(fresh)
    }

    /// Sends `payment` to its provider.
    async fn send(
        &self,
        config: &Config,
        rec: &CheckoutRecord,
        payment: &PaymentRecord,
    ) -> Result<ProviderPayment, CallError> {
        let provider = config.provider(payment.provider)?;
        let host = EdgeHost::new(&self.env);
        let e164 = payment.msisdn.e164();
        provider
            .start(&host.host(), &order(config, rec), &attempt(payment, &e164))
            .await
    }

    /// Reads where `payment` stands at its provider; never sends it.
    async fn read(
        &self,
        config: &Config,
        rec: &CheckoutRecord,
        payment: &PaymentRecord,
    ) -> Result<Reading, CallError> {
        let provider = config.provider(payment.provider)?;
        let host = EdgeHost::new(&self.env);
        let e164 = payment.msisdn.e164();
        provider
            .read(&host.host(), &order(config, rec), &attempt(payment, &e164))
            .await
    }

    /// `POST /payments`: starts a payment. The payment is held in the object's memory before
    /// anything is awaited, so a second Pay at the same moment finds it and gets 409; what needs
    /// I/O (the CrissCross session, Dollr's fee, the spam limits) comes next, and the payment is
    /// stored, with its lease, only once all of it passed: one storage commit before the
    /// provider hears of it, and nothing to take back after a refusal (nothing was sent).
    async fn start_payment(&self, body: &str, client_ip: Option<String>) -> EdgeResult<Response> {
        let config = self.config()?;
        let (payment, held) = self.hold_payment(&config, body).await?;
        let payment_id = payment.id.clone();
        self.prepare_payment(&config, &payment, client_ip).await?;
        let (rec, payment) = self.store_sending(payment).await?;
        // Stored: from here the record itself turns a second Pay away (`check_can_start`),
        // and lets one in as soon as this payment's answer is saved.
        drop(held);
        log_payment("payment_created", &rec.id, &payment);
        let mut outcome = self.send(&config, &rec, &payment).await;
        if matches!(outcome, Err(CallError::Provider(ProviderError::Gone))) {
            // The provider ended what the payment was prepared with (CrissCross's session,
            // 410): nothing was taken, so a new preparation and a new key are safe; the same
            // key on another session would be a conflict.
            log("preparation_gone", &rec.id);
            if let Some((rec, payment)) = self.resend_prepared_anew(&config, &payment_id).await? {
                outcome = self.send(&config, &rec, &payment).await;
            }
        }
        let provider_ref = bound_ref(
            &rec,
            &payment_id,
            binding(&config, &rec, &payment_id).as_ref(),
            outcome.as_ref().ok(),
            now_ms(),
        );
        let indexed = self.index_started(&rec.id, &payment, provider_ref).await;
        let rec = self.record_start(&payment_id, outcome, indexed).await?;
        let view = rec
            .payments
            .iter()
            .find(|p| p.id == payment_id)
            .map(PaymentRecord::view)
            .ok_or_else(not_found)?;
        Ok(json_response(&view, 201)?)
    }

    /// Read, decide, hold with no I/O between: validates the request against the stored
    /// record and against a Pay already held in memory, then holds this one (until the
    /// returned guard is dropped). Nothing is stored.
    async fn hold_payment(
        &self,
        config: &Config,
        body: &str,
    ) -> EdgeResult<(PaymentRecord, PayHold<'_>)> {
        let rec = self.load_existing().await?;
        let (operator, phone) = StartPayment::from_json(body, rec.country)?;
        let msisdn = match &rec.locked_phone {
            Some(locked) => locked.clone(),
            None => Msisdn::parse(rec.country, &phone).map_err(|e| {
                ApiError::field(ErrorCode::InvalidField, "phone", e.message(rec.country))
            })?,
        };
        let now = now_ms();
        if let Some(held) = self.paying.borrow().as_ref() {
            return Err(record::payment_in_progress(held, now).into());
        }
        rec.check_can_start(now)?;
        let provider = routed_provider(config, &rec, operator)?;
        // A guest on a route that verifies phones pays only from a number verified for this
        // checkout, checked here, before anything is stored or any provider hears of it.
        if rec.locked_phone.is_none()
            && config.routes.verify_phone(rec.country, operator)
            && !verification::is_verified(&rec.verifications, &msisdn.e164())
        {
            return Err(ApiError::field(
                ErrorCode::PhoneNotVerified,
                "phone",
                "Verify this number first with the code sent to it by SMS \
                 (POST /api/checkouts/{id}/verify).",
            )
            .into());
        }
        let payment = PaymentRecord {
            id: ids::payment_id(&rec.id)?,
            operator,
            provider,
            msisdn,
            status: PaymentStatus::Created,
            idempotency_key: ids::uuid_v4()?,
            provider_ref: None,
            created_at_ms: now,
            updated_at_ms: now,
            next_poll_at_ms: None,
            otp_attempts: 0,
            prepared: None,
            holds_until_ms: Some(now + config.approval_window_ms(config.provider(provider)?)),
            resends: 0,
            indexed: false,
            indexed_ref: None,
            turned_away: 0,
        };
        *self.paying.borrow_mut() = Some(payment.clone());
        Ok((payment, PayHold(&self.paying)))
    }

    /// What must be known before the provider hears of the payment, each step of which may
    /// refuse it: the provider's preparation (CrissCross's session and the operators it
    /// offers, Dollr's fee when the customer bears it), and the spam limits.
    async fn prepare_payment(
        &self,
        config: &Config,
        payment: &PaymentRecord,
        client_ip: Option<String>,
    ) -> EdgeResult<()> {
        let give_up_at = now_ms() + PREPARE_WAIT_MS;
        let mut rec = self.load_existing().await?;
        if preparation_busy(config, &rec, payment) {
            // A new attempt after the approval window while an earlier one is still live on
            // the same preparation: CrissCross allows one live transaction per session, so
            // this one gets its own (the earlier payment keeps its session for replays).
            rec.prepared.remove(&payment.provider);
            self.save(&rec).await?;
        }
        let mut rec = self.ensure_prepared(config, rec).await;
        routed_provider(config, &rec, payment.operator)?;
        let needs = config
            .provider(payment.provider)
            .is_ok_and(|p| p.needs_preparation());
        // A preparation that failed (a provider's rate limit, a blip) is tried again while
        // the customer waits, a second apart, until [`PREPARE_WAIT_MS`] after Pay, before Pay is
        // refused: nothing has been sent.
        while needs
            && !rec.prepared.contains_key(&payment.provider)
            && now_ms() + PREPARE_RETRY_AFTER_MS as i64 <= give_up_at
        {
            worker::Delay::from(std::time::Duration::from_millis(PREPARE_RETRY_AFTER_MS)).await;
            let fresh = self.load_existing().await?;
            rec = self.ensure_prepared(config, fresh).await;
        }
        let unprepared = needs && !rec.prepared.contains_key(&payment.provider);
        if unprepared {
            // Never send a payment without its session, nor charge a fee the customer was
            // not shown.
            return Err(ApiError::new(
                ErrorCode::ProviderUnavailable,
                "The payment could not be set up with the mobile money provider right now. Please try again.",
            )
            .into());
        }
        self.check_prompt_limits(config, &rec, &payment.msisdn, client_ip.as_deref())
            .await
    }

    /// Read, decide, write with no I/O between: checks again that the checkout can take the
    /// payment (it may have been paid, cancelled or expired while the limits were asked),
    /// binds it to the preparation it is sent on, schedules a status read for the case the
    /// call never returns (a Worker torn down mid-call), and stores it; then answers the
    /// record the call is made with.
    async fn store_sending(
        &self,
        mut payment: PaymentRecord,
    ) -> EdgeResult<(CheckoutRecord, PaymentRecord)> {
        let mut rec = self.load_existing().await?;
        let now = now_ms();
        rec.check_can_start(now)?;
        payment.prepared = rec.prepared.get(&payment.provider).map(|p| p.state.clone());
        payment.next_poll_at_ms = Some(now + SEND_LEASE_MS);
        rec.payments.push(payment.clone());
        self.save(&rec).await?;
        Ok((rec, payment))
    }

    /// After [`ProviderError::Gone`]: prepares the checkout anew and gives the payment a new
    /// key on the new preparation (the refused request took nothing). `None` when nothing
    /// could be prepared.
    async fn resend_prepared_anew(
        &self,
        config: &Config,
        payment_id: &str,
    ) -> EdgeResult<Option<(CheckoutRecord, PaymentRecord)>> {
        let mut rec = self.load_existing().await?;
        let Some(provider) = rec
            .payments
            .iter()
            .find(|p| p.id == payment_id)
            .map(|p| p.provider)
        else {
            return Ok(None);
        };
        rec.prepared.remove(&provider);
        self.save(&rec).await?;
        let rec = self.ensure_prepared(config, rec).await;
        let Some(prepared) = rec.prepared.get(&provider).map(|p| p.state.clone()) else {
            return Ok(None);
        };
        let mut rec = self.load_existing().await?;
        let key = ids::uuid_v4()?;
        let Some(p) = rec.payment_mut(payment_id) else {
            return Ok(None);
        };
        p.prepared = Some(prepared);
        p.idempotency_key = key;
        let payment = p.clone();
        self.save(&rec).await?;
        Ok(Some((rec, payment)))
    }

    /// Spam protection: at most so many prompts per checkout, per client address (a
    /// rate-limiting binding, asked before the number: it needs no hop, and a refused address
    /// costs no number's bucket) and per phone number (a higher limit for a number the merchant
    /// locked); 429 naming which, before any provider call.
    async fn check_prompt_limits(
        &self,
        config: &Config,
        rec: &CheckoutRecord,
        msisdn: &Msisdn,
        client_ip: Option<&str>,
    ) -> EdgeResult<()> {
        let limits = config.limits;
        let now = now_ms();
        // The payment being checked is not stored yet: it counts as one more.
        if rec.payments_since(now, limits.window_ms) + 1 > limits.per_checkout as usize {
            let oldest = rec
                .payments
                .iter()
                .map(|p| p.created_at_ms)
                .filter(|t| now - t < limits.window_ms)
                .min();
            log("prompt_limit", &format!("checkout {}", rec.id));
            return Err(crate::limits::refused(
                "checkout",
                oldest.unwrap_or(now) + limits.window_ms,
                now,
            )
            .into());
        }
        crate::ip_limit::check(&self.env, crate::ip_limit::Purpose::Prompt, client_ip).await?;
        // One bucket per number: a locked number may fill it further than a guest's.
        let bucket = format!("phone:{}", msisdn.e164());
        let limit = match rec.locked_phone {
            None => limits.per_phone,
            Some(_) => limits.per_locked_phone,
        };
        if let Err(retry_at) =
            crate::limiter::take(&self.env, &bucket, limit, limits.window_ms).await?
        {
            log("prompt_limit", &format!("phone {}", msisdn.masked()));
            return Err(crate::limits::refused("phone number", retry_at, now).into());
        }
        Ok(())
    }

    /// Sends the customer's one-time code to the provider. The code is never stored or logged.
    /// The attempt is counted on the stored record before the call (read, check, write with
    /// no I/O between), so codes sent at once cannot pass the limit together.
    async fn submit_otp(&self, body: &str) -> EdgeResult<Response> {
        let otp = SubmitOtp::from_json(body)?;
        let config = self.config()?;
        let mut counted = self.load_existing().await?;
        if self.paying.borrow().is_some() {
            // The customer has pressed Pay again: the code belongs to a payment being left.
            return Err(ApiError::new(
                ErrorCode::NotAwaitingOtp,
                "A new payment is being started on this checkout; its prompt replaces the code.",
            )
            .into());
        }
        let payment_id = counted.payment_awaiting_otp()?.id.clone();
        let payment = {
            let p = counted.payment_mut(&payment_id).ok_or_else(not_found)?;
            p.otp_attempts += 1;
            p.clone()
        };
        self.save(&counted).await?;
        let outcome = match config.provider(payment.provider) {
            Ok(provider) => {
                let host = EdgeHost::new(&self.env);
                let e164 = payment.msisdn.e164();
                provider
                    .submit_otp(&host.host(), &attempt(&payment, &e164), &otp)
                    .await
            }
            Err(e) => Err(e),
        };
        // Whatever the answer, the provider's own state decides what the customer sees next.
        let confirmed = self.read(&config, &counted, &payment).await;
        let mut rec = self.load_existing().await?;
        let now = now_ms();
        match &confirmed {
            Ok(Reading::Found(update)) => {
                self.apply_logged(&config, &mut rec, &payment.id, update, now)?
            }
            // A payment waiting for a code has a provider id: this cannot be, and sends nothing.
            Ok(Reading::NotReceived) => log("otp_status_not_received", &payment.id),
            Err(e) => log("otp_status_failed", &e.to_string()),
        }
        if let Some(p) = rec.payment_mut(&payment.id) {
            if matches!(outcome, Ok(OtpOutcome::Accepted)) && !p.status.is_terminal() {
                p.status = PaymentStatus::Pending;
                p.updated_at_ms = now;
            }
            if !p.status.is_terminal() {
                p.next_poll_at_ms = Some(now + 2_000);
            }
        }
        self.save(&rec).await?;
        let Some(p) = rec.payments.iter().find(|p| p.id == payment.id).cloned() else {
            return Err(not_found().into());
        };
        self.index(&rec.id, &p).await;
        log_payment("otp_submitted", &rec.id, &p);
        self.deliver_due().await?;
        match outcome {
            Ok(OtpOutcome::Accepted) => Ok(json_response(&p.view(), 200)?),
            Ok(OtpOutcome::Refused(message)) if !p.status.is_terminal() => {
                log("otp_refused", &message);
                let left = record::MAX_OTP_ATTEMPTS.saturating_sub(p.otp_attempts);
                let plural = if left == 1 { "attempt" } else { "attempts" };
                Err(ApiError::field(
                    ErrorCode::OtpIncorrect,
                    "otp",
                    format!("That code is not right. {left} {plural} left."),
                )
                .into())
            }
            // The provider ended the payment (e.g. too many wrong codes): show where it stands.
            Ok(OtpOutcome::Refused(_)) => Ok(json_response(&p.view(), 200)?),
            Err(e) => {
                // The provider's words stay in the log; the customer gets ours.
                log("otp_call_failed", &e.to_string());
                Err(ApiError::new(
                    ErrorCode::ProviderUnavailable,
                    "The code could not be checked right now. Please try again.",
                )
                .into())
            }
        }
    }

    /// Applies a provider's answer to the stored record, logging an answer about another
    /// payment (which changes nothing) and a status the adapter does not know (kept pending).
    fn apply_logged(
        &self,
        config: &Config,
        rec: &mut CheckoutRecord,
        payment_id: &str,
        update: &ProviderPayment,
        now: i64,
    ) -> EdgeResult<()> {
        let Some(binding) = binding(config, rec, payment_id) else {
            log("provider_answer_unbound", payment_id);
            return Ok(());
        };
        if let Some(raw) = &update.unknown_status {
            log(
                "provider_status_unknown",
                &format!("{payment_id}: {raw:?} (kept pending)"),
            );
        }
        let event_id = ids::random_id("evt_", 24)?;
        match rec.apply(payment_id, &binding, update, &event_id, now) {
            record::Applied::Mismatch(why) => log(
                "provider_answer_mismatch",
                &format!("{payment_id}: {why} (not applied)"),
            ),
            record::Applied::Contradicted(why) => log(
                "provider_contradicts_success",
                &format!("{payment_id}: {why} (kept succeeded; a person should look)"),
            ),
            record::Applied::Changed | record::Applied::Unchanged => {}
        }
        Ok(())
    }

    /// Stores what the provider said about a payment start. Only an explicit refusal fails
    /// the payment; any answer that may hide a taken payment leaves it pending, polled by its
    /// stored reference.
    ///
    /// `indexed`: the provider reference the payment's D1 index row was just written with
    /// ([`Self::index_started`]), noted in this same save.
    async fn record_start(
        &self,
        payment_id: &str,
        outcome: Result<ProviderPayment, CallError>,
        indexed: Option<Option<String>>,
    ) -> EdgeResult<CheckoutRecord> {
        let config = self.config()?;
        let now = now_ms();
        let mut rec = self.load_existing().await?;
        let retry_after_ms = outcome.as_ref().err().and_then(CallError::retry_after_ms);
        let rate_limited = outcome.as_ref().err().is_some_and(CallError::rate_limited);
        if let Some(p) = rec.payment_mut(payment_id) {
            p.note_answer(rate_limited);
        }
        match outcome {
            Ok(update) => self.apply_logged(&config, &mut rec, payment_id, &update, now)?,
            Err(e) => {
                log("payment_start_failed", &e.to_string());
                let conflict = matches!(e, CallError::Provider(ProviderError::Conflict));
                let Some(p) = rec.payment_mut(payment_id) else {
                    return Err(not_found().into());
                };
                // Only a payment nothing else has learnt about while the start waited (a
                // webhook, a poll) takes the start's error: pending when the provider may have
                // taken it (the alarm then asks by the stored reference), failed on an
                // explicit refusal.
                let untouched = p.status == PaymentStatus::Created
                    || (p.status == PaymentStatus::Pending && p.provider_ref.is_none());
                // A session that ended by the time a lost start was sent again says nothing
                // of the first send, which may have been taken: unknown, not failed.
                let gone_on_resend =
                    matches!(e, CallError::Provider(ProviderError::Gone)) && p.resends > 0;
                let turned_away =
                    matches!(e, CallError::Provider(ProviderError::RateLimited { .. }));
                if turned_away && p.resends > 0 {
                    p.resend_turned_away();
                }
                if gone_on_resend {
                    log(
                        "provider_answer_unknown",
                        &format!("{payment_id}: {e} on a resend"),
                    );
                } else if untouched {
                    p.status = e.payment_status();
                    p.updated_at_ms = now;
                }
                if conflict {
                    // CrissCross's duplicate guard: the session already has a live prompt. The
                    // session is kept (a new one would open a second prompt) and the live
                    // payments are asked about now.
                    for live in rec.payments.iter_mut().filter(|p| {
                        p.id != payment_id && !p.status.is_terminal() && p.provider_ref.is_some()
                    }) {
                        live.next_poll_at_ms = Some(now);
                    }
                }
            }
        }
        if let Some(p) = rec.payment_mut(payment_id) {
            if let Some(written) = indexed {
                // A reference that differs from the one stored leaves `needs_index` true.
                p.indexed = true;
                p.indexed_ref = written;
            }
            if p.status == PaymentStatus::Created {
                // An answer that was applied to nothing (another payment's) still means sent.
                p.status = PaymentStatus::Pending;
            }
            p.next_poll_at_ms = if p.status.is_terminal() {
                None
            } else {
                next_poll_at(&config, p, now, retry_after_ms)
            };
        }
        self.save(&rec).await?;
        if let Some(p) = rec.payments.iter().find(|p| p.id == payment_id) {
            self.index(&rec.id, p).await;
            log_payment("payment_started", &rec.id, p);
        }
        self.deliver_due().await?;
        Ok(rec)
    }

    /// A verified provider webhook: a hint to read the payments it names now. The status read
    /// asks by the payment's own stored reference (never by an id taken from the webhook),
    /// and its answer is applied only if it echoes this payment. `strict`: see
    /// [`hint_payments`].
    async fn provider_hint(
        &self,
        provider: ProviderId,
        hint: Hint,
        strict: bool,
    ) -> EdgeResult<Response> {
        let rec = self.load_existing().await?;
        if rec.seen_events.contains(&hint.event_id) {
            log("provider_event_duplicate", &hint.event_id);
            return Ok(json_response(
                &serde_json::json!({"received": true, "duplicate": true}),
                200,
            )?);
        }
        let config = self.config()?;
        let keeps_one_id = config.provider(provider)?.keeps_one_id();
        let named = hint_payments(&rec, provider, &hint, strict, keeps_one_id);
        if named.is_empty() {
            return Err(not_found().into());
        }
        for payment in named {
            let confirmed = match self.read(&config, &rec, &payment).await {
                Ok(Reading::Found(confirmed)) => confirmed,
                // Only the alarm sends a lost start again, after reading the stored record.
                Ok(Reading::NotReceived) => continue,
                Err(e) => {
                    // Not remembered: the provider's retry (or the alarm) tries again.
                    log("hint_status_failed", &e.to_string());
                    return Err(ApiError::new(
                        ErrorCode::ProviderUnavailable,
                        "the payment's status could not be confirmed",
                    )
                    .into());
                }
            };
            // A provider whose status read knows only paid / unpaid (Xtopay) reports a verified
            // failure in the webhook: believed when the read does not say paid.
            let confirmed = match (&confirmed.status, &hint.reported_failure) {
                (PaymentStatus::Pending, Some(failure @ PaymentStatus::Failed { .. })) => {
                    ProviderPayment {
                        status: failure.clone(),
                        ..confirmed
                    }
                }
                _ => confirmed,
            };
            let mut rec = self.load_existing().await?;
            self.apply_logged(&config, &mut rec, &payment.id, &confirmed, now_ms())?;
            self.save(&rec).await?;
            if let Some(p) = rec.payments.iter().find(|p| p.id == payment.id) {
                self.index(&rec.id, p).await;
                log_payment("provider_event_applied", &rec.id, p);
            }
        }
        let mut rec = self.load_existing().await?;
        if rec.remember_event(&hint.event_id) {
            self.save(&rec).await?;
        }
        self.deliver_due().await?;
        Ok(json_response(&serde_json::json!({"received": true}), 200)?)
    }

    /// The alarm: poll every live payment that is due, then refunds, then deliver due
    /// merchant webhooks.
    async fn wake(&self) -> EdgeResult<()> {
        let Some(rec) = self.load().await? else {
            return Ok(());
        };
        // Prepared (or renewed before its end) in the background: no I/O when nothing is due.
        let config = self.config()?;
        let rec = self.ensure_prepared(&config, rec).await;
        let due = |p: &PaymentRecord, now: i64| {
            !p.status.is_terminal() && p.next_poll_at_ms.is_some_and(|t| t <= now)
        };
        let now = now_ms();
        let due_ids: Vec<String> = rec
            .payments
            .iter()
            .filter(|p| due(p, now))
            .map(|p| p.id.clone())
            .collect();
        for id in due_ids {
            // Each from the record as stored now: an earlier poll, a webhook or a start may
            // have changed it while the previous one waited.
            let rec = self.load_existing().await?;
            let Some(p) = rec.payments.iter().find(|p| p.id == id && due(p, now_ms())) else {
                continue;
            };
            let p = p.clone();
            self.poll(&rec, &p).await?;
        }
        self.poll_due_refund().await?;
        // A payment whose index row is missing or stale (a write that failed, a start whose
        // Worker ended mid-call once a poll has read it, a payment given up as never received)
        // is written now. Not one still `created`: its start may be in flight, and writes
        // its own row when answered (two writers of one row could leave the older last).
        let rec = self.load_existing().await?;
        for p in rec
            .payments
            .iter()
            .filter(|p| p.status != PaymentStatus::Created && p.needs_index())
        {
            self.index(&rec.id, p).await;
        }
        self.deliver_due().await
    }

    /// Asks the provider where one live payment stands and stores what it says.
    async fn poll(&self, asked_on: &CheckoutRecord, p: &PaymentRecord) -> EdgeResult<()> {
        let config = self.config()?;
        let answer = self.read(&config, asked_on, p).await;
        if matches!(answer, Ok(Reading::NotReceived)) {
            return self.resend_lost(&config, &p.id).await;
        }
        let now = now_ms();
        let mut rec = self.load_existing().await?;
        let retry_after_ms = answer.as_ref().err().and_then(CallError::retry_after_ms);
        if let Some(live) = rec.payment_mut(&p.id) {
            live.note_answer(answer.as_ref().err().is_some_and(CallError::rate_limited));
        }
        match answer {
            Ok(Reading::Found(update)) => {
                self.apply_logged(&config, &mut rec, &p.id, &update, now)?
            }
            Ok(Reading::NotReceived) => {}
            Err(e) => log("poll_failed", &e.to_string()),
        }
        let mut window_over = false;
        if let Some(live) = rec.payment_mut(&p.id) {
            if !live.status.is_terminal() {
                if live.status == PaymentStatus::Created {
                    // A send whose answer never came back: the read above was its recovery.
                    live.status = PaymentStatus::Pending;
                    live.updated_at_ms = now;
                }
                // A 429's Retry-After is honoured: never asked again sooner.
                live.next_poll_at_ms = next_poll_at(&config, live, now, retry_after_ms);
                window_over = live.next_poll_at_ms.is_none();
            }
        }
        if window_over {
            // Reconciliation: asked on every schedule for a day without a final answer, the
            // payment expires (and the merchant hears it); a provider-confirmed result
            // arriving later still replaces it.
            let event_id = ids::random_id("evt_", 24)?;
            rec.expire(&p.id, &event_id, now);
            if let Some(expired) = rec.payments.iter().find(|x| x.id == p.id) {
                log_payment("payment_expired", &rec.id, expired);
            }
        }
        self.save(&rec).await?;
        if let Some(live) = rec.payments.iter().find(|x| x.id == p.id) {
            self.index(&rec.id, live).await;
        }
        Ok(())
    }

    /// A payment whose start never got an answer and that its provider does not know: decided
    /// on the record as stored now (read, decide, write with no I/O between), then sent again
    /// with the same reference, or failed when the customer has moved on.
    async fn resend_lost(&self, config: &Config, payment_id: &str) -> EdgeResult<()> {
        let now = now_ms();
        let mut rec = self.load_existing().await?;
        // A Pay held in memory (not stored yet) is the customer moving on, as a stored one is;
        // then nothing below awaits before the hold is taken.
        let decision = match rec.resend_decision(payment_id, now) {
            record::Resend::Send if self.paying.borrow().is_some() => record::Resend::GiveUp,
            decision => decision,
        };
        match decision {
            record::Resend::Skip => Ok(()),
            record::Resend::GiveUp => {
                let event_id = ids::random_id("evt_", 24)?;
                rec.fail_unreceived(payment_id, &event_id, now);
                self.save(&rec).await?;
                if let Some(p) = rec.payments.iter().find(|p| p.id == payment_id) {
                    log_payment("payment_never_received", &rec.id, p);
                }
                Ok(())
            }
            record::Resend::Send => {
                let Some(p) = rec.payment_mut(payment_id) else {
                    return Ok(());
                };
                p.resends += 1;
                p.next_poll_at_ms = Some(now + SEND_LEASE_MS);
                let payment = p.clone();
                // Held as a Pay is, until its answer is saved: a Pay pressed meanwhile gets
                // 409 rather than a second prompt beside this one.
                *self.paying.borrow_mut() = Some(payment.clone());
                let _held = PayHold(&self.paying);
                self.save(&rec).await?;
                log_payment("payment_resent", &rec.id, &payment);
                let outcome = self.send(config, &rec, &payment).await;
                self.record_start(payment_id, outcome, None)
                    .await
                    .map(|_| ())
            }
        }
    }

    /// `POST /check`: the customer says they approved. The live payment the widget shows is
    /// read from its provider now, then shown. Only a found answer is applied: the read never
    /// sends, never moves the alarm's schedule (a resend's lease stays), and is skipped for a
    /// payment whose start's answer is missing (the alarm's), while another check is running,
    /// within [`CHECK_SPACING_MS`] of the last, and where the provider's guide asks for no
    /// early reads (Xtopay, before its status-check window).
    async fn check(&self) -> EdgeResult<Response> {
        let rec = self.load_existing().await?;
        let config = self.config()?;
        let now = now_ms();
        let live = rec
            .shown_payment()
            .filter(|p| !p.status.is_terminal() && p.provider_ref.is_some())
            .filter(|p| {
                config
                    .provider(p.provider)
                    .is_ok_and(|provider| provider.reads_on_demand(now - p.created_at_ms))
            })
            .cloned();
        let free = !self.checking.get() && now - self.last_check_ms.get() >= CHECK_SPACING_MS;
        if let Some(p) = live.filter(|_| free) {
            self.last_check_ms.set(now);
            self.checking.set(true);
            let answer = self.read(&config, &rec, &p).await;
            self.checking.set(false);
            match answer {
                Ok(Reading::Found(update)) => {
                    let mut fresh = self.load_existing().await?;
                    self.apply_logged(&config, &mut fresh, &p.id, &update, now_ms())?;
                    self.save(&fresh).await?;
                    if let Some(stored) = fresh.payments.iter().find(|x| x.id == p.id) {
                        self.index(&fresh.id, stored).await;
                    }
                    self.deliver_due().await?;
                }
                Ok(Reading::NotReceived) => {}
                Err(e) => log("check_failed", &e.to_string()),
            }
        }
        let rec = self.load_existing().await?;
        let view = rec
            .shown_payment()
            .map(PaymentRecord::view)
            .ok_or_else(not_found)?;
        Ok(json_response(&view, 200)?)
    }

    /// Puts a merchant event back in line and sends it now.
    async fn resend(&self, event_id: &str) -> EdgeResult<Response> {
        let mut rec = self.load_existing().await?;
        if !crate::outbox::resend(&mut rec.outbox, event_id, now_ms()) {
            return Err(ApiError::new(ErrorCode::NotFound, "no such event").into());
        }
        self.save(&rec).await?;
        self.deliver_due().await?;
        let rec = self.load_existing().await?;
        let delivered = rec
            .outbox
            .iter()
            .find(|e| e.event_id == event_id)
            .is_some_and(|e| e.next_attempt_at_ms.is_none() && e.delivered_at_ms.is_some());
        Ok(json_response(
            &serde_json::json!({"id": event_id, "resent": true, "delivered": delivered}),
            200,
        )?)
    }

    /// Sends every merchant webhook whose time has come; records each outcome.
    async fn deliver_due(&self) -> EdgeResult<()> {
        let mut rec = self.load_existing().await?;
        let leased = crate::outbox::lease_due(&mut rec.outbox, now_ms());
        if leased.is_empty() {
            return Ok(());
        }
        self.save(&rec).await?;
        let config = self.config()?;
        let results = crate::merchant_webhook::attempt(
            &self.env,
            &config.merchant,
            &format!("checkout:{}", rec.id),
            &leased,
        )
        .await;
        let mut rec = self.load_existing().await?;
        crate::merchant_webhook::record_attempts(&mut rec.outbox, &results, now_ms());
        self.save(&rec).await
    }

    /// A started payment's D1 index row, written once with the provider's id when the start
    /// answered one (two writes before: by our id before the call, by the provider's after).
    /// Written before the start's answer is stored, so the same save notes it: the written
    /// reference, `None` when the write failed (the next change or poll writes it then). A
    /// Worker that ends mid-call leaves the row to the alarm's poll, which writes it.
    async fn index_started(
        &self,
        checkout_id: &str,
        payment: &PaymentRecord,
        provider_ref: Option<String>,
    ) -> Option<Option<String>> {
        let mut row = payment.clone();
        row.provider_ref = provider_ref;
        match store::index_payment(&self.env, checkout_id, &row).await {
            Ok(()) => Some(row.provider_ref),
            Err(e) => {
                log("index_failed", &e.to_string());
                None
            }
        }
    }

    /// Writes the payment to the D1 index where it lacks it ([`PaymentRecord::needs_index`]):
    /// by its id before it is sent, by the provider's id once learnt. Nothing else in the
    /// index changes over a payment's life, so nothing else is written. What was written is
    /// noted on the record (read → decide → write), so a failed write is tried again later.
    async fn index(&self, checkout_id: &str, p: &PaymentRecord) {
        if !p.needs_index() {
            return;
        }
        if let Err(e) = store::index_payment(&self.env, checkout_id, p).await {
            log("index_failed", &e.to_string());
            return;
        }
        let noted = async {
            let mut rec = self.load_existing().await?;
            if let Some(stored) = rec.payment_mut(&p.id) {
                stored.indexed = true;
                stored.indexed_ref = p.provider_ref.clone();
                self.save(&rec).await?;
            }
            EdgeResult::Ok(())
        };
        if let Err(e) = noted.await {
            log("index_not_noted", &e.to_string());
        }
    }
}

/// How long after Pay a preparation that failed is still tried again, and how long apart
/// (a 429's usual `Retry-After`): the customer watches Pay's spinner for up to five seconds
/// rather than read "try again" (a try under way then runs to its own timeout). With two
/// retries in all, 11 of 1,200 checkouts in the bench's throughput run (192 in flight) had
/// their Pays refused when Dollr's rate limit turned away all three tries.
const PREPARE_WAIT_MS: i64 = 5_000;

/// How long apart a failed preparation is tried again while Pay waits.
const PREPARE_RETRY_AFTER_MS: u64 = 1_000;

/// How often a customer's "I've approved" may make the object ask the provider.
const CHECK_SPACING_MS: i64 = 3_000;

/// Whether the preparation a new payment would be sent on already carries another live
/// payment, where its provider allows only one (CrissCross's session).
fn preparation_busy(config: &Config, rec: &CheckoutRecord, new: &PaymentRecord) -> bool {
    let exclusive = config
        .provider(new.provider)
        .is_ok_and(|p| p.one_payment_per_preparation());
    let Some(current) = rec.prepared.get(&new.provider) else {
        return false;
    };
    exclusive
        && rec.payments.iter().any(|p| {
            p.id != new.id
                && p.provider == new.provider
                && !p.status.is_terminal()
                && p.prepared.as_deref() == Some(current.state.as_str())
        })
}

/// A send held in the object's memory: a Pay from its validation until its payment is stored
/// (or refused), a lost start's resend until its answer is saved. A Pay meanwhile gets 409, a
/// resend decided meanwhile gives the lost start up (the customer moved on), and a one-time
/// code is refused. Dropping it lets the next one in. Memory is enough: the object's requests
/// end with its instance, and a payment is stored before any provider call.
struct PayHold<'a>(&'a std::cell::RefCell<Option<PaymentRecord>>);

impl Drop for PayHold<'_> {
    fn drop(&mut self) {
        *self.0.borrow_mut() = None;
    }
}

/// The provider reference `answer` leaves on the payment when applied to `rec` at `now` (a
/// trial on a copy, no I/O): an answer about another transaction, or one that does not bind,
/// leaves the payment's own, so the index never points another provider's transaction at this
/// checkout.
fn bound_ref(
    rec: &CheckoutRecord,
    payment_id: &str,
    binding: Option<&Binding>,
    answer: Option<&ProviderPayment>,
    now: i64,
) -> Option<String> {
    let mut trial = rec.clone();
    if let (Some(answer), Some(binding)) = (answer, binding) {
        let _ = trial.apply(payment_id, binding, answer, "evt_trial", now);
    }
    trial
        .payments
        .iter()
        .find(|p| p.id == payment_id)
        .and_then(|p| p.provider_ref.clone())
}

/// What binds a provider's answer to `payment_id`, from its provider.
fn binding(config: &Config, rec: &CheckoutRecord, payment_id: &str) -> Option<Binding> {
    let payment = rec.payments.iter().find(|p| p.id == payment_id)?;
    let provider = config.provider(payment.provider).ok()?;
    let e164 = payment.msisdn.e164();
    Some(Binding {
        reference: provider.expected_reference(&order(config, rec), &attempt(payment, &e164)),
        keeps_one_id: provider.keeps_one_id(),
    })
}

/// When to ask about a live payment next: on its provider's schedule, never sooner than
/// [`PaymentRecord::least_wait_ms`] (a 429's `Retry-After`, backed off while they come in a
/// row, with up to half of it again at random so that payments turned away together do not
/// come back together); `None` when the schedule is over.
fn next_poll_at(
    config: &Config,
    p: &PaymentRecord,
    now: i64,
    retry_after_ms: Option<i64>,
) -> Option<i64> {
    let provider = config.provider(p.provider).ok()?;
    let least = p.least_wait_ms(retry_after_ms);
    let jitter = if p.turned_away > 0 {
        (ids::random_unit().unwrap_or(0.0) * (least / 2) as f64) as i64
    } else {
        0
    };
    provider
        .next_poll_delay_ms(now - p.created_at_ms)
        .map(|d| now + d.max(least + jitter))
}

/// The provider the routing table gives `operator` on this checkout, or the 400 naming it.
fn routed_provider(
    config: &Config,
    rec: &CheckoutRecord,
    operator: lipa_api::Operator,
) -> Result<ProviderId, ApiError> {
    config
        .routes
        .provider_for(rec.country, operator)
        .filter(|_| rec.available_operators(&config.routes).contains(&operator))
        .ok_or_else(|| {
            ApiError::field(
                ErrorCode::InvalidField,
                "operator",
                format!("{} is not available for this checkout", operator.name()),
            )
        })
}

/// The payments a webhook names: by the stored provider id, by Lipa's payment id it echoes,
/// or, for a webhook that names only the checkout (CrissCross's `merchantReference`), every
/// live payment sent to that provider, unless `strict`.
///
/// `strict` is the edge's first try, at the checkout the hint names (CrissCross's
/// `merchantReference`, or the checkout a payment id carries), before the index is asked
/// whose the transaction is: only a payment with the hint's transaction, or with the hint's
/// payment id and, where the provider `keeps_one_id`, no other transaction of its own (Xtopay
/// does not keep one: its ids differ between its answers, so its payments match by id alone).
/// A transaction Lipa learnt for another payment is so left to the index, which knows its
/// owner; a payment whose transaction is not known yet takes the hint (and reads its own
/// status by its own reference).
fn hint_payments(
    rec: &CheckoutRecord,
    provider: ProviderId,
    hint: &Hint,
    strict: bool,
    keeps_one_id: bool,
) -> Vec<PaymentRecord> {
    // Only the sender's own payments, and none whose start is still being sent.
    let candidates = rec
        .payments
        .iter()
        .filter(|p| p.provider == provider && p.status != PaymentStatus::Created);
    let by_transaction = |p: &PaymentRecord| p.provider_ref.as_deref() == Some(&hint.provider_ref);
    let by_payment = |p: &PaymentRecord| {
        hint.payment_id.as_deref() == Some(p.id.as_str())
            && !(strict && keeps_one_id && p.provider_ref.is_some())
    };
    let named: Vec<PaymentRecord> = candidates
        .clone()
        .filter(|p| by_transaction(p) || by_payment(p))
        .cloned()
        .collect();
    if strict || !named.is_empty() || hint.checkout_id.as_deref() != Some(rec.id.as_str()) {
        return named;
    }
    candidates
        .filter(|p| !p.status.is_terminal())
        .cloned()
        .collect()
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such checkout, or the client secret does not match it",
    )
}

/// One structured log line, `{"event": …, "detail": …}`. Never called with a secret; any
/// phone number a provider's words carry in `detail` is masked ([`crate::redact`]).
pub fn log(event: &str, detail: &str) {
    let detail = crate::redact::phone_numbers(detail);
    worker::console_log!("{}", serde_json::json!({"event": event, "detail": detail}));
}

fn log_payment(event: &str, checkout_id: &str, p: &PaymentRecord) {
    worker::console_log!(
        "{}",
        serde_json::json!({
            "event": event,
            "checkout": checkout_id,
            "payment": p.id,
            "status": p.status.name(),
            "phone": p.msisdn.masked(),
            "provider_ref": p.provider_ref,
        })
    );
}

/// The live channel's message (subprotocol `lipa.v1`): the latest payment's `PaymentView`,
/// exactly as `GET /api/checkouts/{id}` shows it; none before the first payment.
fn announcement(rec: &CheckoutRecord) -> Option<String> {
    let message: lipa_api::live::LiveMessage = rec.shown_payment()?.view();
    serde_json::to_string(&message).ok()
}

#[cfg(test)]
mod tests {
    use lipa_api::PaymentStatus;
    use lipa_providers::{Echo, ProviderPayment};

    use lipa_providers::provider::Hint;
    use lipa_providers::ProviderId;

    use super::{bound_ref, hint_payments};
    use crate::checkout::record::tests::{cc, payment, record};

    fn answer(provider_ref: &str, reference: &str) -> ProviderPayment {
        ProviderPayment {
            provider_ref: provider_ref.into(),
            status: PaymentStatus::Pending,
            can_poll: true,
            echo: Echo {
                reference: Some(reference.into()),
                ..Echo::default()
            },
            unknown_status: None,
        }
    }

    fn sent() -> crate::checkout::record::CheckoutRecord {
        let mut r = record();
        let mut p = payment("pay_1", PaymentStatus::Created);
        p.provider_ref = None;
        r.payments.push(p);
        r
    }

    #[test]
    fn the_index_gets_the_reference_of_an_answer_that_binds() {
        let given = answer("tx_9", "co1");
        let bound = bound_ref(&sent(), "pay_1", Some(&cc()), Some(&given), 1);
        assert_eq!(bound.as_deref(), Some("tx_9"));
    }

    #[test]
    fn an_answer_about_another_payment_never_reaches_the_index() {
        let other = answer("tx_other", "co2");
        assert_eq!(
            bound_ref(&sent(), "pay_1", Some(&cc()), Some(&other), 1),
            None
        );
        // Nor an answer nothing binds to, nor no answer at all.
        let given = answer("tx_9", "co1");
        assert_eq!(bound_ref(&sent(), "pay_1", None, Some(&given), 1), None);
        assert_eq!(bound_ref(&sent(), "pay_1", Some(&cc()), None, 1), None);
    }

    #[test]
    fn a_strict_hint_matches_only_by_its_transaction_or_payment() {
        let mut rec = record();
        rec.payments.push(payment("pay_1", PaymentStatus::Pending));
        let hint = |provider_ref: &str| Hint {
            event_id: "e1".into(),
            provider_ref: provider_ref.into(),
            payment_id: None,
            checkout_id: Some("co_1".into()),
            reported_failure: None,
        };
        let ids = |found: Vec<crate::checkout::record::PaymentRecord>| {
            found.into_iter().map(|p| p.id).collect::<Vec<_>>()
        };
        let cc = ProviderId::CrissCross;
        assert_eq!(
            ids(hint_payments(&rec, cc, &hint("t1"), true, true)),
            ["pay_1"]
        );
        assert!(
            hint_payments(&rec, cc, &hint("tx_of_another"), true, true).is_empty(),
            "strict: a transaction this checkout never learnt is left to the index"
        );
        assert_eq!(
            ids(hint_payments(&rec, cc, &hint("tx_of_another"), false, true)),
            ["pay_1"],
            "after the index: the live payment of the checkout the hint names"
        );
    }

    #[test]
    fn a_strict_hint_by_payment_id_leaves_a_transaction_the_payment_does_not_hold_to_the_index() {
        let mut rec = record();
        rec.payments.push(payment("pay_1", PaymentStatus::Pending)); // holds t1
        let mut unanswered = payment("pay_2", PaymentStatus::Pending);
        unanswered.provider_ref = None;
        rec.payments.push(unanswered);
        let hint = |provider_ref: &str, payment_id: &str| Hint {
            event_id: "e1".into(),
            provider_ref: provider_ref.into(),
            payment_id: Some(payment_id.into()),
            checkout_id: None,
            reported_failure: None,
        };
        let ids = |found: Vec<crate::checkout::record::PaymentRecord>| {
            found.into_iter().map(|p| p.id).collect::<Vec<_>>()
        };
        let provider = ProviderId::CrissCross;
        assert_eq!(
            ids(hint_payments(
                &rec,
                provider,
                &hint("t1", "pay_1"),
                true,
                true
            )),
            ["pay_1"]
        );
        assert!(
            hint_payments(&rec, provider, &hint("tx_of_another", "pay_1"), true, true).is_empty(),
            "its own id, but another transaction: left to the index"
        );
        assert_eq!(
            ids(hint_payments(
                &rec,
                provider,
                &hint("t9", "pay_2"),
                true,
                true
            )),
            ["pay_2"],
            "a payment whose transaction is not known yet is named by its id"
        );
        assert_eq!(
            ids(hint_payments(
                &rec,
                provider,
                &hint("callback_id", "pay_1"),
                true,
                false
            )),
            ["pay_1"],
            "a provider whose ids differ between its answers (Xtopay) is matched by the id"
        );
        assert_eq!(
            ids(hint_payments(
                &rec,
                provider,
                &hint("tx_of_another", "pay_1"),
                false,
                true
            )),
            ["pay_1"],
            "after the index: its payment id"
        );
    }
}
