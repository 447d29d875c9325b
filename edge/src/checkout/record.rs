//! A checkout's stored state and the pure rules that change it. The Durable Object in
//! `checkout/mod.rs` loads a [`CheckoutRecord`], calls these rules and stores the result; no
//! rule here does I/O, so all of them are tested natively.

use lipa_api::checkout::MerchantCheckoutView;
use lipa_api::event::MerchantEvent;
use lipa_api::event::PaymentEventData;
use lipa_api::money::format_amount;
use lipa_api::phone::Msisdn;
use lipa_api::{
    ApiError, CheckoutView, Country, Currency, ErrorCode, Operator, OperatorView, PaymentStatus,
    PaymentView,
};
use std::collections::BTreeMap;

use lipa_providers::provider::Prepared;
use lipa_providers::{Expected, ProviderId, ProviderPayment};

pub use crate::outbox::OutboundEvent;
use crate::routing::RoutingTable;
use serde::{Deserialize, Serialize};

/// How many one-time codes a customer may try for one payment (HoneyCoin allows three).
pub const MAX_OTP_ATTEMPTS: u32 = 3;

/// The approval window of a payment stored without one.
const DEFAULT_APPROVAL_WINDOW_MS: i64 = 180_000;

/// How many provider event ids a checkout remembers for deduplication.
const SEEN_EVENTS_KEPT: usize = 64;

/// Everything the Checkout object stores, as one value under one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRecord {
    /// `co_…`.
    pub id: String,
    /// SHA-256 of the client secret (the secret itself is never stored).
    pub client_secret_digest: String,
    /// The merchant's reference.
    pub reference: String,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Country of the wallet.
    pub country: Country,
    /// What is being paid for.
    pub description: String,
    /// The number the merchant locked, if any.
    pub locked_phone: Option<Msisdn>,
    /// Creation time, Unix ms.
    pub created_at_ms: i64,
    /// What each provider that needs it prepared this checkout with (CrissCross's session,
    /// Dollr's fee), stored as the provider gave it; only the shared fields are read here.
    #[serde(default)]
    pub prepared: BTreeMap<ProviderId, Prepared>,
    /// Every payment attempt, oldest first. Several may be live: one past its provider's
    /// approval window keeps being polled while the customer tries again.
    pub payments: Vec<PaymentRecord>,
    /// Provider webhook event ids already handled, newest last.
    pub seen_events: Vec<String>,
    /// Merchant webhooks to deliver or delivered.
    pub outbox: Vec<OutboundEvent>,
    /// Refunds of this checkout's payment.
    #[serde(default)]
    pub refunds: Vec<super::refund::RefundRecord>,
    /// Guests' phone verifications (codes hashed, never the code), one per number.
    #[serde(default)]
    pub verifications: Vec<super::verification::PhoneVerification>,
    /// SHA-256 of the `pay_url`'s link token, which authorizes what the client secret does
    /// (paying this checkout) and nothing more (absent on checkouts made before it existed).
    #[serde(default)]
    pub link_digest: Option<String>,
    /// When new payments stop being taken, Unix ms (absent: never, for older checkouts).
    #[serde(default)]
    pub expires_at_ms: Option<i64>,
    /// Where the hosted page sends the customer after paying.
    #[serde(default)]
    pub success_url: Option<String>,
    /// Where the hosted page's "Cancel" sends the customer.
    #[serde(default)]
    pub cancel_url: Option<String>,
}

/// One payment attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// `pay_…`.
    pub id: String,
    /// The operator chosen.
    pub operator: Operator,
    /// The provider the routing table chose.
    #[serde(default)]
    pub provider: ProviderId,
    /// The number charged.
    pub msisdn: Msisdn,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The `Idempotency-Key` sent to the provider, stored before the first call.
    pub idempotency_key: String,
    /// The provider's transaction id, once known.
    pub provider_ref: Option<String>,
    /// Start, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
    /// When the object should next ask the provider, Unix ms.
    pub next_poll_at_ms: Option<i64>,
    /// One-time codes the customer has sent for this payment.
    #[serde(default)]
    pub otp_attempts: u32,
    /// The preparation's state the payment was sent with (CrissCross's session), so a
    /// replay of its idempotency key sends exactly the first request again.
    #[serde(default, alias = "session")]
    pub prepared: Option<String>,
    /// Until when, Unix ms, the payment holds its checkout while live: its provider's
    /// approval window. After it the customer may start another payment.
    #[serde(default)]
    pub holds_until_ms: Option<i64>,
    /// How many times the start was sent again because the provider never received it.
    #[serde(default)]
    pub resends: u32,
    /// Whether the D1 index holds this payment (by its id), as of the last write that
    /// succeeded.
    #[serde(default)]
    pub indexed: bool,
    /// The provider's id the D1 index holds for this payment, as of that write.
    #[serde(default)]
    pub indexed_ref: Option<String>,
    /// How many calls about this payment in a row the provider turned away for its rate
    /// limit (a 429); any other answer resets it.
    #[serde(default)]
    pub turned_away: u32,
}

/// The longest wait [`PaymentRecord::least_wait_ms`] asks for.
pub const MAX_BACKOFF_MS: i64 = 60_000;

impl PaymentRecord {
    /// Whether the D1 index lacks this payment or its provider's id: a write that failed is
    /// tried again on the next change or poll, since a webhook that names the payment only by
    /// the provider's id finds it only there.
    pub fn needs_index(&self) -> bool {
        !self.indexed || self.indexed_ref != self.provider_ref
    }

