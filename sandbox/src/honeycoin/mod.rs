//! A HoneyCoin simulator, written from HoneyCoin's guide and NOTES.md, independently of Lipa's
//! adapter: bearer tokens from `api-key` + `publicKey`, the mobile-money providers list, the
//! charge (amount in major units, `momoOperatorId` mandatory unless KES, `externalReference`
//! unique and idempotent), status by id and by reference, OTP validation with three attempts,
//! a redirect step, and webhooks carrying the shared secret in `X-Webhook-Signature`, retried
//! after 5, 15 and 45 s when the receiver does not answer 2xx.
//!
//! Paths are relative to the base `/api/sandbox/b2b`; see the adapter's module doc for the
//! choices both sides make where the guide is silent.
//!
//! Stricter than the guide, on purpose: every charge must name its `momoOperatorId`, KES
//! too. The guide lets a KES charge leave it out, and HoneyCoin then charges M-Pesa; the
//! sandbox refuses such a charge (422) so that a Kenyan Airtel Money charge sent without
//! the guide's `"airtel"` cannot pass as an M-Pesa one. An operator id the providers list
//! does not have for the currency is refused the same way.
//!
//! Guide doubts: a transaction is read "with either the transactionId … or your
//! externalReference" through the one get-transaction endpoint. The sandbox answers both
//! readings: `GET /transactions/{transactionId or externalReference}` (the id first) and
//! `GET /transactions?externalReference=…`. An unknown one is `404 {success: false,
//! message: "Transaction not found"}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::ids::{iso8601, new_id};
use crate::log::{LogEntry, RequestLog};
use crate::sim::numbers::{behaviour, Behaviour};
use crate::sim::{Prompt, SimRequest, SimResponse};

/// Token life, ms (two hours).
pub const TOKEN_LIFETIME_MS: i64 = 7_200_000;
/// Codes a customer may try.
pub const OTP_ATTEMPTS: u32 = 3;
/// The header carrying the shared webhook secret.
pub const SIGNATURE_HEADER: &str = "X-Webhook-Signature";
/// Webhook retry delays after a failed delivery (NOTES.md: 5, 15 and 45 s).
pub const RETRY_DELAYS_MS: [i64; 3] = [5_000, 15_000, 45_000];

/// The simulator's account settings.
#[derive(Debug, Clone)]
pub struct HoneyConfig {
    /// The `api-key` the edge must send.
    pub api_key: String,
    /// The public key it must send.
    pub public_key: String,
    /// How long the simulated customer takes, ms.
    pub approve_delay_ms: i64,
}

/// Where a simulated charge is in its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Stage {
    /// The prompt went out; the number's behaviour decides what comes next.
    Prompted,
    /// Waiting for the customer's code.
    AwaitingOtp,
    /// Waiting for the customer on the redirect page.
    AwaitingRedirect,
    /// The step was completed; the charge settles when due.
    StepDone,
    /// Successful or failed.
    Settled,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tx {
    stage: Stage,
    id: String,
    external_reference: String,
    amount: Value,
    currency: String,
    phone: String,
    operator_id: String,
    charge_status: String,
    note: Option<String>,
    step: Option<String>,
    redirect_url: Option<String>,
    otp: Option<String>,
    otp_attempts_left: u32,
    resolve_at_ms: Option<i64>,
    created_at_ms: i64,
    send_webhooks: bool,
}

/// A webhook waiting to be (re)delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Local id of the delivery.
    pub id: String,
    /// The exact body.
    pub body: String,
    /// Failed attempts so far.
    pub failures: u32,
    /// When to send next, Unix ms.
    pub due_at_ms: i64,
}

/// The whole simulated provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HoneySim {
    tokens: BTreeMap<String, i64>,
    transactions: BTreeMap<String, Tx>,
    by_reference: BTreeMap<String, String>,
    outbox: Vec<Delivery>,
    log: RequestLog,
    charges: BTreeMap<String, String>,
}

fn reply(status: u16, body: Value) -> SimResponse {
    SimResponse {
        status,
        body: body.to_string(),
    }
}

fn fail(status: u16, message: &str) -> SimResponse {
    reply(status, json!({"success": false, "message": message}))
}

