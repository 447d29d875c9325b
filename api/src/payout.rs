//! Payouts: money from the merchant's provider wallet to a mobile-money number.

use serde::{Deserialize, Serialize};

use crate::country::{Country, Operator};
use crate::error::ApiError;
use crate::json::{
    invalid, optional_str, parse_object, reject_unknown, required_amount, required_str,
};
use crate::money::Currency;
use crate::phone::Msisdn;
use crate::refund::TransferStatus;

/// A `POST /v1/payouts` body, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePayout {
    /// Minor units.
    pub amount: i64,
    /// The country's currency.
    pub currency: Currency,
    /// The wallet's country.
    pub country: Country,
    /// The wallet's operator.
    pub operator: Operator,
    /// The wallet.
    pub phone: Msisdn,
    /// The merchant's own reference.
    pub reference: Option<String>,
}

impl CreatePayout {
    /// Parses and validates the body: the currency must be the country's, the operator one
    /// of the country's, the number valid in its numbering plan.
    pub fn from_json(body: &str) -> Result<CreatePayout, ApiError> {
        let map = parse_object(body)?;
        reject_unknown(
            &map,
            &[
                "amount",
                "currency",
                "country",
                "operator",
                "phone",
                "reference",
            ],
        )?;
        let amount = required_amount(&map, "amount")?;
        let country = Country::from_alpha2(required_str(&map, "country")?).ok_or_else(|| {
            invalid(
                "country",
                "country must be an ISO 3166-1 alpha-2 code Lipa serves",
            )
        })?;
        let currency_code = required_str(&map, "currency")?;
        let currency = Currency::from_code(currency_code)
            .filter(|c| *c == country.currency())
            .ok_or_else(|| {
                invalid(
                    "currency",
                    format!(
                        "payouts in {} are in {}, not {currency_code}",
                        country.name(),
                        country.currency().code()
                    ),
                )
            })?;
        let operator_id = required_str(&map, "operator")?;
        let operator = Operator::from_id(operator_id)
            .filter(|op| country.operators().contains(op))
            .ok_or_else(|| {
                invalid(
                    "operator",
                    format!(
                        "{operator_id:?} is not a mobile-money operator in {}",
                        country.name()
                    ),
                )
            })?;
        let phone = Msisdn::parse(country, required_str(&map, "phone")?)
            .map_err(|e| invalid("phone", e.message(country)))?;
        Ok(CreatePayout {
            amount,
            currency,
            country,
            operator,
            phone,
            reference: optional_str(&map, "reference", 100)?.map(str::to_string),
        })
    }
}

/// A payout as the merchant API shows it and as `payout.*` events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutView {
    /// `po_…`.
    pub id: String,
    /// Minor units.
    pub amount: i64,
    /// The amount as people read it (`"RWF 7,000"`).
    #[serde(default)]
    pub amount_display: String,
    /// Currency.
    pub currency: Currency,
    /// The wallet's operator.
    pub operator: Operator,
    /// The wallet, masked.
    pub phone_masked: String,
    /// The merchant's reference.
    pub reference: Option<String>,
    /// Where it stands.
    pub status: TransferStatus,
    /// Why it failed, in plain words.
    pub failure_message: Option<String>,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payout_must_fit_its_country() {
        let p = CreatePayout::from_json(
            r#"{"amount":7000,"currency":"RWF","country":"RW","operator":"mtn_momo","phone":"0788 000 001"}"#,
        )
        .unwrap();
        assert_eq!(p.phone.e164(), "+250788000001");
        let field = |body: &str| CreatePayout::from_json(body).unwrap_err().field;
        assert_eq!(
            field(r#"{"amount":7000,"currency":"KES","country":"RW","operator":"mtn_momo","phone":"0788000001"}"#).as_deref(),
            Some("currency")
        );
        assert_eq!(
            field(r#"{"amount":7000,"currency":"RWF","country":"RW","operator":"mpesa","phone":"0788000001"}"#).as_deref(),
            Some("operator")
        );
        assert_eq!(
            field(r#"{"amount":7000,"currency":"RWF","country":"RW","operator":"mtn_momo","phone":"12"}"#).as_deref(),
            Some("phone")
        );
        assert_eq!(
            field(r#"{"amount":70.5,"currency":"RWF","country":"RW","operator":"mtn_momo","phone":"0788000001"}"#).as_deref(),
            Some("amount")
        );
    }
}
