//! CrissCross behind the [`Provider`] trait: a checkout is prepared with a session (and the
//! operators it offers), which carries one live payment; a payment is sent on its session
//! with its stored key, and a lost answer is recovered by replaying that key (CrissCross has
//! no read by reference).

use async_trait::async_trait;
use lipa_api::Country;

use super::{Config, SessionInput, DEFAULT_SIGNATURE_HEADER, SESSION_LIFETIME_S};
use crate::call::{authorized, CallError, TokenSource};
use crate::host::Host;
use crate::provider::{
    Attempt, Capability, Hint, Order, Prepared, Provider, Reading, RefundOrder, Transfer,
};
use crate::settings::{
    base_url, required, required_secret, Need, Section, Setting, SettingError, Settings,
};
use crate::{schedule, ProviderError, ProviderId, ProviderPayment};
use lipa_api::refund::TransferStatus;

/// CrissCross, configured.
pub struct CrissCross {
    config: Config,
}

/// Every `CRISSCROSS_*` setting [`configure`] reads.
pub const SETTINGS: Section = Section {
    provider: Some(ProviderId::CrissCross),
    settings: &[
        Setting::var(
            "CRISSCROSS_BASE_URL",
            Need::Switch,
            "CrissCross's API, https://api.crisscross.money; setting it turns CrissCross on",
        )
        .example("https://api.crisscross.money"),
        Setting::var(
            "CRISSCROSS_MERCHANT_ID",
            Need::Required,
            "your CrissCross merchant id",
        ),
        Setting::secret(
            "CRISSCROSS_CLIENT_SECRET",
            Need::Required,
            "your CrissCross API secret",
        ),
        Setting::secret(
            "CRISSCROSS_WEBHOOK_SECRET",
            Need::Required,
            "the signing secret of the webhook endpoint you register at CrissCross",
        ),
        Setting::var(
            "CRISSCROSS_SIGNATURE_HEADER",
            Need::Optional,
            "the header carrying CrissCross's webhook HMAC (default X-CrissCross-Signature)",
        )
        .example("X-CrissCross-Signature"),
    ],
};

/// Reads `CRISSCROSS_*`: on when `CRISSCROSS_BASE_URL` is set.
pub fn configure(s: &dyn Settings) -> Result<Option<Box<dyn Provider>>, SettingError> {
    let Some(base_url) = base_url(s, "CRISSCROSS_BASE_URL") else {
        return Ok(None);
    };
    Ok(Some(Box::new(CrissCross {
        config: Config {
            base_url,
            merchant_id: required(s, "CRISSCROSS_MERCHANT_ID")?,
            client_secret: required_secret(s, "CRISSCROSS_CLIENT_SECRET")?,
            webhook_secret: required_secret(s, "CRISSCROSS_WEBHOOK_SECRET")?,
            signature_header: s
                .text("CRISSCROSS_SIGNATURE_HEADER")
                .unwrap_or_else(|| DEFAULT_SIGNATURE_HEADER.to_string()),
        },
    })))
}

impl CrissCross {
    /// CrissCross with this account (tests).
    pub fn new(config: Config) -> CrissCross {
        CrissCross { config }
    }

    fn source(&self) -> TokenSource<'static> {
        TokenSource {
            provider: ProviderId::CrissCross,
            request: super::token_request(&self.config),
            parse: &super::parse_token,
        }
    }

    async fn status(&self, host: &Host<'_>, tx: &str) -> Result<ProviderPayment, CallError> {
        authorized(
            host,
            &self.source(),
            |t| Ok(super::status_request(&self.config, t, tx)),
            super::parse_payment,
        )
        .await
    }

    async fn send_refund(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
        refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        let tx = payment.paid_id()?;
        authorized(
            host,
            &self.source(),
            |t| {
                Ok(super::refund_request(
                    &self.config,
                    t,
                    tx,
                    refund.amount,
                    refund.reason.unwrap_or("requested by the merchant"),
                    refund.reference_id,
                ))
            },
            super::parse_refund,
        )
        .await
        .map(transfer)
    }
}

fn transfer(r: super::Refund) -> Transfer {
    Transfer {
        provider_ref: Some(r.refund_id),
        status: match &r.outcome {
            None => TransferStatus::Pending,
            Some(Ok(())) => TransferStatus::Succeeded,
            Some(Err(_)) => TransferStatus::Failed,
        },
        failure_message: r.outcome.and_then(|o| o.err()),
        unknown_status: None,
    }
}