/// HoneyCoin's mobile-money operators by currency: (id, name).
fn operators(currency: &str) -> &'static [(&'static str, &'static str)] {
    match currency {
        // "airtel" is the id of the guide's own KES example.
        "KES" => &[("mpesa", "M-Pesa Kenya"), ("airtel", "Airtel Money Kenya")],
        "UGX" => &[
            ("mtn_ug", "MTN Mobile Money Uganda"),
            ("airtel_ug", "Airtel Money Uganda"),
        ],
        _ => &[],
    }
}

/// The operator ids of a currency, for an error message.
fn operator_list(currency: &str) -> String {
    let ids: Vec<&str> = operators(currency).iter().map(|(id, _)| *id).collect();
    if ids.is_empty() {
        "none: HoneyCoin lists no mobile-money operator for it".into()
    } else {
        ids.join(", ")
    }
}

impl HoneySim {
    /// Answers one API request (path relative to the base URL) at `now_ms`; `origin` is the
    /// sandbox's own origin, for redirect pages.
    pub fn handle(
        &mut self,
        cfg: &HoneyConfig,
        req: &SimRequest,
        origin: &str,
        now_ms: i64,
    ) -> SimResponse {
        let resp = self.route(cfg, req, origin, now_ms);
        // Calls about one transaction are logged under its payer, so a test can count them.
        let phone = serde_json::from_str::<Value>(&req.body)
            .ok()
            .and_then(|v| {
                v.get("phoneNumber")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .or_else(|| {
                let by_query = req
                    .query
                    .iter()
                    .filter(|(k, _)| k == "externalReference")
                    .map(|(_, v)| v.as_str());
                req.path
                    .split('/')
                    .chain(by_query)
                    .find_map(|key| self.find(key).map(|t| t.phone.clone()))
            })
            .map(|p| format!("+{p}"));
        self.log.note(req, resp.status, phone, now_ms);
        resp
    }

    fn route(
        &mut self,
        cfg: &HoneyConfig,
        req: &SimRequest,
        origin: &str,
        now: i64,
    ) -> SimResponse {
        let path = req.path.trim_end_matches('/');
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if req.method == "POST" && path == "/auth/generate-bearer-token" {
            let public_key = serde_json::from_str::<Value>(&req.body).ok().and_then(|v| {
                v.get("publicKey")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            let key_ok =
                header("api-key").is_some_and(|k| crate::ids::constant_time_eq(k, &cfg.api_key));
            if !key_ok || public_key.as_deref() != Some(cfg.public_key.as_str()) {
                return fail(401, "Invalid api-key or publicKey");
            }
            let token = format!("hc_tok_{}", new_id(32));
            self.tokens.retain(|_, exp| *exp > now);
            self.tokens.insert(token.clone(), now + TOKEN_LIFETIME_MS);
            return reply(
                200,
                json!({"success": true, "token": token, "expiresAt": iso8601(now + TOKEN_LIFETIME_MS)}),
            );
        }
        let authorized = header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|t| self.tokens.get(t))
            .is_some_and(|exp| *exp > now);
        if !authorized {
            return fail(401, "Unauthorized");
        }
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["utilities", "momo-providers"]) => {
                let currency = req
                    .query
                    .iter()
                    .find(|(k, _)| k == "currency")
                    .map_or("", |(_, v)| v.as_str());
                let data: Vec<Value> = operators(currency)
                    .iter()
                    .map(|(id, name)| json!({"id": id, "name": name, "currency": currency}))
                    .collect();
                reply(200, json!({"success": true, "data": data}))
            }
            ("POST", ["fiat", "deposit"]) => self.charge(cfg, &req.body, origin, now),
            ("POST", ["fiat", "deposit", id, "validate-otp"]) => {
                self.validate_otp(id, &req.body, now)
            }
            ("GET", ["transactions", key]) => self.tx_reply(key),
            ("GET", ["transactions"]) => {
                match req.query.iter().find(|(k, _)| k == "externalReference") {
                    Some((_, reference)) => match self.by_reference.get(reference) {
                        Some(id) => self.tx_reply(id),
                        None => fail(404, "Transaction not found"),
                    },
                    None => fail(400, "externalReference is required"),
                }
            }
            _ => fail(404, &format!("Cannot {} {}", req.method, req.path)),
        }
    }

    /// A transaction by HoneyCoin's id, else by the merchant's externalReference.
    fn find(&self, key: &str) -> Option<&Tx> {
        self.transactions.get(key).or_else(|| {
            self.by_reference
                .get(key)
                .and_then(|id| self.transactions.get(id))
        })
    }

    fn tx_reply(&self, key: &str) -> SimResponse {
        match self.find(key) {
            Some(tx) => reply(200, json!({"success": true, "data": tx_json(tx)})),
            None => fail(404, "Transaction not found"),
        }
    }

    fn charge(&mut self, cfg: &HoneyConfig, body: &str, origin: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return fail(400, "Request body must be JSON");
        };
        let amount = v.get("amount").cloned().unwrap_or(Value::Null);
        if !amount.as_f64().is_some_and(|a| a > 0.0) {
            return fail(400, "amount must be a positive number");
        }
        let currency = v.get("currency").and_then(Value::as_str).unwrap_or("");
        if currency.len() != 3 {
            return fail(400, "currency is required");
        }
        let Some(reference) = v
            .get("externalReference")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
        else {
            return fail(400, "externalReference is required");
        };
        let phone = v.get("phoneNumber").and_then(Value::as_str).unwrap_or("");
        if phone.starts_with('+')
            || phone.len() < 9
            || phone.len() > 15
            || !phone.chars().all(|c| c.is_ascii_digit())
        {
            return fail(
                400,
                "phoneNumber must be E.164 without the plus, e.g. 254719624551",
            );
        }
        let Some(operator_id) = v.get("momoOperatorId").and_then(Value::as_str) else {
            return fail(
                422,
                &format!(
                    "momoOperatorId is required: this sandbox never defaults a {currency} charge to an operator; name one of {}",
                    operator_list(currency)
                ),
            );
        };
        if !operators(currency).iter().any(|(id, _)| *id == operator_id) {
            return fail(
                422,
                &format!(
                    "momoOperatorId {operator_id:?} is not a {currency} operator; use one of {}",
                    operator_list(currency)
                ),
            );
        }
        // externalReference is the idempotency key: a retry gets the first transaction.
        if let Some(id) = self.by_reference.get(reference) {
            return reply(
                200,
                json!({"success": true, "message": "Initiated request.", "transactionId": id}),
            );
        }
        let id = new_id(20);
        let b = behaviour(phone);
        let redirect = matches!(b, Behaviour::Redirect);
        let tx = Tx {
            stage: Stage::Prompted,
            id: id.clone(),
            external_reference: reference.to_string(),
            amount,
            currency: currency.to_string(),
            phone: phone.to_string(),
            operator_id: operator_id.to_string(),
            charge_status: "pending".into(),
            note: None,
            step: None,
            redirect_url: redirect.then(|| format!("{origin}/honeycoin/redirect/{id}")),
            otp: None,
            otp_attempts_left: OTP_ATTEMPTS,
            resolve_at_ms: match b {
                Behaviour::Handset => None,
                _ => Some(now + cfg.approve_delay_ms),
            },
            created_at_ms: now,
            send_webhooks: b != Behaviour::ApproveSilently,
        };
        self.by_reference.insert(reference.to_string(), id.clone());
        self.transactions.insert(id.clone(), tx);
        self.notify(&id, "transaction_created", now);
        reply(
            200,
            json!({"success": true, "message": "Initiated request.", "transactionId": id}),
        )
    }