    /// A resend the provider turned away without reading it (a 429: it asks us to wait, and
    /// the wait is honoured) does not count against [`MAX_RESENDS`]: under a provider's rate
    /// limit the budget would otherwise be spent in seconds on sends it never looked at.
    /// [`RESEND_WITHIN_MS`] still bounds them.
    pub fn resend_turned_away(&mut self) {
        self.resends = self.resends.saturating_sub(1);
    }

    /// Notes whether the provider's answer to a call about this payment was a 429.
    pub fn note_answer(&mut self, rate_limited: bool) {
        self.turned_away = if rate_limited {
            self.turned_away.saturating_add(1)
        } else {
            0
        };
    }

    /// The least time to wait before the next call about this payment: a 429's `Retry-After`
    /// (1 s when it names none), doubled for every 429 in a row before it, up to
    /// [`MAX_BACKOFF_MS`]. Every live payment at a rate-limited provider otherwise asks again
    /// as soon as it is allowed, and together they keep the provider over its limit: the
    /// polls and resends of a few dozen payments turned away a whole bench run's Dollr calls.
    pub fn least_wait_ms(&self, retry_after_ms: Option<i64>) -> i64 {
        if self.turned_away == 0 {
            return retry_after_ms.unwrap_or(0);
        }
        let base = retry_after_ms.unwrap_or(1_000).max(1_000);
        base.saturating_mul(1_i64 << (self.turned_away - 1).min(10))
            .min(MAX_BACKOFF_MS)
    }
}

/// What binds a provider's answer to a payment, from the payment's provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The reference the answer must echo, where it carries one.
    pub reference: String,
    /// Whether the provider names the payment by one id everywhere: then an answer with
    /// another id is about another payment.
    pub keeps_one_id: bool,
}

/// What to do with a payment whose start never got an answer and that the provider does not
/// know ([`CheckoutRecord::resend_decision`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resend {
    /// Send it again, with the same reference.
    Send,
    /// It never reached the provider and must not now: the customer moved on (a later
    /// payment, a paid checkout), too long has passed, or it was sent again often enough.
    GiveUp,
    /// Nothing to decide: it is final, or the provider's id is known by now.
    Skip,
}

/// How many times a start the provider never received is sent again.
pub const MAX_RESENDS: u32 = 3;

/// How long after its creation a start the provider never received may still be sent: a
/// prompt much later than the customer's press is not one they expect.
pub const RESEND_WITHIN_MS: i64 = 15 * 60 * 1000;

/// What applying a provider answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The payment's state changed.
    Changed,
    /// Nothing to change (same state, or an older/non-terminal state after a terminal one).
    Unchanged,
    /// The answer is about another payment (its reference, amount or currency differ):
    /// nothing was changed, and the reason is to be logged.
    Mismatch(String),
    /// The answer would take a succeeded payment back: nothing was changed (money was
    /// taken and the merchant told), and the contradiction is to be logged for a person.
    Contradicted(String),
}

/// The 409 for a Pay while `live` waits for its customer: on which number, and for how long.
pub fn payment_in_progress(live: &PaymentRecord, now_ms: i64) -> ApiError {
    let free_in_s = (live.holds_until() - now_ms + 999).max(0) / 1000;
    ApiError::new(
        ErrorCode::PaymentInProgress,
        format!(
            "A payment is already waiting for approval on {}. Approve or decline it on your phone first, or try again in {free_in_s} s.",
            live.msisdn.masked()
        ),
    )
}

impl CheckoutRecord {
    /// The last payment, if there is one.
    pub fn last_payment(&self) -> Option<&PaymentRecord> {
        self.payments.last()
    }

    /// The payment the customer is shown: the one that paid the checkout (a late approval of
    /// an earlier attempt counts), else the last one.
    pub fn shown_payment(&self) -> Option<&PaymentRecord> {
        self.payments
            .iter()
            .find(|p| p.status == PaymentStatus::Succeeded)
            .or_else(|| self.last_payment())
    }

