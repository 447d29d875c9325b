//! A CrissCross simulator, written from the provider's guide and NOTES.md, independently of
//! Lipa's adapter: its own types, strict validation of what the guide requires, the errors
//! the provider would answer (`{message, error, statusCode}`; RFC 6749 on the token), the
//! 409 rule for a session's live transaction, `Idempotency-Key` replay, and webhooks signed
//! with HMAC-SHA256 of the raw body.
//!
//! Statuses are uppercase, as in the guide's JSON; a payer number ending 33 gets them in
//! lowercase, as the guide's prose writes them ([`crate::sim::numbers::Fault::LowercaseStatuses`]).
//! A second payment on a session whose transaction is still pending is 409; any payment or
//! method lookup on a session past its `expiresAt` is 410.
//!
//! All of it is pure: [`CrissCrossSim`] is the whole state, the Durable Object stores it and performs
//! what [`CrissCrossSim::take_due`] returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::ids::{iso8601, new_id, uuid_v7};
use crate::log::{LogEntry, RequestLog};
use crate::sim::numbers::{self, behaviour, Behaviour};
use crate::sim::{OutgoingWebhook, Prompt, SimRequest, SimResponse};

/// How long a token lives, seconds.
pub const TOKEN_LIFETIME_S: i64 = 3600;

