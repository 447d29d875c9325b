//! Dollr behind the [`Provider`] trait: the invoice collection's steps in the guide's order,
//! the customer's party and counterparty remembered between checkouts, the invoice recorded
//! before the execution, and the execution's `reference_id` being the payment's stored
//! idempotency key. Dollr sends no webhooks: it is polled. Refunds and payouts go through it.

use async_trait::async_trait;
use lipa_api::refund::TransferStatus;
use serde::{Deserialize, Serialize};

use super::{
    AccountInput, Config, FeeBearer, InvoiceInput, Operation, OperationState, OperationStatus,
    Wallet,
};
use crate::call::{authorized, CallError, TokenSource};
use crate::host::{Host, StoreError};
use crate::provider::{
    known, Attempt, Capability, Order, PayoutOrder, Prepared, Provider, Reading, Receipt,
    Recipient, RefundOrder, Transfer,
};
use crate::settings::{
    base_url, required, required_secret, Need, Section, Setting, SettingError, Settings,
};
use crate::{schedule, ProviderId, ProviderPayment, Secret};

/// Dollr, configured.
pub struct Dollr {
    config: Config,
}

/// Every `DOLLR_*` setting [`configure`] reads.
pub const SETTINGS: Section = Section {
    provider: Some(ProviderId::Dollr),
    settings: &[
        Setting::var(
            "DOLLR_BASE_URL",
            Need::Switch,
            "Dollr's API, https://api.heydollr.app; setting it turns Dollr on",
        )
        .example("https://api.heydollr.app"),
        Setting::var(
            "DOLLR_FEE_BEARER",
            Need::Optional,
            "CUSTOMER (the widget shows and charges Dollr's fee) or MERCHANT (default)",
        )
        .example("MERCHANT"),
        Setting::var(
            "DOLLR_CLIENT_ID",
            Need::Required,
            "your Dollr JWT client id",
        ),
        Setting::secret(
            "DOLLR_CLIENT_SECRET",
            Need::Required,
            "your Dollr JWT client secret",
        ),
        Setting::var(
            "DOLLR_WALLET_ID",
            Need::Optional,
            "the Dollr wallet payouts are paid from (payouts only)",
        ),
        Setting::secret(
            "DOLLR_PAYOUT_PASSCODE",
            Need::Optional,
            "your Dollr payout passcode (payouts only)",
        ),
    ],
};

/// Reads `DOLLR_*`: on when `DOLLR_BASE_URL` is set. `DOLLR_FEE_BEARER` is `CUSTOMER` or
/// `MERCHANT` (the default); payouts need `DOLLR_WALLET_ID` and `DOLLR_PAYOUT_PASSCODE`.
pub fn configure(s: &dyn Settings) -> Result<Option<Box<dyn Provider>>, SettingError> {
    let Some(base_url) = base_url(s, "DOLLR_BASE_URL") else {
        return Ok(None);
    };
    let fee_bearer = match s.text("DOLLR_FEE_BEARER") {
        None => FeeBearer::Merchant,
        Some(v) => FeeBearer::parse(&v).ok_or_else(|| SettingError {
            name: "DOLLR_FEE_BEARER".into(),
            problem: format!("DOLLR_FEE_BEARER is {v:?}: use CUSTOMER or MERCHANT"),
        })?,
    };
    Ok(Some(Box::new(Dollr::new(Config {
        base_url,
        client_id: required(s, "DOLLR_CLIENT_ID")?,
        client_secret: required_secret(s, "DOLLR_CLIENT_SECRET")?,
        fee_bearer,
        wallet_id: s.text("DOLLR_WALLET_ID").unwrap_or_default(),
        payout_passcode: s
            .secret("DOLLR_PAYOUT_PASSCODE")
            .unwrap_or_else(|| Secret::new("")),
    }))))
}

/// A customer's party and counterparty at Dollr, created once per number.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Customer {
    party_id: String,
    counterparty_id: String,
}

fn stored(e: StoreError) -> CallError {
    CallError::Store(e.0)
}

