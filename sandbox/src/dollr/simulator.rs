//! How the sandbox object drives simulated Dollr: its [`Simulator`] implementation.
//!
//! Dollr sends nothing (no webhooks, no callbacks) and moves its executions along with time
//! on every request, answer and ledger read ([`DollrSim::advance`]), so it has no timed work
//! for the object's alarm: [`Simulator::next_due_ms`] is always `None`.

use crate::config::Config;
use crate::log::LogEntry;
use crate::sim::{Handled, Outgoing, Prompt, SimRequest, Simulator};

use super::DollrSim;

impl Simulator for DollrSim {
    fn name(&self) -> &'static str {
        "dollr"
    }

    fn prefix(&self) -> &'static str {
        "/dollr"
    }

    fn handle(&mut self, config: &Config, req: &SimRequest, now_ms: i64) -> Handled {
        DollrSim::handle(self, &config.dollr, req, now_ms).into()
    }

    fn prompts(&self) -> Vec<Prompt> {
        DollrSim::prompts(self)
    }

    fn answer(
        &mut self,
        _config: &Config,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Vec<Outgoing>, String> {
        DollrSim::answer(self, id, approve, now_ms).map(|()| Vec::new())
    }

    fn charges_of(&self, phone: &str, now_ms: i64) -> usize {
        DollrSim::charges_of(self, phone, now_ms)
    }

    fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        DollrSim::log(self, phone)
    }

    fn requests_answered(&self) -> u64 {
        self.log.total()
    }

    fn next_due_ms(&self) -> Option<i64> {
        None
    }

    fn take_due(&mut self, _config: &Config, _now_ms: i64) -> Vec<Outgoing> {
        Vec::new()
    }
}
