//! The sandbox's one Durable Object: it holds the simulated providers and the demo shop's
//! received events (in memory, written behind: [`crate::memory`]), answers in order, and
//! sends the simulators' webhooks on an alarm.
//!
//! The object knows no provider by heart: it drives the registered simulators through the
//! [`Simulator`] trait. One loop routes a request by prefix to its simulator; `/prompts`,
//! `/answer`, `/charges`, `/log`, `/request-counts`, the alarm's timed work and the writes go
//! over all of them. Only the test controls and operator pages that one provider has
//! (`/stepup-info`, `/redirect-info`, `/expire-crisscross-sessions`, `/revoke-dollr-tokens`,
//! `/dollr-burst-limit`) reach a simulator by its own type.
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use worker::{
    durable_object, DurableObject, Env, Fetch, Headers, Method, Request, RequestInit, Response,
    State,
};

use crate::config::Config;
use crate::crisscross::CrissCrossSim;
use crate::dollr::DollrSim;
use crate::honeycoin::HoneySim;
use crate::little::LittleSim;
use crate::memory::{SimSlot, Slot, FLUSH_MS};
use crate::shop::ReceivedEvent;
use crate::sim::{api_path, Outgoing, SimRequest, SimResponse, Simulator, RETRY_AFTER_FIELD};
use crate::xtopay::XtopaySim;

/// How long a held request (a Little long poll) is held at most (well below the edge's 10 s
/// timeout, which a busy sandbox must not push the answer past).
const LONG_POLL_MS: i64 = 5_000;
/// How often a held request looks again.
const HOLD_STEP_MS: u64 = 250;
const SHOP_KEY: &str = "shop";
/// How many of the next merchant deliveries the shop answers 503.
const SHOP_FAILURES_KEY: &str = "shop-failures";
/// The storage key of the SMS gateway's messages.
const SMS_KEY: &str = "sms";

/// A person's answer on the handset or redirect page.
#[derive(Debug, Serialize, Deserialize)]
pub struct Answer {
    /// The simulator's name ([`Simulator::name`]); CrissCross's prompts carry their operator
    /// code instead, so any other value (or none) is CrissCross's.
    #[serde(default)]
    pub provider: Option<String>,
    /// The transaction.
    pub transaction_id: String,
    /// Approve (`true`) or decline.
    pub approve: bool,
}

/// A request as a simulator sees it: `api_path` is the path after the provider's prefix,
/// header names lower-cased.
async fn sim_request(
    req: &mut Request,
    api_path: &str,
    query: &[(String, String)],
) -> worker::Result<SimRequest> {
    Ok(SimRequest {
        method: req.method().to_string(),
        path: api_path.to_string(),
        query: query.to_vec(),
        headers: req
            .headers()
            .entries()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
        body: req.text().await?,
    })
}

/// A simulator's answer as an HTTP response; a 429 whose body names `retry_after` (seconds)
/// carries it as `Retry-After`.
fn json_reply(resp: SimResponse) -> worker::Result<Response> {
    let retry_after = (resp.status == 429)
        .then(|| serde_json::from_str::<serde_json::Value>(&resp.body).ok())
        .flatten()
        .and_then(|v| v.get(RETRY_AFTER_FIELD).and_then(|s| s.as_u64()));
    let mut out = Response::ok(resp.body)?.with_status(resp.status);
    out.headers_mut().set("Content-Type", "application/json")?;
    if let Some(s) = retry_after {
        out.headers_mut().set("Retry-After", &s.to_string())?;
    }
    Ok(out)
}

/// The header with which the object asks the Worker to hold an answer (…31).
pub const DELAY_HEADER: &str = "X-Sandbox-Delay-Ms";

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// The sandbox's state.
#[durable_object]
pub struct SandboxObject {
    state: State,
    env: Env,
    memory: Memory,
}

/// The simulators and the shop's received events, in memory (see [`crate::memory`]), each
/// stored under its simulator's name.
struct Memory {
    crisscross: Slot<CrissCrossSim>,
    honey: Slot<HoneySim>,
    xtopay: Slot<XtopaySim>,
    little: Slot<LittleSim>,
    dollr: Slot<DollrSim>,
    shop: Slot<Vec<ReceivedEvent>>,
    /// When the oldest unwritten change must be written.
    flush_at: Cell<Option<i64>>,
}

impl Memory {
    /// The registered simulators, in the order their prompts, logs and timed work are
    /// taken; the first also answers prompts that name no simulator.
    fn simulators(&self) -> [&dyn SimSlot; 5] {
        [
            &self.crisscross,
            &self.honey,
            &self.xtopay,
            &self.little,
            &self.dollr,
        ]
    }
}

