//! Xtopay Direct Receive Money, from `xtopay.seed.txt` and NOTES.md: Basic
//! `clientId:clientSecret`, `POST /v1/payments/receive` in minor units with
//! `metadata.clientReference` (always answered `0001` / `PROCESSING`), a coded callback
//! signed `x-xtopay-signature: sha256=<hex HMAC>`, and the status check
//! `GET /v1/payments/:reference` that knows only `Paid` / `Unpaid`. Its ids differ: the
//! receive answers `pay_<hex>`, the status check and the callback `<hex>`.
//!
//! Where the guide is silent: a receive repeated with the same clientReference and the same
//! parameters answers the first answer again (one charge); with other parameters it is a
//! `4000`. An unknown reference is a 404 `{responseCode, message: "Transaction not found"}`.

use lipa_api::FailureReason;
use lipa_providers::{HttpRequest, HttpResponse, Method, ProviderId};
use serde_json::{json, Value};

use super::{basic, hmac_hex, iso, json, Market, Model, Outcome, Req, Route, Signing, Webhook};

const BASE: &str = "https://xtopay.test";
const CLIENT_ID: &str = "xt_client_conformance";
const CLIENT_SECRET: &str = "xt_secret_conformance";
const WEBHOOK_SECRET: &str = "xt_whsec_conformance";

struct Rx {
    hex: String,
    reference: String,
    params: Value,
    amount: i64,
    currency: String,
    status: String,
    /// The callback's code and description once final.
    callback: Option<(&'static str, String)>,
    first_answer: HttpResponse,
    at_ms: i64,
}

/// The fake.
#[derive(Default)]
pub struct Xtopay {
    next: u64,
    rxs: Vec<Rx>,
}

fn coded(status: u16, code: &str, message: &str) -> HttpResponse {
    json(
        status,
        json!({"success": false, "responseCode": code, "message": message}),
    )
}

fn description(reason: FailureReason) -> &'static str {
    match reason {
        FailureReason::WrongPin => "FAILED: User entered wrong PIN",
        FailureReason::InsufficientFunds => "FAILED: Insufficient wallet funds",
        FailureReason::TimedOut => "FAILED: User timeout",
        FailureReason::Cancelled => "FAILED: Request cancelled by user",
        FailureReason::LimitReached => "FAILED: Reached telco limits",
        FailureReason::NotRegistered => "FAILED: Number not registered",
        FailureReason::Declined | FailureReason::ProviderError => "FAILED: Debit failed",
    }
}

impl Xtopay {
    fn receive(&mut self, r: &Req, now_ms: i64) -> HttpResponse {
        let b = &r.body;
        let (Some(amount), Some(phone), Some(provider), Some(desc), Some(reference)) = (
            b["amount"].as_i64().filter(|a| *a > 0),
            b["phone"]
                .as_str()
                .map(|p| p.trim_start_matches('+'))
                .filter(|p| p.len() >= 10 && p.chars().all(|c| c.is_ascii_digit())),
            b["provider"]
                .as_str()
                .filter(|p| ["MTN", "TELECEL", "AIRTELTIGO", "MPESA"].contains(p)),
            b["description"].as_str().filter(|d| !d.is_empty()),
            b.pointer("/metadata/clientReference")
                .and_then(Value::as_str),
        ) else {
            return coded(
                400,
                "4000",
                "Validation error: amount (integer minor units), phone, provider, description",
            );
        };
        let currency = b["currency"].as_str().unwrap_or("GHS").to_uppercase();
        if let Some(rx) = self.rxs.iter().find(|x| x.reference == reference) {
            return if rx.params == *b {
                rx.first_answer.clone()
            } else {
                coded(
                    400,
                    "4000",
                    "clientReference has been used with other parameters",
                )
            };
        }
        self.next += 1;
        let hex = format!(
            "{:032x}",
            0x09f8_4e20_a283_942e_u128 * 1_000 + u128::from(self.next)
        );
        let answer = json(
            200,
            json!({"success": true, "message": "Transaction pending. Expect callback request for final state",
                "responseCode": "0001", "data": {"id": format!("pay_{hex}"), "reference": reference,
                "status": "PROCESSING", "amount": amount, "currency": currency, "phone": phone,
                "provider": provider, "description": desc, "createdAt": iso(now_ms)}}),
        );
        self.rxs.push(Rx {
            hex,
            reference: reference.into(),
            params: b.clone(),
            amount,
            currency,
            status: "Unpaid".into(),
            callback: None,
            first_answer: answer.clone(),
            at_ms: now_ms,
        });
        answer
    }
}

impl Model for Xtopay {
    fn id(&self) -> ProviderId {
        ProviderId::Xtopay
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("XTOPAY_BASE_URL", BASE.into()),
            ("XTOPAY_CLIENT_ID", CLIENT_ID.into()),
            ("XTOPAY_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("XTOPAY_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
        ]
    }

