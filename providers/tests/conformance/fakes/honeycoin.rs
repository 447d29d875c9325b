//! HoneyCoin mobile-money charge, from `honeycoin.seed.txt` and NOTES.md: a bearer token from
//! `api-key` + `publicKey` (2 hours), the providers list for `momoOperatorId` (required
//! unless KES), `POST /fiat/deposit` in major units with `externalReference` as the
//! idempotency key (a retry answers the same transaction), `GET /transactions/{id or
//! externalReference}`, the OTP step and webhooks carrying the shared secret in
//! `X-Webhook-Signature`.

use std::collections::HashMap;

use lipa_api::{Currency, FailureReason};
use lipa_providers::{HttpRequest, HttpResponse, Method, ProviderId};
use serde_json::{json, Value};

use super::{iso, json, Market, Model, Outcome, Req, Route, Signing, Webhook};

const BASE: &str = "https://honeycoin.test/api/b2b";
const API_KEY: &str = "HC_conformance";
const PUBLIC_KEY: &str = "pk_conformance";
const WEBHOOK_SECRET: &str = "hook_conformance";
const TOKEN_LIFETIME_MS: i64 = 2 * 3_600_000;
const OTP: &str = "482913";

struct Tx {
    id: String,
    reference: String,
    amount: Value,
    currency: String,
    phone: String,
    operator: Option<String>,
    charge_status: String,
    note: Option<String>,
    step: Option<String>,
    created_ms: i64,
}

/// The fake.
#[derive(Default)]
pub struct HoneyCoin {
    next: u64,
    tokens: HashMap<String, i64>,
    issued: usize,
    txs: Vec<Tx>,
}

fn refused(status: u16, message: &str) -> HttpResponse {
    json(status, json!({"success": false, "message": message}))
}

/// The operators HoneyCoin lists per currency.
fn providers(currency: &str) -> Value {
    match currency {
        "KES" => json!([{"id": "mpesa", "name": "M-Pesa", "currency": "KES"},
                        {"id": "airtel", "name": "Airtel Money", "currency": "KES"}]),
        "UGX" => json!([{"id": "mtn_ug", "name": "MTN Uganda", "currency": "UGX"},
                        {"id": "airtel_ug", "name": "Airtel Uganda", "currency": "UGX"}]),
        _ => json!([]),
    }
}

impl HoneyCoin {
    fn tx_json(t: &Tx) -> Value {
        let mut d = json!({
            "transactionId": t.id, "amount": t.amount, "type": "deposit",
            "currency": t.currency, "senderCurrency": t.currency, "senderAmount": t.amount,
            "receiverCurrency": t.currency, "receiverAmount": t.amount,
            "chargeStatus": t.charge_status, "status": t.charge_status.to_uppercase(),
            "method": "momo", "fullTimestamp": iso(t.created_ms),
            "externalReference": t.reference, "phoneNumber": t.phone,
        });
        if let Some(note) = &t.note {
            d["note"] = json!(note);
        }
        if let Some(step) = &t.step {
            d["stepRequired"] = json!(step);
        }
        d
    }

    fn deposit(&mut self, r: &Req, now_ms: i64) -> HttpResponse {
        let b = &r.body;
        let (Some(currency), Some(reference), Some(phone)) = (
            b["currency"].as_str().and_then(Currency::from_code),
            b["externalReference"].as_str().filter(|s| !s.is_empty()),
            b["phoneNumber"]
                .as_str()
                .filter(|p| p.len() >= 10 && p.chars().all(|c| c.is_ascii_digit())),
        ) else {
            return refused(400, "amount, currency, externalReference and phoneNumber (E.164 without the plus) are required");
        };
        if super::minor(&b["amount"], currency).is_none() {
            return refused(400, "amount must be positive");
        }
        let operator = b["momoOperatorId"].as_str().map(str::to_string);
        let listed = providers(currency.code());
        match &operator {
            None if currency != Currency::KES => {
                return refused(400, "momoOperatorId is required for this currency")
            }
            Some(op)
                if !listed
                    .as_array()
                    .is_some_and(|l| l.iter().any(|p| p["id"] == *op)) =>
            {
                return refused(400, "unknown momoOperatorId")
            }
            _ => {}
        }
        if let Some(t) = self.txs.iter().find(|t| t.reference == reference) {
            // The idempotency key on retries: the same charge answers the same transaction.
            return if t.amount == b["amount"] && t.phone == phone && t.operator == operator {
                json(
                    200,
                    json!({"success": true, "message": "Initiated request.", "transactionId": t.id}),
                )
            } else {
                refused(400, "externalReference has been used already")
            };
        }
        self.next += 1;
        let id = format!("hc{:018}", self.next);
        self.txs.push(Tx {
            id: id.clone(),
            reference: reference.into(),
            amount: b["amount"].clone(),
            currency: currency.code().into(),
            phone: phone.into(),
            operator,
            charge_status: "pending".into(),
            note: None,
            step: None,
            created_ms: now_ms,
        });
        json(
            200,
            json!({"success": true, "message": "Initiated request.", "transactionId": id}),
        )
    }

    fn newest(&mut self, reference: &str) -> Option<&mut Tx> {
        self.txs.iter_mut().rev().find(|t| t.reference == reference)
    }
}

