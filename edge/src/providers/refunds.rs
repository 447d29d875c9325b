//! Refunds as the Checkout object asks for them: each dispatches on the payment's provider;
//! the refund's reference is stored before the first call and reused after a lost answer.

use lipa_api::refund::TransferStatus;
use lipa_api::Currency;
use lipa_providers::{crisscross, ProviderError, ProviderId};

use super::call::CallError;
use super::{crisscross as cc, dollr};
use crate::checkout::record::PaymentRecord;
use crate::checkout::refund::RefundRecord;
use crate::config::Config;
use crate::transfer::TransferUpdate;

/// Why refunds cannot go through `provider`, or `None` when they can. HoneyCoin, Xtopay and
/// Little document no refund API: the merchant refunds from the provider's own dashboard,
/// and Lipa says so before recording anything.
pub fn refusal(provider: ProviderId) -> Option<String> {
    match provider {
        ProviderId::Dollr | ProviderId::CrissCross => None,
        ProviderId::HoneyCoin | ProviderId::Xtopay | ProviderId::Little => Some(format!(
            "{0} offers no refund API: refund this payment from your {0} dashboard",
            provider.brand()
        )),
    }
}

fn unsupported(provider: ProviderId) -> CallError {
    CallError::Provider(ProviderError::Unsupported(
        refusal(provider).unwrap_or_default(),
    ))
}

fn crisscross_update(r: crisscross::Refund) -> TransferUpdate {
    TransferUpdate {
        provider_ref: Some(r.refund_id),
        status: match &r.outcome {
            None => TransferStatus::Pending,
            Some(Ok(())) => TransferStatus::Succeeded,
            Some(Err(_)) => TransferStatus::Failed,
        },
        failure_message: r.outcome.and_then(|o| o.err()),
    }
}

/// The provider's id of the refunded payment.
fn provider_payment(payment: &PaymentRecord) -> Result<&str, CallError> {
    payment.provider_ref.as_deref().ok_or_else(|| {
        CallError::Provider(ProviderError::Unsupported(
            "the provider never told Lipa its id for this payment".into(),
        ))
    })
}

/// Sends the refund to the payment's provider.
pub async fn start(
    config: &Config,
    payment: &PaymentRecord,
    refund: &RefundRecord,
    currency: Currency,
) -> Result<TransferUpdate, CallError> {
    match payment.provider {
        ProviderId::Dollr => {
            let dl = config
                .dollr
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Dollr))?;
            dollr::refund(
                dl,
                provider_payment(payment)?,
                refund.amount,
                currency,
                &refund.reference_id,
            )
            .await
            .map(TransferUpdate::from_dollr)
        }
        ProviderId::CrissCross => {
            let c = config
                .crisscross
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::CrissCross))?;
            cc::refund(
                c,
                provider_payment(payment)?,
                refund.amount,
                refund
                    .reason
                    .as_deref()
                    .unwrap_or("requested by the merchant"),
                &refund.reference_id,
            )
            .await
            .map(crisscross_update)
        }
        other @ (ProviderId::HoneyCoin | ProviderId::Xtopay | ProviderId::Little) => {
            Err(unsupported(other))
        }
    }
}

/// Where the refund stands; a refund whose first answer was lost is asked about by its
/// reference (Dollr) or replayed with its key (CrissCross), never sent anew.
pub async fn status(
    config: &Config,
    payment: &PaymentRecord,
    refund: &RefundRecord,
    currency: Currency,
) -> Result<TransferUpdate, CallError> {
    match (payment.provider, &refund.provider_ref) {
        (ProviderId::Dollr, _) => {
            let dl = config
                .dollr
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::Dollr))?;
            let op = lipa_providers::dollr::Operation::Refund;
            match dollr::status(dl, op, &refund.reference_id).await? {
                Some(found) => Ok(TransferUpdate::from_dollr(found)),
                None if refund.provider_ref.is_none() => {
                    start(config, payment, refund, currency).await
                }
                None => Err(CallError::Provider(ProviderError::Decode(
                    "Dollr lost the refund".into(),
                ))),
            }
        }
        (ProviderId::CrissCross, Some(refund_id)) => {
            let c = config
                .crisscross
                .as_ref()
                .ok_or(CallError::NotConfigured(ProviderId::CrissCross))?;
            cc::refund_status(c, refund_id).await.map(crisscross_update)
        }
        (ProviderId::CrissCross, None) => start(config, payment, refund, currency).await,
        (other, _) => Err(unsupported(other)),
    }
}
