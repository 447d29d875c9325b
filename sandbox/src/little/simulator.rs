//! How the sandbox object drives simulated Little Pay: its [`Simulator`] implementation.
//! Callbacks go to the merchant's `callbackUrl` with their RSA signature headers; a status
//! read with `longPoll=true` is held while its payment is pending.

use crate::config::Config;
use crate::log::LogEntry;
use crate::sim::{Handled, Outgoing, Prompt, SimRequest, Simulator};

use super::{LittleSim, SignedCallback};

/// A callback as the object posts it.
fn outgoing(cb: SignedCallback) -> Outgoing {
    Outgoing {
        url: cb.url,
        headers: vec![
            ("X-LittlePay-Signature", cb.signature),
            ("X-LittlePay-Timestamp", cb.timestamp),
        ],
        body: cb.body,
        log_as: Some(("little_callback_sent", None)),
        delivery_id: None,
    }
}

impl Simulator for LittleSim {
    fn name(&self) -> &'static str {
        "little"
    }

    fn prefix(&self) -> &'static str {
        "/little"
    }

    /// The Worker passes the sandbox's own origin (for step-up pages) as `origin`.
    fn handle(&mut self, config: &Config, req: &SimRequest, now_ms: i64) -> Handled {
        let origin = req.param("origin").unwrap_or_default().to_string();
        LittleSim::handle(self, &config.little, req, &origin, now_ms).into()
    }

    /// A status read (`GET …/{intent id or key}`) with `longPoll=true` while it is pending.
    fn holds(&self, req: &SimRequest) -> bool {
        req.method == "GET"
            && req.param("longPoll") == Some("true")
            && self.is_pending(req.path.rsplit('/').next().unwrap_or_default())
    }

    fn prompts(&self) -> Vec<Prompt> {
        LittleSim::prompts(self)
    }

    fn answer(
        &mut self,
        config: &Config,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Vec<Outgoing>, String> {
        let callback = LittleSim::answer(self, &config.little, id, approve, now_ms)?;
        Ok(callback.into_iter().map(outgoing).collect())
    }

    fn charges_of(&self, phone: &str, _now_ms: i64) -> usize {
        LittleSim::charges_of(self, phone)
    }

    fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        LittleSim::log(self, phone)
    }

    fn requests_answered(&self) -> u64 {
        self.log.total()
    }

    fn next_due_ms(&self) -> Option<i64> {
        LittleSim::next_due_ms(self)
    }

    fn take_due(&mut self, config: &Config, now_ms: i64) -> Vec<Outgoing> {
        LittleSim::take_due(self, &config.little, now_ms)
            .into_iter()
            .map(outgoing)
            .collect()
    }
}