    fn validate_otp(&mut self, id: &str, body: &str, now: i64) -> SimResponse {
        let otp = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.get("otp").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default();
        let Some(tx) = self.transactions.get_mut(id) else {
            return fail(404, "Transaction not found");
        };
        if tx.step.as_deref() != Some("otp") || tx.charge_status != "pending" {
            return fail(400, "No OTP is pending for this transaction");
        }
        if tx
            .otp
            .as_deref()
            .is_some_and(|code| crate::ids::constant_time_eq(code, &otp))
        {
            tx.step = None;
            tx.otp = None;
            tx.stage = Stage::StepDone;
            tx.resolve_at_ms = Some(now + 1_000);
            return reply(
                200,
                json!({"success": true, "message": "OTP validated successfully.", "transactionId": id}),
            );
        }
        tx.otp_attempts_left = tx.otp_attempts_left.saturating_sub(1);
        if tx.otp_attempts_left == 0 {
            tx.charge_status = "failed".into();
            tx.stage = Stage::Settled;
            tx.step = None;
            tx.otp = None;
            tx.note = Some("OTP attempts exceeded".into());
            tx.resolve_at_ms = None;
            let id = id.to_string();
            self.notify(&id, "transaction_updated", now);
            return fail(
                400,
                "Invalid OTP. No attempts remaining; the transaction has failed.",
            );
        }
        let left = tx.otp_attempts_left;
        fail(400, &format!("Invalid OTP. {left} attempts remaining."))
    }

