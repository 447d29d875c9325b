//! A Little Pay simulator, written from Little's guide and NOTES.md, independently of Lipa's
//! adapter: payment intents with the merchant's `key`, processing with MPESA / AIRTEL / MTN,
//! a step-up page for the redirect number, status by intent id or key (long-polled by the
//! Durable Object), and callbacks signed RSA-SHA256 with the sandbox's own key over
//! `timestamp + "." + JSON.stringify(payload)`. The body is sent pretty-printed, as a
//! JavaScript server might, so the receiver must rebuild the signed string rather than sign
//! the bytes.
//!
//! Where the guide is ambiguous the simulator can answer both ways. A status read by intent
//! id lists only the latest attempt ("the array will only contain one item if you use the
//! intentId"), by key every attempt, oldest first. For a payer number ending 34 the status
//! answer reads as the guide's example literally does: an empty `key`, and attempts newest
//! first. Long polls are held by the Durable Object (5 s at most), not here.

use std::collections::BTreeMap;

use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::ids::iso8601;
use crate::log::{LogEntry, RequestLog};
use crate::sim::numbers::{behaviour, Behaviour};
use crate::sim::{Prompt, SimRequest, SimResponse};

/// The simulator's account settings.
#[derive(Debug, Clone)]
pub struct LittleConfig {
    /// `base64(clientId:clientSecret)` the edge must send.
    pub basic: String,
    /// The `X-API-KEY` for status reads.
    pub api_key: String,
    /// The sandbox's private key (PKCS#8 PEM) that signs callbacks.
    pub private_key_pem: String,
    /// How long the simulated customer takes, ms.
    pub approve_delay_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Intent {
    id: String,
    key: String,
    amount: Value,
    currency: String,
    description: String,
    callback_url: String,
    status: String,
    provider: Option<String>,
    mobile: Option<String>,
    message: String,
    step_up_url: Option<String>,
    resolve_at_ms: Option<i64>,
    created_at_ms: i64,
    attempts: Vec<String>,
    send_callback: bool,
}

/// A callback to deliver: where, the exact body, and its signature headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCallback {
    /// The merchant's `callbackUrl`.
    pub url: String,
    /// The body as sent (pretty-printed).
    pub body: String,
    /// `X-LittlePay-Timestamp`.
    pub timestamp: String,
    /// `X-LittlePay-Signature` (base64).
    pub signature: String,
}

/// The whole simulated provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LittleSim {
    intents: BTreeMap<String, Intent>,
    by_key: BTreeMap<String, String>,
    log: RequestLog,
}

fn fail(status: u16, message: &str) -> SimResponse {
    SimResponse {
        status,
        body: json!({"message": message, "status": status}).to_string(),
    }
}

impl LittleSim {
    /// Answers one request (path after `/little`); `origin` is the sandbox's own origin.
    pub fn handle(
        &mut self,
        cfg: &LittleConfig,
        req: &SimRequest,
        origin: &str,
        now_ms: i64,
    ) -> SimResponse {
        let resp = self.route(cfg, req, origin, now_ms);
        let phone = serde_json::from_str::<Value>(&req.body)
            .ok()
            .and_then(|v| {
                v.pointer("/payment/mobile")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .or_else(|| {
                req.path
                    .split('/')
                    .find_map(|seg| self.find(seg).and_then(|i| i.mobile.clone()))
            })
            .map(|p| format!("+{p}"));
        self.log.note(req, resp.status, phone, now_ms);
        resp
    }

    fn find(&self, id_or_key: &str) -> Option<&Intent> {
        self.intents.get(id_or_key).or_else(|| {
            self.by_key
                .get(id_or_key)
                .and_then(|id| self.intents.get(id))
        })
    }

    /// Whether the intent named by id or key is still pending (for long polling).
    pub fn is_pending(&self, id_or_key: &str) -> bool {
        self.find(id_or_key).is_some_and(|i| i.status == "PENDING")
    }

    fn route(
        &mut self,
        cfg: &LittleConfig,
        req: &SimRequest,
        origin: &str,
        now: i64,
    ) -> SimResponse {
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["api", "payments-v2", key]) => {
                if !header("x-api-key")
                    .is_some_and(|k| crate::ids::constant_time_eq(k, &cfg.api_key))
                {
                    return fail(401, "Invalid API key");
                }
                let by_intent_id = self.intents.contains_key(*key);
                match self.find(key) {
                    Some(i) => SimResponse {
                        status: 200,
                        body: json!({"date": iso8601(now), "data": status_json(i, by_intent_id)})
                            .to_string(),
                    },
                    None => fail(404, "Payment not found"),
                }
            }
            ("POST", ["api", "payments", _, "pay"]) | ("POST", ["pay", _, "process"]) => {
                let basic_ok = header("authorization")
                    .and_then(|a| a.strip_prefix("Basic "))
                    .is_some_and(|b| crate::ids::constant_time_eq(b, &cfg.basic));
                if !basic_ok {
                    return fail(401, "Invalid client credentials");
                }
                match segments.as_slice() {
                    ["pay", intent, "process"] => self.process(cfg, intent, &req.body, origin, now),
                    _ => self.create(&req.body, now),
                }
            }
            _ => fail(404, &format!("Cannot {} {}", req.method, req.path)),
        }
    }