impl DurableObject for SandboxObject {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            memory: Memory {
                crisscross: Slot::new("crisscross"),
                honey: Slot::new("honeycoin"),
                xtopay: Slot::new("xtopay"),
                little: Slot::new("little"),
                dollr: Slot::new("dollr"),
                shop: Slot::new(SHOP_KEY),
                flush_at: Cell::new(None),
            },
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let config = Config::from_env(&self.env)?;
        let url = req.url()?;
        let path = url.path().to_string();
        let query: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let m = &self.memory;
        for sim in m.simulators() {
            let prefix = self.read_sim(sim, |s| s.prefix()).await?;
            if let Some(api_path) = api_path(prefix, &path) {
                let sim_req = sim_request(&mut req, api_path, &query).await?;
                return self.serve(&config, sim, &sim_req).await;
            }
        }
        match (req.method(), path.as_str()) {
            (Method::Get, "/prompts") => {
                let mut prompts = Vec::new();
                for sim in m.simulators() {
                    prompts.extend(self.read_sim(sim, |s| s.prompts()).await?);
                }
                Response::from_json(&prompts)
            }
            (Method::Post, "/sms/send") => {
                let key = self
                    .env
                    .var("SMS_GATEWAY_KEY")
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let authorization = req.headers().get("Authorization")?;
                let body = req.text().await?;
                match crate::sms::accept(authorization.as_deref(), &key, &body, now_ms()) {
                    Ok(sms) => {
                        let mut kept: Vec<crate::sms::Sms> =
                            self.state.storage().get(SMS_KEY).await?.unwrap_or_default();
                        crate::sms::keep(&mut kept, sms);
                        self.state.storage().put(SMS_KEY, &kept).await?;
                        Response::from_json(&serde_json::json!({"sent": true}))
                    }
                    Err((status, error)) => {
                        Ok(Response::from_json(&serde_json::json!({ "error": error }))?
                            .with_status(status))
                    }
                }
            }
            (Method::Get, "/sms") => {
                let to = param("to");
                let kept: Vec<crate::sms::Sms> =
                    self.state.storage().get(SMS_KEY).await?.unwrap_or_default();
                let shown: Vec<&crate::sms::Sms> = kept
                    .iter()
                    .rev()
                    .filter(|s| to.as_ref().is_none_or(|t| &s.to == t))
                    .collect();
                Response::from_json(&shown)
            }
            (Method::Get, "/stepup-info") => {
                let id = param("id").unwrap_or_default();
                Response::from_json(&self.read(&m.little, |l| l.step_up_info(&id)).await?)
            }
            (Method::Get, "/redirect-info") => {
                let id = param("id").unwrap_or_default();
                Response::from_json(&self.read(&m.honey, |h| h.redirect_info(&id)).await?)
            }
            (Method::Post, "/expire-crisscross-sessions") => {
                let reference = param("reference").unwrap_or_default();
                let now = now_ms();
                let ended = self
                    .update(&m.crisscross, |s| s.expire_sessions(&reference, now))
                    .await?;
                Response::from_json(&serde_json::json!({"expired": ended}))
            }
            (Method::Post, "/dollr-burst-limit") => {
                // A number sets the requests per second Dollr answers before 429; anything
                // else puts back the configured one.
                let limit = req.text().await?.trim().parse::<usize>().ok();
                let now = self
                    .update(&m.dollr, |d| d.set_burst_limit(limit, &config.dollr))
                    .await?;
                Response::from_json(&serde_json::json!({"burst_limit": now}))
            }
            (Method::Get, "/request-counts") => {
                let mut counts = serde_json::Map::new();
                for sim in m.simulators() {
                    let (name, n) = self
                        .read_sim(sim, |s| (s.name(), s.requests_answered()))
                        .await?;
                    counts.insert(name.to_string(), n.into());
                }
                Response::from_json(&counts)
            }
            (Method::Post, "/revoke-dollr-tokens") => {
                self.update(&m.dollr, DollrSim::revoke_tokens).await?;
                Response::from_json(&serde_json::json!({"revoked": true}))
            }
            (Method::Post, "/answer") => {
                let answer: Answer = req.json().await?;
                let now = now_ms();
                let sim = self.simulator_named(answer.provider.as_deref()).await?;
                let id = answer.transaction_id.as_str();
                let result = self
                    .update_sim(sim, |s| s.answer(&config, id, answer.approve, now))
                    .await?;
                match result {
                    Ok(outgoing) => {
                        self.send(sim, outgoing).await?;
                        Response::from_json(&serde_json::json!({"answered": true}))
                    }
                    Err(e) => {
                        Ok(Response::from_json(&serde_json::json!({"error": e}))?.with_status(409))
                    }
                }
            }
            (Method::Get, "/log") => {
                let phone = param("phone");
                let phone = phone.as_deref();
                let provider = param("provider");
                let mut log = Vec::new();
                for sim in m.simulators() {
                    log.extend(
                        self.read_sim(sim, |s| {
                            let wanted = provider.as_deref().is_none_or(|p| p == s.name());
                            if wanted {
                                s.log(phone)
                            } else {
                                Vec::new()
                            }
                        })
                        .await?,
                    );
                }
                Response::from_json(&log)
            }
            (Method::Get, "/charges") => {
                let phone = param("phone").unwrap_or_default();
                let mut charges = 0;
                for sim in m.simulators() {
                    charges += self
                        .read_sim(sim, |s| s.charges_of(&phone, now_ms()))
                        .await?;
                }
                Response::from_json(&serde_json::json!({"phone": phone, "charges": charges}))
            }
            (Method::Post, "/shop/fail-next") => {
                let count: u32 = req.json().await?;
                self.state.storage().put(SHOP_FAILURES_KEY, count).await?;
                Response::from_json(&serde_json::json!({"failing_next": count}))
            }
            (Method::Post, "/shop/take-failure") => {
                let left = self
                    .state
                    .storage()
                    .get::<u32>(SHOP_FAILURES_KEY)
                    .await?
                    .unwrap_or(0);
                if left > 0 {
                    self.state
                        .storage()
                        .put(SHOP_FAILURES_KEY, left - 1)
                        .await?;
                }
                Response::from_json(&(left > 0))
            }
            (Method::Post, "/shop/events") => {
                let event: ReceivedEvent = req.json().await?;
                self.update(&m.shop, |events| {
                    if !events
                        .iter()
                        .any(|e| e.event_id == event.event_id && e.verified)
                    {
                        events.push(event);
                    }
                })
                .await?;
                Response::from_json(&serde_json::json!({"stored": true}))
            }
            (Method::Get, "/shop/events") => {
                let checkout = param("checkout");
                let events: Vec<ReceivedEvent> = self
                    .read(&m.shop, |events| {
                        events
                            .iter()
                            .filter(|e| checkout.as_ref().is_none_or(|c| &e.checkout_id == c))
                            .cloned()
                            .collect()
                    })
                    .await?;
                Response::from_json(&events)
            }
            _ => Response::error("no such sandbox operation", 404),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let config = Config::from_env(&self.env)?;
        for sim in self.memory.simulators() {
            self.run_due(&config, sim).await?;
        }
        self.flush().await?;
        self.schedule().await?;
        Response::empty()
    }
}

