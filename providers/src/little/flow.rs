//! Little Pay behind the [`Provider`] trait: an intent keyed by Lipa's stored key, then the
//! process call for the customer's wallet; status long-polled by that key; callbacks signed
//! with RSA over Little's `JSON.stringify` of the body.

use async_trait::async_trait;

use super::{Config, Intent, DEFAULT_TOLERANCE_S, LONG_POLL_HOLD_MS, TIMESTAMP_HEADER};
use crate::call::{plain, plain_within, CallError};
use crate::host::Host;
use crate::http::find_header;
use crate::provider::{Attempt, Hint, Order, Provider, Reading};
use crate::settings::{
    base_url, required, required_secret, Need, Section, Setting, SettingError, Settings,
};
use crate::{schedule, ProviderError, ProviderId, ProviderPayment};

/// Little Pay, configured.
pub struct Little {
    config: Config,
    callback_url: String,
}

/// Every `LITTLE_*` setting [`configure`] reads.
pub const SETTINGS: Section = Section {
    provider: Some(ProviderId::Little),
    settings: &[
        Setting::var(
            "LITTLE_BASE_URL",
            Need::Switch,
            "Little Pay's API, https://pay.little.africa; setting it turns Little Pay on",
        )
        .example("https://pay.little.africa"),
        Setting::var(
            "LITTLE_TOKEN_ID",
            Need::Required,
            "the token id in Little's intent path",
        ),
        Setting::var(
            "LITTLE_CLIENT_ID",
            Need::Required,
            "your Little client id (Basic auth)",
        ),
        Setting::secret(
            "LITTLE_CLIENT_SECRET",
            Need::Required,
            "your Little client secret (Basic auth)",
        ),
        Setting::secret(
            "LITTLE_API_KEY",
            Need::Required,
            "the X-API-KEY of Little's status reads",
        ),
        Setting::var(
            "LITTLE_PUBLIC_KEY",
            Need::Required,
            "Little's RSA public key (PEM; \\n for line breaks on one line)",
        ),
        Setting::var(
            "LITTLE_CALLBACK_URL",
            Need::Required,
            "this deployment's /webhooks/little, as Little must call it (https)",
        )
        .example("https://pay.example.com/webhooks/little"),
        Setting::var(
            "LITTLE_TOLERANCE_S",
            Need::Optional,
            "accepted callback timestamp skew in seconds (default 300)",
        )
        .example("300"),
    ],
};

/// Reads `LITTLE_*`: on when `LITTLE_BASE_URL` is set. A PEM given as one line carries its
/// line breaks as `\n`.
pub fn configure(s: &dyn Settings) -> Result<Option<Box<dyn Provider>>, SettingError> {
    let Some(base_url) = base_url(s, "LITTLE_BASE_URL") else {
        return Ok(None);
    };
    Ok(Some(Box::new(Little::new(
        Config {
            base_url,
            token_id: required(s, "LITTLE_TOKEN_ID")?,
            client_id: required(s, "LITTLE_CLIENT_ID")?,
            client_secret: required_secret(s, "LITTLE_CLIENT_SECRET")?,
            api_key: required_secret(s, "LITTLE_API_KEY")?,
            public_key_pem: required(s, "LITTLE_PUBLIC_KEY")?.replace("\\n", "\n"),
            tolerance_s: s
                .text("LITTLE_TOLERANCE_S")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(DEFAULT_TOLERANCE_S),
        },
        required(s, "LITTLE_CALLBACK_URL")?,
    ))))
}

impl Little {
    /// Little with this account, asking for callbacks at `callback_url`.
    pub fn new(config: Config, callback_url: String) -> Little {
        Little {
            config,
            callback_url,
        }
    }
}

#[async_trait(?Send)]
impl Provider for Little {
    fn id(&self) -> ProviderId {
        ProviderId::Little
    }

    fn callback_url(&self) -> Option<&str> {
        Some(&self.callback_url)
    }

    /// Creates the intent with Lipa's key (a replay finds the same intent), then processes
    /// it for the customer's wallet.
    async fn start(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<ProviderPayment, CallError> {
        let key = super::key_for(attempt.idempotency_key);
        let intent = Intent {
            amount: order.amount,
            currency: order.currency,
            description: order.description,
            callback_url: &self.callback_url,
            key: &key,
        };
        let intent_id = plain(
            host,
            Ok(super::intent_request(&self.config, &intent)),
            super::parse_intent,
        )
        .await?;
        plain(
            host,
            super::process_request(&self.config, &intent_id, attempt.operator, attempt.e164),
            |r| super::parse_process(r, &intent_id),
        )
        .await
    }

    /// By Lipa's key (stored before the intent was created), long-polled: Lipa waits longer
    /// than Little's longest hold, and a read that times out is no news. While the start's
    /// answer is missing, an intent nobody processed is a payment never received.
    async fn read(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Reading, CallError> {
        let key = super::key_for(attempt.idempotency_key);
        let lost = attempt.provider_ref.is_none();
        match plain_within(
            host,
            Ok(super::status_request(&self.config, &key, true)),
            LONG_POLL_HOLD_MS + 5_000,
            |r| {
                Ok((
                    super::parse_status_in(r, order.currency)?,
                    super::never_processed(r),
                ))
            },
        )
        .await
        {
            Err(CallError::Provider(ProviderError::Rejected { status: 404, .. })) if lost => {
                Ok(Reading::NotReceived)
            }
            Ok((_, true)) if lost => Ok(Reading::NotReceived),
            other => other.map(|(found, _)| Reading::Found(found)),
        }
    }

    /// `key`: from the stored idempotency key.
    fn expected_reference(&self, _order: &Order<'_>, attempt: &Attempt<'_>) -> String {
        super::key_for(attempt.idempotency_key)
    }

    fn next_poll_delay_ms(&self, elapsed_ms: i64) -> Option<i64> {
        schedule::poll_delay_ms(elapsed_ms)
    }

    /// No window documented: CrissCross's three minutes.
    fn approval_window_ms(&self) -> i64 {
        180_000
    }

    async fn verify_webhook(
        &self,
        host: &Host<'_>,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Hint, ProviderError> {
        let now_s = host.now_ms() / 1000;
        let callback = super::verify_callback(&self.config, headers, body, now_s, |check| {
            host.rsa.verify(check)
        })
        .await?;
        let timestamp = find_header(headers, TIMESTAMP_HEADER).unwrap_or_default();
        Ok(Hint {
            event_id: format!(
                "little:{}:{:?}:{timestamp}",
                callback.reference,
                callback.payment().status
            ),
            provider_ref: callback.reference,
            payment_id: None,
            checkout_id: None,
            reported_failure: None,
        })
    }
}