    fn create(&mut self, body: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return fail(400, "body must be JSON");
        };
        let amount = v.get("amount").cloned().unwrap_or(Value::Null);
        if !amount.as_f64().is_some_and(|a| a > 0.0) {
            return fail(400, "amount must be a positive number");
        }
        let key = v.get("key").and_then(Value::as_str).unwrap_or("");
        if !(8..=12).contains(&key.len()) || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return fail(400, "key must be 8 to 12 letters or digits");
        }
        let Some(callback_url) = v
            .get("callbackUrl")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("http"))
        else {
            return fail(400, "callbackUrl is required");
        };
        if let Some(id) = self.by_key.get(key) {
            return SimResponse { status: 200, body: json!({"data": {"reference": id, "checkoutUrl": format!("https://pay.little.africa/pay/{id}")}}).to_string() };
        }
        let id = crate::ids::uuid_v7(now);
        self.intents.insert(
            id.clone(),
            Intent {
                id: id.clone(),
                key: key.to_string(),
                amount,
                currency: v
                    .get("currency")
                    .and_then(Value::as_str)
                    .unwrap_or("KES")
                    .to_string(),
                description: v
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                callback_url: callback_url.to_string(),
                status: "PENDING".into(),
                provider: None,
                mobile: None,
                message: String::new(),
                step_up_url: None,
                resolve_at_ms: None,
                created_at_ms: now,
                attempts: vec![],
                send_callback: true,
            },
        );
        self.by_key.insert(key.to_string(), id.clone());
        SimResponse { status: 200, body: json!({"data": {"reference": id, "checkoutUrl": format!("https://pay.little.africa/pay/{id}")}}).to_string() }
    }

    fn process(
        &mut self,
        cfg: &LittleConfig,
        id: &str,
        body: &str,
        origin: &str,
        now: i64,
    ) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return fail(400, "body must be JSON");
        };
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        if !["MPESA", "AIRTEL", "MTN"].contains(&kind) {
            return fail(400, "type must be MPESA, AIRTEL or MTN");
        }
        let mobile = v
            .pointer("/payment/mobile")
            .and_then(Value::as_str)
            .unwrap_or("");
        if mobile.len() < 10 || mobile.len() > 15 || !mobile.chars().all(|c| c.is_ascii_digit()) {
            return fail(
                400,
                "payment.mobile must be digits in international form, e.g. 25400000000",
            );
        }
        let Some(intent) = self.intents.get_mut(id) else {
            return fail(404, "Payment intent not found");
        };
        if intent.status != "PENDING" {
            return fail(409, "This payment intent is already final");
        }
        let b = behaviour(mobile);
        intent.provider = Some(kind.to_string());
        intent.mobile = Some(mobile.to_string());
        intent.message = format!("You will be promoted to enter your {kind} PIN");
        intent.attempts.push("PENDING".into());
        intent.send_callback = b != Behaviour::ApproveSilently;
        intent.step_up_url =
            (b == Behaviour::Redirect).then(|| format!("{origin}/little/stepup/{id}"));
        intent.resolve_at_ms = match b {
            Behaviour::Handset | Behaviour::Redirect => None,
            _ => Some(now + cfg.approve_delay_ms),
        };
        let i = intent.clone();
        SimResponse {
            status: 200,
            body: json!({"date": iso8601(now), "data": {"status": "PENDING", "message": i.message, "meta": {
                "provider": kind, "providerReference": "", "stepUpUrl": i.step_up_url, "accessToken": null,
                "amount": i.amount, "currency": i.currency, "description": i.description, "reference": i.id}}})
            .to_string(),
        }
    }

    /// Settles due intents; returns their signed callbacks.
    pub fn take_due(&mut self, cfg: &LittleConfig, now_ms: i64) -> Vec<SignedCallback> {
        let due: Vec<String> = self
            .intents
            .values()
            .filter(|i| i.status == "PENDING" && i.resolve_at_ms.is_some_and(|at| at <= now_ms))
            .map(|i| i.id.clone())
            .collect();
        due.into_iter()
            .filter_map(|id| {
                let b = self
                    .intents
                    .get(&id)
                    .and_then(|i| i.mobile.as_deref().map(behaviour))?;
                self.settle(cfg, &id, b, now_ms)
            })
            .collect()
    }

    /// A person approved or declined (step-up page or handset page).
    pub fn answer(
        &mut self,
        cfg: &LittleConfig,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Option<SignedCallback>, String> {
        match self.intents.get(id) {
            Some(i) if i.status == "PENDING" && i.mobile.is_some() => {}
            Some(_) => return Err("this payment is not waiting for an answer".into()),
            None => return Err("no such payment".into()),
        }
        Ok(self.settle(
            cfg,
            id,
            if approve {
                Behaviour::Approve
            } else {
                Behaviour::Decline("cancelled")
            },
            now_ms,
        ))
    }

    fn settle(
        &mut self,
        cfg: &LittleConfig,
        id: &str,
        b: Behaviour,
        now: i64,
    ) -> Option<SignedCallback> {
        let intent = self.intents.get_mut(id)?;
        let (status, message) = match b {
            Behaviour::Approve
            | Behaviour::ApproveSilently
            | Behaviour::Otp
            | Behaviour::Redirect => ("COMPLETED", "Success".to_string()),
            Behaviour::Decline(code) => (
                "FAILED",
                match code {
                    "wrong_pin" => "The PIN entered was incorrect",
                    "insufficient_funds" => "Insufficient balance",
                    "timeout" => "Request timeout: the customer did not respond",
                    "cancelled" => "Request cancelled by the customer",
                    _ => "Payment declined",
                }
                .to_string(),
            ),
            Behaviour::SystemError { .. } => ("FAILED", "Provider system error".to_string()),
            Behaviour::Handset => return None,
        };
        intent.status = status.into();
        intent.message = message;
        intent.resolve_at_ms = None;
        if let Some(last) = intent.attempts.last_mut() {
            *last = status.into();
        }
        if !intent.send_callback {
            return None;
        }
        let body = json!({
            "reference": intent.id, "status": intent.status,
            "payload": {"billingAddress": {"firstName": "", "lastName": "", "phoneNumber": intent.mobile}},
            "amount": intent.amount, "key": intent.key, "currency": intent.currency,
            "provider": intent.provider, "date": iso8601(now),
        });
        let timestamp = (now / 1000).to_string();
        let compact = body.to_string();
        let key = RsaPrivateKey::from_pkcs8_pem(&cfg.private_key_pem).ok()?;
        let signature =
            SigningKey::<Sha256>::new(key).sign(format!("{timestamp}.{compact}").as_bytes());
        Some(SignedCallback {
            url: intent.callback_url.clone(),
            body: serde_json::to_string_pretty(&body).unwrap_or(compact),
            timestamp,
            signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        })
    }

    /// When the next intent settles.
    pub fn next_due_ms(&self) -> Option<i64> {
        self.intents
            .values()
            .filter(|i| i.status == "PENDING")
            .filter_map(|i| i.resolve_at_ms)
            .min()
    }

    /// Prompts waiting for a person (handset numbers; step-up pages are answered on their page).
    pub fn prompts(&self) -> Vec<Prompt> {
        self.intents
            .values()
            .filter(|i| {
                i.status == "PENDING"
                    && i.mobile.is_some()
                    && i.resolve_at_ms.is_none()
                    && i.step_up_url.is_none()
            })
            .map(|i| Prompt {
                transaction_id: i.id.clone(),
                payer: format!("+{}", i.mobile.clone().unwrap_or_default()),
                provider: "little".into(),
                amount: i.amount.as_f64().map_or(0, |a| (a * 100.0).round() as i64),
                currency: i.currency.clone(),
                otp: None,
            })
            .collect()
    }

    /// The step-up page's view of an intent: (amount text, still pending).
    pub fn step_up_info(&self, id: &str) -> Option<(String, bool)> {
        self.intents.get(id).map(|i| {
            (
                format!("{} {}", i.currency, i.amount),
                i.status == "PENDING",
            )
        })
    }

    /// The request log, optionally only requests about `phone` (E.164).
    pub fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        self.log.matching(phone)
    }

    /// Charges collected from `payer` (E.164).
    pub fn charges_of(&self, payer: &str) -> usize {
        self.intents
            .values()
            .filter(|i| {
                i.status == "COMPLETED"
                    && i.mobile.as_deref().map(|m| format!("+{m}")).as_deref() == Some(payer)
            })
            .count()
    }
}

