//! The providers as the Checkout object sees them: start a payment, read where it stands
//! (also when the start's answer was lost), send an OTP. Each call dispatches on the
//! payment's [`ProviderId`]; the adapters in `lipa-providers` build and parse, and
//! [`crate::executor`] alone performs the requests.

pub mod call;
pub mod crisscross;
pub mod dollr;
mod honeycoin;
pub mod refunds;

use lipa_providers::dollr::Operation;
use lipa_providers::honeycoin::OtpOutcome;
use lipa_providers::{little, xtopay, ProviderError, ProviderId, ProviderPayment};
use worker::Env;

use crate::checkout::record::{CheckoutRecord, PaymentRecord};
use crate::config::Config;
pub use call::CallError;

/// Starts `payment` of `checkout` with its stored reference.
pub async fn start(
    env: &Env,
    config: &Config,
    checkout: &CheckoutRecord,
    payment: &PaymentRecord,
) -> Result<ProviderPayment, CallError> {
    let e164 = payment.msisdn.e164();
    match payment.provider {
        ProviderId::CrissCross => {
            let cc = config
                .crisscross
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::CrissCross))?;
            // The session the payment was first sent on, so a replay is the same request.
            let session = payment
                .session
                .as_deref()
                .or(checkout.provider_session.as_deref())
                .ok_or(CallError::Provider(ProviderError::Unsupported(
                    "no CrissCross session".into(),
                )))?;
            crisscross::start(
                cc,
                session,
                payment.operator,
                &e164,
                &payment.idempotency_key,
            )
            .await
        }
        ProviderId::HoneyCoin => {
            let hc = config
                .honeycoin
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::HoneyCoin))?;
            honeycoin::start(
                hc,
                checkout.amount,
                checkout.currency,
                payment.operator,
                &e164,
                &payment.id,
            )
            .await
        }
        ProviderId::Xtopay => {
            let xt = config
                .xtopay
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Xtopay))?;
            let description = if checkout.description.is_empty() {
                &config.merchant.name
            } else {
                &checkout.description
            };
            let receive = xtopay::Receive {
                amount: checkout.amount,
                currency: checkout.currency,
                e164: &e164,
                operator: payment.operator,
                description,
                client_reference: &payment.id,
            };
            call::plain(xtopay::receive_request(xt, &receive), xtopay::parse_receive).await
        }
        ProviderId::Little => {
            let lt = config
                .little
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Little))?;
            let key = little::key_for(&payment.idempotency_key);
            let intent = little::Intent {
                amount: checkout.amount,
                currency: checkout.currency,
                description: &checkout.description,
                callback_url: &config.little_callback_url,
                key: &key,
            };
            let intent_id = call::plain(
                Ok(little::intent_request(lt, &intent)),
                little::parse_intent,
            )
            .await?;
            call::plain(
                little::process_request(lt, &intent_id, payment.operator, &e164),
                |r| little::parse_process(r, &intent_id),
            )
            .await
        }
        ProviderId::Dollr => {
            let dl = config
                .dollr
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Dollr))?;
            dollr::start(env, dl, checkout, payment).await
        }
    }
}

/// What a status read found.
#[derive(Debug)]
pub enum Reading {
    /// The provider's answer about the payment.
    Found(ProviderPayment),
    /// The payment's start never got an answer and the provider does not know its reference
    /// (CrissCross has no read by reference: its replay of the same key is the read). Only
    /// the Checkout object decides whether to send it again ([`start`]), after reading the
    /// stored record.
    NotReceived,
}

