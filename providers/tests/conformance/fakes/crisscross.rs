//! CrissCross Direct API, from `crisscross.seed.txt` and NOTES.md: OAuth token
//! (`expiresIn` seconds), a session per checkout (`merchantReference`, one live transaction
//! at a time: 409), available methods filtered by `payerDetails.location`, `POST
//! /v1/payment` with an `Idempotency-Key` (same key and body replays the first answer,
//! another body is 422), `GET /v1/payment/{id}`, refunds, and webhooks signed HMAC-SHA256
//! of the raw body. A session that ended answers 410. There is no read by reference.

use std::collections::HashMap;

use lipa_api::FailureReason;
use lipa_providers::{HttpRequest, HttpResponse, Method, ProviderId};
use serde_json::{json, Value};

use super::{hmac_hex, iso, json, Market, Model, Outcome, Req, Route, Signing, Webhook};

const BASE: &str = "https://crisscross.test";
const MERCHANT: &str = "m_conformance";
const SECRET: &str = "cs_conformance";
const WEBHOOK_SECRET: &str = "whsec_conformance";
const TOKEN_LIFETIME_S: i64 = 3600;

struct Session {
    id: String,
    amount: i64,
    currency: String,
    reference: String,
    location: String,
    expires_at_ms: i64,
}

struct Tx {
    id: String,
    session: String,
    reference: String,
    amount: i64,
    currency: String,
    status: String,
    auth: Value,
}

struct Refund {
    id: String,
    status: &'static str,
}

/// The fake.
#[derive(Default)]
pub struct CrissCross {
    next: u64,
    tokens: HashMap<String, i64>,
    issued: usize,
    sessions: Vec<Session>,
    txs: Vec<Tx>,
    /// Idempotency key → (body, first answer).
    replays: HashMap<String, (String, HttpResponse)>,
    refund_keys: HashMap<String, String>,
    refunds: Vec<Refund>,
}

fn error(status: u16, message: &str) -> HttpResponse {
    let name = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        _ => "Unprocessable Entity",
    };
    json(
        status,
        json!({"message": message, "error": name, "statusCode": status}),
    )
}

/// The operators the session's country offers (the guide: Kenya only M-Pesa; Côte d'Ivoire
/// MTN, Orange, Moov and Wave).
fn options(location: &str) -> &'static [&'static str] {
    match location {
        "KEN" => &["mpesa"],
        "CIV" => &["mtn", "orange", "moov", "wave"],
        "UGA" => &["mtn", "airtel"],
        "GHA" => &["mtn"],
        _ => &[],
    }
}

