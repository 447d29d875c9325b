//! The one shape every provider has: the [`Provider`] trait the edge reaches providers
//! through, and the words it speaks (an [`Order`], an [`Attempt`], what a checkout is
//! [`Prepared`] with, a [`Reading`], a webhook [`Hint`], a [`Transfer`]).
//!
//! Multi-step flows (Dollr's invoice collection, Little's intent → process, CrissCross's
//! session) live behind the trait in each provider's `flow.rs`, over the host's
//! [`Transport`](crate::host::Transport): the Checkout object never learns them.

use async_trait::async_trait;
use lipa_api::refund::TransferStatus;
use lipa_api::{Country, Currency, Operator, PaymentStatus};
use serde::{Deserialize, Serialize};

use crate::call::CallError;
use crate::host::Host;
use crate::{ProviderError, ProviderId, ProviderPayment};

/// A checkout as a provider sees it.
#[derive(Debug, Clone, Copy)]
pub struct Order<'a> {
    /// Lipa's checkout id.
    pub checkout_id: &'a str,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// The wallet's country.
    pub country: Country,
    /// What is paid for, as the merchant wrote it (may be empty).
    pub description: &'a str,
    /// The merchant's name, for providers that need a description when there is none.
    pub merchant_name: &'a str,
}

/// One payment of a checkout as a provider sees it: everything stored before it was sent.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// Lipa's payment id.
    pub payment_id: &'a str,
    /// The key stored before the first send, reused by every replay.
    pub idempotency_key: &'a str,
    /// The operator the customer chose.
    pub operator: Operator,
    /// The customer's number, E.164.
    pub e164: &'a str,
    /// The provider's id for the payment, once it gave one.
    pub provider_ref: Option<&'a str>,
    /// The preparation's `state` the payment was sent with (see [`Prepared`]).
    pub prepared: Option<&'a str>,
}

impl<'a> Attempt<'a> {
    /// The provider's id of a paid payment (to refund it), or the refusal when it never
    /// gave one.
    pub fn paid_id(&self) -> Result<&'a str, CallError> {
        self.provider_ref.ok_or_else(|| {
            CallError::unsupported("the provider never told Lipa its id for this payment")
        })
    }
}

/// What a checkout needs from a provider before a payment can be sent (CrissCross's session,
/// Dollr's fee preview). The Checkout object stores it per provider and never reads `state`;
/// it reads only the fields every provider shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepared {
    /// The provider's own state (CrissCross: the session id), handed back in
    /// [`Attempt::prepared`].
    pub state: String,
    /// When it ends, Unix ms: renewed before then. `None`: it lasts the checkout's life.
    pub expires_at_ms: Option<i64>,
    /// The operators it offers, when the provider says (others are not shown).
    pub operators: Option<Vec<Operator>>,
    /// A fee the customer pays on top of the amount, shown before they pay.
    pub customer_fee: Option<i64>,
}

/// What a status read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// The provider's answer about the payment.
    Found(ProviderPayment),
    /// The payment's start never got an answer and the provider does not know its reference
    /// (or, like CrissCross, has no read by reference: its replay of the same key is the
    /// read). Only the Checkout object decides whether to send it again.
    NotReceived,
}

/// A verified provider webhook, as a hint: the Checkout object confirms it with a status read
/// by the payment's own stored reference before believing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// A key unique to the delivery, made of signed content.
    pub event_id: String,
    /// The provider's transaction id.
    pub provider_ref: String,
    /// Lipa's payment id, when the provider echoes it.
    pub payment_id: Option<String>,
    /// Lipa's checkout id, when the provider echoes only that (CrissCross).
    #[serde(default)]
    pub checkout_id: Option<String>,
    /// A failure the verified webhook reports, set only by providers whose status read cannot
    /// report failures (Xtopay: `Paid` / `Unpaid`); believed when the read says pending.
    /// Success is never taken from a webhook.
    #[serde(default)]
    pub reported_failure: Option<PaymentStatus>,
}

/// What the provider said about a one-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpOutcome {
    /// Accepted: the payment goes on in the background.
    Accepted,
    /// Refused; the provider's message (logged, never shown) says why.
    Refused(String),
}