    /// Moves every transaction whose time has come; queues its webhooks.
    pub fn advance(&mut self, now_ms: i64) {
        let due: Vec<String> = self
            .transactions
            .values()
            .filter(|t| {
                t.charge_status == "pending" && t.resolve_at_ms.is_some_and(|at| at <= now_ms)
            })
            .map(|t| t.id.clone())
            .collect();
        for id in due {
            let Some(tx) = self.transactions.get_mut(&id) else {
                continue;
            };
            tx.resolve_at_ms = None;
            match (behaviour(&tx.phone), tx.stage) {
                (Behaviour::Otp, Stage::Prompted) => {
                    tx.stage = Stage::AwaitingOtp;
                    tx.step = Some("otp".into());
                    tx.otp = Some(crate::ids::new_digits(6));
                }
                (Behaviour::Redirect, Stage::Prompted) => {
                    tx.stage = Stage::AwaitingRedirect;
                    tx.step = Some("redirect".into());
                }
                (Behaviour::Handset, _)
                | (_, Stage::AwaitingOtp | Stage::AwaitingRedirect | Stage::Settled) => continue,
                (Behaviour::Otp | Behaviour::Redirect, Stage::StepDone) => {
                    settle(tx, Behaviour::Approve)
                }
                (b, Stage::Prompted | Stage::StepDone) => settle(tx, b),
            }
            self.notify(&id, "transaction_updated", now_ms);
        }
    }

    /// A person approved or declined (handset page or redirect page).
    pub fn answer(&mut self, id: &str, approve: bool, now_ms: i64) -> Result<(), String> {
        let tx = self.transactions.get_mut(id).ok_or("no such transaction")?;
        if tx.charge_status != "pending" {
            return Err("this payment was already answered".into());
        }
        settle(
            tx,
            if approve {
                Behaviour::Approve
            } else {
                Behaviour::Decline("cancelled")
            },
        );
        let id = id.to_string();
        self.notify(&id, "transaction_updated", now_ms);
        Ok(())
    }

    fn notify(&mut self, id: &str, event: &str, now: i64) {
        let Some(tx) = self.transactions.get(id) else {
            return;
        };
        if tx.charge_status == "successful" {
            self.charges.insert(tx.id.clone(), tx.phone.clone());
        }
        if !tx.send_webhooks {
            return;
        }
        let mut data = json!({
            "transactionId": tx.id,
            "status": tx.charge_status,
            "type": "deposit",
            "externalReference": tx.external_reference,
            "method": "momo",
        });
        if let Some(obj) = data.as_object_mut() {
            if let Some(step) = &tx.step {
                obj.insert("stepRequired".into(), json!(step));
            }
            if let Some(url) = tx
                .redirect_url
                .as_ref()
                .filter(|_| tx.step.as_deref() == Some("redirect"))
            {
                obj.insert("redirectUrl".into(), json!(url));
            }
            if let Some(note) = tx.note.as_ref().filter(|_| tx.charge_status == "failed") {
                obj.insert("note".into(), json!(note));
            }
        }
        let body = json!({"event": event, "data": data, "timestamp": iso8601(now)}).to_string();
        self.outbox.push(Delivery {
            id: new_id(12),
            body,
            failures: 0,
            due_at_ms: now,
        });
    }

    /// Deliveries due now. They are pushed back by the receiver's 15 s timeout until
    /// [`HoneySim::delivered`] says how they went.
    pub fn take_deliveries(&mut self, now_ms: i64) -> Vec<Delivery> {
        let due: Vec<Delivery> = self
            .outbox
            .iter()
            .filter(|d| d.due_at_ms <= now_ms)
            .cloned()
            .collect();
        for d in &mut self.outbox {
            if d.due_at_ms <= now_ms {
                d.due_at_ms = now_ms + 15_000;
            }
        }
        due
    }

    /// Records a delivery's outcome: done on 2xx, else retried per [`RETRY_DELAYS_MS`].
    pub fn delivered(&mut self, id: &str, ok: bool, now_ms: i64) {
        if ok {
            self.outbox.retain(|d| d.id != id);
            return;
        }
        if let Some(d) = self.outbox.iter_mut().find(|d| d.id == id) {
            match RETRY_DELAYS_MS.get(d.failures as usize) {
                Some(delay) => {
                    d.failures += 1;
                    d.due_at_ms = now_ms + delay;
                }
                None => d.due_at_ms = i64::MAX,
            }
        }
        self.outbox.retain(|d| d.due_at_ms != i64::MAX);
    }

