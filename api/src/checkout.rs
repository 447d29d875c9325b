//! Checkouts: what the merchant creates, what the widget reads, how a payment starts.
//!
//! Requests are parsed field by field (not with a derived `Deserialize`) so that every
//! refusal names the field at fault: `amount` with decimals, an unknown `currency`, a
//! `customer_phone` that does not fit the `country`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::country::{Country, Operator};
use crate::error::ApiError;
use crate::json::{invalid, parse_object, reject_unknown, required_amount, required_str};
use crate::money::Currency;
use crate::payment::PaymentView;
use crate::phone::Msisdn;

/// The merchant's `POST /v1/checkouts` body, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCheckout {
    /// Amount in minor units of `currency` (cents for KES; whole shillings for UGX).
    pub amount: i64,
    /// ISO 4217 currency; must be the country's mobile-money currency.
    pub currency: Currency,
    /// ISO 3166-1 alpha-2 country of the customer's wallet.
    pub country: Country,
    /// The merchant's own order reference: 1–64 letters, digits, `-` or `_`.
    pub reference: String,
    /// What is being paid for, shown to the customer (at most 140 characters).
    pub description: String,
    /// The customer's number when the merchant knows it; the widget shows it read-only.
    pub customer_phone: Option<Msisdn>,
    /// Where the hosted page sends the customer after a successful payment, with
    /// `checkout_id=co_…` added ([`crate::links::return_url`] rules).
    pub success_url: Option<String>,
    /// Where the hosted page's "Cancel" sends the customer.
    pub cancel_url: Option<String>,
    /// When the checkout stops taking new payments, Unix ms, as the merchant asked (checked
    /// against the clock by [`crate::links::expiry`]; a day when absent).
    pub expires_at_ms: Option<i64>,
}

const CREATE_FIELDS: [&str; 9] = [
    "amount",
    "currency",
    "country",
    "reference",
    "description",
    "customer_phone",
    "success_url",
    "cancel_url",
    "expires_at_ms",
];

impl CreateCheckout {
    /// Parses and validates a `POST /v1/checkouts` body.
    pub fn from_json(body: &str) -> Result<CreateCheckout, ApiError> {
        let map = parse_object(body)?;
        reject_unknown(&map, &CREATE_FIELDS)?;
        let amount = required_amount(&map, "amount")?;
        let country_code = required_str(&map, "country")?;
        let country = Country::from_alpha2(country_code).ok_or_else(|| {
            invalid(
                "country",
                format!(
                    "country {country_code:?} is not supported; use one of {}",
                    Country::ALL.map(|c| c.alpha2()).join(", ")
                ),
            )
        })?;
        let currency_code = required_str(&map, "currency")?;
        let currency = Currency::from_code(currency_code).ok_or_else(|| {
            invalid(
                "currency",
                format!("currency {currency_code:?} is not supported"),
            )
        })?;
        if currency != country.currency() {
            return Err(invalid(
                "currency",
                format!(
                    "mobile money in {} is paid in {}, not {}",
                    country.name(),
                    country.currency().code(),
                    currency.code()
                ),
            ));
        }
        let reference = required_str(&map, "reference")?;
        if reference.is_empty()
            || reference.len() > 64
            || !reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "reference",
                "reference must be 1 to 64 letters, digits, '-' or '_'",
            ));
        }
        let description = match map.get("description") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if s.chars().count() <= 140 => s.clone(),
            Some(Value::String(_)) => {
                return Err(invalid(
                    "description",
                    "description must be at most 140 characters",
                ))
            }
            Some(_) => return Err(invalid("description", "description must be a string")),
        };
        let customer_phone = match map.get("customer_phone") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                Msisdn::parse(country, s)
                    .map_err(|e| invalid("customer_phone", e.message(country)))?,
            ),
            Some(_) => return Err(invalid("customer_phone", "customer_phone must be a string")),
        };
        let url = |field: &str| match map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => crate::links::return_url(field, s).map(Some),
            Some(_) => Err(invalid(field, format!("{field} must be a string"))),
        };
        let success_url = url("success_url")?;
        let cancel_url = url("cancel_url")?;
        let expires_at_ms = match map.get("expires_at_ms") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some_and(|v| v > 0) => n.as_i64(),
            Some(_) => {
                return Err(invalid(
                    "expires_at_ms",
                    "expires_at_ms must be a whole number: Unix time in milliseconds",
                ))
            }
        };
        Ok(CreateCheckout {
            amount,
            currency,
            country,
            reference: reference.to_string(),
            description,
            customer_phone,
            success_url,
            cancel_url,
            expires_at_ms,
        })
    }
}

