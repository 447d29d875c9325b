//! Dollr, from `dollr.seed.txt` and NOTES.md: a JWT (`expires_in` in minutes), party,
//! counterparty, invoice (IDLE → ACTIVE once published, then locked), items, fee preview,
//! MMO prediction, checkout session, payment account, the collection execution with Lipa's
//! `reference_id` (used once), `GET /v1/status/collection/{reference_id}` (PENDING →
//! PROCESSING → COMPLETED | FAILED with pawaPay's failure codes), refunds, payouts, the
//! receipt. FastAPI errors (`detail`); no webhooks at all.

use std::collections::HashMap;

use lipa_api::{Currency, FailureReason};
use lipa_providers::{HttpRequest, HttpResponse, Method, ProviderId};
use serde_json::{json, Value};

use super::{iso, json, major, minor, Market, Model, Outcome, Req, Route, Signing, Webhook};

const BASE: &str = "https://dollr.test";
const CLIENT_ID: &str = "dl_client_conformance";
const CLIENT_SECRET: &str = "dl_secret_conformance";
const WALLET: &str = "wal_conformance";
const PASSCODE: &str = "2468";
const TOKEN_MINUTES: i64 = 30;
/// Dollr's fee, in basis points of the invoice.
const FEE_BP: i64 = 150;

struct Invoice {
    id: String,
    currency: String,
    fee_bearer: String,
    items: Vec<(String, i64, i64)>,
    status: &'static str,
}

struct Session {
    id: String,
    /// Invoice id (checkout), intent id (refund), or payment account (payout).
    source: String,
    amount: i64,
    currency: String,
    used: bool,
}

struct Execution {
    op: &'static str,
    reference: String,
    intent: String,
    amount: i64,
    currency: String,
    status: String,
    failure: Option<&'static str>,
    invoice: Option<String>,
    paid_ms: i64,
}

/// The fake.
#[derive(Default)]
pub struct Dollr {
    next: u64,
    tokens: HashMap<String, i64>,
    issued: usize,
    created: HashMap<String, Value>,
    invoices: Vec<Invoice>,
    sessions: Vec<Session>,
    executions: Vec<Execution>,
}

fn detail(status: u16, text: &str) -> HttpResponse {
    json(status, json!({"detail": text}))
}

fn missing(field: &str) -> HttpResponse {
    json(
        422,
        json!({"detail": [{"loc": ["body", field], "msg": "field required", "type": "value_error.missing"}]}),
    )
}

fn fee(amount: i64) -> i64 {
    amount * FEE_BP / 10_000
}

/// pawaPay's failure code for a reason.
fn code(reason: FailureReason) -> &'static str {
    match reason {
        FailureReason::InsufficientFunds => "INSUFFICIENT_BALANCE",
        FailureReason::NotRegistered => "PAYER_NOT_FOUND",
        FailureReason::Cancelled => "PAYMENT_NOT_APPROVED",
        FailureReason::WrongPin => "WRONG_PIN",
        FailureReason::LimitReached => "PAYER_LIMIT_REACHED",
        FailureReason::TimedOut => "TIMEOUT",
        FailureReason::ProviderError => "OTHER_ERROR",
        FailureReason::Declined => "UNSPECIFIED_FAILURE",
    }
}

/// The MMO a number belongs to (Rwanda: MTN 078/079, Airtel 072/073; Liberia: MTN
/// (Lonestar) 088, Orange 077).
fn predict(phone: &str) -> Option<&'static str> {
    let p = phone.trim_start_matches('+');
    [
        ("25078", "MTN_MOMO_RWA"),
        ("25079", "MTN_MOMO_RWA"),
        ("25072", "AIRTEL_RWA"),
        ("25073", "AIRTEL_RWA"),
        ("23188", "MTN_MOMO_LBR"),
        ("23177", "ORANGE_MONEY_LBR"),
    ]
    .into_iter()
    .find(|(prefix, _)| p.starts_with(prefix))
    .map(|(_, mmo)| mmo)
}

