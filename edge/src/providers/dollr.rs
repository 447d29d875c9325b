//! Dollr as the Checkout object uses it: the invoice collection's steps in the guide's order,
//! the customer's party and counterparty reused from D1, the invoice recorded before the
//! execution, and the execution's `reference_id` being the payment's stored idempotency key.

use lipa_api::Currency;
use lipa_providers::dollr::{
    self, AccountInput, Config, FeePreview, InvoiceInput, Operation, OperationStatus, Receipt,
};
use lipa_providers::{ProviderId, ProviderPayment};
use worker::Env;

use super::call::{authorized, CallError, TokenSource};
use crate::checkout::record::{CheckoutRecord, PaymentRecord};
use crate::executor::now_ms;
use crate::store::{self, DollrCustomer};

fn source(config: &Config) -> TokenSource<'static> {
    TokenSource {
        provider: ProviderId::Dollr,
        request: dollr::token_request(config),
        parse: &dollr::parse_token,
    }
}

/// A storage failure while preparing a collection: nothing was charged.
fn storage(e: worker::Error) -> CallError {
    CallError::Provider(lipa_providers::ProviderError::Unsupported(format!(
        "could not store Dollr's ids: {e}"
    )))
}

/// The customer's party and counterparty: stored ones, or created once and stored.
async fn customer(env: &Env, config: &Config, e164: &str) -> Result<DollrCustomer, CallError> {
    if let Some(known) = store::dollr_customer(env, e164).await.map_err(storage)? {
        return Ok(known);
    }
    let src = source(config);
    let party_id = authorized(
        &src,
        |t| Ok(dollr::party_request(config, t, e164)),
        dollr::parse_created,
    )
    .await?;
    let counterparty_id = authorized(
        &src,
        |t| Ok(dollr::counterparty_request(config, t, &party_id)),
        dollr::parse_created,
    )
    .await?;
    let created = DollrCustomer {
        party_id,
        counterparty_id,
    };
    store::store_dollr_customer(env, e164, &created, now_ms())
        .await
        .map_err(storage)
}

/// Runs the collection: predict the wallet, bill an invoice, open a checkout session,
/// register the wallet, execute with the stored reference.
pub async fn start(
    env: &Env,
    config: &Config,
    checkout: &CheckoutRecord,
    payment: &PaymentRecord,
) -> Result<ProviderPayment, CallError> {
    let src = source(config);
    let e164 = payment.msisdn.e164();
    let wallet = authorized(
        &src,
        |t| Ok(dollr::mmo_request(config, t, &e164, Operation::Collection)),
        dollr::parse_mmo,
    )
    .await?;
    dollr::check_wallet(&wallet, checkout.country, payment.operator)
        .map_err(CallError::Provider)?;
    let customer = customer(env, config, &e164).await?;
    let invoice = InvoiceInput {
        counterparty_id: &customer.counterparty_id,
        amount: checkout.amount,
        currency: checkout.currency,
        description: &checkout.description,
        payment_id: &payment.id,
    };
    let invoice_id = authorized(
        &src,
        |t| Ok(dollr::invoice_request(config, t, &invoice)),
        dollr::parse_created,
    )
    .await?;
    store::store_dollr_invoice(env, &payment.id, &invoice_id, now_ms())
        .await
        .map_err(storage)?;
    authorized(
        &src,
        |t| Ok(dollr::item_request(config, t, &invoice_id, &invoice)),
        dollr::parse_created,
    )
    .await?;
    authorized(
        &src,
        |t| Ok(dollr::publish_request(config, t, &invoice_id)),
        dollr::parse_published,
    )
    .await?;
    let session_id = authorized(
        &src,
        |t| Ok(dollr::checkout_session_request(config, t, &invoice_id)),
        dollr::parse_created,
    )
    .await?;
    let account = AccountInput {
        party_id: &customer.party_id,
        e164: &e164,
        country: checkout.country,
        wallet: &wallet,
    };
    let account_id = authorized(
        &src,
        |t| {
            Ok(dollr::payment_account_request(
                config,
                t,
                Operation::Collection,
                &account,
            ))
        },
        dollr::parse_created,
    )
    .await?;
    authorized(
        &src,
        |t| {
            Ok(dollr::collection_request(
                config,
                t,
                &session_id,
                &account_id,
                checkout.currency,
                &payment.idempotency_key,
            ))
        },
        dollr::parse_execution,
    )
    .await
    .map(|executed| executed.payment())
}

