//! How the sandbox object drives simulated CrissCross: its [`Simulator`] implementation.
//! Webhooks go to the edge signed with HMAC-SHA256 of the raw body in
//! [`SIGNATURE_HEADER`]; a payer number ending 31 has its first payment answer held.

use crate::config::Config;
use crate::log::LogEntry;
use crate::signing::hmac_hex;
use crate::sim::{Handled, Outgoing, OutgoingWebhook, Prompt, SimRequest, Simulator};

use super::CrissCrossSim;

/// The header CrissCross webhooks are signed in.
pub const SIGNATURE_HEADER: &str = "X-CrissCross-Signature";

/// A webhook as the object posts it: to the edge, signed.
fn signed(config: &Config, hook: OutgoingWebhook) -> Outgoing {
    let signature = hmac_hex(&config.crisscross_webhook_secret, hook.body.as_bytes());
    Outgoing {
        url: config.crisscross_webhook_url.clone(),
        headers: vec![(SIGNATURE_HEADER, signature)],
        body: hook.body,
        log_as: Some(("crisscross_webhook_sent", Some(hook.event_id))),
        delivery_id: None,
    }
}

impl Simulator for CrissCrossSim {
    fn name(&self) -> &'static str {
        "crisscross"
    }

    fn prefix(&self) -> &'static str {
        "/crisscross"
    }

    fn handle(&mut self, config: &Config, req: &SimRequest, now_ms: i64) -> Handled {
        let response = CrissCrossSim::handle(self, &config.crisscross, req, now_ms);
        Handled {
            delay_ms: self.answer_delay_ms(req),
            ..response.into()
        }
    }

    fn prompts(&self) -> Vec<Prompt> {
        CrissCrossSim::prompts(self)
    }

    fn answer(
        &mut self,
        config: &Config,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Vec<Outgoing>, String> {
        let hook = CrissCrossSim::answer(self, id, approve, now_ms)?;
        Ok(hook.into_iter().map(|h| signed(config, h)).collect())
    }

    fn charges_of(&self, phone: &str, _now_ms: i64) -> usize {
        CrissCrossSim::charges_of(self, phone)
    }

    fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        CrissCrossSim::log(self, phone)
    }

    fn requests_answered(&self) -> u64 {
        self.log.total()
    }

    fn next_due_ms(&self) -> Option<i64> {
        CrissCrossSim::next_due_ms(self)
    }

    fn take_due(&mut self, config: &Config, now_ms: i64) -> Vec<Outgoing> {
        CrissCrossSim::take_due(self, now_ms)
            .into_iter()
            .map(|h| signed(config, h))
            .collect()
    }
}
