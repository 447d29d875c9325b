//! How the sandbox object drives simulated HoneyCoin: its [`Simulator`] implementation.
//! Webhooks wait in the simulator's outbox; the object posts those due after every request,
//! answer and alarm, with the shared secret in [`SIGNATURE_HEADER`], and reports each outcome
//! back ([`HoneySim::delivered`] retries a non-2xx).

use crate::config::Config;
use crate::log::LogEntry;
use crate::sim::{Handled, Outgoing, Prompt, SimRequest, Simulator};

use super::{HoneySim, SIGNATURE_HEADER};

/// Where simulated HoneyCoin's API lives in the sandbox (its sandbox base URL's path).
pub const API_PREFIX: &str = "/honeycoin/api/sandbox/b2b";

impl HoneySim {
    /// The deliveries due by `now_ms`, as the object posts them (none unless something is
    /// due).
    fn due_posts(&mut self, config: &Config, now_ms: i64) -> Vec<Outgoing> {
        if HoneySim::next_due_ms(self).is_none_or(|at| at > now_ms) {
            return Vec::new();
        }
        self.take_deliveries(now_ms)
            .into_iter()
            .map(|d| Outgoing {
                url: config.honeycoin_webhook_url.clone(),
                headers: vec![(SIGNATURE_HEADER, config.honeycoin_webhook_secret.clone())],
                body: d.body,
                log_as: None,
                delivery_id: Some(d.id),
            })
            .collect()
    }
}

impl Simulator for HoneySim {
    fn name(&self) -> &'static str {
        "honeycoin"
    }

    fn prefix(&self) -> &'static str {
        API_PREFIX
    }

    /// The Worker passes the sandbox's own origin (for redirect pages) as `origin`.
    fn handle(&mut self, config: &Config, req: &SimRequest, now_ms: i64) -> Handled {
        let origin = req.param("origin").unwrap_or_default().to_string();
        let response = HoneySim::handle(self, &config.honeycoin, req, &origin, now_ms);
        Handled {
            outgoing: self.due_posts(config, now_ms),
            ..response.into()
        }
    }

    fn prompts(&self) -> Vec<Prompt> {
        HoneySim::prompts(self)
    }

    fn answer(
        &mut self,
        config: &Config,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Vec<Outgoing>, String> {
        HoneySim::answer(self, id, approve, now_ms)?;
        Ok(self.due_posts(config, now_ms))
    }

    fn charges_of(&self, phone: &str, _now_ms: i64) -> usize {
        HoneySim::charges_of(self, phone)
    }

    fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        HoneySim::log(self, phone)
    }

    fn requests_answered(&self) -> u64 {
        self.log.total()
    }

    fn next_due_ms(&self) -> Option<i64> {
        HoneySim::next_due_ms(self)
    }

    fn take_due(&mut self, config: &Config, now_ms: i64) -> Vec<Outgoing> {
        self.advance(now_ms);
        self.due_posts(config, now_ms)
    }

    fn delivered(&mut self, delivery_id: &str, ok: bool, now_ms: i64) {
        HoneySim::delivered(self, delivery_id, ok, now_ms);
    }
}