/// Where an operation with Lipa's `reference_id` stands; `None` if Dollr never heard of it.
pub async fn status(
    config: &Config,
    op: Operation,
    reference_id: &str,
) -> Result<Option<OperationStatus>, CallError> {
    authorized(
        &source(config),
        |t| Ok(dollr::status_request(config, t, op, reference_id)),
        dollr::parse_status,
    )
    .await
}

/// The fee Dollr will charge on `amount`.
pub async fn fees(
    config: &Config,
    amount: i64,
    currency: Currency,
) -> Result<FeePreview, CallError> {
    authorized(
        &source(config),
        |t| Ok(dollr::fees_request(config, t, amount, currency)),
        |r| dollr::parse_fees(r, currency),
    )
    .await
}

/// The receipt of a completed collection's invoice.
pub async fn receipt(config: &Config, invoice_id: &str) -> Result<Receipt, CallError> {
    authorized(
        &source(config),
        |t| Ok(dollr::receipt_request(config, t, invoice_id)),
        dollr::parse_receipt,
    )
    .await
}

/// Refunds (part of) a completed collection: refund session, then the execution with the
/// refund's stored `reference_id`.
pub async fn refund(
    config: &Config,
    payment_intent_id: &str,
    amount: i64,
    currency: Currency,
    reference_id: &str,
) -> Result<OperationStatus, CallError> {
    let src = source(config);
    let session_id = authorized(
        &src,
        |t| {
            Ok(dollr::refund_session_request(
                config,
                t,
                payment_intent_id,
                amount,
                currency,
            ))
        },
        dollr::parse_created,
    )
    .await?;
    authorized(
        &src,
        |t| {
            Ok(dollr::refund_execution_request(
                config,
                t,
                &session_id,
                reference_id,
            ))
        },
        dollr::parse_execution,
    )
    .await
}

/// The wallet a payout would go to, checked against the operator the merchant named; an
/// invalid wallet is refused here, before anything is recorded.
pub async fn payout_wallet(
    config: &Config,
    e164: &str,
    country: lipa_api::Country,
    operator: lipa_api::Operator,
) -> Result<dollr::Wallet, CallError> {
    let wallet = authorized(
        &source(config),
        |t| Ok(dollr::mmo_request(config, t, e164, Operation::Payout)),
        dollr::parse_mmo,
    )
    .await?;
    dollr::check_wallet(&wallet, country, operator).map_err(CallError::Provider)?;
    Ok(wallet)
}

/// What a payout sends, and to whom.
pub struct PayoutOrder<'a> {
    /// The recipient's number.
    pub e164: &'a str,
    /// Its country.
    pub country: lipa_api::Country,
    /// As predicted by [`payout_wallet`].
    pub wallet: &'a dollr::Wallet,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// The payout's stored reference.
    pub reference_id: &'a str,
    /// When the payout session lapses, ISO 8601.
    pub expires_at: &'a str,
}

/// Pays out from the merchant's wallet: recipient party, PAYOUT payment account, payout
/// session, execution with the stored `reference_id` and the passcode.
pub async fn payout(
    env: &Env,
    config: &Config,
    order: &PayoutOrder<'_>,
) -> Result<OperationStatus, CallError> {
    let src = source(config);
    let recipient = customer(env, config, order.e164).await?;
    let account = AccountInput {
        party_id: &recipient.party_id,
        e164: order.e164,
        country: order.country,
        wallet: order.wallet,
    };
    let account_id = authorized(
        &src,
        |t| {
            Ok(dollr::payment_account_request(
                config,
                t,
                Operation::Payout,
                &account,
            ))
        },
        dollr::parse_created,
    )
    .await?;
    let input = dollr::PayoutInput {
        payment_account_id: &account_id,
        amount: order.amount,
        currency: order.currency,
        expires_at: order.expires_at,
    };
    let session_id = authorized(
        &src,
        |t| Ok(dollr::payout_session_request(config, t, &input)),
        dollr::parse_created,
    )
    .await?;
    authorized(
        &src,
        |t| {
            Ok(dollr::payout_execution_request(
                config,
                t,
                &session_id,
                order.reference_id,
            ))
        },
        dollr::parse_execution,
    )
    .await
}
