//! How the sandbox object drives simulated Xtopay: its [`Simulator`] implementation.
//! Callbacks go to the edge signed `x-xtopay-signature: sha256=<hex HMAC-SHA256 of the
//! body>` with their `x-xtopay-event-id`.

use crate::config::Config;
use crate::log::LogEntry;
use crate::signing::hmac_hex;
use crate::sim::{Handled, Outgoing, OutgoingWebhook, Prompt, SimRequest, Simulator};

use super::XtopaySim;

/// A callback as the object posts it: to the edge, signed.
fn signed(config: &Config, hook: OutgoingWebhook) -> Outgoing {
    let signature = format!(
        "sha256={}",
        hmac_hex(&config.xtopay_webhook_secret, hook.body.as_bytes())
    );
    Outgoing {
        url: config.xtopay_webhook_url.clone(),
        headers: vec![
            ("x-xtopay-signature", signature),
            ("x-xtopay-event-id", hook.event_id.clone()),
        ],
        body: hook.body,
        log_as: Some(("xtopay_callback_sent", Some(hook.event_id))),
        delivery_id: None,
    }
}

impl Simulator for XtopaySim {
    fn name(&self) -> &'static str {
        "xtopay"
    }

    fn prefix(&self) -> &'static str {
        "/xtopay"
    }

    fn handle(&mut self, config: &Config, req: &SimRequest, now_ms: i64) -> Handled {
        XtopaySim::handle(self, &config.xtopay, req, now_ms).into()
    }

    fn prompts(&self) -> Vec<Prompt> {
        XtopaySim::prompts(self)
    }

    fn answer(
        &mut self,
        config: &Config,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Vec<Outgoing>, String> {
        let hook = XtopaySim::answer(self, id, approve, now_ms)?;
        Ok(hook.into_iter().map(|h| signed(config, h)).collect())
    }

    fn charges_of(&self, phone: &str, _now_ms: i64) -> usize {
        XtopaySim::charges_of(self, phone)
    }

    fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        XtopaySim::log(self, phone)
    }

    fn requests_answered(&self) -> u64 {
        self.log.total()
    }

    fn next_due_ms(&self) -> Option<i64> {
        XtopaySim::next_due_ms(self)
    }

    fn take_due(&mut self, config: &Config, now_ms: i64) -> Vec<Outgoing> {
        XtopaySim::take_due(self, now_ms)
            .into_iter()
            .map(|h| signed(config, h))
            .collect()
    }
}
