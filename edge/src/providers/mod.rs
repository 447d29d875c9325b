//! The providers as the Checkout object sees them: start a payment, find out where it stands
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

/// Where `payment` stands now. When its start's answer was lost (no provider id yet) the
/// stored reference is asked about first; only a provider that never got the request is sent
/// it again, with the same reference.
pub async fn status(
    env: &Env,
    config: &Config,
    checkout: &CheckoutRecord,
    payment: &PaymentRecord,
) -> Result<ProviderPayment, CallError> {
    match (payment.provider, &payment.provider_ref) {
        (ProviderId::CrissCross, Some(tx)) => {
            let cc = config
                .crisscross
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::CrissCross))?;
            crisscross::status(cc, tx).await
        }
        // CrissCross replays the first answer for a known Idempotency-Key: the replay is the query.
        (ProviderId::CrissCross, None) => start(env, config, checkout, payment).await,
        // Xtopay is asked by Lipa's client reference; its ids differ between the receive
        // answer, the callback and the status check. A receive whose answer was lost and that
        // the status check does not know is sent again with the same client reference.
        (ProviderId::Xtopay, reference) => {
            let xt = config
                .xtopay
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Xtopay))?;
            match call::plain(
                Ok(xtopay::status_request(xt, &payment.id)),
                xtopay::parse_status_known,
            )
            .await?
            {
                Some(found) => Ok(found),
                None if reference.is_none() => start(env, config, checkout, payment).await,
                None => Err(CallError::Provider(ProviderError::Decode(
                    "Xtopay does not know the payment".into(),
                ))),
            }
        }
        // Little answers by Lipa's key (stored before the intent was created), long-polled.
        (ProviderId::Little, reference) => {
            let lt = config
                .little
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Little))?;
            let key = little::key_for(&payment.idempotency_key);
            // Little holds a long-poll until the status changes: Lipa waits longer than its
            // longest hold, and a read that times out is no news (the payment stays pending).
            match call::plain_within(
                Ok(little::status_request(lt, &key, true)),
                little::LONG_POLL_HOLD_MS + 5_000,
                |r| little::parse_status_in(r, checkout.currency),
            )
            .await
            {
                Err(CallError::Provider(ProviderError::Rejected { status: 404, .. }))
                    if reference.is_none() =>
                {
                    start(env, config, checkout, payment).await
                }
                other => other,
            }
        }
        // Dollr is asked by the execution's reference_id (the stored idempotency key). While
        // Dollr knows it — PROCESSING may last minutes — it is never executed again; only a
        // reference Dollr never received is started again, with the same reference_id.
        (ProviderId::Dollr, reference) => {
            let dl = config
                .dollr
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Dollr))?;
            match dollr::status(dl, Operation::Collection, &payment.idempotency_key).await? {
                Some(found) => Ok(found.payment()),
                None if reference.is_none() => start(env, config, checkout, payment).await,
                None => Err(CallError::Provider(ProviderError::Decode(
                    "Dollr lost the collection".into(),
                ))),
            }
        }
        (ProviderId::HoneyCoin, reference) => {
            let hc = config
                .honeycoin
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::HoneyCoin))?;
            let found = match reference {
                Some(tx) => honeycoin::status(hc, tx).await?,
                None => honeycoin::status_by_reference(hc, &payment.id).await?,
            };
            match found {
                Some(p) => Ok(p),
                None if reference.is_none() => start(env, config, checkout, payment).await,
                None => Err(CallError::Provider(ProviderError::Decode(
                    "HoneyCoin lost the transaction".into(),
                ))),
            }
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
