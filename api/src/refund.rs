//! Refunds: what the merchant asks for and what it reads back.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::json::{optional_amount, optional_str, parse_object, reject_unknown, required_str};
use crate::money::Currency;

/// The longest refund reason kept.
pub const MAX_REASON_CHARS: usize = 200;

/// A `POST /v1/refunds` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRefund {
    /// Lipa's payment id (`pay_…`).
    pub payment_id: String,
    /// Minor units; the whole refundable rest when absent.
    pub amount: Option<i64>,
    /// Why, for the merchant's records.
    pub reason: Option<String>,
}

impl CreateRefund {
    /// Parses and validates the body.
    pub fn from_json(body: &str) -> Result<CreateRefund, ApiError> {
        let map = parse_object(body)?;
        reject_unknown(&map, &["payment_id", "amount", "reason"])?;
        Ok(CreateRefund {
            payment_id: required_str(&map, "payment_id")?.to_string(),
            amount: optional_amount(&map, "amount")?,
            reason: optional_str(&map, "reason", MAX_REASON_CHARS)?.map(str::to_string),
        })
    }
}

/// Where a refund or a payout stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// Sent to the provider, not final yet.
    Pending,
    /// The money moved.
    Succeeded,
    /// It did not; nothing moved.
    Failed,
}

impl TransferStatus {
    /// Whether the state is final.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, TransferStatus::Pending)
    }
}

/// A refund as the merchant API shows it and as `refund.*` events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    /// `re_…`.
    pub id: String,
    /// The refunded payment.
    pub payment_id: String,
    /// Its checkout.
    pub checkout_id: String,
    /// The checkout's merchant reference.
    pub reference: String,
    /// Minor units.
    pub amount: i64,
    /// The amount as people read it (`"KES 20.00"`).
    #[serde(default)]
    pub amount_display: String,
    /// Currency.
    pub currency: Currency,
    /// Where it stands.
    pub status: TransferStatus,
    /// Why it failed, in plain words.
    pub failure_message: Option<String>,
    /// The merchant's reason.
    pub reason: Option<String>,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn a_refund_names_the_payment_and_optionally_an_amount() {
        let r =
            CreateRefund::from_json(r#"{"payment_id":"pay_1","amount":2000,"reason":"damaged"}"#)
                .unwrap();
        assert_eq!(r.amount, Some(2_000));
        assert_eq!(r.reason.as_deref(), Some("damaged"));
        assert_eq!(
            CreateRefund::from_json(r#"{"payment_id":"pay_1"}"#)
                .unwrap()
                .amount,
            None
        );
        let e = CreateRefund::from_json(r#"{"payment_id":"pay_1","amount":20.5}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidField, Some("amount"))
        );
        let e = CreateRefund::from_json(r#"{"amount":1}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("payment_id"))
        );
        let e = CreateRefund::from_json(r#"{"payment_id":"p","amount":0}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("amount"));
        let e = CreateRefund::from_json(r#"{"payment_id":"p","currency":"KES"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("currency"));
    }
}
