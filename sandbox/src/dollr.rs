//! A Dollr simulator, written from Dollr's integration guide and NOTES.md, independently of
//! Lipa's adapter: JWTs whose `expires_in` counts minutes, parties and counterparties, the
//! invoice lifecycle (items only while IDLE, publish locks it ACTIVE, PAID once collected),
//! fee previews, operator prediction from the number, checkout / refund / payout sessions,
//! payment accounts, executions and their status (PENDING → PROCESSING → COMPLETED | FAILED),
//! receipts, FastAPI 422 `detail[]` for missing fields and 429 with `Retry-After` on a burst.
//! Dollr sends no webhooks: everything is found by reading status, and state advances with
//! time on every request.
//!
//! Numbers (last two digits, as for every simulated provider): the common table, plus …30
//! stays PROCESSING for `long_processing_ms` before completing, …32 loses the execution's
//! answer (the collection is recorded and proceeds, the caller gets a 503 gateway error, as
//! when a connection drops after the request arrived), …40 is approved late
//! (`late_approval_ms`, after the customer has given up).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::ids::{iso8601, new_id};
use crate::log::{LogEntry, RequestLog};
use crate::sim::numbers::{behaviour, Behaviour};
use crate::sim::{Prompt, SimRequest, SimResponse, RETRY_AFTER_FIELD};

/// The simulator's account settings.
#[derive(Debug, Clone)]
pub struct DollrConfig {
    /// The JWT client id Lipa must present.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// The merchant wallet payouts are paid from.
    pub wallet_id: String,
    /// The payout passcode.
    pub payout_passcode: String,
    /// Token lifetime, minutes.
    pub token_minutes: i64,
    /// How long an ordinary prompt takes to be answered, ms.
    pub approve_delay_ms: i64,
    /// How long …30 stays PROCESSING, ms.
    pub long_processing_ms: i64,
    /// When …40 is approved, ms after the execution.
    pub late_approval_ms: i64,
    /// At most this many requests per second before 429.
    pub burst_limit: usize,
}

/// Dollr's fee: 3% of the amount, in major units rounded to the currency's precision.
fn fee_of(amount: f64, currency: &str) -> f64 {
    round(amount * 0.03, currency)
}

fn round(v: f64, currency: &str) -> f64 {
    let scale = if decimals(currency) == 0 { 1.0 } else { 100.0 };
    (v * scale).round() / scale
}

fn decimals(currency: &str) -> u32 {
    match currency {
        "RWF" | "UGX" | "XOF" => 0,
        _ => 2,
    }
}