/// The simulator's settings.
#[derive(Debug, Clone)]
pub struct CrissCrossConfig {
    /// The merchant id the edge must authenticate as.
    pub merchant_id: String,
    /// The client secret it must present.
    pub client_secret: String,
    /// How long the simulated customer takes to answer, ms.
    pub approve_delay_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    id: String,
    amount: i64,
    currency: String,
    merchant_reference: String,
    location: String,
    expires_at_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Transaction {
    id: String,
    session_id: String,
    provider: String,
    payer: String,
    status: String,
    auth_state: Value,
    message: String,
    created_at_ms: i64,
    updated_at_ms: i64,
    resolve_at_ms: Option<i64>,
    send_webhook: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Refund {
    id: String,
    transaction_id: String,
    amount: i64,
    status: String,
    complete_at_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Replay {
    body: String,
    response: SimResponse,
}

/// The whole simulated provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CrissCrossSim {
    tokens: BTreeMap<String, i64>,
    sessions: BTreeMap<String, Session>,
    transactions: BTreeMap<String, Transaction>,
    idempotency: BTreeMap<String, Replay>,
    log: RequestLog,
    /// Charges collected: transaction id → payer (the ledger that proves "charged once").
    charges: BTreeMap<String, String>,
    /// Refunds by id.
    #[serde(default)]
    refunds: BTreeMap<String, Refund>,
    /// Payers whose one-time fault (…17's 429, …31's slow answer) has happened.
    #[serde(default)]
    faulted: std::collections::BTreeSet<String>,
}

fn error(status: u16, error: &str, message: &str) -> SimResponse {
    SimResponse {
        status,
        body: json!({"message": message, "error": error, "statusCode": status}).to_string(),
    }
}

fn ok(status: u16, body: Value) -> SimResponse {
    SimResponse {
        status,
        body: body.to_string(),
    }
}

/// Operators CrissCross offers by payer location (the guide: Kenya only M-Pesa; Côte
/// d'Ivoire MTN, Orange, Moov and Wave).
fn options_for(location: &str) -> &'static [(&'static str, &'static str)] {
    match location {
        "KEN" => &[("mpesa", "M-Pesa")],
        "CIV" => &[
            ("mtn", "MTN"),
            ("orange", "Orange"),
            ("moov", "Moov"),
            ("wave", "Wave"),
        ],
        "UGA" | "RWA" => &[("mtn", "MTN"), ("airtel", "Airtel")],
        "GHA" => &[("mtn", "MTN")],
        "LBR" => &[("mtn", "MTN"), ("orange", "Orange")],
        _ => &[],
    }
}

/// A status as the simulator writes it for `payer`: uppercase, or lowercase for …33.
fn status_as_sent(status: &str, payer: &str) -> String {
    if numbers::fault(payer) == Some(numbers::Fault::LowercaseStatuses) {
        status.to_ascii_lowercase()
    } else {
        status.to_string()
    }
}

/// How long …31's first payment answer is held (the edge waits 10 s).
pub const SLOW_ANSWER_MS: i64 = 12_000;

fn key_of(req: &SimRequest) -> Option<String> {
    req.headers
        .iter()
        .find(|(k, _)| k == "idempotency-key")
        .map(|(_, v)| v.clone())
}

fn refund_json(r: &Refund) -> Value {
    json!({"refundId": r.id, "transactionId": r.transaction_id, "amount": r.amount, "status": r.status})
}

impl CrissCrossSim {
    /// Answers one API request at `now_ms`.
    pub fn handle(&mut self, cfg: &CrissCrossConfig, req: &SimRequest, now_ms: i64) -> SimResponse {
        let resp = self.route(cfg, req, now_ms);
        let phone = serde_json::from_str::<Value>(&req.body).ok().and_then(|v| {
            v.pointer("/paymentDetails/payerMobileNumber")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        self.log.note(req, resp.status, phone, now_ms);
        resp
    }

    fn route(&mut self, cfg: &CrissCrossConfig, req: &SimRequest, now: i64) -> SimResponse {
        let path = req.path.trim_end_matches('/');
        if req.method == "POST" && path == "/v1/auth/oauth2/token" {
            return self.token(cfg, &req.body, now);
        }
        let bearer = req
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .and_then(|(_, v)| v.strip_prefix("Bearer "));
        match bearer.and_then(|t| self.tokens.get(t)) {
            Some(exp) if *exp > now => {}
            _ => {
                return error(
                    401,
                    "Unauthorized",
                    "missing, unknown or expired bearer token",
                )
            }
        }
        match (req.method.as_str(), path) {
            ("POST", "/v1/checkout/session") => self.session(cfg, &req.body, now),
            ("GET", "/v1/payment/available-methods") => {
                let id = req
                    .query
                    .iter()
                    .find(|(k, _)| k == "sessionId")
                    .map(|(_, v)| v.as_str());
                self.available_methods(id, now)
            }
            ("POST", "/v1/payment") => self.idempotent(key_of(req), &req.body, |sim| {
                sim.new_payment(cfg, &req.body, now)
            }),
            ("POST", "/v1/payment/refunds") => self.idempotent(key_of(req), &req.body, |sim| {
                sim.new_refund(cfg, &req.body, now)
            }),
            ("GET", p) if p.starts_with("/v1/payment/refunds/") => {
                let id = &p["/v1/payment/refunds/".len()..];
                match self.refunds.get_mut(id) {
                    Some(r) => {
                        if r.status == "pending" && r.complete_at_ms <= now {
                            r.status = "completed".into();
                        }
                        ok(200, refund_json(r))
                    }
                    None => error(404, "Not Found", "no refund with this id"),
                }
            }
            ("GET", p) if p.starts_with("/v1/payment/") => {
                let id = &p["/v1/payment/".len()..];
                match self.transactions.get(id) {
                    Some(tx) => ok(200, self.tx_json(tx)),
                    None => error(404, "Not Found", "no transaction with this id"),
                }
            }
            _ => error(
                404,
                "Not Found",
                &format!("Cannot {} {}", req.method, req.path),
            ),
        }
    }

    fn token(&mut self, cfg: &CrissCrossConfig, body: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return ok(
                400,
                json!({"error": "invalid_request", "error_description": "body must be JSON"}),
            );
        };
        let id = v
            .get("merchantId")
            .or_else(|| v.get("client_id"))
            .and_then(Value::as_str);
        let secret = v
            .get("clientSecret")
            .or_else(|| v.get("client_secret"))
            .and_then(Value::as_str);
        let (Some(id), Some(secret)) = (id, secret) else {
            return ok(
                400,
                json!({"error": "invalid_request", "error_description": "merchantId and clientSecret are required"}),
            );
        };
        if id != cfg.merchant_id || !crate::ids::constant_time_eq(secret, &cfg.client_secret) {
            return ok(
                401,
                json!({"error": "invalid_client", "error_description": "client authentication failed"}),
            );
        }
        let token = format!("cc_tok_{}", new_id(32));
        self.tokens.retain(|_, exp| *exp > now);
        self.tokens
            .insert(token.clone(), now + TOKEN_LIFETIME_S * 1000);
        ok(
            200,
            json!({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_S}),
        )
    }

    fn session(&mut self, cfg: &CrissCrossConfig, body: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return error(400, "Bad Request", "body must be JSON");
        };
        let Some(amount) = v.get("amount").and_then(Value::as_i64).filter(|a| *a > 0) else {
            return error(
                400,
                "Bad Request",
                "amount must be a positive integer in minor units",
            );
        };
        let currency = v.get("currency").and_then(Value::as_str).unwrap_or("");
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return error(400, "Bad Request", "currency must be an ISO 4217 code");
        }
        let reference = v
            .get("merchantReference")
            .and_then(Value::as_str)
            .unwrap_or("");
        if reference.is_empty() || !reference.chars().all(|c| c.is_ascii_alphanumeric()) {
            return error(400, "Bad Request", "merchantReference must be alphanumeric");
        }
        if v.get("merchantId").and_then(Value::as_str) != Some(cfg.merchant_id.as_str()) {
            return error(403, "Forbidden", "merchantId does not match the token");
        }
        let location = v
            .pointer("/payerDetails/location")
            .and_then(Value::as_str)
            .unwrap_or("");
        if location.len() != 3 || options_for(location).is_empty() {
            return error(
                400,
                "Bad Request",
                "payerDetails.location must be an ISO 3166 alpha-3 country we serve",
            );
        }
        if v.get("integrationType").and_then(Value::as_str) != Some("direct") {
            return error(
                400,
                "Bad Request",
                "integrationType must be \"direct\" for the Direct API",
            );
        }
        let lifetime = v
            .get("lifetime")
            .and_then(Value::as_i64)
            .unwrap_or(1800)
            .clamp(60, 86_400);
        let id = uuid_v7(now);
        let session = Session {
            id: id.clone(),
            amount,
            currency: currency.to_string(),
            merchant_reference: reference.to_string(),
            location: location.to_string(),
            expires_at_ms: now + lifetime * 1000,
        };
        self.sessions.insert(id.clone(), session);
        ok(
            201,
            json!({"sessionId": id, "status": "OPEN", "expiresAt": iso8601(now + lifetime * 1000)}),
        )
    }