    /// Whether the checkout's expiry has passed at `now_ms`: no new payment starts after it,
    /// while a payment already live is still followed to its end (its one-time code, "I've
    /// approved", polls and webhooks go on) and a late approval still pays the checkout.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expires_at_ms.is_some_and(|at| now_ms >= at)
    }

    /// A payment by id.
    pub fn payment_mut(&mut self, payment_id: &str) -> Option<&mut PaymentRecord> {
        self.payments.iter_mut().find(|p| p.id == payment_id)
    }

    /// Whether a new payment may start at `now_ms`, or the 409 that says why not. A paid
    /// checkout is closed; a live payment blocks a new one only until its
    /// [`PaymentRecord::holds_until`] (after it, the customer may try again or use another
    /// number while the earlier payment keeps being polled).
    pub fn check_can_start(&self, now_ms: i64) -> Result<(), ApiError> {
        if self
            .payments
            .iter()
            .any(|p| p.status == PaymentStatus::Succeeded)
        {
            return Err(ApiError::new(
                ErrorCode::CheckoutClosed,
                "This checkout has already been paid.",
            ));
        }
        if self.is_expired(now_ms) {
            return Err(ApiError::new(
                ErrorCode::CheckoutClosed,
                "This checkout has expired; ask the merchant for a new one.",
            ));
        }
        let waiting = self
            .payments
            .iter()
            .rev()
            .find(|p| !p.status.is_terminal() && now_ms < p.holds_until());
        if let Some(live) = waiting {
            return Err(payment_in_progress(live, now_ms));
        }
        match self.last_payment() {
            Some(last) if last.status.is_terminal() && !last.status.allows_new_payment() => {
                Err(ApiError::new(
                    ErrorCode::CheckoutClosed,
                    "This checkout can no longer be paid; ask the merchant for a new one.",
                ))
            }
            _ => Ok(()),
        }
    }

    /// The live payment waiting for a one-time code, or the 409 that says why a code cannot
    /// be taken now.
    pub fn payment_awaiting_otp(&self) -> Result<&PaymentRecord, ApiError> {
        let waiting = self.last_payment().filter(|p| {
            matches!(
                p.status,
                PaymentStatus::ActionRequired {
                    action: lipa_api::NextAction::Otp
                }
            )
        });
        let Some(p) = waiting else {
            return Err(ApiError::new(
                ErrorCode::NotAwaitingOtp,
                "No payment on this checkout is waiting for a one-time code.",
            ));
        };
        if p.otp_attempts >= MAX_OTP_ATTEMPTS {
            return Err(ApiError::new(
                ErrorCode::OtpAttemptsExhausted,
                "Too many wrong codes. Start the payment again.",
            ));
        }
        Ok(p)
    }

    /// Payments started on this checkout in the `window_ms` before `now_ms`.
    pub fn payments_since(&self, now_ms: i64, window_ms: i64) -> usize {
        self.payments
            .iter()
            .filter(|p| now_ms - p.created_at_ms < window_ms)
            .count()
    }

    /// Applies a provider-confirmed answer about `payment_id` at `now_ms`. The answer must be
    /// about this payment: where it carries a reference, amount or currency, they must be
    /// the ones sent (`binding`, from the payment's provider), else nothing changes. A
    /// terminal state is left only for another terminal state (a confirmed late outcome); a
    /// live state never replaces a terminal one. A newly terminal payment queues a merchant
    /// event `event_id`. A stored provider id is never replaced.
    pub fn apply(
        &mut self,
        payment_id: &str,
        binding: &Binding,
        update: &ProviderPayment,
        event_id: &str,
        now_ms: i64,
    ) -> Applied {
        let Some(sent) = self.payments.iter().find(|p| p.id == payment_id) else {
            return Applied::Unchanged;
        };
        let amounts = self.expected_amounts(sent.provider);
        let expected = Expected {
            reference: &binding.reference,
            amounts: &amounts,
            currency: self.currency,
        };
        if let Some(why) = update.echo.mismatch(&expected) {
            return Applied::Mismatch(why);
        }
        // A provider that names one transaction by different ids (Xtopay) is bound by the
        // reference echoed and checked above; every other provider keeps one id.
        if binding.keeps_one_id
            && sent
                .provider_ref
                .as_deref()
                .is_some_and(|known| known != update.provider_ref)
        {
            return Applied::Mismatch(format!(
                "transaction {} is not this payment's",
                update.provider_ref
            ));
        }
        if sent.status == PaymentStatus::Succeeded && update.status != PaymentStatus::Succeeded {
            return Applied::Contradicted(format!(
                "the provider now says {} about a succeeded payment",
                update.status.name()
            ));
        }
        let Some(p) = self.payments.iter_mut().find(|p| p.id == payment_id) else {
            return Applied::Unchanged;
        };
        if p.provider_ref.is_none() {
            p.provider_ref = Some(update.provider_ref.clone());
        }
        if p.status == update.status || (p.status.is_terminal() && !update.status.is_terminal()) {
            return Applied::Unchanged;
        }
        p.status = update.status.clone();
        p.updated_at_ms = now_ms;
        if !p.status.is_terminal() {
            return Applied::Changed;
        }
        p.next_poll_at_ms = None;
        let payment = p.clone();
        self.queue_event(&payment, event_id, now_ms);
        Applied::Changed
    }

    /// Whether a payment whose start never got an answer, and that its provider does not
    /// know, may be sent again at `now_ms`: only while the customer has not moved on (no later
    /// payment, nothing paid), within [`RESEND_WITHIN_MS`] and [`MAX_RESENDS`].
    pub fn resend_decision(&self, payment_id: &str, now_ms: i64) -> Resend {
        let Some(index) = self.payments.iter().position(|p| p.id == payment_id) else {
            return Resend::Skip;
        };
        let p = &self.payments[index];
        if p.status.is_terminal() || p.provider_ref.is_some() {
            return Resend::Skip;
        }
        let moved_on = index + 1 < self.payments.len()
            || self
                .payments
                .iter()
                .any(|q| q.status == PaymentStatus::Succeeded);
        if moved_on || now_ms - p.created_at_ms >= RESEND_WITHIN_MS || p.resends >= MAX_RESENDS {
            Resend::GiveUp
        } else {
            Resend::Send
        }
    }

    /// Ends a payment its provider never received (and that will not be sent again) as
    /// failed and retryable, and queues `payment.failed`.
    pub fn fail_unreceived(&mut self, payment_id: &str, event_id: &str, now_ms: i64) {
        let failed = PaymentStatus::Failed {
            reason: lipa_api::FailureReason::ProviderError,
            retryable: true,
        };
        self.end_live(payment_id, failed, event_id, now_ms);
    }

    /// Ends a live payment nobody could confirm within the polling window as expired, and
    /// queues `payment.expired`.
    pub fn expire(&mut self, payment_id: &str, event_id: &str, now_ms: i64) {
        self.end_live(payment_id, PaymentStatus::Expired, event_id, now_ms);
    }

    /// Ends a live payment with a final state Lipa decided (no provider answer), and queues
    /// its merchant event; a payment already final is left as it is.
    fn end_live(&mut self, payment_id: &str, end: PaymentStatus, event_id: &str, now_ms: i64) {
        let Some(p) = self
            .payments
            .iter_mut()
            .find(|p| p.id == payment_id && !p.status.is_terminal())
        else {
            return;
        };
        p.status = end;
        p.updated_at_ms = now_ms;
        p.next_poll_at_ms = None;
        let payment = p.clone();
        self.queue_event(&payment, event_id, now_ms);
    }

    /// The amounts a provider may report for this checkout: its amount, and the amount plus
    /// a fee the customer was shown.
    fn expected_amounts(&self, provider: ProviderId) -> Vec<i64> {
        match self.customer_fee(provider) {
            Some(fee) => vec![self.amount, self.amount + fee],
            None => vec![self.amount],
        }
    }

    /// The fee the customer pays on top when paying through `provider`, as it prepared it.
    pub fn customer_fee(&self, provider: ProviderId) -> Option<i64> {
        self.prepared.get(&provider).and_then(|p| p.customer_fee)
    }

    fn queue_event(&mut self, payment: &PaymentRecord, event_id: &str, now_ms: i64) {
        let Some(kind) = MerchantEvent::kind_for(&payment.status) else {
            return;
        };
        // A late approval of an earlier attempt can make a second payment succeed: the
        // merchant's event names the other one, so one of them is refunded.
        let other_succeeded = (payment.status == PaymentStatus::Succeeded)
            .then(|| {
                self.payments
                    .iter()
                    .find(|p| p.id != payment.id && p.status == PaymentStatus::Succeeded)
                    .map(|p| p.id.clone())
            })
            .flatten();
        let mut data = self.merchant_payment(payment);
        data.other_succeeded_payment_id = other_succeeded;
        let event = MerchantEvent {
            id: event_id.to_string(),
            kind: kind.to_string(),
            created_at_ms: now_ms,
            data,
        };
        if let Ok(body) = serde_json::to_string(&event) {
            self.outbox.push(OutboundEvent {
                event_id: event_id.to_string(),
                body,
                attempts: 0,
                next_attempt_at_ms: Some(now_ms),
                delivered_at_ms: None,
                logged: false,
            });
        }
    }

    /// Remembers a provider event id; `false` if it was seen before (a duplicate).
    pub fn remember_event(&mut self, event_id: &str) -> bool {
        if self.seen_events.iter().any(|e| e == event_id) {
            return false;
        }
        self.seen_events.push(event_id.to_string());
        if self.seen_events.len() > SEEN_EVENTS_KEPT {
            self.seen_events.remove(0);
        }
        true
    }

    /// The earliest time anything is due (a poll or a delivery).
    pub fn next_wakeup_ms(&self) -> Option<i64> {
        let polls = self.payments.iter().filter_map(|p| p.next_poll_at_ms);
        let deliveries = self.outbox.iter().filter_map(|e| e.next_attempt_at_ms);
        let refunds = self.refunds.iter().filter_map(|r| r.next_poll_at_ms);
        polls.chain(deliveries).chain(refunds).min()
    }

    /// The operators the customer can pick: the country's, in its order, that the routing
    /// table sends to a provider which takes them (and, where the provider's preparation
    /// lists the operators it offers, that it offers).
    pub fn available_operators(&self, routes: &RoutingTable) -> Vec<Operator> {
        self.country
            .operators()
            .iter()
            .copied()
            .filter(|op| match routes.provider_for(self.country, *op) {
                Some(provider) => self
                    .prepared
                    .get(&provider)
                    .and_then(|p| p.operators.as_deref())
                    .is_none_or(|offered| offered.contains(op)),
                None => false,
            })
            .collect()
    }

    /// A payment as the merchant's server sees it (events and reads), without refunds.
    pub fn merchant_payment(&self, p: &PaymentRecord) -> PaymentEventData {
        let (status, failure_reason, failure_message, retryable) =
            lipa_api::event::merchant_status(&p.status);
        PaymentEventData {
            checkout_id: self.id.clone(),
            payment_id: p.id.clone(),
            reference: self.reference.clone(),
            amount: self.amount,
            amount_display: format_amount(self.amount, self.currency),
            currency: self.currency,
            operator: p.operator,
            phone_masked: p.msisdn.masked(),
            status: status.to_string(),
            failure_reason,
            failure_message,
            retryable,
            created_at_ms: p.created_at_ms,
            updated_at_ms: p.updated_at_ms,
            other_succeeded_payment_id: None,
            refunds: None,
        }
    }

    /// A payment as `GET /v1/payments/{id}` shows it: with its refunds, and the other payment
    /// of the checkout that succeeded too, if one did.
    pub fn merchant_payment_read(&self, p: &PaymentRecord) -> PaymentEventData {
        let mut data = self.merchant_payment(p);
        if p.status == PaymentStatus::Succeeded {
            data.other_succeeded_payment_id = self
                .payments
                .iter()
                .find(|q| q.id != p.id && q.status == PaymentStatus::Succeeded)
                .map(|q| q.id.clone());
        }
        data.refunds = Some(
            self.refunds
                .iter()
                .filter(|r| r.payment_id == p.id)
                .map(|r| self.refund_view(r))
                .collect(),
        );
        data
    }

    /// Where the checkout stands for the merchant at `now_ms`: `paid`, `pending` (a payment is
    /// live), `open` (it can be paid) or `closed` (it can no longer be paid: a final failure,
    /// or its expiry passed).
    pub fn merchant_status(&self, now_ms: i64) -> &'static str {
        if self
            .payments
            .iter()
            .any(|p| p.status == PaymentStatus::Succeeded)
        {
            "paid"
        } else if self.payments.iter().any(|p| !p.status.is_terminal()) {
            "pending"
        } else if self.is_expired(now_ms)
            || self
                .last_payment()
                .is_some_and(|p| !p.status.allows_new_payment())
        {
            "closed"
        } else {
            "open"
        }
    }

    /// The checkout as the merchant's server reads it at `now_ms`: every payment, each with
    /// its refunds.
    pub fn merchant_view(&self, now_ms: i64) -> MerchantCheckoutView {
        MerchantCheckoutView {
            id: self.id.clone(),
            reference: self.reference.clone(),
            status: self.merchant_status(now_ms).to_string(),
            amount: self.amount,
            amount_display: format_amount(self.amount, self.currency),
            currency: self.currency,
            country: self.country,
            description: self.description.clone(),
            paid_payment_id: self
                .payments
                .iter()
                .find(|p| p.status == PaymentStatus::Succeeded)
                .map(|p| p.id.clone()),
            created_at_ms: self.created_at_ms,
            expires_at_ms: self.expires_at_ms,
            payments: self
                .payments
                .iter()
                .map(|p| self.merchant_payment_read(p))
                .collect(),
        }
    }

    /// What the widget sees.
    pub fn view(&self, merchant_name: &str, routes: &RoutingTable) -> CheckoutView {
        CheckoutView {
            id: self.id.clone(),
            merchant_name: merchant_name.to_string(),
            amount: self.amount,
            currency: self.currency,
            country: self.country,
            description: self.description.clone(),
            operators: self
                .available_operators(routes)
                .into_iter()
                .map(|op| OperatorView {
                    id: op,
                    name: op.name().to_string(),
                    fee: routes
                        .provider_for(self.country, op)
                        .and_then(|p| self.customer_fee(p))
                        .unwrap_or(0),
                    verify_phone: self.locked_phone.is_none()
                        && routes.verify_phone(self.country, op),
                })
                .collect(),
            locked_phone: self.locked_phone.as_ref().map(|m| m.local()),
            payment: self.shown_payment().map(PaymentRecord::view),
            expires_at_ms: self.expires_at_ms,
            success_url: self.success_url.clone(),
            cancel_url: self.cancel_url.clone(),
        }
    }
}

