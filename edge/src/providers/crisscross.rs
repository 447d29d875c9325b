//! CrissCross as the Checkout object uses it.

use lipa_api::Operator;
use lipa_providers::crisscross::{self, Config, Session, SessionInput};
use lipa_providers::{ProviderId, ProviderPayment};

use super::call::{authorized, CallError, TokenSource};

fn source(config: &Config) -> TokenSource<'static> {
    TokenSource {
        provider: ProviderId::CrissCross,
        request: crisscross::token_request(config),
        parse: &crisscross::parse_token,
    }
}

/// Creates a session (with when it ends) and asks which operators it offers.
pub async fn open_session(
    config: &Config,
    input: &SessionInput<'_>,
) -> Result<(Session, Vec<Operator>), CallError> {
    let source = source(config);
    let session = authorized(
        &source,
        |t| Ok(crisscross::session_request(config, t, input)),
        crisscross::parse_opened_session,
    )
    .await?;
    let operators = authorized(
        &source,
        |t| {
            Ok(crisscross::available_methods_request(
                config,
                t,
                &session.id,
            ))
        },
        crisscross::parse_available_methods,
    )
    .await?;
    Ok((session, operators))
}

/// Starts a payment, or with the same key replays the first answer (CrissCross's
/// `Idempotency-Key`), which is how a lost answer is recovered.
pub async fn start(
    config: &Config,
    session: &str,
    operator: Operator,
    e164: &str,
    idempotency_key: &str,
) -> Result<ProviderPayment, CallError> {
    authorized(
        &source(config),
        |t| crisscross::payment_request(config, t, session, operator, e164, idempotency_key),
        crisscross::parse_payment,
    )
    .await
}

/// Reads a transaction.
pub async fn status(config: &Config, transaction_id: &str) -> Result<ProviderPayment, CallError> {
    authorized(
        &source(config),
        |t| Ok(crisscross::status_request(config, t, transaction_id)),
        crisscross::parse_payment,
    )
    .await
}

/// Asks for a refund, or with the same key replays the first answer.
pub async fn refund(
    config: &Config,
    transaction_id: &str,
    amount: i64,
    reason: &str,
    idempotency_key: &str,
) -> Result<crisscross::Refund, CallError> {
    authorized(
        &source(config),
        |t| {
            Ok(crisscross::refund_request(
                config,
                t,
                transaction_id,
                amount,
                reason,
                idempotency_key,
            ))
        },
        crisscross::parse_refund,
    )
    .await
}

/// Reads a refund.
pub async fn refund_status(
    config: &Config,
    refund_id: &str,
) -> Result<crisscross::Refund, CallError> {
    authorized(
        &source(config),
        |t| Ok(crisscross::refund_status_request(config, t, refund_id)),
        crisscross::parse_refund,
    )
    .await
}