impl SandboxObject {
    /// Answers one request to a simulator's API: held while the simulator holds it (doing
    /// its timed work meanwhile), then handled; what it asks to post is posted before the
    /// answer is given, and an answer it delays carries [`DELAY_HEADER`].
    async fn serve(
        &self,
        config: &Config,
        sim: &dyn SimSlot,
        sim_req: &SimRequest,
    ) -> worker::Result<Response> {
        let until = now_ms() + LONG_POLL_MS;
        while self.read_sim(sim, |s| s.holds(sim_req)).await? && now_ms() < until {
            worker::Delay::from(std::time::Duration::from_millis(HOLD_STEP_MS)).await;
            self.run_due(config, sim).await?;
        }
        let handled = self
            .update_sim(sim, |s| s.handle(config, sim_req, now_ms()))
            .await?;
        self.send(sim, handled.outgoing).await?;
        let mut out = json_reply(handled.response)?;
        if let Some(ms) = handled.delay_ms {
            out.headers_mut().set(DELAY_HEADER, &ms.to_string())?;
        }
        Ok(out)
    }

    /// The simulator named `name`; the first registered (CrissCross) for any other.
    async fn simulator_named(&self, name: Option<&str>) -> worker::Result<&dyn SimSlot> {
        let sims = self.memory.simulators();
        for sim in sims {
            if self.read_sim(sim, |s| Some(s.name()) == name).await? {
                return Ok(sim);
            }
        }
        Ok(sims[0])
    }

    /// Reads the shop's events or one simulator by its own type.
    async fn read<T, R>(&self, slot: &Slot<T>, f: impl FnOnce(&T) -> R) -> worker::Result<R>
    where
        T: Clone + Default + Serialize + serde::de::DeserializeOwned,
    {
        slot.read(&self.state.storage(), f).await
    }