    fn available_methods(&self, session_id: Option<&str>, now: i64) -> SimResponse {
        let Some(session) = session_id.and_then(|id| self.sessions.get(id)) else {
            return error(404, "Not Found", "no session with this sessionId");
        };
        if session.expires_at_ms <= now {
            return error(410, "Gone", "the session has expired");
        }
        let options: Vec<Value> = options_for(&session.location)
            .iter()
            .map(|(code, name)| json!({"code": code, "name": name}))
            .collect();
        ok(
            200,
            json!({"paymentMethods": [{"type": "mobilemoney", "provider": {"options": options}}]}),
        )
    }

    /// Runs `create` once per `Idempotency-Key`: the same key and body replay the first
    /// answer, another body is 422 `IDEMPOTENCY_CONFLICT`.
    fn idempotent(
        &mut self,
        key: Option<String>,
        body: &str,
        create: impl FnOnce(&mut CrissCrossSim) -> SimResponse,
    ) -> SimResponse {
        if let Some(key) = &key {
            if let Some(replay) = self.idempotency.get(key) {
                return if replay.body == body {
                    replay.response.clone()
                } else {
                    ok(
                        422,
                        json!({"message": "Idempotency-Key reused with a different body", "error": "IDEMPOTENCY_CONFLICT", "statusCode": 422}),
                    )
                };
            }
        }
        let resp = create(self);
        if let Some(key) = key {
            // A refusal to take the request at all (429, 5xx) is not an answer to replay.
            if resp.status < 500 && resp.status != 429 {
                self.idempotency.insert(
                    key,
                    Replay {
                        body: body.to_string(),
                        response: resp.clone(),
                    },
                );
            }
        }
        resp
    }