/// The answer to `POST /v1/checkouts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutCreated {
    /// The checkout id, `co_…`.
    pub id: String,
    /// The secret the widget uses for this checkout and nothing else; give it to the page.
    pub client_secret: String,
    /// The amount in minor units.
    pub amount: i64,
    /// The amount as people read it (`"KES 1,500.00"`): check it is what you meant.
    #[serde(default)]
    pub amount_display: String,
    /// The currency.
    pub currency: Currency,
    /// The country.
    pub country: Country,
    /// The merchant's reference.
    pub reference: String,
    /// The checkout's own payment page, ready to redirect to or send by SMS: it carries a
    /// link token that can do no more than the client secret (pay this checkout), and works
    /// without JavaScript.
    pub pay_url: String,
    /// When the checkout stops taking new payments, Unix ms.
    #[serde(default)]
    pub expires_at_ms: i64,
}

/// A checkout as the merchant's server reads it (`GET /v1/checkouts/{id}`,
/// `GET /v1/checkouts?reference=…`): every payment attempt, each with its refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantCheckoutView {
    /// The checkout id, `co_…`.
    pub id: String,
    /// The merchant's reference.
    pub reference: String,
    /// `open` (can be paid), `pending` (a payment waits for the customer), `paid`, or
    /// `closed` (can no longer be paid: create a new checkout).
    pub status: String,
    /// Amount in minor units.
    pub amount: i64,
    /// The amount as people read it.
    pub amount_display: String,
    /// Currency.
    pub currency: Currency,
    /// Country of the wallet.
    pub country: Country,
    /// What is being paid for.
    pub description: String,
    /// The payment that paid the checkout, once one did.
    pub paid_payment_id: Option<String>,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// When the checkout stops taking new payments, Unix ms (a payment live then is still
    /// followed to its end); `null` for a checkout made before links expired, which never
    /// stops.
    #[serde(default)]
    pub expires_at_ms: Option<i64>,
    /// Every payment attempt, oldest first, as `payment.*` events carry them, with refunds.
    pub payments: Vec<crate::event::PaymentEventData>,
}

/// An operator the customer can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorView {
    /// The operator.
    pub id: Operator,
    /// The name customers know.
    pub name: String,
    /// The provider's fee the customer pays on top of the amount with this operator, minor
    /// units (0 when the merchant bears it).
    #[serde(default)]
    pub fee: i64,
    /// Whether a guest must verify the number with a code sent by SMS before paying with
    /// this operator (`POST /api/checkouts/{id}/verify`); never for a locked number.
    #[serde(default)]
    pub verify_phone: bool,
}

/// What the widget reads: the checkout, its operators and its current payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// The checkout id.
    pub id: String,
    /// The merchant's display name.
    pub merchant_name: String,
    /// Amount in minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Country of the wallet.
    pub country: Country,
    /// What is being paid for.
    pub description: String,
    /// Operators available for this checkout's country.
    pub operators: Vec<OperatorView>,
    /// The customer's number, national digits, when the merchant locked it.
    pub locked_phone: Option<String>,
    /// The latest payment, if one was started.
    pub payment: Option<PaymentView>,
    /// When the checkout stops taking new payments, Unix ms (absent for checkouts made
    /// before expiry existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_ms: Option<i64>,
    /// Where the hosted page sends the customer after paying (with `checkout_id` added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_url: Option<String>,
    /// Where the hosted page's "Cancel" sends the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
}

/// The widget's `POST /api/checkouts/{id}/payments` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartPayment {
    /// The chosen operator.
    pub operator: Operator,
    /// The number as typed; ignored when the merchant locked the number.
    pub phone: String,
}

