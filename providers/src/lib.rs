//! Lipa's provider adapters. They do no I/O: each turns a normalized command into an
//! [`HttpRequest`] and a provider's [`HttpResponse`] into a normalized result. The edge's
//! executor alone performs the requests, which is why every adapter is tested natively
//! against fixtures.

pub mod crisscross;
pub mod error;
pub mod http;
pub mod secret;
pub mod signature;
pub mod token;

pub use error::ProviderError;
pub use http::{HttpRequest, HttpResponse, Method};
pub use secret::Secret;
pub use token::{AccessToken, TokenCache};

use lipa_api::PaymentStatus;

/// A provider's answer about one payment, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id for the transaction.
    pub provider_ref: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// Whether polling may still change a provider system error (CrissCross `canPoll`).
    pub can_poll: bool,
}