impl PaymentRecord {
    /// The payment as the widget sees it.
    pub fn view(&self) -> PaymentView {
        PaymentView {
            id: self.id.clone(),
            operator: self.operator,
            phone_masked: self.msisdn.masked(),
            status: self.status.clone(),
            created_at_ms: self.created_at_ms,
            retry_at_ms: (!self.status.is_terminal()).then(|| self.holds_until()),
            otp_attempts_left: matches!(
                self.status,
                PaymentStatus::ActionRequired {
                    action: lipa_api::NextAction::Otp
                }
            )
            .then(|| MAX_OTP_ATTEMPTS.saturating_sub(self.otp_attempts)),
        }
    }

    /// Until when the payment holds its checkout while live (three minutes for a record
    /// stored before the window was).
    pub fn holds_until(&self) -> i64 {
        self.holds_until_ms
            .unwrap_or(self.created_at_ms + DEFAULT_APPROVAL_WINDOW_MS)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use lipa_api::FailureReason;
    use lipa_providers::Echo;

    /// How CrissCross binds answers about `record()`'s payments.
    pub(crate) fn cc() -> Binding {
        Binding {
            reference: "co1".into(),
            keeps_one_id: true,
        }
    }

    pub(crate) fn record() -> CheckoutRecord {
        CheckoutRecord {
            id: "co_1".into(),
            client_secret_digest: "d".into(),
            reference: "order-1".into(),
            amount: 150_000,
            currency: Currency::KES,
            country: Country::KE,
            description: "Kikoi".into(),
            locked_phone: None,
            created_at_ms: 0,
            prepared: BTreeMap::new(),
            payments: vec![],
            seen_events: vec![],
            outbox: vec![],
            refunds: vec![],
            verifications: vec![],
            link_digest: None,
            expires_at_ms: None,
            success_url: None,
            cancel_url: None,
        }
    }

    #[test]
    fn an_expired_checkout_takes_no_new_payment_but_follows_its_live_one() {
        let mut r = record();
        r.expires_at_ms = Some(10_000);
        assert!(r.check_can_start(9_999).is_ok());
        assert_eq!(r.merchant_status(9_999), "open");
        let e = r.check_can_start(10_000).unwrap_err();
        assert_eq!(e.code, ErrorCode::CheckoutClosed);
        assert!(e.message.contains("expired"), "{}", e.message);
        assert_eq!(r.merchant_status(10_000), "closed");
        // A payment live at expiry is still followed: the checkout reads as pending, and its
        // late approval pays it.
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        assert_eq!(r.merchant_status(20_000), "pending");
        r.payments[0].status = PaymentStatus::Succeeded;
        assert_eq!(r.merchant_status(20_000), "paid");
        assert_eq!(r.merchant_view(20_000).expires_at_ms, Some(10_000));
    }

    pub(crate) fn payment(id: &str, status: PaymentStatus) -> PaymentRecord {
        PaymentRecord {
            id: id.into(),
            operator: Operator::Mpesa,
            provider: ProviderId::CrissCross,
            msisdn: Msisdn::parse(Country::KE, "0712000001").unwrap(),
            status,
            idempotency_key: "k".into(),
            provider_ref: Some("t1".into()),
            created_at_ms: 0,
            updated_at_ms: 0,
            next_poll_at_ms: Some(3_000),
            otp_attempts: 0,
            prepared: None,
            holds_until_ms: Some(180_000),
            resends: 0,
            indexed: false,
            indexed_ref: None,
            turned_away: 0,
        }
    }

    fn update(status: PaymentStatus) -> ProviderPayment {
        ProviderPayment {
            provider_ref: "t1".into(),
            status,
            can_poll: false,
            echo: Default::default(),
            unknown_status: None,
        }
    }

    const DECLINED: PaymentStatus = PaymentStatus::Failed {
        reason: FailureReason::InsufficientFunds,
        retryable: true,
    };

    #[test]
    fn a_live_payment_blocks_a_second_one_only_within_its_approval_window() {
        let mut r = record();
        assert!(r.check_can_start(0).is_ok());
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        let e = r.check_can_start(1_000).unwrap_err();
        assert_eq!(e.code, ErrorCode::PaymentInProgress);
        assert!(e.message.contains("+254 ••• ••• 001"), "{}", e.message);
        assert!(e.message.contains("179 s"), "{}", e.message);
        // Past the window the customer may try again; the first payment stays live.
        assert!(r.check_can_start(180_000).is_ok());
        r.payments.push(payment("pay_2", PaymentStatus::Created));
        r.payments[1].holds_until_ms = Some(360_000);
        assert_eq!(
            r.check_can_start(181_000).unwrap_err().code,
            ErrorCode::PaymentInProgress,
            "the new attempt holds the checkout in its own window"
        );
    }

    #[test]
    fn retryable_failures_reopen_the_checkout_and_any_success_closes_it() {
        let mut r = record();
        r.payments.push(payment("pay_1", DECLINED));
        assert!(r.check_can_start(0).is_ok());
        r.payments.push(payment("pay_2", PaymentStatus::Succeeded));
        assert_eq!(
            r.check_can_start(0).unwrap_err().code,
            ErrorCode::CheckoutClosed
        );
        // A late approval of an earlier attempt closes it too, whatever came after.
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Succeeded));
        r.payments.push(payment("pay_2", DECLINED));
        assert_eq!(
            r.check_can_start(0).unwrap_err().code,
            ErrorCode::CheckoutClosed
        );
        assert_eq!(r.shown_payment().map(|p| p.id.as_str()), Some("pay_1"));
    }

    #[test]
    fn an_answer_about_another_payment_changes_nothing() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        let with = |echo: Echo| ProviderPayment {
            echo,
            ..update(PaymentStatus::Succeeded)
        };
        let other_reference = with(Echo {
            reference: Some("co2".into()),
            ..Echo::default()
        });
        let other_amount = with(Echo {
            amount: Some(1),
            ..Echo::default()
        });
        let other_currency = with(Echo {
            currency: Some(Currency::UGX),
            ..Echo::default()
        });
        let other_transaction = ProviderPayment {
            provider_ref: "t2".into(),
            ..update(PaymentStatus::Succeeded)
        };
        for wrong in [
            other_reference,
            other_amount,
            other_currency,
            other_transaction,
        ] {
            assert!(
                matches!(
                    r.apply("pay_1", &cc(), &wrong, "e", 1),
                    Applied::Mismatch(_)
                ),
                "{wrong:?}"
            );
        }
        assert_eq!(r.payments[0].status, PaymentStatus::Pending);
        assert_eq!(r.payments[0].provider_ref.as_deref(), Some("t1"));
        assert!(r.outbox.is_empty());
        let right = with(Echo {
            reference: Some("co1".into()),
            amount: Some(150_000),
            currency: Some(Currency::KES),
        });
        assert_eq!(r.apply("pay_1", &cc(), &right, "e", 2), Applied::Changed);
    }

    #[test]
    fn xtopay_answers_are_bound_by_client_reference_since_its_ids_differ_by_endpoint() {
        let mut r = record();
        let mut p = payment("pay_1", PaymentStatus::Pending);
        p.provider = ProviderId::Xtopay;
        p.provider_ref = Some("receive-id".into());
        r.payments.push(p);
        let xtopay = Binding {
            reference: "pay_1".into(),
            keeps_one_id: false,
        };
        let status_check = |reference: &str| ProviderPayment {
            provider_ref: "status-check-id".into(),
            echo: Echo {
                reference: Some(reference.into()),
                ..Echo::default()
            },
            ..update(PaymentStatus::Succeeded)
        };
        assert!(matches!(
            r.apply("pay_1", &xtopay, &status_check("pay_2"), "e", 1),
            Applied::Mismatch(_)
        ));
        assert_eq!(
            r.apply("pay_1", &xtopay, &status_check("pay_1"), "e", 2),
            Applied::Changed
        );
        assert_eq!(r.payments[0].provider_ref.as_deref(), Some("receive-id"));
    }

    #[test]
    fn a_succeeded_payment_is_never_taken_back() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Succeeded));
        for later in [DECLINED, PaymentStatus::Expired, PaymentStatus::Pending] {
            let answer = r.apply("pay_1", &cc(), &update(later.clone()), "e", 1);
            assert!(matches!(answer, Applied::Contradicted(_)), "{later:?}");
        }
        assert_eq!(r.payments[0].status, PaymentStatus::Succeeded);
        assert!(r.outbox.is_empty());
        assert_eq!(
            r.check_can_start(1).unwrap_err().code,
            ErrorCode::CheckoutClosed
        );
    }

    #[test]
    fn calls_turned_away_by_a_rate_limit_back_off_until_an_answer() {
        let mut p = payment("pay_1", PaymentStatus::Pending);
        assert_eq!(p.least_wait_ms(None), 0);
        p.note_answer(true);
        assert_eq!(p.least_wait_ms(Some(2_000)), 2_000);
        p.note_answer(true);
        p.note_answer(true);
        assert_eq!(p.least_wait_ms(Some(2_000)), 8_000);
        assert_eq!(p.least_wait_ms(None), 4_000);
        for _ in 0..20 {
            p.note_answer(true);
        }
        assert_eq!(p.least_wait_ms(Some(2_000)), MAX_BACKOFF_MS);
        p.note_answer(false);
        assert_eq!(p.least_wait_ms(None), 0);
    }

    #[test]
    fn a_start_the_provider_never_received_is_sent_again_only_while_the_customer_waits() {
        let lost = || {
            let mut p = payment("pay_1", PaymentStatus::Pending);
            p.provider_ref = None;
            p
        };
        let mut r = record();
        r.payments.push(lost());
        assert_eq!(r.resend_decision("pay_1", 60_000), Resend::Send);
        assert_eq!(r.resend_decision("pay_1", RESEND_WITHIN_MS), Resend::GiveUp);
        r.payments[0].resends = MAX_RESENDS;
        assert_eq!(r.resend_decision("pay_1", 60_000), Resend::GiveUp);
        // A resend turned away by a rate limit gave the budget back.
        r.payments[0].resend_turned_away();
        assert_eq!(r.resend_decision("pay_1", 60_000), Resend::Send);
        // The customer moved on: a later attempt, or a paid checkout.
        let mut r = record();
        r.payments.push(lost());
        r.payments.push(payment("pay_2", PaymentStatus::Pending));
        assert_eq!(r.resend_decision("pay_1", 60_000), Resend::GiveUp);
        let mut r = record();
        r.payments.push(payment("pay_0", PaymentStatus::Succeeded));
        r.payments.push(lost());
        assert_eq!(r.resend_decision("pay_1", 60_000), Resend::GiveUp);
        // Known to the provider by now, or final: nothing to decide.
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        assert_eq!(r.resend_decision("pay_1", 60_000), Resend::Skip);
        r.fail_unreceived("pay_1", "evt_1", 61_000);
        assert_eq!(r.resend_decision("pay_1", 61_000), Resend::Skip);
        assert!(r.outbox[0].body.contains("payment.failed"));
    }

    #[test]
    fn a_stored_provider_id_is_never_replaced_and_a_missing_one_is_learnt() {
        let mut r = record();
        let mut p = payment("pay_1", PaymentStatus::Pending);
        p.provider_ref = None;
        r.payments.push(p);
        r.apply("pay_1", &cc(), &update(PaymentStatus::Pending), "e", 1);
        assert_eq!(r.payments[0].provider_ref.as_deref(), Some("t1"));
    }

    #[test]
    fn an_unknown_provider_status_keeps_the_payment_pending() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        let unknown = ProviderPayment {
            unknown_status: Some("pending_review".into()),
            ..update(PaymentStatus::Pending)
        };
        assert_eq!(
            r.apply("pay_1", &cc(), &unknown, "e", 1),
            Applied::Unchanged
        );
        assert_eq!(r.payments[0].next_poll_at_ms, Some(3_000));
    }

    #[test]
    fn a_second_success_names_the_first_in_its_merchant_event() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        r.payments.push(payment("pay_2", PaymentStatus::Pending));
        r.payments[1].provider_ref = Some("t2".into());
        let second = ProviderPayment {
            provider_ref: "t2".into(),
            ..update(PaymentStatus::Succeeded)
        };
        assert_eq!(r.apply("pay_2", &cc(), &second, "e1", 1), Applied::Changed);
        let first: MerchantEvent = serde_json::from_str(&r.outbox[0].body).unwrap();
        assert_eq!(first.data.other_succeeded_payment_id, None);
        assert!(!r.outbox[0].body.contains("other_succeeded_payment_id"));
        r.apply("pay_1", &cc(), &update(PaymentStatus::Succeeded), "e2", 2);
        let late: MerchantEvent = serde_json::from_str(&r.outbox[1].body).unwrap();
        assert_eq!(late.data.payment_id, "pay_1");
        assert_eq!(
            late.data.other_succeeded_payment_id.as_deref(),
            Some("pay_2")
        );
    }

    #[test]
    fn a_terminal_state_queues_exactly_one_merchant_event() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        assert_eq!(
            r.apply("pay_1", &cc(), &update(PaymentStatus::Pending), "evt_0", 1),
            Applied::Unchanged
        );
        assert_eq!(
            r.apply(
                "pay_1",
                &cc(),
                &update(PaymentStatus::Succeeded),
                "evt_1",
                2
            ),
            Applied::Changed
        );
        assert_eq!(
            r.apply(
                "pay_1",
                &cc(),
                &update(PaymentStatus::Succeeded),
                "evt_2",
                3
            ),
            Applied::Unchanged
        );
        assert_eq!(r.outbox.len(), 1);
        let event: MerchantEvent = serde_json::from_str(&r.outbox[0].body).unwrap();
        assert_eq!(event.kind, "payment.succeeded");
        assert_eq!(event.data.reference, "order-1");
        assert_eq!(event.data.phone_masked, "+254 ••• ••• 001");
        assert_eq!(r.payments[0].next_poll_at_ms, None);
    }

    #[test]
    fn a_terminal_state_never_moves_back_but_a_confirmed_late_outcome_replaces_it() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Expired));
        assert_eq!(
            r.apply("pay_1", &cc(), &update(PaymentStatus::Pending), "e1", 1),
            Applied::Unchanged
        );
        assert_eq!(r.payments[0].status, PaymentStatus::Expired);
        assert_eq!(
            r.apply("pay_1", &cc(), &update(PaymentStatus::Succeeded), "e2", 2),
            Applied::Changed
        );
        assert_eq!(r.outbox.len(), 1);
        assert_eq!(
            r.apply("nope", &cc(), &update(PaymentStatus::Succeeded), "e3", 3),
            Applied::Unchanged
        );
    }

    #[test]
    fn otp_is_taken_only_while_asked_for_and_only_three_times() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        assert_eq!(
            r.payment_awaiting_otp().unwrap_err().code,
            ErrorCode::NotAwaitingOtp
        );
        r.payments[0].status = PaymentStatus::ActionRequired {
            action: lipa_api::NextAction::Otp,
        };
        assert!(r.payment_awaiting_otp().is_ok());
        r.payments[0].otp_attempts = MAX_OTP_ATTEMPTS;
        assert_eq!(
            r.payment_awaiting_otp().unwrap_err().code,
            ErrorCode::OtpAttemptsExhausted
        );
    }

    #[test]
    fn payments_in_the_window_are_counted_for_the_checkout_limit() {
        let mut r = record();
        for (i, at) in [0, 100_000, 500_000].into_iter().enumerate() {
            let mut p = payment(&format!("pay_{i}"), DECLINED);
            p.created_at_ms = at;
            r.payments.push(p);
        }
        assert_eq!(r.payments_since(600_000, 600_000), 2);
        assert_eq!(r.payments_since(599_999, 600_000), 3);
    }

    #[test]
    fn provider_events_are_deduplicated() {
        let mut r = record();
        assert!(r.remember_event("ev1"));
        assert!(!r.remember_event("ev1"));
        for i in 0..100 {
            r.remember_event(&format!("x{i}"));
        }
        assert_eq!(r.seen_events.len(), SEEN_EVENTS_KEPT);
    }

    #[test]
    fn an_unconfirmed_payment_expires_once_and_a_late_confirmation_still_wins() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        r.expire("pay_1", "evt_1", 86_400_000);
        r.expire("pay_1", "evt_2", 86_400_001);
        assert_eq!(r.payments[0].status, PaymentStatus::Expired);
        assert_eq!(r.payments[0].next_poll_at_ms, None);
        assert_eq!(r.outbox.len(), 1);
        assert!(r.outbox[0].body.contains("payment.expired"));
        r.apply(
            "pay_1",
            &cc(),
            &update(PaymentStatus::Succeeded),
            "evt_3",
            90_000_000,
        );
        assert_eq!(r.payments[0].status, PaymentStatus::Succeeded);
        assert_eq!(r.outbox.len(), 2, "the late success is delivered too");
    }

    #[test]
    fn schedules_back_off_and_end() {
        let mut r = record();
        r.payments.push(payment("pay_1", PaymentStatus::Pending));
        assert_eq!(r.next_wakeup_ms(), Some(3_000));
    }

    #[test]
    fn view_lists_routed_and_offered_operators_in_country_order() {
        let session = |operators| Prepared {
            state: "sess_1".into(),
            expires_at_ms: None,
            operators: Some(operators),
            customer_fee: None,
        };
        let mut r = record();
        let cc_only = RoutingTable::parse("KE=crisscross").unwrap();
        assert_eq!(
            r.view("Shop", &cc_only).operators.len(),
            2,
            "before the session is known"
        );
        r.prepared
            .insert(ProviderId::CrissCross, session(vec![Operator::Mpesa]));
        assert_eq!(
            r.view("Shop", &cc_only).operators.len(),
            1,
            "the KEN session offers only M-Pesa"
        );
        let mixed = RoutingTable::parse("KE/airtel_money=honeycoin, KE=crisscross").unwrap();
        let v = r.view("Shop", &mixed);
        assert_eq!(
            v.operators.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![Operator::Mpesa, Operator::AirtelMoney]
        );
        assert_eq!(v.operators[0].name, "M-Pesa");
        r.prepared.insert(ProviderId::CrissCross, session(vec![]));
        assert_eq!(r.available_operators(&mixed), vec![Operator::AirtelMoney]);
    }
}