impl Dollr {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_{:08}", self.next)
    }

    fn create(&mut self, prefix: &str, fields: Value) -> HttpResponse {
        let id = self.id(prefix);
        let mut v = fields;
        v["id"] = json!(id);
        self.created.insert(id, v.clone());
        json(201, v)
    }

    fn status_json(e: &Execution) -> Value {
        let currency = Currency::from_code(&e.currency).unwrap_or(Currency::RWF);
        json!({"reference_id": e.reference, "status": e.status, "payment_intent_id": e.intent,
            "failure_reason": e.failure, "amount": major(e.amount, currency), "currency": e.currency})
    }

    fn invoice_total(inv: &Invoice) -> i64 {
        let amount: i64 = inv.items.iter().map(|(_, q, a)| q * a).sum();
        if inv.fee_bearer == "CUSTOMER" {
            amount + fee(amount)
        } else {
            amount
        }
    }

    fn execute(&mut self, r: &Req, op: &'static str, now_ms: i64) -> HttpResponse {
        let Some(reference) = r.text("/reference_id").map(str::to_string) else {
            return missing("reference_id");
        };
        let Some(session_id) = r.text("/session_id").map(str::to_string) else {
            return missing("session_id");
        };
        if self.executions.iter().any(|e| e.reference == reference) {
            return detail(409, "reference_id has been used already");
        }
        let Some(s) = self.sessions.iter_mut().find(|s| s.id == session_id) else {
            return detail(404, "Session not found");
        };
        if s.used {
            return detail(400, "This session has been executed already");
        }
        match op {
            "collection" => {
                if r.text("/currency") != Some(s.currency.as_str()) {
                    return detail(400, "currency does not match the invoice");
                }
                if r.text("/payment_account_id").is_none() {
                    return missing("payment_account_id");
                }
            }
            "payout" if r.text("/passcode/value") != Some(PASSCODE) => {
                return detail(403, "Invalid passcode");
            }
            _ => {}
        }
        s.used = true;
        let (amount, currency, source) = (s.amount, s.currency.clone(), s.source.clone());
        let intent = self.id("pi");
        let e = Execution {
            op,
            reference,
            intent,
            amount,
            currency,
            status: "PROCESSING".into(),
            failure: None,
            invoice: (op == "collection").then_some(source),
            paid_ms: now_ms,
        };
        let answer = json(200, Self::status_json(&e));
        self.executions.push(e);
        answer
    }

    fn checkout_session(&mut self, r: &Req) -> HttpResponse {
        if r.text("/source_type") != Some("INVOICE") {
            return detail(400, "source_type must be INVOICE");
        }
        let Some(inv) = r
            .text("/source_id")
            .and_then(|id| self.invoices.iter().find(|i| i.id == id))
        else {
            return detail(404, "Invoice not found");
        };
        if inv.status != "ACTIVE" {
            return detail(400, "Invoice is not published");
        }
        let (source, amount, currency) = (
            inv.id.clone(),
            Self::invoice_total(inv),
            inv.currency.clone(),
        );
        let id = self.id("ses");
        self.sessions.push(Session {
            id: id.clone(),
            source,
            amount,
            currency,
            used: false,
        });
        json(201, json!({"id": id, "source_type": "INVOICE"}))
    }

    fn refund_session(&mut self, r: &Req) -> HttpResponse {
        let Some(paid) = r.text("/original_payment_intent_id").and_then(|id| {
            self.executions
                .iter()
                .find(|e| e.intent == id && e.op == "collection")
        }) else {
            return detail(404, "Payment intent not found");
        };
        let currency = Currency::from_code(&paid.currency).unwrap_or(Currency::RWF);
        let amount = minor(&r.body["amount"], currency).unwrap_or(0);
        if paid.status != "COMPLETED" || amount > paid.amount || amount <= 0 {
            return detail(
                400,
                "Only a completed collection can be refunded, up to its amount",
            );
        }
        let (source, currency) = (paid.intent.clone(), paid.currency.clone());
        let id = self.id("ses");
        self.sessions.push(Session {
            id: id.clone(),
            source,
            amount,
            currency,
            used: false,
        });
        json(201, json!({"id": id}))
    }

    fn payout_session(&mut self, r: &Req) -> HttpResponse {
        let b = &r.body;
        let Some(currency) = b["currency"].as_str().and_then(Currency::from_code) else {
            return missing("currency");
        };
        if b["wallet_id"] != WALLET {
            return detail(404, "Wallet not found");
        }
        let (Some(account), Some(amount), Some(_)) = (
            b["payment_account_id"].as_str(),
            minor(&b["amount"], currency),
            b["expires_at"].as_str(),
        ) else {
            return missing("payment_account_id");
        };
        if !self.created.contains_key(account) {
            return detail(404, "Payment account not found");
        }
        let id = self.id("ses");
        self.sessions.push(Session {
            id: id.clone(),
            source: account.into(),
            amount,
            currency: currency.code().into(),
            used: false,
        });
        json(201, json!({"id": id}))
    }

    fn receipt(&self, invoice_id: &str) -> HttpResponse {
        let Some(inv) = self.invoices.iter().find(|i| i.id == invoice_id) else {
            return detail(404, "Invoice not found");
        };
        let Some(e) = self
            .executions
            .iter()
            .find(|e| e.invoice.as_deref() == Some(invoice_id) && e.status == "COMPLETED")
        else {
            return detail(400, "No completed payment for this invoice");
        };
        let currency = Currency::from_code(&inv.currency).unwrap_or(Currency::RWF);
        let amount: i64 = inv.items.iter().map(|(_, q, a)| q * a).sum();
        let items: Vec<Value> = inv
            .items
            .iter()
            .map(|(n, q, a)| json!({"name": n, "qty": q, "amount": major(*a, currency)}))
            .collect();
        json(
            200,
            json!({"currency": inv.currency, "amount": major(amount, currency),
                "fee": major(fee(amount), currency), "total_amount": major(e.amount, currency),
                "fx_rate": null, "provider": "MTN_MOMO_RWA", "paid_at": iso(e.paid_ms), "items": items}),
        )
    }

    fn route_authorized(&mut self, r: &Req, now_ms: i64) -> HttpResponse {
        let q = |k: &str| r.query.get(k).cloned().unwrap_or_default();
        if r.is(Method::Post, &["v1", "parties", "create"]) {
            match r.text("/phone_number") {
                Some(_) => self.create("pty", r.body.clone()),
                None => missing("phone_number"),
            }
        } else if r.is(Method::Post, &["v1", "counterparties", "create"]) {
            match r.text("/party_id") {
                Some(p)
                    if self.created.contains_key(p)
                        && r.text("/relationship_type") == Some("CUSTOMER") =>
                {
                    self.create("cpt", r.body.clone())
                }
                _ => detail(
                    400,
                    "a known party_id and relationship_type CUSTOMER are required",
                ),
            }
        } else if r.is(Method::Post, &["v1", "invoices", "create"]) {
            let (Some(cp), Some(currency), Some(bearer)) = (
                r.text("/counterparty_id"),
                r.text("/currency").and_then(Currency::from_code),
                r.text("/fee_bearer"),
            ) else {
                return missing("counterparty_id");
            };
            if !self.created.contains_key(cp) {
                return detail(404, "Counterparty not found");
            }
            let id = self.id("inv");
            self.invoices.push(Invoice {
                id: id.clone(),
                currency: currency.code().into(),
                fee_bearer: bearer.into(),
                items: vec![],
                status: "IDLE",
            });
            json(201, json!({"id": id, "status": "IDLE"}))
        } else if r.is(Method::Post, &["v1", "invoices", "*", "items", "add"]) {
            let id = r.path[2].clone();
            let Some(inv) = self.invoices.iter_mut().find(|i| i.id == id) else {
                return detail(404, "Invoice not found");
            };
            let currency = Currency::from_code(&inv.currency).unwrap_or(Currency::RWF);
            let (Some(name), Some(qty), Some(amount)) = (
                r.text("/name"),
                r.body["qty"].as_i64().filter(|q| *q > 0),
                minor(&r.body["amount"], currency),
            ) else {
                return missing("amount");
            };
            if inv.status != "IDLE" || r.text("/currency") != Some(inv.currency.as_str()) {
                return detail(400, "Invoice is locked or the currency differs");
            }
            inv.items.push((name.into(), qty, amount));
            let item = self.id("itm");
            json(201, json!({"id": item}))
        } else if r.is(Method::Put, &["v1", "invoices", "publish", "*"]) {
            let Some(inv) = self.invoices.iter_mut().find(|i| i.id == r.path[3]) else {
                return detail(404, "Invoice not found");
            };
            if inv.items.is_empty() {
                return detail(400, "An invoice needs items");
            }
            inv.status = "ACTIVE";
            json(200, json!({"id": inv.id, "status": "ACTIVE"}))
        } else if r.is(Method::Get, &["v1", "predictions", "amount-and-fees"]) {
            let Some(currency) = Currency::from_code(&q("currency")) else {
                return detail(400, "currency");
            };
            let Some(amount) = minor(
                &serde_json::from_str(&q("amount")).unwrap_or(Value::Null),
                currency,
            ) else {
                return detail(400, "amount");
            };
            let fee = fee(amount);
            let total = if q("fee_bearer") == "CUSTOMER" {
                amount + fee
            } else {
                amount
            };
            json(
                200,
                json!({"amount": major(amount, currency), "fee": major(fee, currency),
                    "total_amount": major(total, currency), "currency": currency.code()}),
            )
        } else if r.is(Method::Get, &["v1", "predictions", "mmo-provider-info"]) {
            match predict(&q("phone")) {
                Some(mmo) => json(
                    200,
                    json!({"payment_method": "MOBILE_MONEY", "gateway_provider": mmo}),
                ),
                None => detail(404, "No MMO for this number"),
            }
        } else if r.is(Method::Post, &["v1", "sessions", "checkout"]) {
            self.checkout_session(r)
        } else if r.is(Method::Post, &["v1", "payment-accounts", "create"]) {
            let wanted = r.text("/insensitive_account_number").and_then(predict);
            if wanted.is_none() || wanted != r.text("/provider") || r.text("/party_id").is_none() {
                return detail(400, "provider does not match the account number");
            }
            self.create("pac", r.body.clone())
        } else if r.is(Method::Post, &["v1", "executions", "*"]) {
            match r.path[2].as_str() {
                "collection" => self.execute(r, "collection", now_ms),
                "refund" => self.execute(r, "refund", now_ms),
                "payout" => self.execute(r, "payout", now_ms),
                _ => detail(404, "Not Found"),
            }
        } else if r.is(Method::Get, &["v1", "status", "*", "*"]) {
            match self
                .executions
                .iter()
                .find(|e| e.op == r.path[2] && e.reference == r.path[3])
            {
                Some(e) => json(200, Self::status_json(e)),
                None => detail(404, "Not Found"),
            }
        } else if r.is(Method::Post, &["v1", "sessions", "refund"]) {
            self.refund_session(r)
        } else if r.is(Method::Post, &["v1", "sessions", "payout"]) {
            self.payout_session(r)
        } else if r.is(Method::Get, &["v1", "invoices", "receipt", "*"]) {
            self.receipt(&r.path[3])
        } else {
            detail(404, "Not Found")
        }
    }
}