    /// A refund of (part of) a completed transaction; it completes after the approval delay.
    fn new_refund(&mut self, cfg: &CrissCrossConfig, body: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return error(400, "Bad Request", "body must be JSON");
        };
        let Some(tx_id) = v.get("transactionId").and_then(Value::as_str) else {
            return error(400, "Bad Request", "transactionId is required");
        };
        let Some(amount) = v.get("amount").and_then(Value::as_i64).filter(|a| *a > 0) else {
            return error(
                400,
                "Bad Request",
                "amount must be a positive integer in minor units",
            );
        };
        let Some(tx) = self.transactions.get(tx_id) else {
            return error(404, "Not Found", "no transaction with this id");
        };
        if tx.status != "COMPLETED" {
            return error(
                422,
                "Unprocessable Entity",
                "only a completed transaction can be refunded",
            );
        }
        let paid = self.sessions.get(&tx.session_id).map_or(0, |s| s.amount);
        let refunded: i64 = self
            .refunds
            .values()
            .filter(|r| r.transaction_id == tx_id && r.status != "failed")
            .map(|r| r.amount)
            .sum();
        if amount > paid - refunded {
            return error(
                422,
                "Unprocessable Entity",
                &format!("amount exceeds the refundable {}", paid - refunded),
            );
        }
        let refund = Refund {
            id: format!("rf_{}", crate::ids::new_id(20)),
            transaction_id: tx_id.to_string(),
            amount,
            status: "pending".into(),
            complete_at_ms: now + cfg.approve_delay_ms,
        };
        let out = refund_json(&refund);
        self.refunds.insert(refund.id.clone(), refund);
        ok(201, out)
    }

    fn new_payment(&mut self, cfg: &CrissCrossConfig, body: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return error(400, "Bad Request", "body must be JSON");
        };
        if v.get("type").and_then(Value::as_str) != Some("mobilemoney") {
            return error(400, "Bad Request", "type must be \"mobilemoney\"");
        }
        let Some(session) = v
            .get("sessionId")
            .and_then(Value::as_str)
            .and_then(|id| self.sessions.get(id))
            .cloned()
        else {
            return error(404, "Not Found", "no session with this sessionId");
        };
        if session.expires_at_ms <= now {
            return error(410, "Gone", "the session has expired");
        }
        let provider = v
            .pointer("/paymentDetails/provider")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !options_for(&session.location)
            .iter()
            .any(|(c, _)| *c == provider)
        {
            return error(
                400,
                "Bad Request",
                "paymentDetails.provider is not available for this session",
            );
        }
        let payer = v
            .pointer("/paymentDetails/payerMobileNumber")
            .and_then(Value::as_str)
            .unwrap_or("");
        if numbers::fault(payer) == Some(numbers::Fault::RateLimitedOnce)
            && self.faulted.insert(format!("429:{payer}"))
        {
            return ok(
                429,
                json!({"message": "Too many requests", "error": "Too Many Requests", "statusCode": 429, "retry_after": 2}),
            );
        }
        let digits = payer.strip_prefix('+').unwrap_or(payer);
        if digits.len() < 9 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return error(
                400,
                "Bad Request",
                "paymentDetails.payerMobileNumber must be a mobile number",
            );
        }
        if self
            .transactions
            .values()
            .any(|t| t.session_id == session.id && t.status == "PENDING")
        {
            return error(
                409,
                "Conflict",
                "the session already has an active transaction",
            );
        }
        let id = uuid_v7(now);
        let b = behaviour(payer);
        let tx = Transaction {
            id: id.clone(),
            session_id: session.id.clone(),
            provider: provider.to_string(),
            payer: payer.to_string(),
            status: "PENDING".into(),
            auth_state: json!({"type": "pending_approval"}),
            message: "Waiting for the customer to approve on their handset".into(),
            created_at_ms: now,
            updated_at_ms: now,
            resolve_at_ms: match b {
                Behaviour::Handset => None,
                _ => Some(now + cfg.approve_delay_ms),
            },
            send_webhook: b != Behaviour::ApproveSilently,
        };
        let body = self.tx_json(&tx);
        self.transactions.insert(id, tx);
        ok(201, body)
    }

    fn tx_json(&self, tx: &Transaction) -> Value {
        let session = self.sessions.get(&tx.session_id);
        json!({
            "transactionId": tx.id,
            "sessionId": tx.session_id,
            "merchantReference": session.map(|s| s.merchant_reference.as_str()),
            "type": "mobilemoney",
            "status": status_as_sent(&tx.status, &tx.payer),
            "message": tx.message,
            "authState": tx.auth_state,
            "amount": session.map(|s| s.amount),
            "currency": session.map(|s| s.currency.as_str()),
            "paymentDetails": {"provider": tx.provider, "payerMobileNumber": tx.payer},
            "createdAt": iso8601(tx.created_at_ms),
            "updatedAt": iso8601(tx.updated_at_ms),
        })
    }

    /// Resolves every transaction whose time has come; returns the webhooks to send.
    pub fn take_due(&mut self, now_ms: i64) -> Vec<OutgoingWebhook> {
        let due: Vec<String> = self
            .transactions
            .values()
            .filter(|t| t.status == "PENDING" && t.resolve_at_ms.is_some_and(|at| at <= now_ms))
            .map(|t| t.id.clone())
            .collect();
        due.into_iter()
            .filter_map(|id| {
                let payer = self.transactions.get(&id)?.payer.clone();
                let hook = self.resolve(&id, behaviour(&payer), now_ms)?;
                Some(match numbers::fault(&payer) {
                    Some(numbers::Fault::DuplicateWebhook) => vec![hook.clone(), hook],
                    Some(numbers::Fault::StaleWebhookAfter) => {
                        let stale = self.stale_webhook(&id, now_ms);
                        std::iter::once(hook).chain(stale).collect()
                    }
                    _ => vec![hook],
                })
            })
            .flatten()
            .collect()
    }

    /// An older "still pending" event for a transaction, delivered after its final one.
    fn stale_webhook(&self, tx_id: &str, now_ms: i64) -> Option<OutgoingWebhook> {
        let tx = self.transactions.get(tx_id)?;
        let mut body = self.tx_json(tx);
        let event_id = uuid_v7(tx.created_at_ms);
        let obj = body.as_object_mut()?;
        obj.insert("status".into(), json!(status_as_sent("PENDING", &tx.payer)));
        obj.insert("authState".into(), json!({"type": "pending_approval"}));
        obj.insert(
            "updatedAt".into(),
            json!(iso8601(tx.created_at_ms.min(now_ms))),
        );
        obj.insert("eventId".into(), json!(event_id));
        obj.insert("type".into(), json!("transaction.pending"));
        Some(OutgoingWebhook {
            event_id,
            body: body.to_string(),
        })
    }

    /// How long the Worker should hold this request's answer: …31's first payment request is
    /// answered only after the edge gave up waiting.
    pub fn answer_delay_ms(&mut self, req: &SimRequest) -> Option<i64> {
        if req.method != "POST" || req.path.trim_end_matches('/') != "/v1/payment" {
            return None;
        }
        let payer = serde_json::from_str::<Value>(&req.body)
            .ok()?
            .pointer("/paymentDetails/payerMobileNumber")?
            .as_str()?
            .to_string();
        (numbers::fault(&payer) == Some(numbers::Fault::SlowAnswer)
            && self.faulted.insert(format!("slow:{payer}")))
        .then_some(SLOW_ANSWER_MS)
    }

    /// A person pressed Approve or Decline on the handset page.
    pub fn answer(
        &mut self,
        tx_id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Option<OutgoingWebhook>, String> {
        match self.transactions.get(tx_id) {
            Some(t) if t.status == "PENDING" => {}
            Some(_) => return Err("this prompt was already answered".into()),
            None => return Err("no such prompt".into()),
        }
        let b = if approve {
            Behaviour::Approve
        } else {
            Behaviour::Decline("cancelled")
        };
        Ok(self.resolve(tx_id, b, now_ms))
    }

    fn resolve(&mut self, tx_id: &str, b: Behaviour, now: i64) -> Option<OutgoingWebhook> {
        let tx = self.transactions.get_mut(tx_id)?;
        let event = match b {
            Behaviour::Approve
            | Behaviour::ApproveSilently
            | Behaviour::Otp
            | Behaviour::Redirect => {
                tx.status = "COMPLETED".into();
                tx.auth_state = json!({"type": "authorized"});
                tx.message = "Payment approved by the customer".into();
                self.charges.insert(tx.id.clone(), tx.payer.clone());
                "transaction.completed"
            }
            Behaviour::Decline(code) => {
                tx.status = "FAILED".into();
                tx.auth_state = json!({"type": "auth_failure", "code": code, "message": code.replace('_', " ")});
                tx.message = "The customer's operator declined the payment".into();
                "transaction.failed"
            }
            Behaviour::SystemError { can_retry } => {
                tx.status = "ERRORED".into();
                tx.auth_state = json!({"type": "error", "code": "operator_unavailable", "canRetry": can_retry, "canPoll": false});
                tx.message = "The operator had a system error".into();
                "transaction.errored"
            }
            Behaviour::Handset => return None,
        };
        tx.updated_at_ms = now;
        tx.resolve_at_ms = None;
        let send = tx.send_webhook;
        let tx = tx.clone();
        if !send {
            return None;
        }
        let mut body = self.tx_json(&tx);
        let event_id = uuid_v7(now);
        if let Some(obj) = body.as_object_mut() {
            obj.insert("eventId".into(), json!(event_id));
            obj.insert("type".into(), json!(event));
        }
        Some(OutgoingWebhook {
            event_id,
            body: body.to_string(),
        })
    }

    /// When the next transaction resolves by itself.
    pub fn next_due_ms(&self) -> Option<i64> {
        self.transactions
            .values()
            .filter(|t| t.status == "PENDING")
            .filter_map(|t| t.resolve_at_ms)
            .min()
    }

    /// Prompts waiting for a person.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.transactions
            .values()
            .filter(|t| t.status == "PENDING" && t.resolve_at_ms.is_none())
            .map(|t| {
                let s = self.sessions.get(&t.session_id);
                Prompt {
                    transaction_id: t.id.clone(),
                    payer: t.payer.clone(),
                    provider: t.provider.clone(),
                    amount: s.map_or(0, |s| s.amount),
                    currency: s.map_or(String::new(), |s| s.currency.clone()),
                    otp: None,
                }
            })
            .collect()
    }

    /// The request log, optionally only the requests that carried `phone`.
    pub fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        self.log.matching(phone)
    }

    /// Ends now every session opened with `merchant_reference`, as CrissCross may end a
    /// session before the `expiresAt` it announced (a test control: Lipa must renew after
    /// the 410). Answers how many ended.
    pub fn expire_sessions(&mut self, merchant_reference: &str, now: i64) -> usize {
        let mut ended = 0;
        for s in self
            .sessions
            .values_mut()
            .filter(|s| s.merchant_reference == merchant_reference && s.expires_at_ms > now)
        {
            s.expires_at_ms = now;
            ended += 1;
        }
        ended
    }

    /// Charges collected from `payer` (E.164).
    pub fn charges_of(&self, payer: &str) -> usize {
        self.charges
            .values()
            .filter(|p| p.as_str() == payer)
            .count()
    }
}

mod simulator;

pub use simulator::SIGNATURE_HEADER;

#[cfg(test)]
mod tests;
