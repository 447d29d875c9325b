//! The normalized payment state machine every provider is mapped onto.

use serde::{Deserialize, Serialize};

use crate::country::Operator;

/// Where a payment stands. The wire form is tagged by `state`:
/// `{"state":"failed","reason":"insufficient_funds","retryable":true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "StatusWire")]
pub enum PaymentStatus {
    /// Recorded, the provider not yet asked.
    Created,
    /// The provider sent the prompt; the customer has to approve on the handset.
    Pending,
    /// The customer must do something more before the provider goes on.
    ActionRequired {
        /// What the customer must do.
        action: NextAction,
    },
    /// The money was collected.
    Succeeded,
    /// The payment ended without collecting money.
    Failed {
        /// Why, in a form the widget can explain.
        reason: FailureReason,
        /// Whether a new payment on the same checkout may succeed.
        retryable: bool,
    },
    /// Nobody approved in time and the provider gave up.
    Expired,
}

impl PaymentStatus {
    /// Whether the payment has ended (no provider update may change it but a newer
    /// provider-confirmed terminal state).
    pub fn is_terminal(&self) -> bool {
        match self {
            PaymentStatus::Succeeded | PaymentStatus::Failed { .. } | PaymentStatus::Expired => {
                true
            }
            PaymentStatus::Created
            | PaymentStatus::Pending
            | PaymentStatus::ActionRequired { .. } => false,
        }
    }

    /// Whether the checkout may start another payment after this one.
    pub fn allows_new_payment(&self) -> bool {
        match self {
            PaymentStatus::Failed { retryable, .. } => *retryable,
            PaymentStatus::Expired => true,
            PaymentStatus::Created
            | PaymentStatus::Pending
            | PaymentStatus::ActionRequired { .. }
            | PaymentStatus::Succeeded => false,
        }
    }

    /// A short machine name: `"pending"`, `"succeeded"`, …
    pub fn name(&self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Pending => "pending",
            PaymentStatus::ActionRequired { .. } => "action_required",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed { .. } => "failed",
            PaymentStatus::Expired => "expired",
        }
    }
}

/// A step the customer must take before the payment can go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "ActionWire")]
pub enum NextAction {
    /// Type the one-time code the operator sent.
    Otp,
    /// Finish on the operator's page.
    Redirect {
        /// The page to open.
        url: String,
    },
}

// Deserializing through flat structs instead of serde's internally tagged enums keeps the
// same JSON but a fraction of the code, which matters in the widget's wasm.
#[derive(Deserialize)]
struct StatusWire {
    state: StateTag,
    #[serde(default)]
    action: Option<NextAction>,
    #[serde(default)]
    reason: Option<FailureReason>,
    #[serde(default)]
    retryable: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StateTag {
    Created,
    Pending,
    ActionRequired,
    Succeeded,
    Failed,
    Expired,
}

impl TryFrom<StatusWire> for PaymentStatus {
    type Error = &'static str;

    fn try_from(w: StatusWire) -> Result<Self, Self::Error> {
        Ok(match w.state {
            StateTag::Created => PaymentStatus::Created,
            StateTag::Pending => PaymentStatus::Pending,
            StateTag::ActionRequired => PaymentStatus::ActionRequired {
                action: w.action.ok_or("action_required needs an action")?,
            },
            StateTag::Succeeded => PaymentStatus::Succeeded,
            StateTag::Failed => PaymentStatus::Failed {
                reason: w.reason.ok_or("failed needs a reason")?,
                retryable: w.retryable.ok_or("failed needs retryable")?,
            },
            StateTag::Expired => PaymentStatus::Expired,
        })
    }
}

#[derive(Deserialize)]
struct ActionWire {
    #[serde(rename = "type")]
    kind: ActionTag,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActionTag {
    Otp,
    Redirect,
}

impl TryFrom<ActionWire> for NextAction {
    type Error = &'static str;

    fn try_from(w: ActionWire) -> Result<Self, Self::Error> {
        Ok(match w.kind {
            ActionTag::Otp => NextAction::Otp,
            ActionTag::Redirect => NextAction::Redirect {
                url: w.url.ok_or("redirect needs a url")?,
            },
        })
    }
}

/// Why a payment failed, normalized across providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The customer entered a wrong PIN.
    WrongPin,
    /// Not enough money in the wallet.
    InsufficientFunds,
    /// The prompt was not answered in time.
    TimedOut,
    /// The customer declined the prompt.
    Cancelled,
    /// A transaction or balance limit was reached.
    LimitReached,
    /// The number has no mobile-money account.
    NotRegistered,
    /// The operator declined without saying why.
    Declined,
    /// The provider or operator had a system error.
    ProviderError,
}

impl FailureReason {
    /// Every reason, once each.
    pub const ALL: [FailureReason; 8] = [
        FailureReason::WrongPin,
        FailureReason::InsufficientFunds,
        FailureReason::TimedOut,
        FailureReason::Cancelled,
        FailureReason::LimitReached,
        FailureReason::NotRegistered,
        FailureReason::Declined,
        FailureReason::ProviderError,
    ];