/// The pawaPay gateway provider for a number, by its prefix.
fn predict(digits: &str) -> Option<(&'static str, &'static str)> {
    const PREFIXES: [(&str, &str, &str); 7] = [
        ("25078", "MTN_MOMO_RWA", "RWA"),
        ("25079", "MTN_MOMO_RWA", "RWA"),
        ("25072", "AIRTEL_RWA", "RWA"),
        ("25073", "AIRTEL_RWA", "RWA"),
        ("23188", "MTN_MOMO_LBR", "LBR"),
        ("23155", "MTN_MOMO_LBR", "LBR"),
        ("23177", "ORANGE_MONEY_LBR", "LBR"),
    ];
    PREFIXES
        .iter()
        .find(|(p, _, _)| digits.starts_with(p) && digits.len() == 12)
        .map(|(_, provider, country)| (*provider, *country))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Invoice {
    id: String,
    counterparty_id: String,
    currency: String,
    note: String,
    fee_bearer: String,
    status: String,
    items: Vec<Value>,
    paid_at_ms: Option<i64>,
    provider: Option<String>,
}

impl Execution {
    /// Whether it is COMPLETED at `now`: already, or by [`DollrSim::advance`] at `now`.
    fn completed_by(&self, now: i64) -> bool {
        self.status == "COMPLETED"
            || (matches!(self.status.as_str(), "PENDING" | "PROCESSING")
                && self.resolve_at_ms.is_some_and(|t| t <= now)
                && self
                    .outcome
                    .as_ref()
                    .is_some_and(|(status, _)| status == "COMPLETED"))
    }
}

impl Invoice {
    fn amount(&self) -> f64 {
        self.items
            .iter()
            .map(|i| {
                i.get("amount").and_then(Value::as_f64).unwrap_or(0.0)
                    * i.get("qty").and_then(Value::as_f64).unwrap_or(1.0)
            })
            .sum()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    kind: String,
    invoice_id: Option<String>,
    original_intent: Option<String>,
    payment_account_id: Option<String>,
    amount: f64,
    currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Account {
    operation_type: String,
    provider: String,
    digits: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Execution {
    kind: String,
    reference_id: String,
    payment_intent_id: String,
    session_id: String,
    digits: String,
    amount: f64,
    currency: String,
    status: String,
    failure_reason: Option<String>,
    created_at_ms: i64,
    /// When PROCESSING begins; `None` while the handset decides.
    processing_at_ms: Option<i64>,
    /// When the final state is reached, and which.
    resolve_at_ms: Option<i64>,
    outcome: Option<(String, Option<String>)>,
    refunded: f64,
}

/// The whole simulated provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DollrSim {
    tokens: BTreeMap<String, i64>,
    parties: BTreeMap<String, String>,
    counterparties: BTreeMap<String, String>,
    invoices: BTreeMap<String, Invoice>,
    sessions: BTreeMap<String, Session>,
    accounts: BTreeMap<String, Account>,
    executions: BTreeMap<String, Execution>,
    recent: Vec<i64>,
    /// Requests per second before 429, when set at run time (the bench's throughput run lifts
    /// it so that it measures Lipa, not this limit); else the configured one.
    #[serde(default)]
    burst_limit: Option<usize>,
    log: RequestLog,
}

fn reply(status: u16, body: Value) -> SimResponse {
    SimResponse {
        status,
        body: body.to_string(),
    }
}

fn detail(status: u16, text: &str) -> SimResponse {
    reply(status, json!({ "detail": text }))
}

/// FastAPI's 422 for missing body fields.
fn missing(fields: &[&str]) -> SimResponse {
    reply(
        422,
        json!({"detail": fields.iter().map(|f| json!({
            "loc": ["body", f], "msg": "field required", "type": "value_error.missing"
        })).collect::<Vec<_>>()}),
    )
}

fn require<'a>(v: &'a Value, fields: &[&str]) -> Result<Vec<&'a Value>, SimResponse> {
    let absent: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| v.get(f).is_none_or(Value::is_null))
        .collect();
    if absent.is_empty() {
        Ok(fields.iter().filter_map(|f| v.get(f)).collect())
    } else {
        Err(missing(&absent))
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn digits_of(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

impl DollrSim {
    /// Answers one request (path after `/dollr`).
    pub fn handle(&mut self, cfg: &DollrConfig, req: &SimRequest, now_ms: i64) -> SimResponse {
        self.advance(now_ms);
        let resp = self.route(cfg, req, now_ms);
        let phone = self.phone_of(req);
        self.log.note(req, resp.status, phone, now_ms);
        resp
    }

    /// The customer number a request is about, E.164, for the request log.
    fn phone_of(&self, req: &SimRequest) -> Option<String> {
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let from_query = req
            .query
            .iter()
            .find(|(k, _)| k == "phone")
            .map(|(_, v)| digits_of(v));
        let from_body = ["phone_number", "insensitive_account_number"]
            .iter()
            .find_map(|k| body.get(k).and_then(Value::as_str).map(digits_of));
        let from_account = body
            .get("payment_account_id")
            .and_then(Value::as_str)
            .and_then(|a| self.accounts.get(a))
            .map(|a| a.digits.clone());
        let from_session = body
            .get("session_id")
            .and_then(Value::as_str)
            .and_then(|s| self.sessions.get(s))
            .and_then(|s| s.payment_account_id.as_ref())
            .and_then(|a| self.accounts.get(a))
            .map(|a| a.digits.clone());
        let from_reference = req
            .path
            .rsplit('/')
            .next()
            .and_then(|r| self.executions.get(r))
            .map(|e| e.digits.clone());
        let from_checkout = body
            .get("session_id")
            .and_then(Value::as_str)
            .and_then(|s| self.executions.values().find(|e| e.session_id == s))
            .map(|e| e.digits.clone());
        from_query
            .or(from_body)
            .or(from_account)
            .or(from_session)
            .or(from_reference)
            .or(from_checkout)
            .map(|d| format!("+{d}"))
    }

    fn route(&mut self, cfg: &DollrConfig, req: &SimRequest, now: i64) -> SimResponse {
        self.recent.retain(|t| now - t < 1_000);
        if self.recent.len() >= self.burst_limit.unwrap_or(cfg.burst_limit) {
            // The Worker turns `retry_after` into the `Retry-After` header.
            return reply(
                429,
                json!({"detail": "Too many requests", RETRY_AFTER_FIELD: 1}),
            );
        }
        self.recent.push(now);
        let path = req.path.trim_end_matches('/');
        let body: Value = if req.body.trim().is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&req.body) {
                Ok(v) => v,
                Err(_) => {
                    return reply(
                        422,
                        json!({"detail": [{"loc": ["body"], "msg": "invalid JSON", "type": "value_error.jsondecode"}]}),
                    )
                }
            }
        };
        if (req.method.as_str(), path) == ("POST", "/v1/jwt/client/obtain/token") {
            return self.token(cfg, &body, now);
        }
        let bearer = req
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .and_then(|(_, v)| v.strip_prefix("Bearer "));
        match bearer.and_then(|t| self.tokens.get(t)) {
            Some(expires) if *expires > now => {}
            Some(_) => return detail(401, "Token has expired"),
            None => return detail(401, "Could not validate credentials"),
        }
        let query = |name: &str| {
            req.query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("POST", ["v1", "parties", "create"]) => self.party(&body),
            ("POST", ["v1", "counterparties", "create"]) => self.counterparty(&body),
            ("POST", ["v1", "invoices", "create"]) => self.invoice(&body),
            ("POST", ["v1", "invoices", id, "items", "add"]) => self.add_item(id, &body),
            ("PUT", ["v1", "invoices", "publish", id]) => self.publish(id),
            ("GET", ["v1", "invoices", "receipt", id]) => self.receipt(id),
            ("GET", ["v1", "predictions", "amount-and-fees"]) => fees(
                query("amount").as_deref(),
                query("currency").as_deref(),
                query("fee_bearer").as_deref(),
            ),
            ("GET", ["v1", "predictions", "mmo-provider-info"]) => {
                match predict(&digits_of(&query("phone").unwrap_or_default())) {
                    Some((provider, country)) => reply(
                        200,
                        json!({"payment_method": "MOBILE_MONEY", "gateway_provider": provider, "country": country}),
                    ),
                    None => reply(
                        422,
                        json!({"detail": [{"loc": ["query", "phone"], "msg": "no mobile-money provider serves this number", "type": "value_error"}]}),
                    ),
                }
            }
            ("POST", ["v1", "sessions", "checkout"]) => self.checkout_session(&body),
            ("POST", ["v1", "sessions", "refund"]) => self.refund_session(&body),
            ("POST", ["v1", "sessions", "payout"]) => self.payout_session(cfg, &body),
            ("POST", ["v1", "payment-accounts", "create"]) => {
                self.account(&body, query("operation_type").as_deref())
            }
            ("POST", ["v1", "executions", kind]) => self.execute(cfg, kind, &body, now),
            ("GET", ["v1", "status", kind, reference]) => match self.executions.get(*reference) {
                Some(e) if e.kind == *kind => reply(200, status_body(e, now)),
                _ => detail(404, "Not found"),
            },
            _ => detail(404, "Not Found"),
        }
    }

    fn token(&mut self, cfg: &DollrConfig, body: &Value, now: i64) -> SimResponse {
        let fields = match require(body, &["client_id", "client_secret"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let (id, secret) = (text(fields[0]), text(fields[1]));
        if id != cfg.client_id || !crate::ids::constant_time_eq(&secret, &cfg.client_secret) {
            return detail(401, "Invalid client credentials");
        }
        let token = format!("dlr_{}", new_id(32));
        self.tokens
            .insert(token.clone(), now + cfg.token_minutes * 60_000);
        reply(
            200,
            json!({"access_token": token, "token_type": "bearer", "expires_in": cfg.token_minutes}),
        )
    }

    /// Sets the requests per second answered before 429 (`None`: the configured one again);
    /// answers the limit now in force.
    pub fn set_burst_limit(&mut self, limit: Option<usize>, cfg: &DollrConfig) -> usize {
        self.burst_limit = limit;
        limit.unwrap_or(cfg.burst_limit)
    }

    /// Revokes every token (the next call answers 401).
    pub fn revoke_tokens(&mut self) {
        self.tokens.clear();
    }

    fn party(&mut self, body: &Value) -> SimResponse {
        let fields = match require(body, &["name", "phone_number"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let id = format!("pty_{}", new_id(16));
        self.parties.insert(id.clone(), digits_of(&text(fields[1])));
        reply(
            201,
            json!({"id": id, "name": text(fields[0]), "phone_number": text(fields[1])}),
        )
    }

    fn counterparty(&mut self, body: &Value) -> SimResponse {
        let fields = match require(body, &["party_id", "relationship_type"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let party = text(fields[0]);
        if !self.parties.contains_key(&party) {
            return detail(404, "Party not found");
        }
        let id = format!("cpt_{}", new_id(16));
        self.counterparties.insert(id.clone(), party.clone());
        reply(
            201,
            json!({"id": id, "party_id": party, "relationship_type": text(fields[1])}),
        )
    }

    fn invoice(&mut self, body: &Value) -> SimResponse {
        let fields = match require(body, &["counterparty_id", "currency", "fee_bearer"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let counterparty_id = text(fields[0]);
        if !self.counterparties.contains_key(&counterparty_id) {
            return detail(404, "Counterparty not found");
        }
        let id = format!("inv_{}", new_id(16));
        let invoice = Invoice {
            id: id.clone(),
            counterparty_id,
            currency: text(fields[1]),
            note: body.get("note").map(text).unwrap_or_default(),
            fee_bearer: text(fields[2]),
            status: "IDLE".into(),
            items: Vec::new(),
            paid_at_ms: None,
            provider: None,
        };
        let out = json!({"id": id, "status": "IDLE", "currency": invoice.currency, "fee_bearer": invoice.fee_bearer, "note": invoice.note});
        self.invoices.insert(id, invoice);
        reply(201, out)
    }

    fn add_item(&mut self, id: &str, body: &Value) -> SimResponse {
        let fields = match require(body, &["name", "currency", "qty", "amount"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let Some(invoice) = self.invoices.get_mut(id) else {
            return detail(404, "Invoice not found");
        };
        if invoice.status != "IDLE" {
            return detail(
                400,
                &format!(
                    "Invoice is {}: items can only be added while IDLE",
                    invoice.status
                ),
            );
        }
        if text(fields[1]) != invoice.currency {
            return reply(
                422,
                json!({"detail": [{"loc": ["body", "currency"], "msg": "must be the invoice's currency", "type": "value_error"}]}),
            );
        }
        if fields[3].as_f64().is_none_or(|a| a <= 0.0) || fields[2].as_i64().is_none_or(|q| q < 1) {
            return reply(
                422,
                json!({"detail": [{"loc": ["body", "amount"], "msg": "amount and qty must be positive", "type": "value_error"}]}),
            );
        }
        let item_id = format!("itm_{}", new_id(12));
        let mut item = body.clone();
        if let Some(o) = item.as_object_mut() {
            o.insert("id".into(), json!(item_id));
        }
        invoice.items.push(item.clone());
        reply(201, item)
    }

    fn publish(&mut self, id: &str) -> SimResponse {
        let Some(invoice) = self.invoices.get_mut(id) else {
            return detail(404, "Invoice not found");
        };
        if invoice.status != "IDLE" {
            return detail(400, &format!("Invoice is {}, not IDLE", invoice.status));
        }
        if invoice.items.is_empty() {
            return detail(400, "An invoice needs at least one item to be published");
        }
        invoice.status = "ACTIVE".into();
        reply(
            200,
            json!({"id": id, "status": "ACTIVE", "amount": invoice.amount(), "currency": invoice.currency}),
        )
    }

    fn receipt(&self, id: &str) -> SimResponse {
        let Some(invoice) = self.invoices.get(id) else {
            return detail(404, "Invoice not found");
        };
        let Some(paid_at) = invoice.paid_at_ms.filter(|_| invoice.status == "PAID") else {
            return detail(400, "The receipt is available once the invoice is paid");
        };
        let amount = invoice.amount();
        let fee = fee_of(amount, &invoice.currency);
        let total = if invoice.fee_bearer == "CUSTOMER" {
            amount + fee
        } else {
            amount
        };
        reply(
            200,
            json!({"id": id, "invoice_number": format!("INV-{}", &id[4..12]), "status": "PAID",
                "currency": invoice.currency, "amount": amount, "fee": fee,
                "total_amount": round(total, &invoice.currency), "fx_rate": 1.0,
                "provider": invoice.provider, "paid_at": iso8601(paid_at), "items": invoice.items}),
        )
    }

    fn checkout_session(&mut self, body: &Value) -> SimResponse {
        let fields = match require(body, &["source_id", "source_type"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        if text(fields[1]) != "INVOICE" {
            return reply(
                422,
                json!({"detail": [{"loc": ["body", "source_type"], "msg": "must be INVOICE", "type": "value_error"}]}),
            );
        }
        let invoice_id = text(fields[0]);
        let Some(invoice) = self.invoices.get(&invoice_id) else {
            return detail(404, "Invoice not found");
        };
        if invoice.status != "ACTIVE" {
            return detail(
                400,
                &format!("Invoice is {}: publish it first", invoice.status),
            );
        }
        let amount = invoice.amount();
        let fee = fee_of(amount, &invoice.currency);
        let charged = if invoice.fee_bearer == "CUSTOMER" {
            amount + fee
        } else {
            amount
        };
        let id = format!("ses_{}", new_id(16));
        let session = Session {
            kind: "collection".into(),
            invoice_id: Some(invoice_id.clone()),
            original_intent: None,
            payment_account_id: None,
            amount: round(charged, &invoice.currency),
            currency: invoice.currency.clone(),
        };
        let out = json!({"id": id, "source_id": invoice_id, "source_type": "INVOICE", "amount": session.amount, "currency": session.currency});
        self.sessions.insert(id, session);
        reply(201, out)
    }

    fn refund_session(&mut self, body: &Value) -> SimResponse {
        let fields = match require(body, &["original_payment_intent_id", "amount"]) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let intent = text(fields[0]);
        let Some(original) = self
            .executions
            .values()
            .find(|e| e.kind == "collection" && e.payment_intent_id == intent)
        else {
            return detail(404, "Payment intent not found");
        };
        if original.status != "COMPLETED" {
            return detail(
                400,
                &format!(
                    "Only a completed payment can be refunded (it is {})",
                    original.status
                ),
            );
        }
        let amount = fields[1].as_f64().unwrap_or(0.0);
        let pending: f64 = self
            .executions
            .values()
            .filter(|e| {
                e.kind == "refund"
                    && e.status != "FAILED"
                    && self
                        .sessions
                        .get(&e.session_id)
                        .is_some_and(|s| s.original_intent.as_deref() == Some(intent.as_str()))
            })
            .map(|e| e.amount)
            .sum();
        let refundable = original.amount - pending;
        if amount <= 0.0 || amount > refundable + 1e-9 {
            return reply(
                422,
                json!({"detail": [{"loc": ["body", "amount"], "msg": format!("must be between 0 and the refundable {refundable}"), "type": "value_error"}]}),
            );
        }
        let currency = original.currency.clone();
        let account = original.digits.clone();
        let id = format!("rss_{}", new_id(16));
        self.sessions.insert(
            id.clone(),
            Session {
                kind: "refund".into(),
                invoice_id: None,
                original_intent: Some(intent.clone()),
                payment_account_id: None,
                amount,
                currency: currency.clone(),
            },
        );
        // The refund goes back to the wallet that paid.
        self.accounts.insert(
            format!("refund:{id}"),
            Account {
                operation_type: "REFUND".into(),
                provider: String::new(),
                digits: account,
            },
        );
        reply(
            201,
            json!({"id": id, "original_payment_intent_id": intent, "amount": amount, "currency": currency}),
        )
    }

    fn payout_session(&mut self, cfg: &DollrConfig, body: &Value) -> SimResponse {
        let fields = match require(
            body,
            &[
                "wallet_id",
                "payment_account_id",
                "amount",
                "currency",
                "expires_at",
            ],
        ) {
            Ok(f) => f,
            Err(e) => return e,
        };
        if text(fields[0]) != cfg.wallet_id {
            return detail(404, "Wallet not found");
        }
        let account_id = text(fields[1]);
        match self.accounts.get(&account_id) {
            Some(a) if a.operation_type == "PAYOUT" => {}
            Some(_) => return detail(400, "The payment account is not a PAYOUT account"),
            None => return detail(404, "Payment account not found"),
        }
        let amount = fields[2].as_f64().unwrap_or(0.0);
        if amount <= 0.0 {
            return reply(
                422,
                json!({"detail": [{"loc": ["body", "amount"], "msg": "must be positive", "type": "value_error"}]}),
            );
        }
        let id = format!("pss_{}", new_id(16));
        self.sessions.insert(
            id.clone(),
            Session {
                kind: "payout".into(),
                invoice_id: None,
                original_intent: None,
                payment_account_id: Some(account_id),
                amount,
                currency: text(fields[3]),
            },
        );
        reply(
            201,
            json!({"id": id, "amount": amount, "currency": text(fields[3])}),
        )
    }

    fn account(&mut self, body: &Value, operation_type: Option<&str>) -> SimResponse {
        let Some(op) = operation_type.filter(|o| ["COLLECTION", "PAYOUT"].contains(o)) else {
            return reply(
                422,
                json!({"detail": [{"loc": ["query", "operation_type"], "msg": "must be COLLECTION or PAYOUT", "type": "value_error"}]}),
            );
        };
        let fields = match require(
            body,
            &[
                "account_name",
                "provider",
                "method",
                "party_id",
                "country_code",
                "insensitive_account_number",
            ],
        ) {
            Ok(f) => f,
            Err(e) => return e,
        };
        if !self.parties.contains_key(&text(fields[3])) {
            return detail(404, "Party not found");
        }
        let digits = digits_of(&text(fields[5]));
        let provider = text(fields[1]);
        if predict(&digits).map(|(p, _)| p) != Some(provider.as_str()) {
            return reply(
                422,
                json!({"detail": [{"loc": ["body", "insensitive_account_number"], "msg": format!("not a {provider} wallet"), "type": "value_error"}]}),
            );
        }
        let id = format!("acc_{}", new_id(16));
        self.accounts.insert(
            id.clone(),
            Account {
                operation_type: op.into(),
                provider: provider.clone(),
                digits,
            },
        );
        reply(
            201,
            json!({"id": id, "operation_type": op, "provider": provider}),
        )
    }

    fn execute(&mut self, cfg: &DollrConfig, kind: &str, body: &Value, now: i64) -> SimResponse {
        if !["collection", "refund", "payout"].contains(&kind) {
            return detail(404, "Not Found");
        }
        let mut required = vec!["session_id", "reference_id"];
        match kind {
            "collection" => required.extend(["payment_account_id", "currency"]),
            "payout" => required.push("passcode"),
            _ => {}
        }
        let fields = match require(body, &required) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let (session_id, reference_id) = (text(fields[0]), text(fields[1]));
        if self.executions.contains_key(&reference_id) {
            return detail(409, "reference_id has been used already");
        }
        let Some(session) = self.sessions.get(&session_id).cloned() else {
            return detail(404, "Session not found");
        };
        if session.kind != kind {
            return detail(400, &format!("This is a {} session", session.kind));
        }
        if self.executions.values().any(|e| e.session_id == session_id) {
            return detail(400, "This session has been executed already");
        }
        let digits = match kind {
            "collection" => {
                let account_id = text(fields[2]);
                match self.accounts.get(&account_id) {
                    Some(a) if a.operation_type == "COLLECTION" => a.digits.clone(),
                    _ => return detail(404, "Payment account not found"),
                }
            }
            "payout" => {
                let passcode = body
                    .pointer("/passcode/value")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !crate::ids::constant_time_eq(passcode, &cfg.payout_passcode) {
                    return detail(403, "Invalid passcode");
                }
                session
                    .payment_account_id
                    .as_ref()
                    .and_then(|a| self.accounts.get(a))
                    .map(|a| a.digits.clone())
                    .unwrap_or_default()
            }
            _ => self
                .accounts
                .get(&format!("refund:{session_id}"))
                .map(|a| a.digits.clone())
                .unwrap_or_default(),
        };
        let suffix = &digits[digits.len().saturating_sub(2)..];
        // Refunds go through whatever the original number does; only the money direction
        // differs. A handset number decides on the handset page.
        let (processing_at, resolve_at, outcome) = match (kind, suffix) {
            ("collection", "30") => (
                Some(now + 1_000),
                Some(now + cfg.long_processing_ms),
                Some(("COMPLETED".to_string(), None)),
            ),
            ("collection", "40") => (
                Some(now + cfg.late_approval_ms - 1_000),
                Some(now + cfg.late_approval_ms),
                Some(("COMPLETED".to_string(), None)),
            ),
            ("refund", _) => (
                Some(now + 500),
                Some(now + cfg.approve_delay_ms),
                Some(("COMPLETED".to_string(), None)),
            ),
            (_, "32") => (
                Some(now + 500),
                Some(now + cfg.approve_delay_ms),
                Some(("COMPLETED".to_string(), None)),
            ),
            _ => match outcome_of(behaviour(&digits)) {
                Some(o) => (Some(now + 500), Some(now + cfg.approve_delay_ms), Some(o)),
                None => (None, None, None),
            },
        };
        let execution = Execution {
            kind: kind.into(),
            reference_id: reference_id.clone(),
            payment_intent_id: format!("pi_{}", new_id(20)),
            session_id,
            digits: digits.clone(),
            amount: session.amount,
            currency: session.currency.clone(),
            status: "PENDING".into(),
            failure_reason: None,
            created_at_ms: now,
            processing_at_ms: processing_at,
            resolve_at_ms: resolve_at,
            outcome,
            refunded: 0.0,
        };
        let out = status_body(&execution, now);
        self.executions.insert(reference_id, execution);
        if kind == "collection" && suffix == "32" {
            // The collection is under way; its answer never reaches the caller.
            return SimResponse {
                status: 503,
                body: "upstream connect error or disconnect/reset before headers".into(),
            };
        }
        reply(202, out)
    }

    /// Moves executions along with time.
    pub fn advance(&mut self, now: i64) {
        let mut paid = Vec::new();
        for e in self.executions.values_mut() {
            if e.status == "PENDING" && e.processing_at_ms.is_some_and(|t| t <= now) {
                e.status = "PROCESSING".into();
            }
            if matches!(e.status.as_str(), "PENDING" | "PROCESSING")
                && e.resolve_at_ms.is_some_and(|t| t <= now)
            {
                if let Some((status, reason)) = e.outcome.clone() {
                    e.status = status;
                    e.failure_reason = reason;
                    if e.kind == "collection" && e.status == "COMPLETED" {
                        paid.push((e.session_id.clone(), now));
                    }
                }
            }
        }
        for (session_id, at) in paid {
            let invoice_id = self
                .sessions
                .get(&session_id)
                .and_then(|s| s.invoice_id.clone());
            let provider = self
                .executions
                .values()
                .find(|e| e.session_id == session_id)
                .and_then(|e| predict(&e.digits))
                .map(|(p, _)| p.to_string());
            if let Some(invoice) = invoice_id.and_then(|id| self.invoices.get_mut(&id)) {
                invoice.status = "PAID".into();
                invoice.paid_at_ms = Some(at);
                invoice.provider = provider;
            }
        }
    }

    /// A person answered on the handset page.
    pub fn answer(&mut self, reference_id: &str, approve: bool, now: i64) -> Result<(), String> {
        let Some(e) = self.executions.get_mut(reference_id) else {
            return Err("no such collection".into());
        };
        if e.outcome.is_some() {
            return Err("already answered".into());
        }
        e.processing_at_ms = Some(now);
        e.resolve_at_ms = Some(now + 1_000);
        e.outcome = Some(if approve {
            ("COMPLETED".into(), None)
        } else {
            ("FAILED".into(), Some("PAYMENT_NOT_APPROVED".into()))
        });
        self.advance(now);
        Ok(())
    }

    /// Collections waiting for a person.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.executions
            .values()
            .filter(|e| e.kind == "collection" && e.outcome.is_none())
            .map(|e| Prompt {
                transaction_id: e.reference_id.clone(),
                payer: format!("+{}", e.digits),
                provider: "dollr".into(),
                amount: (e.amount * 10f64.powi(decimals(&e.currency) as i32)).round() as i64,
                currency: e.currency.clone(),
                otp: None,
            })
            .collect()
    }

    /// The request log, optionally only requests about `phone` (E.164).
    pub fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        self.log.matching(phone)
    }

    /// Collections from `payer` (E.164) completed by `now`: those [`DollrSim::advance`] has
    /// completed or would complete at `now` (read without moving anything along).
    pub fn charges_of(&self, payer: &str, now: i64) -> usize {
        self.executions
            .values()
            .filter(|e| {
                e.kind == "collection" && e.completed_by(now) && format!("+{}", e.digits) == payer
            })
            .count()
    }
}

fn outcome_of(b: Behaviour) -> Option<(String, Option<String>)> {
    let failed = |code: &str| Some(("FAILED".to_string(), Some(code.to_string())));
    match b {
        Behaviour::Approve | Behaviour::ApproveSilently | Behaviour::Otp | Behaviour::Redirect => {
            Some(("COMPLETED".into(), None))
        }
        Behaviour::Decline("wrong_pin") => failed("WRONG_PIN"),
        Behaviour::Decline("insufficient_funds") => failed("INSUFFICIENT_BALANCE"),
        Behaviour::Decline("timeout") => failed("TIMEOUT"),
        Behaviour::Decline("cancelled") => failed("PAYMENT_NOT_APPROVED"),
        Behaviour::Decline("limit_exceeded") => failed("PAYER_LIMIT_REACHED"),
        Behaviour::Decline("not_registered") => failed("PAYER_NOT_FOUND"),
        Behaviour::Decline(_) => failed("UNSPECIFIED_FAILURE"),
        Behaviour::SystemError { .. } => failed("OTHER_ERROR"),
        Behaviour::Handset => None,
    }
}

fn status_body(e: &Execution, now: i64) -> Value {
    json!({
        "reference_id": e.reference_id,
        "payment_intent_id": e.payment_intent_id,
        "status": e.status,
        "failure_reason": e.failure_reason,
        "amount": e.amount,
        "currency": e.currency,
        "created_at": iso8601(e.created_at_ms),
        "updated_at": iso8601(now),
    })
}

fn fees(amount: Option<&str>, currency: Option<&str>, fee_bearer: Option<&str>) -> SimResponse {
    let mut absent = Vec::new();
    let amount = amount
        .and_then(|a| a.parse::<f64>().ok())
        .filter(|a| *a > 0.0);
    if amount.is_none() {
        absent.push("amount");
    }
    if currency.is_none() {
        absent.push("currency");
    }
    let (Some(amount), Some(currency)) = (amount, currency) else {
        return reply(
            422,
            json!({"detail": absent.iter().map(|f| json!({"loc": ["query", f], "msg": "field required", "type": "value_error.missing"})).collect::<Vec<_>>()}),
        );
    };
    let fee = fee_of(amount, currency);
    let total = if fee_bearer == Some("CUSTOMER") {
        amount + fee
    } else {
        amount
    };
    reply(
        200,
        json!({"amount": amount, "fee": fee, "total_amount": round(total, currency), "currency": currency, "fx_rate": 1.0}),
    )
}

mod simulator;

#[cfg(test)]
mod tests;
