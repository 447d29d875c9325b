//! What the sandbox object needs from a simulated provider, whichever it is: the
//! [`Simulator`] trait, and the posts a simulator asks the object to make ([`Outgoing`]).
//!
//! A simulator stays pure: it answers requests, holds its prompts and ledger, and says what
//! to send; the object does the I/O (storage, HTTP) for all of them alike.

use crate::config::Config;
use crate::log::LogEntry;

use super::{Prompt, SimRequest, SimResponse};

/// A POST the object makes for a simulator: a webhook or callback, already signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Where to post.
    pub url: String,
    /// Headers besides `Content-Type: application/json`.
    pub headers: Vec<(&'static str, String)>,
    /// The exact body.
    pub body: String,
    /// What the Worker logs once it is sent: the log event's name and, when the simulator
    /// has one, the id of the event delivered.
    pub log_as: Option<(&'static str, Option<String>)>,
    /// The delivery whose outcome goes back to [`Simulator::delivered`] (a simulator that
    /// retries its webhooks), if any.
    pub delivery_id: Option<String>,
}

/// What a simulator did with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// The answer.
    pub response: SimResponse,
    /// How long the Worker holds the answer before giving it, ms (a lost answer).
    pub delay_ms: Option<i64>,
    /// What to post once the request is answered.
    pub outgoing: Vec<Outgoing>,
}

impl From<SimResponse> for Handled {
    fn from(response: SimResponse) -> Handled {
        Handled {
            response,
            delay_ms: None,
            outgoing: Vec::new(),
        }
    }
}

/// A simulated provider, as the sandbox object drives it.
pub trait Simulator {
    /// Its name: the storage key, the `provider` of a handset answer and of `/log`.
    fn name(&self) -> &'static str;

    /// Where its API lives in the sandbox, e.g. `/crisscross`: a request to the prefix or
    /// under it (`/crisscross/…`) is this simulator's, see [`super::api_path`].
    fn prefix(&self) -> &'static str;

    /// Answers one API request (its path after the prefix) at `now_ms`.
    fn handle(&mut self, config: &Config, req: &SimRequest, now_ms: i64) -> Handled;

    /// Whether `req` is held before it is answered (a long poll on a payment still
    /// pending); the object holds it for a while, doing this simulator's timed work.
    fn holds(&self, req: &SimRequest) -> bool {
        let _ = req;
        false
    }

    /// Prompts waiting for a person on the handset page.
    fn prompts(&self) -> Vec<Prompt>;

    /// A person approved or declined the prompt `id`; what to post, or why it cannot be.
    fn answer(
        &mut self,
        config: &Config,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Vec<Outgoing>, String>;

    /// Charges collected from `phone` (E.164) by `now_ms`: the ledger that proves "charged
    /// once".
    fn charges_of(&self, phone: &str, now_ms: i64) -> usize;

    /// The request log, optionally only the requests about `phone` (E.164).
    fn log(&self, phone: Option<&str>) -> Vec<LogEntry>;

    /// How many API requests it has answered since its state was created (refusals too).
    fn requests_answered(&self) -> u64;

    /// When its timed work is next due ([`Simulator::take_due`]), if it has any.
    fn next_due_ms(&self) -> Option<i64>;

    /// Does the timed work due by `now_ms` (resolutions, retries); what to post.
    fn take_due(&mut self, config: &Config, now_ms: i64) -> Vec<Outgoing>;

    /// How a post with a [`Outgoing::delivery_id`] went (`ok`: a 2xx answer).
    fn delivered(&mut self, delivery_id: &str, ok: bool, now_ms: i64) {
        let _ = (delivery_id, ok, now_ms);
    }
}
