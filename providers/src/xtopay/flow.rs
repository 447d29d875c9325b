//! Xtopay behind the [`Provider`] trait: a direct receive bound by Lipa's client reference
//! (Xtopay's ids differ between its answers), a callback first and a status check only after
//! the guide's five minutes, and a verified failure callback believed where the status check
//! knows only `Paid` / `Unpaid`.

use async_trait::async_trait;
use lipa_api::PaymentStatus;

use super::{Config, Receive, STATUS_CHECK_AFTER_MS};
use crate::call::{plain, CallError};
use crate::host::Host;
use crate::provider::{known, Attempt, Hint, Order, Provider, Reading};
use crate::settings::{
    base_url, required, required_secret, seconds_ms, Need, Section, Setting, SettingError, Settings,
};
use crate::{schedule, ProviderError, ProviderId, ProviderPayment};

/// Xtopay, configured.
pub struct Xtopay {
    config: Config,
    status_check_after_ms: i64,
}

/// Every `XTOPAY_*` setting [`configure`] reads.
pub const SETTINGS: Section = Section {
    provider: Some(ProviderId::Xtopay),
    settings: &[
        Setting::var(
            "XTOPAY_BASE_URL",
            Need::Switch,
            "Xtopay's API, https://api.xtopay.co (or your fixed-IP proxy to it); setting it \
             turns Xtopay on",
        )
        .example("https://api.xtopay.co"),
        Setting::var(
            "XTOPAY_CLIENT_ID",
            Need::Required,
            "your Xtopay client id (Basic auth)",
        ),
        Setting::secret(
            "XTOPAY_CLIENT_SECRET",
            Need::Required,
            "your Xtopay client secret (Basic auth)",
        ),
        Setting::secret(
            "XTOPAY_WEBHOOK_SECRET",
            Need::Required,
            "the key of Xtopay's x-xtopay-signature: sha256=…",
        ),
        Setting::var(
            "XTOPAY_STATUS_CHECK_AFTER_S",
            Need::Optional,
            "seconds before a payment without a callback is checked (default 300, the \
             guide's rule; tests shorten it)",
        )
        .example("300"),
    ],
};

/// Reads `XTOPAY_*`: on when `XTOPAY_BASE_URL` is set. `XTOPAY_STATUS_CHECK_AFTER_S` moves
/// the first status check (the guide's five minutes by default).
pub fn configure(s: &dyn Settings) -> Result<Option<Box<dyn Provider>>, SettingError> {
    let Some(base_url) = base_url(s, "XTOPAY_BASE_URL") else {
        return Ok(None);
    };
    Ok(Some(Box::new(Xtopay::new(
        Config {
            base_url,
            client_id: required(s, "XTOPAY_CLIENT_ID")?,
            client_secret: required_secret(s, "XTOPAY_CLIENT_SECRET")?,
            webhook_secret: required_secret(s, "XTOPAY_WEBHOOK_SECRET")?,
        },
        seconds_ms(s, "XTOPAY_STATUS_CHECK_AFTER_S", STATUS_CHECK_AFTER_MS),
    ))))
}

impl Xtopay {
    /// Xtopay with this account, first checking a payment `status_check_after_ms` after it
    /// started.
    pub fn new(config: Config, status_check_after_ms: i64) -> Xtopay {
        Xtopay {
            config,
            status_check_after_ms,
        }
    }
}

#[async_trait(?Send)]
impl Provider for Xtopay {
    fn id(&self) -> ProviderId {
        ProviderId::Xtopay
    }

    async fn start(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<ProviderPayment, CallError> {
        let description = if order.description.is_empty() {
            order.merchant_name
        } else {
            order.description
        };
        let receive = Receive {
            amount: order.amount,
            currency: order.currency,
            e164: attempt.e164,
            operator: attempt.operator,
            description,
            client_reference: attempt.payment_id,
        };
        plain(
            host,
            super::receive_request(&self.config, &receive),
            super::parse_receive,
        )
        .await
    }

    /// Always by Lipa's client reference: Xtopay's ids differ by endpoint.
    async fn read(
        &self,
        host: &Host<'_>,
        _order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Reading, CallError> {
        let found = plain(
            host,
            Ok(super::status_request(&self.config, attempt.payment_id)),
            super::parse_status_known,
        )
        .await?;
        known(found, attempt, ProviderId::Xtopay)
    }

    /// `ClientReference`: Lipa's payment id.
    fn expected_reference(&self, _order: &Order<'_>, attempt: &Attempt<'_>) -> String {
        attempt.payment_id.to_string()
    }

    fn keeps_one_id(&self) -> bool {
        false
    }

    fn next_poll_delay_ms(&self, elapsed_ms: i64) -> Option<i64> {
        schedule::callback_first_delay_ms(self.status_check_after_ms, elapsed_ms)
    }

    /// The callback comes within the status-check window.
    fn approval_window_ms(&self) -> i64 {
        self.status_check_after_ms
    }

    /// The guide asks for status checks only after its window: none earlier, on demand either.
    fn reads_on_demand(&self, elapsed_ms: i64) -> bool {
        elapsed_ms >= self.status_check_after_ms
    }

    async fn verify_webhook(
        &self,
        _host: &Host<'_>,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Hint, ProviderError> {
        let verified = super::verify_callback(&self.config, headers, body)?;
        let reported = verified.payment().status;
        let data = &verified.callback.data;
        Ok(Hint {
            // The event-id header is not signed: the key is made of signed content.
            event_id: format!(
                "xtopay:{}:{}:{}",
                data.client_reference,
                data.transaction_id,
                reported.name()
            ),
            provider_ref: data.transaction_id.clone(),
            payment_id: Some(data.client_reference.clone()),
            checkout_id: None,
            reported_failure: matches!(reported, PaymentStatus::Failed { .. }).then_some(reported),
        })
    }
}
