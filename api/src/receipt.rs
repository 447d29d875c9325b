//! The receipt of a succeeded payment (`GET /v1/payments/{id}/receipt`).

use serde::{Deserialize, Serialize};

use crate::country::Operator;
use crate::money::Currency;

/// A succeeded payment's receipt: Lipa's record, with the provider's own figures (fee, FX,
/// line items) where the provider issues receipts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// Lipa's payment id.
    pub payment_id: String,
    /// Its checkout.
    pub checkout_id: String,
    /// The merchant's reference.
    pub reference: String,
    /// The amount the merchant charged, minor units.
    pub amount: i64,
    /// The amount as people read it (`"KES 1,500.00"`).
    #[serde(default)]
    pub amount_display: String,
    /// The provider's fee, minor units, when the provider reports it.
    pub fee: Option<i64>,
    /// What the customer paid in total, minor units.
    pub total: i64,
    /// The total as people read it.
    #[serde(default)]
    pub total_display: String,
    /// Currency.
    pub currency: Currency,
    /// The FX rate applied, when the provider reports one.
    pub fx_rate: Option<f64>,
    /// The operator.
    pub operator: Operator,
    /// The customer's number, masked.
    pub phone_masked: String,
    /// The provider that moved the money (`dollr`, `crisscross`, …).
    pub provider: String,
    /// The provider's id for the payment.
    pub provider_reference: Option<String>,
    /// When the provider says it was paid (ISO 8601), when it says.
    pub paid_at: Option<String>,
    /// When Lipa recorded success, Unix ms.
    pub succeeded_at_ms: i64,
    /// Line items, when the provider keeps them.
    pub items: Vec<ReceiptLine>,
}

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// What was bought.
    pub name: String,
    /// How many.
    pub qty: i64,
    /// Minor units.
    pub amount: i64,
}