/// Where `payment` stands now, read only: by its provider id, or, when its start's answer was
/// lost, by the reference stored before the start. Never sends a payment.
pub async fn read(
    config: &Config,
    checkout: &CheckoutRecord,
    payment: &PaymentRecord,
) -> Result<Reading, CallError> {
    let lost = payment.provider_ref.is_none();
    let known = |found: Option<ProviderPayment>, what: &str| match found {
        Some(p) => Ok(Reading::Found(p)),
        None if lost => Ok(Reading::NotReceived),
        None => Err(CallError::Provider(ProviderError::Decode(format!(
            "{what} no longer knows the payment"
        )))),
    };
    match payment.provider {
        ProviderId::CrissCross => {
            let cc = config
                .crisscross
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::CrissCross))?;
            match &payment.provider_ref {
                Some(tx) => crisscross::status(cc, tx).await.map(Reading::Found),
                None => Ok(Reading::NotReceived),
            }
        }
        // Xtopay is asked by Lipa's client reference; its ids differ between the receive
        // answer, the callback and the status check.
        ProviderId::Xtopay => {
            let xt = config
                .xtopay
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Xtopay))?;
            let found = call::plain(
                Ok(xtopay::status_request(xt, &payment.id)),
                xtopay::parse_status_known,
            )
            .await?;
            known(found, "Xtopay")
        }
        // Little answers by Lipa's key (stored before the intent was created), long-polled:
        // Lipa waits longer than Little's longest hold, and a read that times out is no news.
        ProviderId::Little => {
            let lt = config
                .little
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Little))?;
            let key = little::key_for(&payment.idempotency_key);
            match call::plain_within(
                Ok(little::status_request(lt, &key, true)),
                little::LONG_POLL_HOLD_MS + 5_000,
                |r| little::parse_status_in(r, checkout.currency),
            )
            .await
            {
                Err(CallError::Provider(ProviderError::Rejected { status: 404, .. })) if lost => {
                    Ok(Reading::NotReceived)
                }
                other => other.map(Reading::Found),
            }
        }
        // Dollr is asked by the execution's reference_id (the stored idempotency key); while
        // Dollr knows it — PROCESSING may last minutes — it is never executed again.
        ProviderId::Dollr => {
            let dl = config
                .dollr
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Dollr))?;
            let found = dollr::status(dl, Operation::Collection, &payment.idempotency_key)
                .await?
                .map(|s| s.payment());
            known(found, "Dollr")
        }
        ProviderId::HoneyCoin => {
            let hc = config
                .honeycoin
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::HoneyCoin))?;
            let found = match &payment.provider_ref {
                Some(tx) => honeycoin::status(hc, tx).await?,
                None => honeycoin::status_by_reference(hc, &payment.id).await?,
            };
            known(found, "HoneyCoin")
        }
    }
}

/// When to ask the provider about a live payment next, `elapsed_ms` after it started: Xtopay
/// promises a callback and asks for a status check only after five minutes (configurable);
/// Dollr never calls back and is polled while the customer waits and long after; CrissCross
/// on its guide's cadence; HoneyCoin and Little on [`crate::checkout::record::poll_delay_ms`].
pub fn next_poll_delay_ms(config: &Config, provider: ProviderId, elapsed_ms: i64) -> Option<i64> {
    match provider {
        ProviderId::Xtopay => crate::checkout::record::callback_first_delay_ms(
            config.xtopay_status_check_after_ms,
            elapsed_ms,
        ),
        ProviderId::Dollr => crate::checkout::record::no_callback_poll_delay_ms(elapsed_ms),
        ProviderId::CrissCross => crate::checkout::record::crisscross_poll_delay_ms(elapsed_ms),
        ProviderId::HoneyCoin | ProviderId::Little => {
            crate::checkout::record::poll_delay_ms(elapsed_ms)
        }
    }
}

/// How long a live payment of `provider` holds its checkout before the customer may try
/// again: the time the provider's guide gives a prompt to be approved. CrissCross: operator
/// prompts time out after 60–120 s and its guide stops polling at about 3 minutes; Xtopay:
/// its callback comes within its five-minute window; Dollr: PROCESSING is polled closely for
/// two minutes; HoneyCoin and Little document no window, so CrissCross's 3 minutes.
/// `APPROVAL_WINDOW_S` replaces them all.
pub fn approval_window_ms(config: &Config, provider: ProviderId) -> i64 {
    if let Some(ms) = config.approval_window_ms {
        return ms;
    }
    match provider {
        ProviderId::CrissCross | ProviderId::HoneyCoin | ProviderId::Little => 180_000,
        ProviderId::Xtopay => config.xtopay_status_check_after_ms,
        ProviderId::Dollr => 120_000,
    }
}

/// Sends a one-time code for `payment`.
pub async fn submit_otp(
    config: &Config,
    payment: &PaymentRecord,
    otp: &str,
) -> Result<OtpOutcome, CallError> {
    match payment.provider {
        ProviderId::HoneyCoin => {
            let hc = config
                .honeycoin
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::HoneyCoin))?;
            let tx = payment.provider_ref.as_deref().ok_or(CallError::Provider(
                ProviderError::Unsupported("no HoneyCoin transaction yet".into()),
            ))?;
            honeycoin::submit_otp(hc, tx, otp).await
        }
        ProviderId::CrissCross | ProviderId::Xtopay | ProviderId::Little | ProviderId::Dollr => {
            Err(CallError::Provider(ProviderError::Unsupported(format!(
                "{} mobile money has no OTP step",
                payment.provider.name()
            ))))
        }
    }
}