/// Whether a payer number gets the guide example's literal shapes (…34): an empty `key` and
/// attempts newest first in the status answer.
fn guide_example_shapes(mobile: &str) -> bool {
    mobile.ends_with("34")
}

/// The status answer; read by intent id it lists only the latest attempt.
fn status_json(i: &Intent, by_intent_id: bool) -> Value {
    let literal = i.mobile.as_deref().is_some_and(guide_example_shapes);
    let skip = if by_intent_id {
        i.attempts.len().saturating_sub(1)
    } else {
        0
    };
    let mut attempts: Vec<Value> = i
        .attempts
        .iter()
        .skip(skip)
        .map(|s| json!({"reference": i.id, "provider": i.provider, "status": s}))
        .collect();
    if literal {
        attempts.reverse();
    }
    json!({
        "reference": i.id, "status": i.status,
        "payload": {"billingAddress": {"firstName": "", "lastName": "", "address1": "", "locality": "",
            "administrativeArea": "", "postalCode": "", "country": "", "email": "", "phoneNumber": ""}},
        "amount": i.amount, "payment": {"provider": i.provider, "details": null},
        "key": if literal { "" } else { i.key.as_str() },
        "attempts": attempts,
    })
}

mod simulator;

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> LittleConfig {
        LittleConfig {
            basic: "Y2lkOmNzZWM=".into(),
            api_key: "api_key_1".into(),
            private_key_pem: include_str!("../keys/little_sandbox_private.pem").into(),
            approve_delay_ms: 2_000,
        }
    }

    fn call(sim: &mut LittleSim, method: &str, path: &str, body: Value, now: i64) -> Value {
        let req = SimRequest {
            method: method.into(),
            path: path.into(),
            query: vec![],
            headers: vec![
                ("authorization".into(), "Basic Y2lkOmNzZWM=".into()),
                ("x-api-key".into(), "api_key_1".into()),
            ],
            body: if body.is_null() {
                String::new()
            } else {
                body.to_string()
            },
        };
        let resp = sim.handle(&cfg(), &req, "https://sandbox.test", now);
        assert_eq!(resp.status, 200, "{method} {path}: {}", resp.body);
        serde_json::from_str(&resp.body).unwrap()
    }

    /// An intent for `key`, processed twice for `mobile` (a retried process call), then settled.
    fn paid_twice(sim: &mut LittleSim, key: &str, mobile: &str) -> String {
        let created = call(
            sim,
            "POST",
            "/api/payments/tok_1/pay",
            json!({"amount": 1500, "currency": "KES", "key": key,
                "callbackUrl": "https://lipa.test/webhooks/little"}),
            0,
        );
        let id = created["data"]["reference"].as_str().unwrap().to_string();
        let process = json!({"type": "MPESA", "payment": {"mobile": mobile}});
        call(
            sim,
            "POST",
            &format!("/pay/{id}/process"),
            process.clone(),
            0,
        );
        call(sim, "POST", &format!("/pay/{id}/process"), process, 1);
        assert_eq!(sim.take_due(&cfg(), 2_001).len(), 1, "one signed callback");
        id
    }

    fn attempts(status: &Value) -> Vec<&str> {
        status["data"]["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_status_by_key_lists_every_attempt_by_intent_id_only_the_latest() {
        let mut sim = LittleSim::default();
        let id = paid_twice(&mut sim, "3f2a9c1e77aa", "254712000001");
        let by_key = call(
            &mut sim,
            "GET",
            "/api/payments-v2/3f2a9c1e77aa",
            Value::Null,
            3_000,
        );
        assert_eq!(by_key["data"]["status"], "COMPLETED");
        assert_eq!(by_key["data"]["key"], "3f2a9c1e77aa");
        assert_eq!(attempts(&by_key), ["PENDING", "COMPLETED"], "oldest first");
        let by_id = call(
            &mut sim,
            "GET",
            &format!("/api/payments-v2/{id}"),
            Value::Null,
            3_000,
        );
        assert_eq!(attempts(&by_id), ["COMPLETED"]);
    }

    #[test]
    fn number_34_answers_as_the_guide_example_literally_reads() {
        let mut sim = LittleSim::default();
        paid_twice(&mut sim, "abcdef123456", "254712000034");
        let status = call(
            &mut sim,
            "GET",
            "/api/payments-v2/abcdef123456",
            Value::Null,
            3_000,
        );
        assert_eq!(
            status["data"]["key"], "",
            "the guide's example shows an empty key"
        );
        assert_eq!(attempts(&status), ["COMPLETED", "PENDING"], "newest first");
        assert_eq!(status["data"]["status"], "COMPLETED");
        assert_eq!(sim.charges_of("+254712000034"), 1);
    }
}