/// Dollr's answer about a refund or payout.
fn transfer(s: OperationStatus) -> Transfer {
    let provider_ref = s.payment_intent_id;
    let unknown_status = s.unknown_status;
    let (status, failure_message) = match s.state {
        OperationState::InProgress => (TransferStatus::Pending, None),
        OperationState::Completed => (TransferStatus::Succeeded, None),
        OperationState::Failed(reason) => {
            (TransferStatus::Failed, Some(reason.message().to_string()))
        }
    };
    Transfer {
        provider_ref,
        status,
        failure_message,
        unknown_status,
    }
}

impl Dollr {
    /// Dollr with this account.
    pub fn new(config: Config) -> Dollr {
        Dollr { config }
    }

    fn source(&self) -> TokenSource<'static> {
        TokenSource {
            provider: ProviderId::Dollr,
            request: super::token_request(&self.config),
            parse: &super::parse_token,
        }
    }

    /// The customer's party and counterparty: remembered ones, or created once and
    /// remembered (the first remembered wins).
    async fn customer(&self, host: &Host<'_>, e164: &str) -> Result<Customer, CallError> {
        let key = format!("customer:{e164}");
        let known = host
            .store
            .recall(ProviderId::Dollr, &key)
            .await
            .map_err(stored)?
            .and_then(|text| serde_json::from_str::<Customer>(&text).ok());
        if let Some(known) = known {
            return Ok(known);
        }
        let src = self.source();
        let party_id = authorized(
            host,
            &src,
            |t| Ok(super::party_request(&self.config, t, e164)),
            super::parse_created,
        )
        .await?;
        let counterparty_id = authorized(
            host,
            &src,
            |t| Ok(super::counterparty_request(&self.config, t, &party_id)),
            super::parse_created,
        )
        .await?;
        let created = Customer {
            party_id,
            counterparty_id,
        };
        let text = serde_json::to_string(&created).map_err(|e| CallError::Store(e.to_string()))?;
        let kept = host
            .store
            .remember(ProviderId::Dollr, &key, &text)
            .await
            .map_err(stored)?;
        Ok(serde_json::from_str(&kept).unwrap_or(created))
    }

    async fn status(
        &self,
        host: &Host<'_>,
        op: Operation,
        reference_id: &str,
    ) -> Result<Option<OperationStatus>, CallError> {
        authorized(
            host,
            &self.source(),
            |t| Ok(super::status_request(&self.config, t, op, reference_id)),
            super::parse_status,
        )
        .await
    }

    /// The wallet Dollr predicts for a number, checked against the operator named.
    async fn wallet(
        &self,
        host: &Host<'_>,
        recipient: &Recipient<'_>,
        op: Operation,
    ) -> Result<Wallet, CallError> {
        let wallet = authorized(
            host,
            &self.source(),
            |t| Ok(super::mmo_request(&self.config, t, recipient.e164, op)),
            super::parse_mmo,
        )
        .await?;
        // Lipa's own words, refused before anything is sent (Dollr's wallet code stays out).
        super::check_wallet(&wallet, recipient.country, recipient.operator).map_err(
            |e| match e {
                crate::ProviderError::Rejected { .. } => CallError::unsupported(format!(
                    "this number is not a {} wallet",
                    recipient.operator.name()
                )),
                other => CallError::Provider(other),
            },
        )?;
        Ok(wallet)
    }

    async fn send_refund(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
        refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        let intent = payment.paid_id()?;
        let src = self.source();
        let session_id = authorized(
            host,
            &src,
            |t| {
                Ok(super::refund_session_request(
                    &self.config,
                    t,
                    intent,
                    refund.amount,
                    refund.currency,
                ))
            },
            super::parse_created,
        )
        .await?;
        authorized(
            host,
            &src,
            |t| {
                Ok(super::refund_execution_request(
                    &self.config,
                    t,
                    &session_id,
                    refund.reference_id,
                ))
            },
            super::parse_execution,
        )
        .await
        .map(transfer)
    }
}

#[async_trait(?Send)]
impl Provider for Dollr {
    fn id(&self) -> ProviderId {
        ProviderId::Dollr
    }

    /// Only when the customer bears the fee: it is shown before they pay.
    fn needs_preparation(&self) -> bool {
        self.config.fee_bearer == FeeBearer::Customer
    }

