//! What every simulated provider shares: the vocabulary it speaks with the sandbox object
//! ([`vocabulary`]) and the test-number table ([`numbers`]).

pub mod numbers;
pub mod vocabulary;

pub use vocabulary::{OutgoingWebhook, Prompt, SimRequest, SimResponse, RETRY_AFTER_FIELD};