impl StartPayment {
    /// Parses and validates the body against the checkout's country and operators.
    pub fn from_json(body: &str, country: Country) -> Result<(Operator, String), ApiError> {
        let map = parse_object(body)?;
        reject_unknown(&map, &["operator", "phone"])?;
        let op_id = required_str(&map, "operator")?;
        let operator = Operator::from_id(op_id)
            .filter(|op| country.operators().contains(op))
            .ok_or_else(|| {
                invalid(
                    "operator",
                    format!("{op_id:?} is not an operator in {}", country.name()),
                )
            })?;
        let phone = match map.get("phone") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(invalid("phone", "phone must be a string")),
        };
        Ok((operator, phone))
    }
}

/// The widget's `POST /api/checkouts/{id}/otp` body: `{"otp": "123456"}`.
pub struct SubmitOtp;

/// Shortest and longest one-time code accepted.
pub const OTP_LENGTH: std::ops::RangeInclusive<usize> = 4..=8;

impl SubmitOtp {
    /// Parses the body; the code must be 4 to 8 digits.
    pub fn from_json(body: &str) -> Result<String, ApiError> {
        let map = parse_object(body)?;
        reject_unknown(&map, &["otp"])?;
        let otp = required_str(&map, "otp")?.trim();
        if !OTP_LENGTH.contains(&otp.len()) || !otp.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                "otp",
                "the code is 4 to 8 digits, as sent to your phone",
            ));
        }
        Ok(otp.to_string())
    }
}

/// The widget's `POST /api/checkouts/{id}/verify/check` body:
/// `{"phone": "0241234567", "code": "123456"}`.
pub struct CheckCode;

/// Digits in a phone-verification code.
pub const VERIFY_CODE_DIGITS: usize = 6;

impl CheckCode {
    /// Parses the body: the number as typed and the 6-digit code sent to it.
    pub fn from_json(body: &str) -> Result<(String, String), ApiError> {
        let map = parse_object(body)?;
        reject_unknown(&map, &["phone", "code"])?;
        let phone = required_str(&map, "phone")?.to_string();
        let code: String = required_str(&map, "code")?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if code.len() != VERIFY_CODE_DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                "code",
                "the code is the 6 digits sent to your phone by SMS",
            ));
        }
        Ok((phone, code))
    }
}