    /// Previews the fee on the checkout's amount; it lasts the checkout's life.
    async fn prepare(&self, host: &Host<'_>, order: &Order<'_>) -> Result<Prepared, CallError> {
        let preview = authorized(
            host,
            &self.source(),
            |t| {
                Ok(super::fees_request(
                    &self.config,
                    t,
                    order.amount,
                    order.currency,
                ))
            },
            |r| super::parse_fees(r, order.currency),
        )
        .await?;
        Ok(Prepared {
            state: "fee".into(),
            expires_at_ms: None,
            operators: None,
            customer_fee: Some(preview.fee),
        })
    }

    /// Runs the collection: predict the wallet, bill an invoice (remembered before the
    /// execution, for the receipt), open a checkout session, register the wallet, execute
    /// with the stored reference. A start sent again for a reference Dollr already has is
    /// answered with that collection: nothing is billed or executed again.
    async fn start(
        &self,
        host: &Host<'_>,
        order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<ProviderPayment, CallError> {
        if let Some(known) = self
            .status(host, Operation::Collection, attempt.idempotency_key)
            .await?
        {
            return Ok(known.payment());
        }
        let src = self.source();
        let recipient = Recipient {
            e164: attempt.e164,
            country: order.country,
            operator: attempt.operator,
        };
        let wallet = self.wallet(host, &recipient, Operation::Collection).await?;
        let customer = self.customer(host, attempt.e164).await?;
        let invoice = InvoiceInput {
            counterparty_id: &customer.counterparty_id,
            amount: order.amount,
            currency: order.currency,
            description: order.description,
            payment_id: attempt.payment_id,
        };
        let invoice_id = authorized(
            host,
            &src,
            |t| Ok(super::invoice_request(&self.config, t, &invoice)),
            super::parse_created,
        )
        .await?;
        host.store
            .replace(
                ProviderId::Dollr,
                &format!("invoice:{}", attempt.payment_id),
                &invoice_id,
            )
            .await
            .map_err(stored)?;
        authorized(
            host,
            &src,
            |t| Ok(super::item_request(&self.config, t, &invoice_id, &invoice)),
            super::parse_created,
        )
        .await?;
        authorized(
            host,
            &src,
            |t| Ok(super::publish_request(&self.config, t, &invoice_id)),
            super::parse_published,
        )
        .await?;
        let session_id = authorized(
            host,
            &src,
            |t| {
                Ok(super::checkout_session_request(
                    &self.config,
                    t,
                    &invoice_id,
                ))
            },
            super::parse_created,
        )
        .await?;
        let account = AccountInput {
            party_id: &customer.party_id,
            e164: attempt.e164,
            country: order.country,
            wallet: &wallet,
        };
        let account_id = authorized(
            host,
            &src,
            |t| {
                Ok(super::payment_account_request(
                    &self.config,
                    t,
                    Operation::Collection,
                    &account,
                ))
            },
            super::parse_created,
        )
        .await?;
        authorized(
            host,
            &src,
            |t| {
                Ok(super::collection_request(
                    &self.config,
                    t,
                    &session_id,
                    &account_id,
                    order.currency,
                    attempt.idempotency_key,
                ))
            },
            super::parse_execution,
        )
        .await
        .map(|executed| executed.payment())
    }

    /// By the execution's `reference_id` (the stored idempotency key); while Dollr knows it
    /// — PROCESSING may last minutes — it is never executed again.
    async fn read(
        &self,
        host: &Host<'_>,
        _order: &Order<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Reading, CallError> {
        let found = self
            .status(host, Operation::Collection, attempt.idempotency_key)
            .await?
            .map(|s| s.payment());
        known(found, attempt, ProviderId::Dollr)
    }

    /// `reference_id`: the stored idempotency key.
    fn expected_reference(&self, _order: &Order<'_>, attempt: &Attempt<'_>) -> String {
        attempt.idempotency_key.to_string()
    }

    fn next_poll_delay_ms(&self, elapsed_ms: i64) -> Option<i64> {
        schedule::no_callback_poll_delay_ms(elapsed_ms)
    }

    /// PROCESSING is polled closely for two minutes.
    fn approval_window_ms(&self) -> i64 {
        120_000
    }

    fn receives_webhooks(&self) -> bool {
        false
    }

    fn refunds(&self) -> Capability {
        Capability::Offered
    }

    /// Refund session, then the execution with the refund's stored `reference_id`.
    async fn refund(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
        refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        self.send_refund(host, payment, refund).await
    }

    /// By the refund's reference; one Dollr never received is sent again with it.
    async fn refund_status(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
        refund: &RefundOrder<'_>,
    ) -> Result<Transfer, CallError> {
        match self
            .status(host, Operation::Refund, refund.reference_id)
            .await?
        {
            Some(found) => Ok(transfer(found)),
            None if refund.provider_ref.is_none() => self.send_refund(host, payment, refund).await,
            None => Err(CallError::Provider(crate::ProviderError::Decode(
                "Dollr lost the refund".into(),
            ))),
        }
    }

    /// The receipt of the invoice the collection paid.
    async fn receipt(
        &self,
        host: &Host<'_>,
        payment: &Attempt<'_>,
    ) -> Result<Option<Receipt>, CallError> {
        let invoice = host
            .store
            .recall(
                ProviderId::Dollr,
                &format!("invoice:{}", payment.payment_id),
            )
            .await
            .map_err(stored)?
            .ok_or_else(|| CallError::Store("no Dollr invoice recorded".into()))?;
        let issued = authorized(
            host,
            &self.source(),
            |t| Ok(super::receipt_request(&self.config, t, &invoice)),
            super::parse_receipt,
        )
        .await?;
        Ok(Some(Receipt {
            fee: issued.fee,
            total: issued.total,
            fx_rate: issued.fx_rate,
            paid_at: issued.paid_at,
            items: issued
                .items
                .into_iter()
                .map(|i| (i.name, i.qty, i.amount))
                .collect(),
        }))
    }

    fn payouts(&self) -> Capability {
        if self.config.wallet_id.is_empty() || self.config.payout_passcode.expose().is_empty() {
            Capability::NotConfigured(
                "payouts need DOLLR_WALLET_ID and DOLLR_PAYOUT_PASSCODE on the edge".into(),
            )
        } else {
            Capability::Offered
        }
    }

    /// The wallet Dollr predicts for the number, checked against the operator named.
    async fn payout_check(
        &self,
        host: &Host<'_>,
        recipient: &Recipient<'_>,
    ) -> Result<String, CallError> {
        let wallet = self.wallet(host, recipient, Operation::Payout).await?;
        serde_json::to_string(&wallet).map_err(|e| CallError::Store(e.to_string()))
    }

    /// Recipient party, PAYOUT payment account, payout session, execution with the stored
    /// `reference_id` and the passcode.
    async fn payout(
        &self,
        host: &Host<'_>,
        recipient: &Recipient<'_>,
        plan: &str,
        order: &PayoutOrder<'_>,
    ) -> Result<Transfer, CallError> {
        let wallet: Wallet = serde_json::from_str(plan)
            .map_err(|_| CallError::unsupported("the payout's wallet check is unreadable"))?;
        let src = self.source();
        let party = self.customer(host, recipient.e164).await?;
        let account = AccountInput {
            party_id: &party.party_id,
            e164: recipient.e164,
            country: recipient.country,
            wallet: &wallet,
        };
        let account_id = authorized(
            host,
            &src,
            |t| {
                Ok(super::payment_account_request(
                    &self.config,
                    t,
                    Operation::Payout,
                    &account,
                ))
            },
            super::parse_created,
        )
        .await?;
        let input = super::PayoutInput {
            payment_account_id: &account_id,
            amount: order.amount,
            currency: order.currency,
            expires_at: order.expires_at,
        };
        let session_id = authorized(
            host,
            &src,
            |t| Ok(super::payout_session_request(&self.config, t, &input)),
            super::parse_created,
        )
        .await?;
        authorized(
            host,
            &src,
            |t| {
                Ok(super::payout_execution_request(
                    &self.config,
                    t,
                    &session_id,
                    order.reference_id,
                ))
            },
            super::parse_execution,
        )
        .await
        .map(transfer)
    }

    async fn payout_status(
        &self,
        host: &Host<'_>,
        reference_id: &str,
    ) -> Result<Option<Transfer>, CallError> {
        Ok(self
            .status(host, Operation::Payout, reference_id)
            .await?
            .map(transfer))
    }
}
