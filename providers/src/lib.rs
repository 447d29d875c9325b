//! Lipa's providers, one module each, all behind the [`Provider`] trait and found through
//! the [`Registry`]. Each module's requests and parsers do no I/O: they turn a normalized
//! command into an [`HttpRequest`] and a provider's [`HttpResponse`] into a normalized result,
//! tested natively against the guides' fixtures. Its `flow.rs` runs the provider's steps over
//! the host's [`host::Transport`] (on the edge, the only code that calls `fetch`), which is
//! how the conformance suite runs every provider natively over a scripted fake.

pub mod amount;
pub mod call;
pub mod crisscross;
pub mod dollr;
pub mod error;
pub mod honeycoin;
pub mod host;
pub mod http;
pub mod limits;
pub mod little;
pub mod provider;
pub mod registry;
pub mod routing;
pub mod schedule;
pub mod secret;
pub mod settings;
pub mod signature;
pub mod status;
pub mod token;
pub mod xtopay;

pub use call::CallError;
pub use error::ProviderError;
pub use http::{HttpRequest, HttpResponse, Method};
pub use provider::Provider;
pub use registry::Registry;
pub use secret::Secret;
pub use signature::SignatureError;
pub use token::{AccessToken, TokenCache};

use lipa_api::PaymentStatus;

/// The providers Lipa routes payments to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProviderId {
    /// CrissCross Direct API.
    #[default]
    CrissCross,
    /// HoneyCoin mobile-money charge.
    HoneyCoin,
    /// Xtopay Direct Receive Money.
    Xtopay,
    /// Little Pay payment intents.
    Little,
    /// Dollr invoice collections (no webhooks: polled).
    Dollr,
}

impl ProviderId {
    /// Every provider.
    pub const ALL: [ProviderId; 5] = [
        ProviderId::CrissCross,
        ProviderId::HoneyCoin,
        ProviderId::Xtopay,
        ProviderId::Little,
        ProviderId::Dollr,
    ];

    /// The name used in configuration, URLs and the payments index.
    pub fn name(self) -> &'static str {
        match self {
            ProviderId::CrissCross => "crisscross",
            ProviderId::HoneyCoin => "honeycoin",
            ProviderId::Xtopay => "xtopay",
            ProviderId::Little => "little",
            ProviderId::Dollr => "dollr",
        }
    }

    /// The provider's own name, as a merchant knows it from its dashboard.
    pub fn brand(self) -> &'static str {
        match self {
            ProviderId::CrissCross => "CrissCross",
            ProviderId::HoneyCoin => "HoneyCoin",
            ProviderId::Xtopay => "Xtopay",
            ProviderId::Little => "Little Pay",
            ProviderId::Dollr => "Dollr",
        }
    }

    /// Parses [`ProviderId::name`].
    pub fn from_name(name: &str) -> Option<ProviderId> {
        ProviderId::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether a route to this provider verifies a guest's number by SMS before the first
    /// prompt unless `ROUTES` says otherwise (`verify_phone`): Xtopay's guide requires a
    /// one-time code for numbers the merchant has not locked ("Security Requirements").
    pub fn verifies_phone_by_default(self) -> bool {
        matches!(self, ProviderId::Xtopay)
    }

    /// Whether Lipa can route `operator` in `country` to this provider.
    pub fn supports(self, country: lipa_api::Country, operator: lipa_api::Operator) -> bool {
        match self {
            ProviderId::CrissCross => crisscross::flow::supports(country, operator),
            ProviderId::HoneyCoin => honeycoin::supports(country, operator),
            ProviderId::Xtopay => xtopay::supports(country, operator),
            ProviderId::Little => little::supports(country, operator),
            ProviderId::Dollr => dollr::supports(country, operator),
        }
    }
}

/// A provider's answer about one payment, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id for the transaction.
    pub provider_ref: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// Whether polling may still change a provider system error (CrissCross `canPoll`).
    pub can_poll: bool,
    /// What the answer says it belongs to, where the provider's answer carries it: the edge
    /// checks it against the payment before believing the status.
    pub echo: Echo,
    /// The provider's own status value when the adapter does not know it. `status` is then
    /// [`PaymentStatus::Pending`]: an unknown status means *keep polling*, never failed.
    pub unknown_status: Option<String>,
}

/// The parts of a provider's answer that bind it to one payment. `None` where the answer
/// does not carry the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Echo {
    /// The reference Lipa sent with the payment, as the provider echoes it (CrissCross's
    /// `merchantReference`, HoneyCoin's `externalReference`, Xtopay's `clientReference`,
    /// Little's `key`, Dollr's `reference_id`).
    pub reference: Option<String>,
    /// The amount, in minor units of `currency`.
    pub amount: Option<i64>,
    /// The currency.
    pub currency: Option<lipa_api::Currency>,
}

/// What a payment must echo for a provider's answer to be applied to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The reference Lipa sent.
    pub reference: &'a str,
    /// Amounts the provider may report: the checkout's, and the checkout's plus a fee the
    /// customer was shown.
    pub amounts: &'a [i64],
    /// The checkout's currency.
    pub currency: lipa_api::Currency,
}

impl Echo {
    /// Why this answer does not belong to the expected payment, or `None` when every field
    /// it carries matches.
    pub fn mismatch(&self, expected: &Expected<'_>) -> Option<String> {
        if let Some(r) = self
            .reference
            .as_deref()
            .filter(|r| *r != expected.reference)
        {
            return Some(format!("reference {r} is not {}", expected.reference));
        }
        if let Some(a) = self.amount.filter(|a| !expected.amounts.contains(a)) {
            return Some(format!("amount {a} is not one of {:?}", expected.amounts));
        }
        if let Some(c) = self.currency.filter(|c| *c != expected.currency) {
            return Some(format!("currency {c:?} is not {:?}", expected.currency));
        }
        None
    }
}