/// Where a guest's phone verification stands, as the widget reads it (never the code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationView {
    /// The number, masked (`+233 ••• ••• 001`).
    pub phone_masked: String,
    /// Whether the number is verified for this checkout (the customer may pay).
    pub verified: bool,
    /// When the code sent last stops working, Unix ms (`None` once verified).
    pub expires_at_ms: Option<i64>,
    /// Wrong codes the customer may still type for it.
    pub attempts_left: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_code_check_needs_six_digits_and_names_the_field() {
        assert_eq!(
            CheckCode::from_json(r#"{"phone":"024 000 0001","code":"123 456"}"#).unwrap(),
            ("024 000 0001".to_string(), "123456".to_string())
        );
        for bad in [
            r#"{"phone":"0240000001","code":"12345"}"#,
            r#"{"phone":"0240000001","code":"abcdef"}"#,
            r#"{"phone":"0240000001","code":"1234567"}"#,
        ] {
            assert_eq!(
                CheckCode::from_json(bad).unwrap_err().field.as_deref(),
                Some("code")
            );
        }
        let e = CheckCode::from_json(r#"{"code":"123456"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("phone"))
        );
    }

    fn err(body: &str) -> ApiError {
        CreateCheckout::from_json(body).unwrap_err()
    }

    #[test]
    fn accepts_a_valid_checkout() {
        let c = CreateCheckout::from_json(
            r#"{"amount":150000,"currency":"KES","country":"KE","reference":"order-42","description":"Kikoi","customer_phone":"0712 000 001"}"#,
        )
        .unwrap();
        assert_eq!(c.amount, 150_000);
        assert_eq!(c.country, Country::KE);
        assert_eq!(c.customer_phone.unwrap().e164(), "+254712000001");
        assert_eq!(
            (c.success_url, c.cancel_url, c.expires_at_ms),
            (None, None, None)
        );
    }

    #[test]
    fn takes_return_urls_and_an_expiry_naming_the_field_at_fault() {
        let base = r#""amount":1,"currency":"KES","country":"KE","reference":"r""#;
        let c = CreateCheckout::from_json(&format!(
            r#"{{{base},"success_url":"https://shop.example/ok","cancel_url":"http://127.0.0.1:8788/c","expires_at_ms":1800000000000}}"#
        ))
        .unwrap();
        assert_eq!(c.success_url.as_deref(), Some("https://shop.example/ok"));
        assert_eq!(c.cancel_url.as_deref(), Some("http://127.0.0.1:8788/c"));
        assert_eq!(c.expires_at_ms, Some(1_800_000_000_000));
        for (extra, field) in [
            (r#""success_url":"http://shop.example/ok""#, "success_url"),
            (r#""success_url":42"#, "success_url"),
            (r#""cancel_url":"javascript:alert(1)""#, "cancel_url"),
            (r#""expires_at_ms":"tomorrow""#, "expires_at_ms"),
            (r#""expires_at_ms":1.5"#, "expires_at_ms"),
            (r#""expires_at_ms":-1"#, "expires_at_ms"),
        ] {
            let e = err(&format!("{{{base},{extra}}}"));
            assert_eq!(e.field.as_deref(), Some(field), "{extra}");
        }
    }

    #[test]
    fn refuses_bad_amounts_naming_the_field() {
        let base = r#""currency":"KES","country":"KE","reference":"r1""#;
        for amount in ["0", "-5", "15.5", "\"100\"", "1e20"] {
            let e = err(&format!(r#"{{"amount":{amount},{base}}}"#));
            assert_eq!(e.field.as_deref(), Some("amount"), "{amount}: {e}");
            assert_eq!(e.code, ErrorCode::InvalidField);
        }
        let e = err(&format!("{{{base}}}"));
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("amount"))
        );
    }

    #[test]
    fn refuses_bad_country_currency_reference_phone_and_unknown_fields() {
        let cases = [
            (
                r#"{"amount":1,"currency":"KES","country":"US","reference":"r"}"#,
                "country",
            ),
            (
                r#"{"amount":1,"currency":"USD","country":"KE","reference":"r"}"#,
                "currency",
            ),
            (
                r#"{"amount":1,"currency":"UGX","country":"KE","reference":"r"}"#,
                "currency",
            ),
            (
                r#"{"amount":1,"currency":"KES","country":"KE","reference":"a b"}"#,
                "reference",
            ),
            (
                r#"{"amount":1,"currency":"KES","country":"KE","reference":"r","customer_phone":"+256700000001"}"#,
                "customer_phone",
            ),
            (
                r#"{"amount":1,"currency":"KES","country":"KE","reference":"r","amout":1}"#,
                "amout",
            ),
        ];
        for (body, field) in cases {
            assert_eq!(err(body).field.as_deref(), Some(field), "{body}");
        }
        assert_eq!(err("{not json").code, ErrorCode::InvalidJson);
        assert_eq!(err("[1]").code, ErrorCode::InvalidJson);
    }

    #[test]
    fn otp_must_be_four_to_eight_digits() {
        assert_eq!(
            SubmitOtp::from_json(r#"{"otp":"123456"}"#).unwrap(),
            "123456"
        );
        for bad in [
            r#"{"otp":"12a456"}"#,
            r#"{"otp":"123"}"#,
            r#"{"otp":"123456789"}"#,
            r#"{"otp":123456}"#,
            "{}",
        ] {
            assert_eq!(
                SubmitOtp::from_json(bad).unwrap_err().field.as_deref(),
                Some("otp"),
                "{bad}"
            );
        }
    }

    #[test]
    fn start_payment_checks_the_operator_against_the_country() {
        let ok =
            StartPayment::from_json(r#"{"operator":"mpesa","phone":"0712000001"}"#, Country::KE);
        assert_eq!(ok.unwrap().0, Operator::Mpesa);
        let wrong =
            StartPayment::from_json(r#"{"operator":"wave","phone":"0712000001"}"#, Country::KE);
        assert_eq!(wrong.unwrap_err().field.as_deref(), Some("operator"));
    }
}