impl CrissCross {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("0190{prefix}-{:04}-7abc-8def-{:012}", self.next, self.next)
    }

    fn tx_json(t: &Tx) -> Value {
        json!({
            "transactionId": t.id, "sessionId": t.session, "merchantReference": t.reference,
            "type": "mobilemoney", "status": t.status, "message": "", "authState": t.auth,
            "amount": t.amount, "currency": t.currency,
        })
    }

    fn authorized(&self, req: &Req, now_ms: i64) -> bool {
        req.bearer()
            .and_then(|t| self.tokens.get(t))
            .is_some_and(|exp| now_ms < *exp)
    }

    fn token(&mut self, req: &Req, now_ms: i64) -> HttpResponse {
        if req.text("/merchantId") != Some(MERCHANT) || req.text("/clientSecret") != Some(SECRET) {
            return json(
                401,
                json!({"error": "invalid_client", "message": "invalid_client"}),
            );
        }
        self.issued += 1;
        let token = format!("cc_tok_{}", self.issued);
        self.tokens
            .insert(token.clone(), now_ms + TOKEN_LIFETIME_S * 1000);
        json(
            200,
            json!({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_S}),
        )
    }

    fn session(&mut self, req: &Req, now_ms: i64) -> HttpResponse {
        let b = &req.body;
        let (Some(amount), Some(currency), Some(reference), Some(location)) = (
            b["amount"].as_i64().filter(|a| *a > 0),
            b["currency"].as_str(),
            b["merchantReference"]
                .as_str()
                .filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric())),
            b.pointer("/payerDetails/location").and_then(Value::as_str),
        ) else {
            return error(400, "amount, currency, alphanumeric merchantReference and payerDetails.location are required");
        };
        if b["merchantId"] != MERCHANT || b["integrationType"] != "direct" {
            return error(400, "merchantId and integrationType direct are required");
        }
        let lifetime_s = b["lifetime"].as_i64().unwrap_or(1800);
        let id = self.id("s");
        let expires_at_ms = now_ms + lifetime_s * 1000;
        self.sessions.push(Session {
            id: id.clone(),
            amount,
            currency: currency.into(),
            reference: reference.into(),
            location: location.into(),
            expires_at_ms,
        });
        json(
            201,
            json!({"sessionId": id, "status": "OPEN", "expiresAt": iso(expires_at_ms)}),
        )
    }

    fn methods(&self, req: &Req) -> HttpResponse {
        let Some(s) = req
            .query
            .get("sessionId")
            .and_then(|id| self.sessions.iter().find(|s| &s.id == id))
        else {
            return error(404, "session not found");
        };
        let opts: Vec<Value> = options(&s.location)
            .iter()
            .map(|c| json!({"code": c, "name": c.to_uppercase()}))
            .collect();
        json(
            200,
            json!({"paymentMethods": [{"type": "mobilemoney", "provider": {"options": opts}}]}),
        )
    }

    fn payment(&mut self, req: &Req, now_ms: i64) -> HttpResponse {
        let body = req.raw.body.clone().unwrap_or_default();
        let key = req.header("Idempotency-Key").map(str::to_string);
        if let Some((first_body, answer)) = key.as_ref().and_then(|k| self.replays.get(k)) {
            return if *first_body == body {
                answer.clone()
            } else {
                error(422, "IDEMPOTENCY_CONFLICT")
            };
        }
        let answer = self.new_payment(req, now_ms);
        if let (Some(k), true) = (key, answer.is_success()) {
            self.replays.insert(k, (body, answer.clone()));
        }
        answer
    }

    fn new_payment(&mut self, req: &Req, now_ms: i64) -> HttpResponse {
        if req.text("/type") != Some("mobilemoney") {
            return error(400, "type must be mobilemoney");
        }
        let (Some(session_id), Some(provider), Some(_mobile)) = (
            req.text("/sessionId"),
            req.text("/paymentDetails/provider"),
            req.text("/paymentDetails/payerMobileNumber"),
        ) else {
            return error(400, "sessionId and paymentDetails are required");
        };
        let Some(s) = self.sessions.iter().find(|s| s.id == session_id) else {
            return error(404, "session not found");
        };
        if now_ms >= s.expires_at_ms {
            return error(410, "session has expired");
        }
        if !options(&s.location).contains(&provider) {
            return error(400, "provider not available for this session");
        }
        if self
            .txs
            .iter()
            .any(|t| t.session == session_id && t.status == "PENDING")
        {
            return error(409, "session already has an active transaction");
        }
        let (session, reference, amount, currency) = (
            s.id.clone(),
            s.reference.clone(),
            s.amount,
            s.currency.clone(),
        );
        let tx = Tx {
            id: self.id("t"),
            session,
            reference,
            amount,
            currency,
            status: "PENDING".into(),
            auth: json!({"type": "pending_approval"}),
        };
        let answer = json(201, Self::tx_json(&tx));
        self.txs.push(tx);
        answer
    }

    fn refund(&mut self, req: &Req) -> HttpResponse {
        let key = req
            .header("Idempotency-Key")
            .unwrap_or_default()
            .to_string();
        if let Some(id) = self.refund_keys.get(&key) {
            let r = self.refunds.iter().find(|r| &r.id == id);
            return json(
                201,
                json!({"refundId": id, "status": r.map_or("pending", |r| r.status)}),
            );
        }
        let Some(tx) = req
            .text("/transactionId")
            .and_then(|id| self.txs.iter().find(|t| t.id == id))
        else {
            return error(404, "transaction not found");
        };
        let amount = req.body["amount"].as_i64().unwrap_or(0);
        if tx.status != "COMPLETED" || amount <= 0 || amount > tx.amount {
            return error(
                400,
                "only a completed transaction can be refunded, up to its amount",
            );
        }
        let id = self.id("r");
        self.refund_keys.insert(key, id.clone());
        self.refunds.push(Refund {
            id: id.clone(),
            status: "pending",
        });
        json(201, json!({"refundId": id, "status": "pending"}))
    }

    fn newest(&mut self, reference: &str) -> Option<&mut Tx> {
        self.txs.iter_mut().rev().find(|t| t.reference == reference)
    }
}

impl Model for CrissCross {
    fn id(&self) -> ProviderId {
        ProviderId::CrissCross
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CRISSCROSS_BASE_URL", format!("{BASE}/")),
            ("CRISSCROSS_MERCHANT_ID", MERCHANT.into()),
            ("CRISSCROSS_CLIENT_SECRET", SECRET.into()),
            ("CRISSCROSS_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
        ]
    }

    fn markets(&self) -> [Market; 2] {
        [
            Market {
                country: lipa_api::Country::KE,
                operator: lipa_api::Operator::Mpesa,
                e164: "+254712345678",
            },
            Market {
                country: lipa_api::Country::CI,
                operator: lipa_api::Operator::MtnMomo,
                e164: "+2250701234567",
            },
        ]
    }

    /// "every 2 seconds for the first 30 seconds, then back off to every 5 – 10 seconds".
    fn min_poll_delay_ms(&self, elapsed_ms: i64) -> i64 {
        if elapsed_ms < 30_000 {
            2_000
        } else {
            5_000
        }
    }