/// A provider's answer about a refund or payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The provider's id for it, when it gives one.
    pub provider_ref: Option<String>,
    /// Where it stands.
    pub status: TransferStatus,
    /// Why it failed, in plain words.
    pub failure_message: Option<String>,
    /// The provider's own status when the adapter does not know it (then still pending).
    pub unknown_status: Option<String>,
}

impl Transfer {
    /// Still under way.
    pub fn pending(provider_ref: Option<String>) -> Transfer {
        Transfer {
            provider_ref,
            status: TransferStatus::Pending,
            failure_message: None,
            unknown_status: None,
        }
    }
}

/// A refund as a provider sees it.
#[derive(Debug, Clone, Copy)]
pub struct RefundOrder<'a> {
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// The merchant's reason, if given.
    pub reason: Option<&'a str>,
    /// The refund's reference, stored before the first send.
    pub reference_id: &'a str,
    /// The provider's id for the refund, once it gave one.
    pub provider_ref: Option<&'a str>,
}

/// Who a payout goes to.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// The number, E.164.
    pub e164: &'a str,
    /// Its country.
    pub country: Country,
    /// The operator the merchant named.
    pub operator: Operator,
}

/// A payout as a provider sees it.
#[derive(Debug, Clone, Copy)]
pub struct PayoutOrder<'a> {
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// The payout's reference, stored before the first send.
    pub reference_id: &'a str,
    /// When the provider's payout session may lapse, ISO 8601.
    pub expires_at: &'a str,
}

/// A provider's receipt of a completed payment, minor units.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// The provider's fee.
    pub fee: i64,
    /// What moved in total.
    pub total: i64,
    /// The FX rate applied, when any.
    pub fx_rate: Option<f64>,
    /// When it was paid, ISO 8601.
    pub paid_at: Option<String>,
    /// The line items: name, quantity, minor units.
    pub items: Vec<(String, i64, i64)>,
}

/// Whether a provider offers an optional capability (refunds, payouts) on this deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    /// It does.
    Offered,
    /// The provider has no such API: the reason, for the merchant.
    NotOffered(String),
    /// It does, but this deployment lacks a setting: which one.
    NotConfigured(String),
}

/// One mobile-money provider, configured for this deployment. Only `start`, `read` and the
/// rules that bind answers to payments are required; everything else has a default that
/// says the provider does not have it.
#[async_trait(?Send)]
pub trait Provider {
    /// Which provider this is.
    fn id(&self) -> ProviderId;

    /// Whether a checkout must be [`Provider::prepare`]d before a payment is sent.
    fn needs_preparation(&self) -> bool {
        false
    }

    /// Whether one preparation carries at most one live payment (CrissCross's session), so a
    /// new payment while another is live needs a preparation of its own.
    fn one_payment_per_preparation(&self) -> bool {
        false
    }

    /// Prepares a checkout for payments.
    async fn prepare(&self, _host: &Host<'_>, _order: &Order<'_>) -> Result<Prepared, CallError> {
        Err(CallError::unsupported(format!(
            "{} needs no preparation",
            self.id().brand()
        )))
    }

