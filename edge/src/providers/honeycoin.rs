//! HoneyCoin as the Checkout object uses it.

use std::cell::RefCell;
use std::collections::HashMap;

use lipa_api::{Currency, Operator};
use lipa_providers::honeycoin::{self, Charge, Config, MomoProvider, OtpOutcome};
use lipa_providers::{ProviderId, ProviderPayment};

use super::call::{authorized, CallError, TokenSource};

thread_local! {
    static OPERATOR_IDS: RefCell<HashMap<Currency, Vec<MomoProvider>>> = RefCell::new(HashMap::new());
}

fn source(config: &Config) -> TokenSource<'static> {
    TokenSource {
        provider: ProviderId::HoneyCoin,
        request: honeycoin::token_request(config),
        parse: &honeycoin::parse_token,
    }
}

/// HoneyCoin's `momoOperatorId` for an operator, from its providers list (cached per
/// isolate), with the guide's own KES examples where the list does not name it.
async fn operator_id(
    config: &Config,
    currency: Currency,
    operator: Operator,
) -> Result<Option<String>, CallError> {
    let cached = OPERATOR_IDS.with(|c| c.borrow().get(&currency).cloned());
    let list = match cached {
        Some(list) => list,
        None => {
            let list = authorized(
                &source(config),
                |t| Ok(honeycoin::providers_request(config, t, currency)),
                honeycoin::parse_providers,
            )
            .await?;
            OPERATOR_IDS.with(|c| c.borrow_mut().insert(currency, list.clone()));
            list
        }
    };
    honeycoin::operator_id_for(currency, operator, &list).map_err(CallError::Provider)
}

/// Charges the customer; `external_reference` is the stored payment id.
pub async fn start(
    config: &Config,
    amount: i64,
    currency: Currency,
    operator: Operator,
    e164: &str,
    external_reference: &str,
) -> Result<ProviderPayment, CallError> {
    let momo_operator_id = operator_id(config, currency, operator).await?;
    let charge = Charge {
        amount,
        currency,
        external_reference,
        e164,
        momo_operator_id: momo_operator_id.as_deref(),
    };
    let transaction_id = authorized(
        &source(config),
        |t| honeycoin::charge_request(config, t, &charge),
        honeycoin::parse_charge,
    )
    .await?;
    Ok(ProviderPayment {
        provider_ref: transaction_id,
        status: lipa_api::PaymentStatus::Pending,
        can_poll: false,
        echo: Default::default(),
        unknown_status: None,
    })
}

/// Reads a transaction by HoneyCoin's id.
pub async fn status(
    config: &Config,
    transaction_id: &str,
) -> Result<Option<ProviderPayment>, CallError> {
    authorized(
        &source(config),
        |t| Ok(honeycoin::status_request(config, t, transaction_id)),
        honeycoin::parse_status,
    )
    .await
}

/// Reads a transaction by Lipa's reference: `None` when HoneyCoin never got the charge.
pub async fn status_by_reference(
    config: &Config,
    external_reference: &str,
) -> Result<Option<ProviderPayment>, CallError> {
    authorized(
        &source(config),
        |t| {
            Ok(honeycoin::status_by_reference_request(
                config,
                t,
                external_reference,
            ))
        },
        honeycoin::parse_status,
    )
    .await
}

/// Sends a customer's one-time code.
pub async fn submit_otp(
    config: &Config,
    transaction_id: &str,
    otp: &str,
) -> Result<OtpOutcome, CallError> {
    authorized(
        &source(config),
        |t| {
            Ok(honeycoin::validate_otp_request(
                config,
                t,
                transaction_id,
                otp,
            ))
        },
        honeycoin::parse_validate_otp,
    )
    .await
}