#[async_trait(?Send)]
impl Provider for CrissCross {
    fn id(&self) -> ProviderId {
        ProviderId::CrissCross
    }

    fn needs_preparation(&self) -> bool {
        true
    }

    fn one_payment_per_preparation(&self) -> bool {
        true
    }

    /// Opens a session (with when it ends) and asks which operators it offers.
    async fn prepare(&self, host: &Host<'_>, order: &Order<'_>) -> Result<Prepared, CallError> {
        let input = SessionInput {
            amount: order.amount,
            currency: order.currency,
            reference: order.checkout_id,
            location: order.country.alpha3(),
        };
        let opened_at = host.now_ms();
        let source = self.source();
        let session = authorized(
            host,
            &source,
            |t| Ok(super::session_request(&self.config, t, &input)),
            super::parse_opened_session,
        )
        .await?;
        let operators = authorized(
            host,
            &source,
            |t| {
                Ok(super::available_methods_request(
                    &self.config,
                    t,
                    &session.id,
                ))
            },
            super::parse_available_methods,
        )
        .await?;
        Ok(Prepared {
            expires_at_ms: Some(
                session
                    .expires_at_ms
                    .unwrap_or(opened_at + i64::from(SESSION_LIFETIME_S) * 1000),
            ),
            state: session.id,
            operators: Some(operators),
            customer_fee: None,
        })
    }

    /// Sends the payment on the session it was prepared with (a replay is the same request);
    /// a 410 means the session ended and nothing was taken ([`ProviderError::Gone`]).
    async fn start(
        &self,
        host: &Host<'_>,
        _order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<ProviderPayment, CallError> {
        let session = attempt
            .prepared
            .ok_or_else(|| CallError::unsupported("no CrissCross session"))?;
        authorized(
            host,
            &self.source(),
            |t| {
                super::payment_request(
                    &self.config,
                    t,
                    session,
                    attempt.operator,
                    attempt.e164,
                    attempt.idempotency_key,
                )
            },
            super::parse_payment,
        )
        .await
        .map_err(|e| match e {
            CallError::Provider(ProviderError::Rejected { status: 410, .. }) => {
                CallError::Provider(ProviderError::Gone)
            }
            other => other,
        })
    }

    async fn read(
        &self,
        host: &Host<'_>,
        _order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Reading, CallError> {
        match attempt.provider_ref {
            Some(tx) => self.status(host, tx).await.map(Reading::Found),
            None => Ok(Reading::NotReceived),
        }
    }

    /// The session's `merchantReference`: the checkout id, alphanumeric.
    fn expected_reference(&self, order: &Order<'_>, _attempt: &Attempt<'_>) -> String {
        super::merchant_reference(order.checkout_id)
    }

    fn next_poll_delay_ms(&self, elapsed_ms: i64) -> Option<i64> {
        schedule::crisscross_poll_delay_ms(elapsed_ms)
    }

    /// Operator prompts time out after 60–120 s and the guide stops polling at about 3 min.
    fn approval_window_ms(&self) -> i64 {
        180_000
    }

    async fn verify_webhook(
        &self,
        _host: &Host<'_>,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Hint, ProviderError> {
        let event = super::verify_webhook(&self.config, headers, body)?;
        // Matched by transactionId, else by merchantReference: the checkout id sent without
        // its underscore.
        let checkout_id = event
            .merchant_reference
            .as_deref()
            .and_then(|r| r.strip_prefix("co"))
            .map(|rest| format!("co_{rest}"));
        Ok(Hint {
            event_id: event.event_id,
            provider_ref: event.transaction_id,
            payment_id: None,
            checkout_id,
            reported_failure: None,
        })
    }

    fn refunds(&self) -> Capability {
        Capability::Offered
    }

    async fn refund(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
        refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        self.send_refund(host, payment, refund).await
    }

    /// Read by CrissCross's refund id; a refund whose first answer was lost is replayed with
    /// its key, which answers the first outcome.
    async fn refund_status(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
        refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        let Some(refund_id) = refund.provider_ref else {
            return self.send_refund(host, payment, refund).await;
        };
        authorized(
            host,
            &self.source(),
            |t| Ok(super::refund_status_request(&self.config, t, refund_id)),
            super::parse_refund,
        )
        .await
        .map(transfer)
    }
}

/// Whether CrissCross can take `operator` in `country`.
pub fn supports(country: Country, operator: lipa_api::Operator) -> bool {
    super::operator_code(operator).is_some() && country.operators().contains(&operator)
}