    /// Changes the shop's events or one simulator by its own type, then sets the alarm for
    /// whatever is due first: a simulator's next step, or writing this change within a second.
    async fn update<T, R>(&self, slot: &Slot<T>, f: impl FnOnce(&mut T) -> R) -> worker::Result<R>
    where
        T: Clone + Default + Serialize + serde::de::DeserializeOwned,
    {
        let out = slot.update(&self.state.storage(), f).await?;
        self.changed().await?;
        Ok(out)
    }

    /// Reads a registered simulator.
    async fn read_sim<R>(
        &self,
        sim: &dyn SimSlot,
        f: impl FnOnce(&dyn Simulator) -> R,
    ) -> worker::Result<R> {
        let storage = self.state.storage();
        let mut out = None;
        sim.read_sim(&storage, Box::new(|s| out = Some(f(s))))
            .await?;
        out.ok_or_else(|| worker::Error::RustError("a simulator was not read".into()))
    }

    /// Changes a registered simulator, then sets the alarm as [`SandboxObject::update`] does.
    async fn update_sim<R>(
        &self,
        sim: &dyn SimSlot,
        f: impl FnOnce(&mut dyn Simulator) -> R,
    ) -> worker::Result<R> {
        let storage = self.state.storage();
        let mut out = None;
        sim.update_sim(&storage, Box::new(|s| out = Some(f(s))))
            .await?;
        self.changed().await?;
        out.ok_or_else(|| worker::Error::RustError("a simulator was not changed".into()))
    }

    /// After a change: it is written within [`FLUSH_MS`], and the alarm is set again.
    async fn changed(&self) -> worker::Result<()> {
        if self.memory.flush_at.get().is_none() {
            self.memory.flush_at.set(Some(now_ms() + FLUSH_MS));
        }
        self.schedule().await
    }

    /// Writes every changed value to storage.
    async fn flush(&self) -> worker::Result<()> {
        let m = &self.memory;
        m.flush_at.set(None);
        let storage = self.state.storage();
        for sim in m.simulators() {
            sim.flush_sim(&storage).await?;
        }
        m.shop.flush(&storage).await
    }

    /// Does a simulator's timed work if some is due, and posts what it asks.
    async fn run_due(&self, config: &Config, sim: &dyn SimSlot) -> worker::Result<()> {
        // Checked first, so that a simulator with nothing due is not marked changed.
        if self
            .read_sim(sim, |s| s.next_due_ms().is_none_or(|at| at > now_ms()))
            .await?
        {
            return Ok(());
        }
        let outgoing = self
            .update_sim(sim, |s| s.take_due(config, now_ms()))
            .await?;
        self.send(sim, outgoing).await
    }

    /// Sets the alarm for whichever is due first: a simulator's next step or a write.
    async fn schedule(&self) -> worker::Result<()> {
        let m = &self.memory;
        let mut next = m.flush_at.get();
        for sim in m.simulators() {
            if let Some(at) = self.read_sim(sim, |s| s.next_due_ms()).await? {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        if let Some(at) = next {
            self.state
                .storage()
                .set_alarm((at - now_ms()).max(0))
                .await?;
        }
        Ok(())
    }

    /// Posts what a simulator asked, one after the other, and logs each as it asked; the
    /// outcomes of its tracked deliveries go back to it (a non-2xx is retried).
    async fn send(&self, sim: &dyn SimSlot, outgoing: Vec<Outgoing>) -> worker::Result<()> {
        let mut outcomes = Vec::new();
        for o in &outgoing {
            let status = post(&o.url, &o.headers, &o.body).await;
            match &o.log_as {
                Some((event, Some(id))) => worker::console_log!(
                    "{}",
                    serde_json::json!({"event": event, "id": id, "status": status})
                ),
                Some((event, None)) => worker::console_log!(
                    "{}",
                    serde_json::json!({"event": event, "status": status})
                ),
                None => {}
            }
            if let Some(id) = &o.delivery_id {
                outcomes.push((id.clone(), status.is_some_and(|s| (200..300).contains(&s))));
            }
        }
        if !outcomes.is_empty() {
            self.update_sim(sim, |s| {
                for (id, ok) in outcomes {
                    s.delivered(&id, ok, now_ms());
                }
            })
            .await?;
        }
        Ok(())
    }
}

/// POSTs a JSON body with extra headers; the status, if an answer came.
async fn post(url: &str, extra: &[(&str, String)], body: &str) -> Option<u16> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json").ok()?;
    for (k, v) in extra {
        headers.set(k, v).ok()?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let req = Request::new_with_init(url, &init).ok()?;
    Fetch::Request(req)
        .send()
        .await
        .ok()
        .map(|r| r.status_code())
}
