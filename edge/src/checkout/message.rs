//! What the edge asks a Checkout object: one enum both sides use, sent as the JSON body of a
//! POST to the object. The live channel alone stays an HTTP request (a WebSocket upgrade,
//! [`LIVE_PATH`]), since the runtime hands the object the upgrade itself.

use serde::{Deserialize, Serialize};

use super::record::CheckoutRecord;
use super::refund::RefundRequest;
use lipa_providers::provider::Hint;
use lipa_providers::ProviderId;

/// The path of the live channel's upgrade request to the object.
pub const LIVE_PATH: &str = "/live";

/// One request to a Checkout object. Externally tagged (`{"start_payment": {…}}`): serde's
/// internally tagged form buffers every message through its generic `Content` tree, which
/// made the edge's wasm 144 KB larger (BENCHMARKS.md, "Decisions by measurement").
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutMessage {
    /// Store a new checkout (once).
    Init {
        /// The record to store.
        record: Box<CheckoutRecord>,
    },
    /// The widget reads the checkout.
    View {
        /// The widget's client secret.
        client_secret: String,
    },
    /// The customer says they approved: read the live payment from its provider now.
    Check {
        /// The widget's client secret.
        client_secret: String,
    },
    /// The widget starts a payment.
    StartPayment {
        /// The widget's client secret.
        client_secret: String,
        /// The customer's IP, for the spam limits.
        client_ip: Option<String>,
        /// The request body as the customer sent it (validated by the object).
        body: String,
    },
    /// The widget sends a one-time code.
    SubmitOtp {
        /// The widget's client secret.
        client_secret: String,
        /// The request body as the customer sent it (validated by the object).
        body: String,
    },
    /// `POST /api/checkouts/{id}/verify`: send a guest's number a verification code by SMS.
    SendCode {
        /// The widget's client secret.
        client_secret: String,
        /// The customer's IP (`CF-Connecting-IP`), for the per-IP limit.
        client_ip: Option<String>,
        /// The edge's host as the widget reached it (the SMS's WebOTP line).
        host: Option<String>,
        /// `{"operator", "phone"}` as sent.
        body: String,
    },
    /// `POST /api/checkouts/{id}/verify/check`: the code the guest typed.
    CheckCode {
        /// The widget's client secret.
        client_secret: String,
        /// `{"phone", "code"}` as sent.
        body: String,
    },
    /// The merchant refunds the checkout's payment.
    CreateRefund {
        /// The refund asked for.
        refund: RefundRequest,
    },
    /// The merchant reads a refund.
    Refund {
        /// `re_…`.
        id: String,
    },
    /// The merchant's server reads the checkout, every payment and refund.
    MerchantView,
    /// The merchant's server reads one payment, with its refunds.
    MerchantPayment {
        /// `pay_…`.
        payment_id: String,
    },
    /// The merchant reads a payment's receipt.
    Receipt {
        /// `pay_…`.
        payment_id: String,
    },
    /// The merchant asks for an event to be sent again.
    Resend {
        /// `evt_…`.
        event_id: String,
    },
    /// A verified provider webhook, as a hint.
    ProviderHint {
        /// The provider that sent it.
        provider: ProviderId,
        /// What the webhook names.
        hint: Hint,
        /// Matched by the hint's transaction or payment id only: not, failing those, by the
        /// checkout the hint names (the edge tries that first, without asking the index).
        #[serde(default)]
        strict: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_travel_as_tagged_json_and_come_back_the_same() {
        let m = CheckoutMessage::StartPayment {
            client_secret: "cs".into(),
            client_ip: Some("203.0.113.9".into()),
            body: r#"{"operator":"mpesa"}"#.into(),
        };
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.starts_with(r#"{"start_payment":{"#), "{json}");
        let back: CheckoutMessage = serde_json::from_str(&json).unwrap();
        assert!(matches!(
            back,
            CheckoutMessage::StartPayment { client_ip: Some(ip), .. } if ip == "203.0.113.9"
        ));
        assert!(serde_json::from_str::<CheckoutMessage>(r#"{"drop_tables":{}}"#).is_err());
    }
}