impl Model for HoneyCoin {
    fn id(&self) -> ProviderId {
        ProviderId::HoneyCoin
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HONEYCOIN_BASE_URL", BASE.into()),
            ("HONEYCOIN_API_KEY", API_KEY.into()),
            ("HONEYCOIN_PUBLIC_KEY", PUBLIC_KEY.into()),
            ("HONEYCOIN_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
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
                country: lipa_api::Country::UG,
                operator: lipa_api::Operator::MtnMomo,
                e164: "+256772345678",
            },
        ]
    }

    /// The guide gives no cadence ("configure webhooks … instead of polling"): a second.
    fn min_poll_delay_ms(&self, _elapsed_ms: i64) -> i64 {
        1_000
    }

    fn route(&self, req: &HttpRequest) -> Route {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["auth", "generate-bearer-token"]) {
            Route::Token
        } else if r.is(Method::Get, &["utilities", "momo-providers"]) {
            Route::Step
        } else if r.is(Method::Post, &["fiat", "deposit"]) {
            Route::Create
        } else if r.is(Method::Get, &["transactions", "*"]) {
            Route::Read
        } else {
            Route::Other
        }
    }

    fn handle(&mut self, req: &HttpRequest, now_ms: i64) -> HttpResponse {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["auth", "generate-bearer-token"]) {
            if r.header("api-key") != Some(API_KEY) || r.text("/publicKey") != Some(PUBLIC_KEY) {
                return refused(401, "Invalid API key");
            }
            self.issued += 1;
            let token = format!("hc_tok_{}", self.issued);
            self.tokens
                .insert(token.clone(), now_ms + TOKEN_LIFETIME_MS);
            return json(
                200,
                json!({"success": true, "token": token, "expiresAt": iso(now_ms + TOKEN_LIFETIME_MS)}),
            );
        }
        let fresh = r
            .bearer()
            .and_then(|t| self.tokens.get(t))
            .is_some_and(|exp| now_ms < *exp);
        if !fresh {
            return refused(401, "Unauthorized");
        }
        if r.is(Method::Get, &["utilities", "momo-providers"]) {
            let currency = r.query.get("currency").cloned().unwrap_or_default();
            json(200, json!({"success": true, "data": providers(&currency)}))
        } else if r.is(Method::Post, &["fiat", "deposit"]) {
            self.deposit(&r, now_ms)
        } else if r.is(Method::Get, &["transactions", "*"]) {
            let key = &r.path[1];
            match self
                .txs
                .iter()
                .find(|t| &t.id == key || &t.reference == key)
            {
                Some(t) => json(200, json!({"success": true, "data": Self::tx_json(t)})),
                None => refused(404, "Transaction not found"),
            }
        } else if r.is(Method::Post, &["fiat", "deposit", "*", "validate-otp"]) {
            let Some(t) = self.txs.iter_mut().find(|t| t.id == r.path[2]) else {
                return refused(404, "Transaction not found");
            };
            if t.step.as_deref() != Some("otp") {
                return refused(400, "No OTP is expected for this transaction");
            }
            if r.text("/otp") != Some(OTP) {
                return refused(400, "Invalid OTP. 2 attempts remaining.");
            }
            t.step = None;
            json(
                200,
                json!({"success": true, "message": "OTP validated successfully.", "transactionId": t.id}),
            )
        } else {
            refused(404, "Route not found")
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
        t.step = None;
        match outcome {
            Outcome::Approve => t.charge_status = "successful".into(),
            Outcome::Decline(reason) => {
                t.charge_status = "failed".into();
                t.note = Some(
                    match reason {
                        FailureReason::WrongPin => "Wrong PIN entered",
                        FailureReason::InsufficientFunds => "Insufficient balance",
                        FailureReason::TimedOut => "STK Prompt Time Out",
                        FailureReason::Cancelled => "Request cancelled by user",
                        FailureReason::LimitReached => "Transaction limit exceeded",
                        FailureReason::NotRegistered => "Number not registered for mobile money",
                        FailureReason::Declined => "Declined",
                        FailureReason::ProviderError => "System error",
                    }
                    .into(),
                );
            }
            Outcome::Raw(s) => t.charge_status = s.clone(),
        }
        true
    }

    fn read_reason(&self, wanted: FailureReason) -> Option<FailureReason> {
        Some(wanted)
    }

    fn webhook(&self, reference: &str, signing: Signing, now_ms: i64) -> Option<Webhook> {
        if signing == Signing::Stale {
            return None;
        }
        let t = self.txs.iter().rev().find(|t| t.reference == reference)?;
        let mut data = json!({"transactionId": t.id, "status": t.charge_status, "type": "deposit",
            "externalReference": t.reference, "method": "momo"});
        if let Some(note) = &t.note {
            data["note"] = json!(note);
        }
        if let Some(step) = &t.step {
            data["stepRequired"] = json!(step);
        }
        let body = json!({"event": "transaction_updated", "data": data, "timestamp": iso(now_ms)});
        let headers = match signing {
            Signing::Missing => vec![],
            Signing::Wrong => vec![("X-Webhook-Signature".into(), "hook_guessed".into())],
            Signing::Good | Signing::Stale => {
                vec![("X-Webhook-Signature".into(), WEBHOOK_SECRET.into())]
            }
        };
        Some((headers, body.to_string().into_bytes()))
    }

    fn uses_tokens(&self) -> bool {
        true
    }

    fn tokens_issued(&self) -> usize {
        self.issued
    }

    fn require_otp(&mut self, reference: &str) -> bool {
        match self.newest(reference) {
            Some(t) => {
                t.step = Some("otp".into());
                true
            }
            None => false,
        }
    }

    fn otp(&self) -> &'static str {
        OTP
    }
}
