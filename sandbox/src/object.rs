//! The sandbox's one Durable Object: it stores the simulated provider and the demo shop's
//! received events, answers in order, and sends the simulator's webhooks on an alarm.
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use serde::{Deserialize, Serialize};
use worker::{
    durable_object, DurableObject, Env, Fetch, Headers, Method, Request, RequestInit, Response,
    State,
};

use crate::config::Config;
use crate::crisscross::{OutgoingWebhook, Sim, SimRequest};
use crate::dollr::DollrSim;
use crate::honeycoin::HoneySim;
use crate::little::{LittleSim, SignedCallback};
use crate::shop::ReceivedEvent;
use crate::signing::hmac_hex;
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
fn json_reply(resp: crate::crisscross::SimResponse) -> worker::Result<Response> {
    let retry_after = (resp.status == 429)
        .then(|| serde_json::from_str::<serde_json::Value>(&resp.body).ok())
        .flatten()
        .and_then(|v| {
            v.get(crate::dollr::RETRY_AFTER_FIELD)
                .and_then(|s| s.as_u64())
        });
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
}

impl DurableObject for SandboxObject {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
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
        if let Some(api_path) = path.strip_prefix(HONEY_API_PREFIX) {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let origin = param("origin").unwrap_or_default();
            let mut honey = self.honey().await?;
            let resp = honey.handle(&config.honeycoin, &sim_req, &origin, now_ms());
            self.save_honey(&honey).await?;
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
            while long_poll && self.little().await?.is_pending(&key) && now_ms() < until {
                worker::Delay::from(std::time::Duration::from_millis(250)).await;
                self.settle_little(&config).await?;
            }
            let mut little = self.little().await?;
            let resp = little.handle(&config.little, &sim_req, &origin, now_ms());
            self.save_little(&little).await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path
            .strip_prefix("/dollr/")
            .map(|_| &path["/dollr".len()..])
        {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let mut dollr = self.dollr().await?;
            let resp = dollr.handle(&config.dollr, &sim_req, now_ms());
            self.state.storage().put(DOLLR_KEY, &dollr).await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path.strip_prefix("/xtopay") {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let mut xt = self.xtopay().await?;
            let resp = xt.handle(&config.xtopay, &sim_req, now_ms());
            self.save_xtopay(&xt).await?;
            return json_reply(resp);
        }
        if let Some(api_path) = path.strip_prefix("/crisscross") {
            let sim_req = sim_request(&mut req, api_path, &query).await?;
            let mut sim = self.sim().await?;
            let resp = sim.handle(&config.sim, &sim_req, now_ms());
            let delay = sim.answer_delay_ms(&sim_req);
            self.save_sim(&sim).await?;
            let mut out = json_reply(resp)?;
            if let Some(ms) = delay {
                out.headers_mut().set(DELAY_HEADER, &ms.to_string())?;
            }
            return Ok(out);
        }
        match (req.method(), path.as_str()) {
            (Method::Get, "/prompts") => {
                let mut prompts = self.sim().await?.prompts();
                prompts.extend(self.honey().await?.prompts());
                prompts.extend(self.xtopay().await?.prompts());
                prompts.extend(self.little().await?.prompts());
                prompts.extend(self.dollr().await?.prompts());
                Response::from_json(&prompts)
            }
            (Method::Get, "/stepup-info") => {
                let id = param("id").unwrap_or_default();
                Response::from_json(&self.little().await?.step_up_info(&id))
            }
            (Method::Get, "/redirect-info") => {
                let id = param("id").unwrap_or_default();
                Response::from_json(&self.honey().await?.redirect_info(&id))
            }
            (Method::Post, "/revoke-dollr-tokens") => {
                let mut dollr = self.dollr().await?;
                dollr.revoke_tokens();
                self.state.storage().put(DOLLR_KEY, &dollr).await?;
                Response::from_json(&serde_json::json!({"revoked": true}))
            }
            (Method::Post, "/answer") => {
                let answer: Answer = req.json().await?;
                if answer.provider.as_deref() == Some("dollr") {
                    let mut dollr = self.dollr().await?;
                    let result = dollr.answer(&answer.transaction_id, answer.approve, now_ms());
                    self.state.storage().put(DOLLR_KEY, &dollr).await?;
                    return match result {
                        Ok(()) => Response::from_json(&serde_json::json!({"answered": true})),
                        Err(e) => {
                            Ok(Response::from_json(&serde_json::json!({"error": e}))?
                                .with_status(409))
                        }
                    };
                }
                if answer.provider.as_deref() == Some("little") {
                    let mut little = self.little().await?;
                    let result = little.answer(
                        &config.little,
                        &answer.transaction_id,
                        answer.approve,
                        now_ms(),
                    );
                    self.save_little(&little).await?;
                    return match result {
                        Ok(callback) => {
                            if let Some(cb) = callback {
                                send_little_callback(&cb).await;
                            }
                            Response::from_json(&serde_json::json!({"answered": true}))
                        }
                        Err(e) => {
                            Ok(Response::from_json(&serde_json::json!({"error": e}))?
                                .with_status(409))
                        }
                    };
                }
                if answer.provider.as_deref() == Some("xtopay") {
                    let mut xt = self.xtopay().await?;
                    let result = xt.answer(&answer.transaction_id, answer.approve, now_ms());
                    self.save_xtopay(&xt).await?;
                    return match result {
                        Ok(hook) => {
                            if let Some(hook) = hook {
                                send_xtopay_callback(&config, &hook).await;
                            }
                            Response::from_json(&serde_json::json!({"answered": true}))
                        }
                        Err(e) => {
                            Ok(Response::from_json(&serde_json::json!({"error": e}))?
                                .with_status(409))
                        }
                    };
                }
                if answer.provider.as_deref() == Some("honeycoin") {
                    let mut honey = self.honey().await?;
                    let result = honey.answer(&answer.transaction_id, answer.approve, now_ms());
                    self.save_honey(&honey).await?;
                    self.send_honey_webhooks(&config).await?;
                    return match result {
                        Ok(()) => Response::from_json(&serde_json::json!({"answered": true})),
                        Err(e) => {
                            Ok(Response::from_json(&serde_json::json!({"error": e}))?
                                .with_status(409))
                        }
                    };
                }
                let mut sim = self.sim().await?;
                match sim.answer(&answer.transaction_id, answer.approve, now_ms()) {
                    Ok(hook) => {
                        self.save_sim(&sim).await?;
                        if let Some(hook) = hook {
                            send_webhook(&config, &hook).await;
                        }
                        Response::from_json(&serde_json::json!({"answered": true}))
                    }
                    Err(e) => {
                        Ok(Response::from_json(&serde_json::json!({"error": e}))?.with_status(409))
                    }
                }
            }
            (Method::Get, "/log") => {
                let phone = param("phone");
                let log = match param("provider").as_deref() {
                    Some("crisscross") => self.sim().await?.log(phone.as_deref()),
                    Some("honeycoin") => self.honey().await?.log(phone.as_deref()),
                    Some("xtopay") => self.xtopay().await?.log(phone.as_deref()),
                    Some("little") => self.little().await?.log(phone.as_deref()),
                    Some("dollr") => self.dollr().await?.log(phone.as_deref()),
                    _ => {
                        let mut all = self.sim().await?.log(phone.as_deref());
                        all.extend(self.honey().await?.log(phone.as_deref()));
                        all.extend(self.xtopay().await?.log(phone.as_deref()));
                        all.extend(self.little().await?.log(phone.as_deref()));
                        all.extend(self.dollr().await?.log(phone.as_deref()));
                        all
                    }
                };
                Response::from_json(&log)
            }
            (Method::Get, "/charges") => {
                let phone = param("phone").unwrap_or_default();
                let charges = self.sim().await?.charges_of(&phone)
                    + self.honey().await?.charges_of(&phone)
                    + self.xtopay().await?.charges_of(&phone)
                    + self.little().await?.charges_of(&phone)
                    + self.dollr().await?.charges_of(&phone, now_ms());
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
                let mut events = self.shop_events().await?;
                if !events
                    .iter()
                    .any(|e| e.event_id == event.event_id && e.verified)
                {
                    events.push(event);
                }
                self.state.storage().put(SHOP_KEY, &events).await?;
                Response::from_json(&serde_json::json!({"stored": true}))
            }
            (Method::Get, "/shop/events") => {
                let checkout = param("checkout");
                let events: Vec<ReceivedEvent> = self
                    .shop_events()
                    .await?
                    .into_iter()
                    .filter(|e| checkout.as_ref().is_none_or(|c| &e.checkout_id == c))
                    .collect();
                Response::from_json(&events)
            }
            _ => Response::error("no such sandbox operation", 404),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let config = Config::from_env(&self.env)?;
        let mut sim = self.sim().await?;
        let hooks = sim.take_due(now_ms());
        self.save_sim(&sim).await?;
        for hook in &hooks {
            send_webhook(&config, hook).await;
        }
        let mut honey = self.honey().await?;
        honey.advance(now_ms());
        self.save_honey(&honey).await?;
        self.send_honey_webhooks(&config).await?;
        let mut xt = self.xtopay().await?;
        let callbacks = xt.take_due(now_ms());
        self.save_xtopay(&xt).await?;
        for hook in &callbacks {
            send_xtopay_callback(&config, hook).await;
        }
        self.settle_little(&config).await?;
        Response::empty()
    }
}

impl SandboxObject {
    async fn sim(&self) -> worker::Result<Sim> {
        Ok(self
            .state
            .storage()
            .get::<Sim>(SIM_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn save_sim(&self, sim: &Sim) -> worker::Result<()> {
        self.state.storage().put(SIM_KEY, sim).await?;
        self.schedule().await
    }

    async fn honey(&self) -> worker::Result<HoneySim> {
        Ok(self
            .state
            .storage()
            .get::<HoneySim>(HONEY_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn save_honey(&self, honey: &HoneySim) -> worker::Result<()> {
        self.state.storage().put(HONEY_KEY, honey).await?;
        self.schedule().await
    }

    async fn little(&self) -> worker::Result<LittleSim> {
        Ok(self
            .state
            .storage()
            .get::<LittleSim>(LITTLE_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn save_little(&self, little: &LittleSim) -> worker::Result<()> {
        self.state.storage().put(LITTLE_KEY, little).await?;
        self.schedule().await
    }

    /// Settles Little intents that are due and sends their signed callbacks.
    async fn settle_little(&self, config: &Config) -> worker::Result<()> {
        let mut little = self.little().await?;
        // Settling changes state even when no callback goes out (…30): save whenever due.
        if little.next_due_ms().is_none_or(|at| at > now_ms()) {
            return Ok(());
        }
        let callbacks = little.take_due(&config.little, now_ms());
        self.save_little(&little).await?;
        for cb in &callbacks {
            send_little_callback(cb).await;
        }
        Ok(())
    }

    async fn dollr(&self) -> worker::Result<DollrSim> {
        Ok(self
            .state
            .storage()
            .get::<DollrSim>(DOLLR_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn xtopay(&self) -> worker::Result<XtopaySim> {
        Ok(self
            .state
            .storage()
            .get::<XtopaySim>(XTOPAY_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn save_xtopay(&self, xt: &XtopaySim) -> worker::Result<()> {
        self.state.storage().put(XTOPAY_KEY, xt).await?;
        self.schedule().await
    }

    /// Sets the alarm for whichever simulator is due first.
    async fn schedule(&self) -> worker::Result<()> {
        let next = [
            self.sim().await?.next_due_ms(),
            self.honey().await?.next_due_ms(),
            self.xtopay().await?.next_due_ms(),
            self.little().await?.next_due_ms(),
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
        let mut honey = self.honey().await?;
        let due = honey.take_deliveries(now_ms());
        if due.is_empty() {
            return Ok(());
        }
        self.save_honey(&honey).await?;
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
        let mut honey = self.honey().await?;
        for (id, ok) in outcomes {
            honey.delivered(&id, ok, now_ms());
        }
        self.save_honey(&honey).await
    }

    async fn shop_events(&self) -> worker::Result<Vec<ReceivedEvent>> {
        Ok(self
            .state
            .storage()
            .get::<Vec<ReceivedEvent>>(SHOP_KEY)
            .await?
            .unwrap_or_default())
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
