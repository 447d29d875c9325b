//! An Xtopay simulator, written from Xtopay's Direct Receive Money guide, independently of
//! Lipa's adapter: Basic auth, integer minor-unit amounts, the channel codes, response codes
//! `0001` / `0000` / `2001` / `4000` / `4103`, callbacks signed `x-xtopay-signature:
//! sha256=<hex HMAC-SHA256 of the body>` with `x-xtopay-event-id`, and the status check by
//! client reference (`Paid` / `Unpaid`). The …30 number never gets its callback.
//!
//! Where the guide is silent (see the adapter's "Guide doubts"):
//! - A receive is idempotent on `metadata.clientReference`: the same reference with the same
//!   amount, currency, phone and provider replays the first answer and charges once; with
//!   other parameters it is refused (`400`, code `4000`).
//! - The status check for a reference the simulator does not know answers, by
//!   [`UnknownReference`], `404` (the default) or `200` without `data`; both with code `4000`
//!   and the message `Transaction not found`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::ids::{iso8601, new_id};
use crate::log::{LogEntry, RequestLog};
use crate::sim::numbers::{behaviour, Behaviour};
use crate::sim::{OutgoingWebhook, Prompt, SimRequest, SimResponse};

const CHANNELS: [&str; 4] = ["MTN", "TELECEL", "AIRTELTIGO", "MPESA"];

/// The simulator's account settings.
#[derive(Debug, Clone)]
pub struct XtopayConfig {
    /// `base64(clientId:clientSecret)` the edge must send.
    pub basic: String,
    /// How long the simulated customer takes, ms.
    pub approve_delay_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tx {
    id: String,
    reference: String,
    amount: i64,
    currency: String,
    phone: String,
    provider: String,
    description: String,
    paid: bool,
    final_code: Option<String>,
    final_description: Option<String>,
    resolve_at_ms: Option<i64>,
    created_at_ms: i64,
    paid_at_ms: Option<i64>,
    send_callback: bool,
}

/// What the status check answers for a client reference it does not know (the guide is
/// silent; the adapter reads both as "not known").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnknownReference {
    /// `404 {"success": false, "responseCode": "4000", "message": "Transaction not found"}`.
    #[default]
    NotFound404,
    /// The same body with `"data": null`, as a `200`.
    Coded200,
}

/// The whole simulated provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct XtopaySim {
    transactions: BTreeMap<String, Tx>,
    log: RequestLog,
    #[serde(default)]
    unknown_reference: UnknownReference,
}

fn coded(status: u16, code: &str, message: &str) -> SimResponse {
    SimResponse {
        status,
        body: json!({"success": false, "responseCode": code, "message": message}).to_string(),
    }
}

fn not_found(answer: UnknownReference) -> SimResponse {
    let mut body =
        json!({"success": false, "responseCode": "4000", "message": "Transaction not found"});
    let status = match answer {
        UnknownReference::NotFound404 => 404,
        UnknownReference::Coded200 => {
            if let Some(obj) = body.as_object_mut() {
                obj.insert("data".into(), Value::Null);
            }
            200
        }
    };
    SimResponse {
        status,
        body: body.to_string(),
    }
}

/// The receive answer for `tx`: `0001`, `PROCESSING`, as first given.
fn receive_answer(tx: &Tx) -> SimResponse {
    let body = json!({
        "success": true,
        "message": "Transaction pending. Expect callback request for final state",
        "responseCode": "0001",
        "data": {"id": tx.id, "reference": tx.reference, "status": "PROCESSING", "amount": tx.amount,
            "currency": tx.currency, "phone": tx.phone, "provider": tx.provider,
            "description": tx.description, "createdAt": iso8601(tx.created_at_ms)},
    });
    SimResponse {
        status: 200,
        body: body.to_string(),
    }
}

impl XtopaySim {
    /// Sets what the status check answers for a client reference it does not know.
    pub fn set_unknown_reference(&mut self, answer: UnknownReference) {
        self.unknown_reference = answer;
    }

    /// Answers one request (path after `/xtopay`).
    pub fn handle(&mut self, cfg: &XtopayConfig, req: &SimRequest, now_ms: i64) -> SimResponse {
        let resp = self.route(cfg, req, now_ms);
        let phone = serde_json::from_str::<Value>(&req.body)
            .ok()
            .and_then(|v| v.get("phone").and_then(Value::as_str).map(str::to_string))
            .or_else(|| {
                req.path
                    .rsplit('/')
                    .next()
                    .and_then(|r| self.transactions.get(r))
                    .map(|t| t.phone.clone())
            })
            .map(|p| format!("+{}", p.trim_start_matches('+')));
        self.log.note(req, resp.status, phone, now_ms);
        resp
    }

