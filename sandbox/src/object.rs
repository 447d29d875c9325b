//! The sandbox's one Durable Object: it holds the simulated providers and the demo shop's
//! received events (in memory, written behind: [`crate::memory`]), answers in order, and
//! sends the simulators' webhooks on an alarm.
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
use crate::little::{LittleSim, SignedCallback};
use crate::memory::{Slot, FLUSH_MS};
use crate::shop::ReceivedEvent;
use crate::signing::hmac_hex;
use crate::sim::{OutgoingWebhook, SimRequest, SimResponse, RETRY_AFTER_FIELD};
use crate::xtopay::XtopaySim;

const SIM_KEY: &str = "crisscross";
const HONEY_KEY: &str = "honeycoin";
const XTOPAY_KEY: &str = "xtopay";
const LITTLE_KEY: &str = "little";
const DOLLR_KEY: &str = "dollr";
/// How long a long-polled Little status read is held at most (well below the edge's 10 s
/// timeout, which a busy sandbox must not push the answer past).
const LONG_POLL_MS: i64 = 5_000;
/// The path prefix of simulated HoneyCoin's API (its sandbox base URL's path).
pub const HONEY_API_PREFIX: &str = "/honeycoin/api/sandbox/b2b";
const SHOP_KEY: &str = "shop";
/// How many of the next merchant deliveries the shop answers 503.
const SHOP_FAILURES_KEY: &str = "shop-failures";
/// The header CrissCross webhooks are signed in.
pub const SIGNATURE_HEADER: &str = "X-CrissCross-Signature";