    fn markets(&self) -> [Market; 2] {
        [
            Market {
                country: lipa_api::Country::GH,
                operator: lipa_api::Operator::MtnMomo,
                e164: "+233241234567",
            },
            Market {
                country: lipa_api::Country::KE,
                operator: lipa_api::Operator::Mpesa,
                e164: "+254712345678",
            },
        ]
    }

    /// "In rare instances where you do not receive the webhook callback within five (5)
    /// minutes, you must query": not before five minutes, then (the guide is silent) a second.
    fn min_poll_delay_ms(&self, elapsed_ms: i64) -> i64 {
        (300_000 - elapsed_ms).max(1_000)
    }

    fn route(&self, req: &HttpRequest) -> Route {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["v1", "payments", "receive"]) {
            Route::Create
        } else if r.is(Method::Get, &["v1", "payments", "*"]) {
            Route::Read
        } else {
            Route::Other
        }
    }

    fn handle(&mut self, req: &HttpRequest, now_ms: i64) -> HttpResponse {
        let r = Req::new(req, BASE);
        if r.header("Authorization") != Some(basic(CLIENT_ID, CLIENT_SECRET).as_str()) {
            return json(401, json!({"message": "Unauthorized"}));
        }
        if r.is(Method::Post, &["v1", "payments", "receive"]) {
            self.receive(&r, now_ms)
        } else if r.is(Method::Get, &["v1", "payments", "*"]) {
            let Some(x) = self.rxs.iter().find(|x| x.reference == r.path[2]) else {
                return coded(404, "4000", "Transaction not found");
            };
            let paid = x.status == "Paid";
            json(
                200,
                json!({"message": "Successful", "responseCode": "0000", "data": {
                    "date": iso(x.at_ms), "status": x.status, "transactionId": x.hex,
                    "externalTransactionId": if paid { json!("2116938399") } else { Value::Null },
                    "paymentMethod": "mobilemoney", "clientReference": x.reference,
                    "currencyCode": x.currency, "amount": x.amount,
                    "charges": if paid { 5 } else { 0 },
                    "amountAfterCharges": if paid { x.amount - 5 } else { x.amount },
                    "isFulfilled": if paid { json!(true) } else { Value::Null }}}),
            )
        } else {
            coded(404, "4000", "Route not found")
        }
    }

    fn payments(&self) -> usize {
        self.rxs.len()
    }

    fn owner(&self, provider_ref: &str) -> Option<String> {
        let hex = provider_ref.strip_prefix("pay_").unwrap_or(provider_ref);
        self.rxs
            .iter()
            .find(|x| x.hex == hex)
            .map(|x| x.reference.clone())
    }

    fn settle(&mut self, reference: &str, outcome: &Outcome) -> bool {
        let Some(x) = self.rxs.iter_mut().rev().find(|x| x.reference == reference) else {
            return false;
        };
        match outcome {
            Outcome::Approve => {
                x.status = "Paid".into();
                x.callback = Some((
                    "0000",
                    "The Mobile Money payment has been approved and processed successfully".into(),
                ));
            }
            Outcome::Decline(reason) => {
                // The status check knows only Paid / Unpaid: a failure comes by callback.
                x.callback = Some(("2001", description(*reason).into()));
            }
            Outcome::Raw(s) => x.status = s.clone(),
        }
        true
    }

    fn read_reason(&self, _wanted: FailureReason) -> Option<FailureReason> {
        None
    }

    fn webhook_reason(&self, wanted: FailureReason) -> Option<FailureReason> {
        Some(match wanted {
            FailureReason::ProviderError => FailureReason::Declined,
            other => other,
        })
    }

    fn webhook(&self, reference: &str, signing: Signing, now_ms: i64) -> Option<Webhook> {
        if signing == Signing::Stale {
            return None;
        }
        let x = self.rxs.iter().rev().find(|x| x.reference == reference)?;
        let (code, desc) = x.callback.clone()?;
        let body = json!({"ResponseCode": code, "Message": if code == "0000" { "success" } else { "failed" },
            "Data": {"Amount": x.amount, "Charges": 5, "AmountAfterCharges": x.amount,
                "Description": desc, "ClientReference": x.reference, "TransactionId": x.hex,
                "ExternalTransactionId": "2116938399", "AmountCharged": x.amount + 5,
                "OrderId": x.hex, "PaymentDate": iso(now_ms)}})
        .to_string()
        .into_bytes();
        let secret = if signing == Signing::Wrong {
            "xt_whsec_someone_else"
        } else {
            WEBHOOK_SECRET
        };
        let mut headers = vec![(
            "x-xtopay-event-id".to_string(),
            format!("evt_{}_{code}", x.hex),
        )];
        if signing != Signing::Missing {
            headers.push((
                "x-xtopay-signature".into(),
                format!("sha256={}", hmac_hex(secret, &body)),
            ));
        }
        Some((headers, body))
    }

    fn uses_tokens(&self) -> bool {
        false
    }
}