impl Model for Dollr {
    fn id(&self) -> ProviderId {
        ProviderId::Dollr
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DOLLR_BASE_URL", BASE.into()),
            ("DOLLR_CLIENT_ID", CLIENT_ID.into()),
            ("DOLLR_CLIENT_SECRET", CLIENT_SECRET.into()),
            // The customer bears the fee: the checkout is prepared with its preview.
            ("DOLLR_FEE_BEARER", "customer".into()),
            ("DOLLR_WALLET_ID", WALLET.into()),
            ("DOLLR_PAYOUT_PASSCODE", PASSCODE.into()),
        ]
    }

    fn markets(&self) -> [Market; 2] {
        [
            Market {
                country: lipa_api::Country::RW,
                operator: lipa_api::Operator::MtnMomo,
                e164: "+250781234567",
            },
            Market {
                country: lipa_api::Country::LR,
                operator: lipa_api::Operator::MtnMomo,
                e164: "+231881234567",
            },
        ]
    }

    /// NOTES.md: "every 2–5 s while a customer waits".
    fn min_poll_delay_ms(&self, _elapsed_ms: i64) -> i64 {
        2_000
    }

    fn route(&self, req: &HttpRequest) -> Route {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["v1", "jwt", "client", "obtain", "token"]) {
            Route::Token
        } else if r.is(Method::Post, &["v1", "executions", "collection"]) {
            Route::Create
        } else if r.is(Method::Get, &["v1", "status", "collection", "*"]) {
            Route::Read
        } else if r.path.first().is_some_and(|p| p == "v1")
            && [
                "parties",
                "counterparties",
                "invoices",
                "predictions",
                "payment-accounts",
            ]
            .contains(&r.path.get(1).map_or("", String::as_str))
            && !r.is(Method::Get, &["v1", "invoices", "receipt", "*"])
            || r.is(Method::Post, &["v1", "sessions", "checkout"])
        {
            Route::Step
        } else {
            Route::Other
        }
    }

    fn handle(&mut self, req: &HttpRequest, now_ms: i64) -> HttpResponse {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["v1", "jwt", "client", "obtain", "token"]) {
            if r.text("/client_id") != Some(CLIENT_ID)
                || r.text("/client_secret") != Some(CLIENT_SECRET)
            {
                return detail(401, "Invalid client credentials");
            }
            self.issued += 1;
            let token = format!("dl_jwt_{}", self.issued);
            self.tokens
                .insert(token.clone(), now_ms + TOKEN_MINUTES * 60_000);
            return json(
                200,
                json!({"access_token": token, "token_type": "bearer", "expires_in": TOKEN_MINUTES}),
            );
        }
        let fresh = r
            .bearer()
            .and_then(|t| self.tokens.get(t))
            .is_some_and(|exp| now_ms < *exp);
        if !fresh {
            return detail(401, "Could not validate credentials");
        }
        self.route_authorized(&r, now_ms)
    }

    fn payments(&self) -> usize {
        self.executions
            .iter()
            .filter(|e| e.op == "collection")
            .count()
    }

    fn owner(&self, provider_ref: &str) -> Option<String> {
        self.executions
            .iter()
            .find(|e| {
                e.op == "collection" && (e.intent == provider_ref || e.reference == provider_ref)
            })
            .map(|e| e.reference.clone())
    }

    fn settle(&mut self, reference: &str, outcome: &Outcome) -> bool {
        let Some(e) = self
            .executions
            .iter_mut()
            .rev()
            .find(|e| e.reference == reference)
        else {
            return false;
        };
        match outcome {
            Outcome::Approve => e.status = "COMPLETED".into(),
            Outcome::Decline(reason) => {
                e.status = "FAILED".into();
                e.failure = Some(code(*reason));
            }
            Outcome::Raw(s) => e.status = s.clone(),
        }
        true
    }

    fn read_reason(&self, wanted: FailureReason) -> Option<FailureReason> {
        Some(wanted)
    }

    fn webhook(&self, _reference: &str, _signing: Signing, _now_ms: i64) -> Option<Webhook> {
        None
    }

    fn uses_tokens(&self) -> bool {
        true
    }

    fn tokens_issued(&self) -> usize {
        self.issued
    }
}