/// A person's answer on the handset or redirect page.
#[derive(Debug, Serialize, Deserialize)]
pub struct Answer {
    /// `crisscross` or `honeycoin`.
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

/// The simulators and the shop's received events, in memory (see [`crate::memory`]).
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

impl DurableObject for SandboxObject {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            memory: Memory {
                crisscross: Slot::new(SIM_KEY),
                honey: Slot::new(HONEY_KEY),
                xtopay: Slot::new(XTOPAY_KEY),
                little: Slot::new(LITTLE_KEY),
                dollr: Slot::new(DOLLR_KEY),
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
        if let Some(api_path) = path.strip_prefix(HONEY_API_PREFIX) {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let origin = param("origin").unwrap_or_default();
            let resp = self
                .update(&m.honey, |h| {
                    h.handle(&config.honeycoin, &sim_req, &origin, now_ms())
                })
                .await?;
            self.send_honey_webhooks(&config).await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path.strip_prefix("/little") {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let origin = param("origin").unwrap_or_default();
            let long_poll =
                req.method() == Method::Get && param("longPoll").as_deref() == Some("true");
            let key = api_path.rsplit('/').next().unwrap_or_default().to_string();
            // Long polling: hold the read while the payment is pending, up to LONG_POLL_MS.
            let until = now_ms() + LONG_POLL_MS;
            while long_poll
                && self.read(&m.little, |l| l.is_pending(&key)).await?
                && now_ms() < until
            {
                worker::Delay::from(std::time::Duration::from_millis(250)).await;
                self.settle_little(&config).await?;
            }
            let resp = self
                .update(&m.little, |l| {
                    l.handle(&config.little, &sim_req, &origin, now_ms())
                })
                .await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path
            .strip_prefix("/dollr/")
            .map(|_| &path["/dollr".len()..])
        {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let resp = self
                .update(&m.dollr, |d| d.handle(&config.dollr, &sim_req, now_ms()))
                .await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path.strip_prefix("/xtopay") {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let resp = self
                .update(&m.xtopay, |x| x.handle(&config.xtopay, &sim_req, now_ms()))
                .await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path.strip_prefix("/crisscross") {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let (resp, delay) = self
                .update(&m.crisscross, |sim| {
                    let resp = sim.handle(&config.crisscross, &sim_req, now_ms());
                    (resp, sim.answer_delay_ms(&sim_req))
                })
                .await?;
            let mut out = json_reply(resp)?;
            if let Some(ms) = delay {
                out.headers_mut().set(DELAY_HEADER, &ms.to_string())?;
            }
            return Ok(out);
        }
        match (req.method(), path.as_str()) {
            (Method::Get, "/prompts") => {
                let mut prompts = self.read(&m.crisscross, CrissCrossSim::prompts).await?;
                prompts.extend(self.read(&m.honey, HoneySim::prompts).await?);
                prompts.extend(self.read(&m.xtopay, XtopaySim::prompts).await?);
                prompts.extend(self.read(&m.little, LittleSim::prompts).await?);
                prompts.extend(self.read(&m.dollr, DollrSim::prompts).await?);
                Response::from_json(&prompts)
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
            (Method::Post, "/revoke-dollr-tokens") => {
                self.update(&m.dollr, DollrSim::revoke_tokens).await?;
                Response::from_json(&serde_json::json!({"revoked": true}))
            }
            (Method::Post, "/answer") => {
                let answer: Answer = req.json().await?;
                let id = answer.transaction_id.as_str();
                let now = now_ms();
                let result = match answer.provider.as_deref() {
                    Some("dollr") => {
                        self.update(&m.dollr, |d| d.answer(id, answer.approve, now))
                            .await?
                    }
                    Some("little") => {
                        let callback = self
                            .update(&m.little, |l| {
                                l.answer(&config.little, id, answer.approve, now)
                            })
                            .await?;
                        match callback {
                            Ok(Some(cb)) => {
                                send_little_callback(&cb).await;
                                Ok(())
                            }
                            Ok(None) => Ok(()),
                            Err(e) => Err(e),
                        }
                    }
                    Some("xtopay") => {
                        match self
                            .update(&m.xtopay, |x| x.answer(id, answer.approve, now))
                            .await?
                        {
                            Ok(Some(hook)) => {
                                send_xtopay_callback(&config, &hook).await;
                                Ok(())
                            }
                            Ok(None) => Ok(()),
                            Err(e) => Err(e),
                        }
                    }
                    Some("honeycoin") => {
                        let result = self
                            .update(&m.honey, |h| h.answer(id, answer.approve, now))
                            .await?;
                        self.send_honey_webhooks(&config).await?;
                        result
                    }
                    _ => match self
                        .update(&m.crisscross, |sim| sim.answer(id, answer.approve, now))
                        .await?
                    {
                        Ok(Some(hook)) => {
                            send_webhook(&config, &hook).await;
                            Ok(())
                        }
                        Ok(None) => Ok(()),
                        Err(e) => Err(e),
                    },
                };
                match result {
                    Ok(()) => Response::from_json(&serde_json::json!({"answered": true})),
                    Err(e) => {
                        Ok(Response::from_json(&serde_json::json!({"error": e}))?.with_status(409))
                    }
                }
            }
            (Method::Get, "/log") => {
                let phone = param("phone");
                let phone = phone.as_deref();
                let mut log = Vec::new();
                let provider = param("provider");
                let wants = |name: &str| provider.as_deref().is_none_or(|p| p == name);
                if wants("crisscross") {
                    log.extend(self.read(&m.crisscross, |s| s.log(phone)).await?);
                }
                if wants("honeycoin") {
                    log.extend(self.read(&m.honey, |s| s.log(phone)).await?);
                }
                if wants("xtopay") {
                    log.extend(self.read(&m.xtopay, |s| s.log(phone)).await?);
                }
                if wants("little") {
                    log.extend(self.read(&m.little, |s| s.log(phone)).await?);
                }
                if wants("dollr") {
                    log.extend(self.read(&m.dollr, |s| s.log(phone)).await?);
                }
                Response::from_json(&log)
            }
            (Method::Get, "/charges") => {
                let phone = param("phone").unwrap_or_default();
                let charges = self.read(&m.crisscross, |s| s.charges_of(&phone)).await?
                    + self.read(&m.honey, |s| s.charges_of(&phone)).await?
                    + self.read(&m.xtopay, |s| s.charges_of(&phone)).await?
                    + self.read(&m.little, |s| s.charges_of(&phone)).await?
                    + self
                        .update(&m.dollr, |s| s.charges_of(&phone, now_ms()))
                        .await?;
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
        let m = &self.memory;
        let hooks = self
            .update(&m.crisscross, |sim| sim.take_due(now_ms()))
            .await?;
        for hook in &hooks {
            send_webhook(&config, hook).await;
        }
        self.update(&m.honey, |h| h.advance(now_ms())).await?;
        self.send_honey_webhooks(&config).await?;
        let callbacks = self.update(&m.xtopay, |x| x.take_due(now_ms())).await?;
        for hook in &callbacks {
            send_xtopay_callback(&config, hook).await;
        }
        self.settle_little(&config).await?;
        self.flush().await?;
        self.schedule().await?;
        Response::empty()
    }
}

impl SandboxObject {
    /// Reads one simulator (or the shop's events).
    async fn read<T, R>(&self, slot: &Slot<T>, f: impl FnOnce(&T) -> R) -> worker::Result<R>
    where
        T: Clone + Default + Serialize + serde::de::DeserializeOwned,
    {
        slot.read(&self.state.storage(), f).await
    }

    /// Changes one simulator (or the shop's events), then sets the alarm for whatever is due
    /// first: a simulator's next step, or writing this change within a second.
    async fn update<T, R>(&self, slot: &Slot<T>, f: impl FnOnce(&mut T) -> R) -> worker::Result<R>
    where
        T: Clone + Default + Serialize + serde::de::DeserializeOwned,
    {
        let out = slot.update(&self.state.storage(), f).await?;
        if self.memory.flush_at.get().is_none() {
            self.memory.flush_at.set(Some(now_ms() + FLUSH_MS));
        }
        self.schedule().await?;
        Ok(out)
    }

    /// Writes every changed value to storage.
    async fn flush(&self) -> worker::Result<()> {
        let m = &self.memory;
        m.flush_at.set(None);
        let storage = self.state.storage();
        m.crisscross.flush(&storage).await?;
        m.honey.flush(&storage).await?;
        m.xtopay.flush(&storage).await?;
        m.little.flush(&storage).await?;
        m.dollr.flush(&storage).await?;
        m.shop.flush(&storage).await
    }

    /// Settles Little intents that are due and sends their signed callbacks.
    async fn settle_little(&self, config: &Config) -> worker::Result<()> {
        let m = &self.memory;
        // Settling changes state even when no callback goes out (…30).
        if self
            .read(&m.little, |l| {
                l.next_due_ms().is_none_or(|at| at > now_ms())
            })
            .await?
        {
            return Ok(());
        }
        let callbacks = self
            .update(&m.little, |l| l.take_due(&config.little, now_ms()))
            .await?;
        for cb in &callbacks {
            send_little_callback(cb).await;
        }
        Ok(())
    }

    /// Sets the alarm for whichever is due first: a simulator's next step or a write.
    async fn schedule(&self) -> worker::Result<()> {
        let m = &self.memory;
        let next = [
            self.read(&m.crisscross, CrissCrossSim::next_due_ms).await?,
            self.read(&m.honey, HoneySim::next_due_ms).await?,
            self.read(&m.xtopay, XtopaySim::next_due_ms).await?,
            self.read(&m.little, LittleSim::next_due_ms).await?,
            m.flush_at.get(),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(at) = next {
            self.state
                .storage()
                .set_alarm((at - now_ms()).max(0))
                .await?;
        }
        Ok(())
    }

    /// Sends HoneyCoin's due webhooks and records each outcome (non-2xx is retried).
    async fn send_honey_webhooks(&self, config: &Config) -> worker::Result<()> {
        let m = &self.memory;
        if self
            .read(&m.honey, |h| h.next_due_ms().is_none_or(|at| at > now_ms()))
            .await?
        {
            return Ok(());
        }
        let due = self
            .update(&m.honey, |h| h.take_deliveries(now_ms()))
            .await?;
        let mut outcomes = Vec::with_capacity(due.len());
        for d in &due {
            let ok = post(
                &config.honeycoin_webhook_url,
                &[(
                    crate::honeycoin::SIGNATURE_HEADER,
                    config.honeycoin_webhook_secret.as_str(),
                )],
                &d.body,
            )
            .await
            .is_some_and(|s| (200..300).contains(&s));
            outcomes.push((d.id.clone(), ok));
        }
        if !outcomes.is_empty() {
            self.update(&m.honey, |h| {
                for (id, ok) in outcomes {
                    h.delivered(&id, ok, now_ms());
                }
            })
            .await?;
        }
        Ok(())
    }
}

/// Posts a simulator webhook to the edge, signed as CrissCross signs them.
async fn send_webhook(config: &Config, hook: &OutgoingWebhook) {
    let signature = hmac_hex(&config.crisscross_webhook_secret, hook.body.as_bytes());
    let status = post(
        &config.crisscross_webhook_url,
        &[(SIGNATURE_HEADER, signature.as_str())],
        &hook.body,
    )
    .await;
    worker::console_log!(
        "{}",
        serde_json::json!({"event": "crisscross_webhook_sent", "id": hook.event_id, "status": status})
    );
}

/// Posts an Xtopay callback, signed `sha256=<hex HMAC>` with its event id.
async fn send_xtopay_callback(config: &Config, hook: &OutgoingWebhook) {
    let signature = format!(
        "sha256={}",
        hmac_hex(&config.xtopay_webhook_secret, hook.body.as_bytes())
    );
    let status = post(
        &config.xtopay_webhook_url,
        &[
            ("x-xtopay-signature", signature.as_str()),
            ("x-xtopay-event-id", hook.event_id.as_str()),
        ],
        &hook.body,
    )
    .await;
    worker::console_log!(
        "{}",
        serde_json::json!({"event": "xtopay_callback_sent", "id": hook.event_id, "status": status})
    );
}

/// Posts a Little callback with its RSA signature headers.
async fn send_little_callback(cb: &SignedCallback) {
    let status = post(
        &cb.url,
        &[
            ("X-LittlePay-Signature", cb.signature.as_str()),
            ("X-LittlePay-Timestamp", cb.timestamp.as_str()),
        ],
        &cb.body,
    )
    .await;
    worker::console_log!(
        "{}",
        serde_json::json!({"event": "little_callback_sent", "status": status})
    );
}

/// POSTs a JSON body with extra headers; the status, if an answer came.
async fn post(url: &str, extra: &[(&str, &str)], body: &str) -> Option<u16> {
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