    fn route(&mut self, cfg: &XtopayConfig, req: &SimRequest, now: i64) -> SimResponse {
        let auth = req
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str());
        if !auth
            .and_then(|a| a.strip_prefix("Basic "))
            .is_some_and(|b| crate::ids::constant_time_eq(b, &cfg.basic))
        {
            return coded(401, "4101", "Invalid credentials");
        }
        let path = req.path.trim_end_matches('/');
        match (req.method.as_str(), path) {
            ("POST", "/v1/payments/receive") => self.receive(cfg, &req.body, now),
            ("GET", p) if p.starts_with("/v1/payments/") => {
                let reference = &p["/v1/payments/".len()..];
                match self.transactions.get(reference) {
                    Some(tx) => SimResponse {
                        status: 200,
                        body: json!({"message": "Successful", "responseCode": "0000", "data": {
                            "date": iso8601(tx.paid_at_ms.unwrap_or(tx.created_at_ms)),
                            "status": if tx.paid { "Paid" } else { "Unpaid" },
                            "transactionId": tx.id.trim_start_matches("pay_"),
                            "externalTransactionId": if tx.paid { json!(format!("{}", tx.created_at_ms % 10_000_000_000)) } else { Value::Null },
                            "paymentMethod": "mobilemoney",
                            "clientReference": tx.reference,
                            "currencyCode": tx.currency,
                            "amount": tx.amount,
                            "charges": if tx.paid { tx.amount / 50 } else { 0 },
                            "amountAfterCharges": if tx.paid { tx.amount - tx.amount / 50 } else { tx.amount },
                            "isFulfilled": if tx.paid { json!(true) } else { Value::Null },
                        }})
                        .to_string(),
                    },
                    None => not_found(self.unknown_reference),
                }
            }
            _ => coded(404, "4000", &format!("Cannot {} {}", req.method, req.path)),
        }
    }

    fn receive(&mut self, cfg: &XtopayConfig, body: &str, now: i64) -> SimResponse {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return coded(400, "4000", "Request body must be JSON");
        };
        let Some(amount) = v
            .get("amount")
            .filter(|a| a.is_i64() || a.is_u64())
            .and_then(Value::as_i64)
            .filter(|a| *a > 0)
        else {
            return coded(
                400,
                "4000",
                "amount must be a positive integer in minor units; decimals are not allowed",
            );
        };
        let currency = v
            .get("currency")
            .and_then(Value::as_str)
            .unwrap_or("GHS")
            .to_uppercase();
        let phone = v.get("phone").and_then(Value::as_str).unwrap_or("");
        let digits = phone.trim_start_matches('+');
        if digits.len() < 10 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return coded(
                400,
                "4000",
                "phone must be in international format, e.g. 233249111411",
            );
        }
        let provider = v.get("provider").and_then(Value::as_str).unwrap_or("");
        if !CHANNELS.contains(&provider) {
            return coded(
                400,
                "4000",
                "provider must be one of MTN, TELECEL, AIRTELTIGO, MPESA",
            );
        }
        let Some(description) = v
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
        else {
            return coded(400, "4000", "description is required");
        };
        let b = behaviour(digits);
        if let Behaviour::SystemError { can_retry: false } = b {
            return coded(
                403,
                "4103",
                "Permission denied. Customer account is not allowed to transact on this channel.",
            );
        }
        let reference = v
            .pointer("/metadata/clientReference")
            .and_then(Value::as_str)
            .map_or_else(|| new_id(13), str::to_string);
        if let Some(first) = self.transactions.get(&reference) {
            // A resend of the same receive replays the first answer: one charge.
            let same = first.amount == amount
                && first.currency == currency
                && first.phone == digits
                && first.provider == provider;
            return if same {
                receive_answer(first)
            } else {
                coded(
                    400,
                    "4000",
                    "clientReference has been used already with other parameters",
                )
            };
        }
        let tx = Tx {
            id: format!("pay_{}", crate::ids::new_digits(32)),
            reference: reference.clone(),
            amount,
            currency: currency.clone(),
            phone: digits.to_string(),
            provider: provider.to_string(),
            description: description.to_string(),
            paid: false,
            final_code: None,
            final_description: None,
            resolve_at_ms: match b {
                Behaviour::Handset => None,
                _ => Some(now + cfg.approve_delay_ms),
            },
            created_at_ms: now,
            paid_at_ms: None,
            send_callback: b != Behaviour::ApproveSilently,
        };
        let answer = receive_answer(&tx);
        self.transactions.insert(reference, tx);
        answer
    }

    /// Settles due transactions; returns the callbacks to send.
    pub fn take_due(&mut self, now_ms: i64) -> Vec<OutgoingWebhook> {
        let due: Vec<String> = self
            .transactions
            .values()
            .filter(|t| t.final_code.is_none() && t.resolve_at_ms.is_some_and(|at| at <= now_ms))
            .map(|t| t.reference.clone())
            .collect();
        due.into_iter()
            .filter_map(|r| {
                let b = self.transactions.get(&r).map(|t| behaviour(&t.phone))?;
                self.settle(&r, b, now_ms)
            })
            .collect()
    }

    /// A person answered on the handset page.
    pub fn answer(
        &mut self,
        reference: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<Option<OutgoingWebhook>, String> {
        match self.transactions.get(reference) {
            Some(t) if t.final_code.is_none() => {}
            Some(_) => return Err("already answered".into()),
            None => return Err("no such payment".into()),
        }
        Ok(self.settle(
            reference,
            if approve {
                Behaviour::Approve
            } else {
                Behaviour::Decline("cancelled")
            },
            now_ms,
        ))
    }

    fn settle(&mut self, reference: &str, b: Behaviour, now: i64) -> Option<OutgoingWebhook> {
        let tx = self.transactions.get_mut(reference)?;
        let (code, text) = match b {
            Behaviour::Approve
            | Behaviour::ApproveSilently
            | Behaviour::Otp
            | Behaviour::Redirect => {
                tx.paid = true;
                tx.paid_at_ms = Some(now);
                (
                    "0000",
                    format!(
                        "The {} payment has been approved and processed successfully",
                        tx.provider
                    ),
                )
            }
            Behaviour::Decline(code) => (
                "2001",
                match code {
                    "wrong_pin" => "FAILED: User entered wrong PIN",
                    "insufficient_funds" => "FAILED: Insufficient funds in wallet",
                    "timeout" => "FAILED: User timeout",
                    "cancelled" => "FAILED: Request cancelled by the user",
                    "limit_exceeded" => "FAILED: reached telco balance limits",
                    "not_registered" => "FAILED: number not registered for mobile money",
                    _ => "FAILED: declined",
                }
                .to_string(),
            ),
            Behaviour::SystemError { .. } => ("2001", "FAILED: telco system error".to_string()),
            Behaviour::Handset => return None,
        };
        tx.final_code = Some(code.into());
        tx.final_description = Some(text.clone());
        tx.resolve_at_ms = None;
        if !tx.send_callback {
            return None;
        }
        let charges = tx.amount / 50;
        let body = json!({
            "ResponseCode": code,
            "Message": if code == "0000" { "success" } else { "failed" },
            "Data": {"Amount": tx.amount, "Charges": charges, "AmountAfterCharges": tx.amount,
                "Description": text, "ClientReference": tx.reference,
                "TransactionId": tx.id.trim_start_matches("pay_"), "ExternalTransactionId": format!("{}", now % 10_000_000_000),
                "AmountCharged": tx.amount + charges, "OrderId": tx.id.trim_start_matches("pay_"),
                "PaymentDate": iso8601(now)},
        });
        Some(OutgoingWebhook {
            event_id: format!("evt_{}", new_id(20)),
            body: body.to_string(),
        })
    }

    /// When the next transaction settles.
    pub fn next_due_ms(&self) -> Option<i64> {
        self.transactions
            .values()
            .filter(|t| t.final_code.is_none())
            .filter_map(|t| t.resolve_at_ms)
            .min()
    }

    /// Prompts waiting for a person.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.transactions
            .values()
            .filter(|t| t.final_code.is_none() && t.resolve_at_ms.is_none())
            .map(|t| Prompt {
                transaction_id: t.reference.clone(),
                payer: format!("+{}", t.phone),
                provider: "xtopay".into(),
                amount: t.amount,
                currency: t.currency.clone(),
                otp: None,
            })
            .collect()
    }

    /// The request log, optionally only requests about `phone` (E.164).
    pub fn log(&self, phone: Option<&str>) -> Vec<LogEntry> {
        self.log.matching(phone)
    }

    /// Charges collected from `payer` (E.164).
    pub fn charges_of(&self, payer: &str) -> usize {
        self.transactions
            .values()
            .filter(|t| t.paid && format!("+{}", t.phone) == payer)
            .count()
    }
}

mod simulator;

#[cfg(test)]
mod tests;