    /// When something is next due.
    pub fn next_due_ms(&self) -> Option<i64> {
        let resolves = self
            .transactions
            .values()
            .filter(|t| t.charge_status == "pending")
            .filter_map(|t| t.resolve_at_ms);
        let sends = self.outbox.iter().map(|d| d.due_at_ms);
        resolves.chain(sends).min()
    }

    /// Prompts for the handset page: numbers that wait for a person, and OTP messages.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.transactions
            .values()
            .filter(|t| {
                t.charge_status == "pending"
                    && (t.stage == Stage::AwaitingOtp
                        || (t.stage == Stage::Prompted && t.resolve_at_ms.is_none()))
            })
            .map(|t| Prompt {
                transaction_id: t.id.clone(),
                payer: format!("+{}", t.phone),
                provider: "honeycoin".into(),
                amount: t.amount.as_f64().map_or(0, |a| (a * 100.0).round() as i64),
                currency: t.currency.clone(),
                otp: t.otp.clone(),
            })
            .collect()
    }

    /// The redirect page's view of a transaction: (amount text, still pending).
    pub fn redirect_info(&self, id: &str) -> Option<(String, bool)> {
        self.transactions.get(id).map(|t| {
            (
                format!("{} {}", t.currency, t.amount),
                t.charge_status == "pending",
            )
        })
    }

    /// The request log, optionally only requests about `phone` (E.164).
    pub fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        self.log.matching(phone)
    }

    /// Charges collected from `payer` (E.164 with plus).
    pub fn charges_of(&self, payer: &str) -> usize {
        self.charges
            .values()
            .filter(|p| format!("+{p}") == payer)
            .count()
    }
}

fn settle(tx: &mut Tx, b: Behaviour) {
    tx.step = None;
    tx.otp = None;
    tx.stage = Stage::Settled;
    match b {
        Behaviour::Approve | Behaviour::ApproveSilently | Behaviour::Otp | Behaviour::Redirect => {
            tx.charge_status = "successful".into();
            tx.note = Some(format!(
                "SBX{} Confirmed. Sandbox payment received.",
                new_id(6).to_uppercase()
            ));
        }
        Behaviour::Decline(code) => {
            tx.charge_status = "failed".into();
            tx.note = Some(
                match code {
                    "wrong_pin" => "Wrong PIN entered",
                    "insufficient_funds" => "Insufficient balance",
                    "timeout" => "STK Prompt Time Out",
                    "cancelled" => "Request cancelled by user",
                    "limit_exceeded" => "Transaction limit exceeded",
                    "not_registered" => "Number not registered for mobile money",
                    _ => "Declined",
                }
                .into(),
            );
        }
        Behaviour::SystemError { .. } => {
            tx.charge_status = "failed".into();
            tx.note = Some("System error at the operator".into());
        }
        Behaviour::Handset => {}
    }
}

fn tx_json(tx: &Tx) -> Value {
    let mut v = json!({
        "transactionId": tx.id,
        "amount": tx.amount,
        "type": "deposit",
        "currency": tx.currency,
        "senderCurrency": tx.currency,
        "senderAmount": tx.amount,
        "receiverCurrency": tx.currency,
        "receiverAmount": tx.amount,
        "chargeStatus": tx.charge_status,
        "status": tx.charge_status.to_uppercase(),
        "method": "momo",
        "fullTimestamp": iso8601(tx.created_at_ms),
        "externalReference": tx.external_reference,
        "phoneNumber": tx.phone,
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(note) = tx.note.as_ref().filter(|_| tx.charge_status != "pending") {
            obj.insert("note".into(), json!(note));
        }
        if let Some(step) = &tx.step {
            obj.insert("stepRequired".into(), json!(step));
        }
        if let Some(url) = tx
            .redirect_url
            .as_ref()
            .filter(|_| tx.step.as_deref() == Some("redirect"))
        {
            obj.insert("redirectUrl".into(), json!(url));
        }
    }
    v
}

mod simulator;

pub use simulator::API_PREFIX;

#[cfg(test)]
mod tests;