    /// The reason's name on the wire: `"insufficient_funds"`, …
    pub fn code(self) -> &'static str {
        match self {
            FailureReason::WrongPin => "wrong_pin",
            FailureReason::InsufficientFunds => "insufficient_funds",
            FailureReason::TimedOut => "timed_out",
            FailureReason::Cancelled => "cancelled",
            FailureReason::LimitReached => "limit_reached",
            FailureReason::NotRegistered => "not_registered",
            FailureReason::Declined => "declined",
            FailureReason::ProviderError => "provider_error",
        }
    }

    /// Plain words for the customer.
    pub fn message(self) -> &'static str {
        match self {
            FailureReason::WrongPin => "The PIN entered was wrong. No money was taken.",
            FailureReason::InsufficientFunds => {
                "There is not enough money in this mobile money account."
            }
            FailureReason::TimedOut => "The prompt on your phone timed out before it was approved.",
            FailureReason::Cancelled => "The payment was declined on the phone.",
            FailureReason::LimitReached => {
                "This payment is above your mobile money account's limit."
            }
            FailureReason::NotRegistered => "This number has no mobile money account.",
            FailureReason::Declined => "Your mobile money operator declined the payment.",
            FailureReason::ProviderError => {
                "The mobile money service had a problem. No money was taken."
            }
        }
    }
}

/// A payment as the widget and the merchant see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// Lipa's payment id, `pay_…`.
    pub id: String,
    /// The operator the customer chose.
    pub operator: Operator,
    /// The customer's number with all but the last three digits hidden.
    pub phone_masked: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// When it started, Unix milliseconds.
    pub created_at_ms: i64,
    /// While it is live: when its provider's approval window ends, Unix milliseconds. From
    /// then on the customer may try again or use another number (the payment keeps being
    /// followed, and a late approval still counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at_ms: Option<i64>,
    /// While it waits for a one-time code: how many codes the customer may still try.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp_attempts_left: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_is_tagged_by_state() {
        let s = PaymentStatus::Failed {
            reason: FailureReason::InsufficientFunds,
            retryable: true,
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"state":"failed","reason":"insufficient_funds","retryable":true}"#
        );
        let a: PaymentStatus =
            serde_json::from_str(r#"{"state":"action_required","action":{"type":"otp"}}"#).unwrap();
        assert_eq!(
            a,
            PaymentStatus::ActionRequired {
                action: NextAction::Otp
            }
        );
        for status in [
            PaymentStatus::Created,
            PaymentStatus::Pending,
            PaymentStatus::Succeeded,
            PaymentStatus::Expired,
            s.clone(),
            PaymentStatus::ActionRequired {
                action: NextAction::Redirect {
                    url: "https://op.example/x".into(),
                },
            },
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(
                serde_json::from_str::<PaymentStatus>(&json).unwrap(),
                status,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<PaymentStatus>(r#"{"state":"failed"}"#).is_err());
        assert!(serde_json::from_str::<PaymentStatus>(r#"{"state":"nope"}"#).is_err());
    }

    #[test]
    fn reason_codes_are_the_wire_names() {
        use FailureReason::*;
        for r in [
            WrongPin,
            InsufficientFunds,
            TimedOut,
            Cancelled,
            LimitReached,
            NotRegistered,
            Declined,
            ProviderError,
        ] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
    }

    #[test]
    fn only_retryable_failures_and_expiry_allow_a_new_payment() {
        assert!(!PaymentStatus::Pending.allows_new_payment());
        assert!(!PaymentStatus::Succeeded.allows_new_payment());
        assert!(PaymentStatus::Expired.allows_new_payment());
        assert!(PaymentStatus::Failed {
            reason: FailureReason::WrongPin,
            retryable: true
        }
        .allows_new_payment());
        assert!(!PaymentStatus::Failed {
            reason: FailureReason::ProviderError,
            retryable: false
        }
        .allows_new_payment());
    }
}
