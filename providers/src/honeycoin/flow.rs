//! HoneyCoin behind the [`Provider`] trait: a charge with HoneyCoin's operator id (from its
//! providers list, cached per isolate), read by HoneyCoin's id or by Lipa's payment id,
//! and a one-time code step where the operator asks for one.

use async_trait::async_trait;
use lipa_api::{Currency, Operator, PaymentStatus};

use super::{Charge, Config, MomoProvider};
use crate::call::{authorized, CallError, TokenSource};
use crate::host::Host;
use crate::provider::{known, Attempt, Hint, Order, OtpOutcome, Provider, Reading};
use crate::settings::{
    base_url, required, required_secret, Need, Section, Setting, SettingError, Settings,
};
use crate::{schedule, ProviderError, ProviderId, ProviderPayment};

/// HoneyCoin, configured.
pub struct HoneyCoin {
    config: Config,
}

/// Every `HONEYCOIN_*` setting [`configure`] reads.
pub const SETTINGS: Section = Section {
    provider: Some(ProviderId::HoneyCoin),
    settings: &[
        Setting::var(
            "HONEYCOIN_BASE_URL",
            Need::Switch,
            "HoneyCoin's API, https://api-v2.honeycoin.app/api/b2b; setting it turns HoneyCoin on",
        )
        .example("https://api-v2.honeycoin.app/api/b2b"),
        Setting::secret(
            "HONEYCOIN_API_KEY",
            Need::Required,
            "your HoneyCoin api-key (HC_…)",
        ),
        Setting::var(
            "HONEYCOIN_PUBLIC_KEY",
            Need::Required,
            "your HoneyCoin public key, sent when asking for a bearer token",
        ),
        Setting::secret(
            "HONEYCOIN_WEBHOOK_SECRET",
            Need::Required,
            "the shared secret HoneyCoin puts in X-Webhook-Signature",
        ),
    ],
};

/// Reads `HONEYCOIN_*`: on when `HONEYCOIN_BASE_URL` is set.
pub fn configure(s: &dyn Settings) -> Result<Option<Box<dyn Provider>>, SettingError> {
    let Some(base_url) = base_url(s, "HONEYCOIN_BASE_URL") else {
        return Ok(None);
    };
    Ok(Some(Box::new(HoneyCoin::new(Config {
        base_url,
        api_key: required_secret(s, "HONEYCOIN_API_KEY")?,
        public_key: required(s, "HONEYCOIN_PUBLIC_KEY")?,
        webhook_secret: required_secret(s, "HONEYCOIN_WEBHOOK_SECRET")?,
    }))))
}

impl HoneyCoin {
    /// HoneyCoin with this account.
    pub fn new(config: Config) -> HoneyCoin {
        HoneyCoin { config }
    }

    fn source(&self) -> TokenSource<'static> {
        TokenSource {
            provider: ProviderId::HoneyCoin,
            request: super::token_request(&self.config),
            parse: &super::parse_token,
        }
    }

    /// HoneyCoin's `momoOperatorId` for an operator, from its providers list (cached per
    /// isolate), with the guide's own KES examples where the list does not name it.
    async fn operator_id(
        &self,
        host: &Host<'_>,
        currency: Currency,
        operator: Operator,
    ) -> Result<Option<String>, CallError> {
        let key = format!("operators:{}", currency.code());
        let cached = host
            .cache
            .get(ProviderId::HoneyCoin, &key)
            .and_then(|text| serde_json::from_str::<Vec<MomoProvider>>(&text).ok());
        let list = match cached {
            Some(list) => list,
            None => {
                let list = authorized(
                    host,
                    &self.source(),
                    |t| Ok(super::providers_request(&self.config, t, currency)),
                    super::parse_providers,
                )
                .await?;
                if let Ok(text) = serde_json::to_string(&list) {
                    host.cache.put(ProviderId::HoneyCoin, &key, text);
                }
                list
            }
        };
        super::operator_id_for(currency, operator, &list).map_err(CallError::Provider)
    }
}

#[async_trait(?Send)]
impl Provider for HoneyCoin {
    fn id(&self) -> ProviderId {
        ProviderId::HoneyCoin
    }

    /// Charges the customer; `externalReference` is Lipa's payment id.
    async fn start(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<ProviderPayment, CallError> {
        let momo_operator_id = self
            .operator_id(host, order.currency, attempt.operator)
            .await?;
        let charge = Charge {
            amount: order.amount,
            currency: order.currency,
            external_reference: attempt.payment_id,
            e164: attempt.e164,
            momo_operator_id: momo_operator_id.as_deref(),
        };
        let transaction_id = authorized(
            host,
            &self.source(),
            |t| super::charge_request(&self.config, t, &charge),
            super::parse_charge,
        )
        .await?;
        Ok(ProviderPayment {
            provider_ref: transaction_id,
            status: PaymentStatus::Pending,
            can_poll: false,
            echo: Default::default(),
            unknown_status: None,
        })
    }

    /// By HoneyCoin's id, or by Lipa's payment id while the charge's answer is missing.
    async fn read(
        &self,
        host: &Host<'_>,
        _order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Reading, CallError> {
        let found = authorized(
            host,
            &self.source(),
            |t| {
                Ok(match attempt.provider_ref {
                    Some(tx) => super::status_request(&self.config, t, tx),
                    None => super::status_by_reference_request(&self.config, t, attempt.payment_id),
                })
            },
            super::parse_status,
        )
        .await?;
        known(found, attempt, ProviderId::HoneyCoin)
    }

    /// `externalReference`: Lipa's payment id.
    fn expected_reference(&self, _order: &Order<'_>, attempt: &Attempt<'_>) -> String {
        attempt.payment_id.to_string()
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
        _host: &Host<'_>,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Hint, ProviderError> {
        let event = super::verify_webhook(&self.config, headers, body)?;
        Ok(Hint {
            event_id: event.dedupe_key(),
            provider_ref: event.data.transaction_id,
            payment_id: event.data.external_reference,
            checkout_id: None,
            reported_failure: None,
        })
    }

    async fn submit_otp(
        &self,
        host: &Host<'_>,
        attempt: &Attempt<'_>,
        otp: &str,
    ) -> Result<OtpOutcome, CallError> {
        let tx = attempt
            .provider_ref
            .ok_or_else(|| CallError::unsupported("no HoneyCoin transaction yet"))?;
        authorized(
            host,
            &self.source(),
            |t| Ok(super::validate_otp_request(&self.config, t, tx, otp)),
            super::parse_validate_otp,
        )
        .await
    }
}