    fn route(&self, req: &HttpRequest) -> Route {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["v1", "auth", "oauth2", "token"]) {
            Route::Token
        } else if r.is(Method::Post, &["v1", "checkout", "session"])
            || r.is(Method::Get, &["v1", "payment", "available-methods"])
        {
            Route::Step
        } else if r.is(Method::Post, &["v1", "payment"]) {
            Route::Create
        } else if r.is(Method::Get, &["v1", "payment", "*"]) {
            Route::Read
        } else {
            Route::Other
        }
    }

    fn handle(&mut self, req: &HttpRequest, now_ms: i64) -> HttpResponse {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["v1", "auth", "oauth2", "token"]) {
            return self.token(&r, now_ms);
        }
        if !self.authorized(&r, now_ms) {
            return error(401, "Unauthorized");
        }
        if r.is(Method::Post, &["v1", "checkout", "session"]) {
            self.session(&r, now_ms)
        } else if r.is(Method::Get, &["v1", "payment", "available-methods"]) {
            self.methods(&r)
        } else if r.is(Method::Post, &["v1", "payment"]) {
            self.payment(&r, now_ms)
        } else if r.is(Method::Post, &["v1", "payment", "refunds"]) {
            self.refund(&r)
        } else if r.is(Method::Get, &["v1", "payment", "refunds", "*"]) {
            match self.refunds.iter().find(|x| x.id == r.path[3]) {
                Some(x) => json(200, json!({"refundId": x.id, "status": x.status})),
                None => error(404, "refund not found"),
            }
        } else if r.is(Method::Get, &["v1", "payment", "*"]) {
            match self.txs.iter().find(|t| t.id == r.path[2]) {
                Some(t) => json(200, Self::tx_json(t)),
                None => error(404, "transaction not found"),
            }
        } else {
            error(404, "no such route")
        }
    }

    fn payments(&self) -> usize {
        self.txs.len()
    }

    fn owner(&self, provider_ref: &str) -> Option<String> {
        self.txs
            .iter()
            .find(|t| t.id == provider_ref)
            .map(|t| t.reference.clone())
    }

    fn settle(&mut self, reference: &str, outcome: &Outcome) -> bool {
        let Some(t) = self.newest(reference) else {
            return false;
        };
        let (status, auth) = match outcome {
            Outcome::Approve => ("COMPLETED".to_string(), json!({"type": "authorized"})),
            Outcome::Decline(reason) => {
                let code = match reason {
                    FailureReason::WrongPin => "wrong_pin",
                    FailureReason::InsufficientFunds => "insufficient_funds",
                    FailureReason::TimedOut => "timeout",
                    FailureReason::Cancelled => "cancelled",
                    FailureReason::LimitReached => "limit_exceeded",
                    FailureReason::NotRegistered => "not_registered",
                    FailureReason::Declined | FailureReason::ProviderError => "declined",
                };
                (
                    "FAILED".to_string(),
                    json!({"type": "auth_failure", "code": code, "message": code}),
                )
            }
            Outcome::Raw(s) => (s.clone(), json!({"type": "pending_approval"})),
        };
        t.status = status;
        t.auth = auth;
        true
    }

    fn read_reason(&self, wanted: FailureReason) -> Option<FailureReason> {
        Some(match wanted {
            FailureReason::ProviderError => FailureReason::Declined,
            other => other,
        })
    }

    fn webhook(&self, reference: &str, signing: Signing, _now_ms: i64) -> Option<Webhook> {
        if signing == Signing::Stale {
            return None;
        }
        let t = self.txs.iter().rev().find(|t| t.reference == reference)?;
        let kind = match t.status.as_str() {
            "COMPLETED" => "transaction.completed",
            "FAILED" => "transaction.failed",
            _ => "transaction.updated",
        };
        let mut body = Self::tx_json(t);
        body["eventId"] = json!(format!("evt_{}_{}", t.id, t.status));
        body["type"] = json!(kind);
        let body = body.to_string().into_bytes();
        let secret = if signing == Signing::Wrong {
            "whsec_someone_else"
        } else {
            WEBHOOK_SECRET
        };
        let headers = if signing == Signing::Missing {
            vec![]
        } else {
            vec![(
                "X-CrissCross-Signature".to_string(),
                hmac_hex(secret, &body),
            )]
        };
        Some((headers, body))
    }

    fn expire_preparation(&mut self, state: &str) -> bool {
        match self.sessions.iter_mut().find(|s| s.id == state) {
            Some(s) => {
                s.expires_at_ms = i64::MIN;
                true
            }
            None => false,
        }
    }

    fn reads_by_reference(&self) -> bool {
        false
    }

    fn uses_tokens(&self) -> bool {
        true
    }

    fn tokens_issued(&self) -> usize {
        self.issued
    }
}
