//! What every simulated provider shares: the vocabulary it speaks with the sandbox object
//! ([`vocabulary`]), the test-number table ([`numbers`]) and the [`Simulator`] trait through
//! which the object drives each of them ([`simulator`]).

pub mod numbers;
pub mod simulator;
pub mod vocabulary;

pub use simulator::{Handled, Outgoing, Simulator};
pub use vocabulary::{OutgoingWebhook, Prompt, SimRequest, SimResponse, RETRY_AFTER_FIELD};

/// The path of a request after `prefix`, when it is addressed to it: `prefix` itself
/// (an empty path) or `prefix/…`; never a longer name that merely starts like it.
pub fn api_path<'p>(prefix: &str, path: &'p str) -> Option<&'p str> {
    path.strip_prefix(prefix)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests;