    /// Sends a payment with its stored reference. A replay of the same attempt must be safe:
    /// the provider either recognises it or [`Provider::read`] finds it first.
    async fn start(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<ProviderPayment, CallError>;

    /// Where a payment stands, read only: by its provider id, or, when its start's answer was
    /// lost, by the reference stored before the start. Never sends a payment.
    async fn read(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Reading, CallError>;

    /// The reference the provider's answers about `attempt` echo
    /// ([`crate::Echo::reference`]).
    fn expected_reference(&self, order: &Order<'_>, attempt: &Attempt<'_>) -> String;

    /// Whether the provider names a payment by one id everywhere (Xtopay does not: its ids
    /// differ between the receive answer, the callback and the status check).
    fn keeps_one_id(&self) -> bool {
        true
    }

    /// When to ask about a live payment next, `elapsed_ms` after it started; `None` when the
    /// guide's schedule is over.
    fn next_poll_delay_ms(&self, elapsed_ms: i64) -> Option<i64>;

    /// How long a live payment holds its checkout before the customer may try again: the
    /// time the guide gives a prompt to be approved.
    fn approval_window_ms(&self) -> i64;

    /// Whether a customer's "I've approved" may read the payment now, `elapsed_ms` after it
    /// started, outside the poll schedule.
    fn reads_on_demand(&self, _elapsed_ms: i64) -> bool {
        true
    }

    /// Whether the provider sends webhooks at all (Dollr does not: it is polled).
    fn receives_webhooks(&self) -> bool {
        true
    }

    /// The callback URL this deployment gives the provider with each payment (Little's
    /// `LITTLE_CALLBACK_URL`); `None` where the merchant registers the edge's
    /// `/webhooks/{name}` in the provider's dashboard instead.
    fn callback_url(&self) -> Option<&str> {
        None
    }

    /// Verifies a webhook and reads it as a hint; anything unverified is refused.
    async fn verify_webhook(
        &self,
        _host: &Host<'_>,
        _headers: &[(String, String)],
        _body: &[u8],
    ) -> Result<Hint, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{} sends no webhooks",
            self.id().brand()
        )))
    }

    /// Sends a customer's one-time code for a payment.
    async fn submit_otp(
        &self,
        _host: &Host<'_>,
        _attempt: &Attempt<'_>,
        _otp: &str,
    ) -> Result<OtpOutcome, CallError> {
        Err(CallError::unsupported(format!(
            "{} mobile money has no OTP step",
            self.id().brand()
        )))
    }

    /// Whether refunds go through this provider.
    fn refunds(&self) -> Capability {
        Capability::NotOffered(format!(
            "{0} offers no refund API: refund this payment from your {0} dashboard",
            self.id().brand()
        ))
    }

    /// Sends a refund of a completed payment.
    async fn refund(
        &self,
        _host: &Host<'_>,
        _payment: &Attempt<'_>,
        _refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        Err(not_offered(self.refunds()))
    }

    /// Where a refund stands; one whose first answer was lost is asked about by its reference
    /// or replayed with its key, never sent anew.
    async fn refund_status(
        &self,
        _host: &Host<'_>,
        _payment: &Attempt<'_>,
        _refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        Err(not_offered(self.refunds()))
    }

    /// The provider's receipt of a completed payment, where it issues one.
    async fn receipt(
        &self,
        _host: &Host<'_>,
        _payment: &Attempt<'_>,
    ) -> Result<Option<Receipt>, CallError> {
        Ok(None)
    }

    /// Whether payouts go through this provider.
    fn payouts(&self) -> Capability {
        Capability::NotOffered(format!("{} offers no payout API", self.id().brand()))
    }

    /// Checks that `recipient` can be paid out to before anything is recorded; answers the
    /// provider's opaque plan for [`Provider::payout`].
    async fn payout_check(
        &self,
        _host: &Host<'_>,
        _recipient: &Recipient<'_>,
    ) -> Result<String, CallError> {
        Err(not_offered(self.payouts()))
    }

    /// Sends a payout with its stored reference.
    async fn payout(
        &self,
        _host: &Host<'_>,
        _recipient: &Recipient<'_>,
        _plan: &str,
        _order: &PayoutOrder<'_>,
    ) -> Result<Transfer, CallError> {
        Err(not_offered(self.payouts()))
    }

    /// Where a payout stands, by its reference; `None` if the provider never received it.
    async fn payout_status(
        &self,
        _host: &Host<'_>,
        _reference_id: &str,
    ) -> Result<Option<Transfer>, CallError> {
        Err(not_offered(self.payouts()))
    }
}

fn not_offered(capability: Capability) -> CallError {
    match capability {
        Capability::NotOffered(why) | Capability::NotConfigured(why) => CallError::unsupported(why),
        Capability::Offered => CallError::unsupported("not implemented"),
    }
}

/// The answer every status read by reference shares: found, or — only while the start's
/// answer is still missing — never received; a provider that forgets a payment it answered
/// about is an unreadable answer (keep polling).
pub fn known(
    found: Option<ProviderPayment>,
    attempt: &Attempt<'_>,
    provider: ProviderId,
) -> Result<Reading, CallError> {
    match found {
        Some(p) => Ok(Reading::Found(p)),
        None if attempt.provider_ref.is_none() => Ok(Reading::NotReceived),
        None => Err(CallError::Provider(ProviderError::Decode(format!(
            "{} no longer knows the payment",
            provider.brand()
        )))),
    }
}
