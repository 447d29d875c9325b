//! Little Pay, from `little.seed.txt` and NOTES.md: an intent (`POST
//! /api/payments/{tokenId}/pay`, Basic auth, `key` of 8–12 alphanumerics, `data.reference`
//! is the intent id; a key already used answers its intent), processed with `POST
//! /pay/{intentId}/process` (`type` MPESA / AIRTEL / MTN, one attempt per call), the status
//! `GET /api/payments-v2/{intentId or key}` with `X-API-KEY` (amount in major units, no
//! currency, `attempts`), and callbacks signed RSA-SHA256 over
//! `timestamp + "." + JSON.stringify(body)` in `X-LittlePay-Signature` (base64) and
//! `X-LittlePay-Timestamp` (Unix seconds).
//!
//! A payment is an intent that was processed: an intent nobody processed never prompted
//! anyone.

use std::sync::OnceLock;

use base64::Engine;
use lipa_api::FailureReason;
use lipa_providers::{HttpRequest, HttpResponse, Method, ProviderId};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

use super::{basic, iso, json, Market, Model, Outcome, Req, Route, Signing, Webhook};

const BASE: &str = "https://little.test";
const TOKEN_ID: &str = "tok_conformance";
const CLIENT_ID: &str = "lp_client_conformance";
const CLIENT_SECRET: &str = "lp_secret_conformance";
const API_KEY: &str = "lp_api_conformance";

/// A splitmix64 stream: deterministic bytes for the test key (never for real keys).
struct TestRng(u64);

impl rsa::rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for TestRng {}

/// Little's signing key for this test run (and its public half, as the PEM Lipa is given).
fn key() -> &'static (RsaPrivateKey, String) {
    static KEY: OnceLock<(RsaPrivateKey, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = RsaPrivateKey::new(&mut TestRng(0x4c69_7474_6c65), 1024).expect("test key");
        let pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("public key pem");
        (private, pem)
    })
}

struct Intent {
    id: String,
    key: String,
    amount: Value,
    currency: String,
    status: String,
    message: String,
    provider: Option<String>,
    attempts: Vec<String>,
}

/// The fake.
#[derive(Default)]
pub struct Little {
    next: u64,
    intents: Vec<Intent>,
}

fn fail(status: u16, message: &str) -> HttpResponse {
    json(status, json!({"message": message}))
}

impl Little {
    fn intent(&mut self, r: &Req) -> HttpResponse {
        let b = &r.body;
        let (Some(key), Some(_callback), true) = (
            b["key"].as_str().filter(|k| {
                (8..=12).contains(&k.len()) && k.chars().all(|c| c.is_ascii_alphanumeric())
            }),
            b["callbackUrl"].as_str().filter(|u| u.starts_with("http")),
            b["amount"].as_f64().is_some_and(|a| a > 0.0),
        ) else {
            return fail(
                400,
                "amount, callbackUrl and a key of 8 to 12 letters or digits are required",
            );
        };
        if let Some(i) = self.intents.iter().find(|i| i.key == key) {
            return json(
                200,
                json!({"data": {"reference": i.id, "checkoutUrl": format!("{BASE}/pay/{}", i.id)}}),
            );
        }
        self.next += 1;
        let id = format!("1cbfffbc-b365-45f6-9e5d-{:012x}", self.next);
        self.intents.push(Intent {
            id: id.clone(),
            key: key.into(),
            amount: b["amount"].clone(),
            currency: b["currency"].as_str().unwrap_or("KES").into(),
            status: "PENDING".into(),
            message: String::new(),
            provider: None,
            attempts: vec![],
        });
        json(
            200,
            json!({"data": {"reference": id, "checkoutUrl": format!("{BASE}/pay/{id}")}}),
        )
    }

    fn process(&mut self, r: &Req, now_ms: i64) -> HttpResponse {
        let kind = r.text("/type").unwrap_or_default().to_string();
        let mobile_ok = r
            .text("/payment/mobile")
            .is_some_and(|m| (10..=15).contains(&m.len()) && m.chars().all(|c| c.is_ascii_digit()));
        if !["MPESA", "AIRTEL", "MTN"].contains(&kind.as_str()) || !mobile_ok {
            return fail(
                400,
                "type must be MPESA, AIRTEL or MTN and payment.mobile digits",
            );
        }
        let Some(i) = self.intents.iter_mut().find(|i| i.id == r.path[1]) else {
            return fail(404, "Payment intent not found");
        };
        if i.status != "PENDING" {
            return fail(409, "This payment intent is already final");
        }
        i.provider = Some(kind.clone());
        i.message = format!("You will be promoted to enter your {kind} PIN");
        i.attempts.push("PENDING".into());
        json(
            200,
            json!({"date": iso(now_ms), "data": {"status": "PENDING", "message": i.message, "meta": {
                "provider": kind, "providerReference": "", "stepUpUrl": null, "accessToken": null,
                "amount": i.amount, "currency": i.currency, "description": "", "reference": ""}}}),
        )
    }

    fn status_json(i: &Intent, now_ms: i64) -> Value {
        let attempts: Vec<Value> = i
            .attempts
            .iter()
            .map(|s| json!({"reference": i.id, "provider": i.provider, "status": s}))
            .collect();
        json!({"date": iso(now_ms), "data": {"reference": i.id, "status": i.status,
            "payload": {"billingAddress": {"firstName": "", "lastName": "", "country": ""}},
            "amount": i.amount, "payment": {"provider": i.provider, "details": null},
            "key": i.key, "attempts": attempts}})
    }
}

impl Model for Little {
    fn id(&self) -> ProviderId {
        ProviderId::Little
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LITTLE_BASE_URL", BASE.into()),
            ("LITTLE_TOKEN_ID", TOKEN_ID.into()),
            ("LITTLE_CLIENT_ID", CLIENT_ID.into()),
            ("LITTLE_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("LITTLE_API_KEY", API_KEY.into()),
            // As a one-line setting carries it.
            ("LITTLE_PUBLIC_KEY", key().1.replace('\n', "\\n")),
            (
                "LITTLE_CALLBACK_URL",
                "https://edge.lipa.test/webhooks/little".into(),
            ),
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

    /// The guide long-polls and gives no cadence: a second.
    fn min_poll_delay_ms(&self, _elapsed_ms: i64) -> i64 {
        1_000
    }

    fn route(&self, req: &HttpRequest) -> Route {
        let r = Req::new(req, BASE);
        if r.is(Method::Post, &["api", "payments", "*", "pay"]) {
            Route::Step
        } else if r.is(Method::Post, &["pay", "*", "process"]) {
            Route::Create
        } else if r.is(Method::Get, &["api", "payments-v2", "*"]) {
            Route::Read
        } else {
            Route::Other
        }
    }

    fn handle(&mut self, req: &HttpRequest, now_ms: i64) -> HttpResponse {
        let r = Req::new(req, BASE);
        let basic_ok = r.header("Authorization") == Some(basic(CLIENT_ID, CLIENT_SECRET).as_str());
        if r.is(Method::Post, &["api", "payments", "*", "pay"]) {
            if !basic_ok || r.path[2] != TOKEN_ID {
                return fail(401, "Unauthorized");
            }
            self.intent(&r)
        } else if r.is(Method::Post, &["pay", "*", "process"]) {
            if !basic_ok {
                return fail(401, "Unauthorized");
            }
            self.process(&r, now_ms)
        } else if r.is(Method::Get, &["api", "payments-v2", "*"]) {
            if r.header("X-API-KEY") != Some(API_KEY) {
                return fail(401, "Invalid API key");
            }
            let wanted = &r.path[2];
            match self
                .intents
                .iter()
                .find(|i| &i.id == wanted || &i.key == wanted)
            {
                Some(i) => json(200, Self::status_json(i, now_ms)),
                None => fail(404, "Payment not found"),
            }
        } else {
            fail(404, "Not found")
        }
    }

    fn payments(&self) -> usize {
        self.intents
            .iter()
            .filter(|i| !i.attempts.is_empty())
            .count()
    }

    fn owner(&self, provider_ref: &str) -> Option<String> {
        self.intents
            .iter()
            .find(|i| i.id == provider_ref)
            .map(|i| i.key.clone())
    }

    fn settle(&mut self, reference: &str, outcome: &Outcome) -> bool {
        let Some(i) = self.intents.iter_mut().rev().find(|i| i.key == reference) else {
            return false;
        };
        let status = match outcome {
            Outcome::Approve => "COMPLETED".to_string(),
            Outcome::Decline(_) => "FAILED".to_string(),
            Outcome::Raw(s) => s.clone(),
        };
        if let Some(last) = i.attempts.last_mut() {
            *last = status.clone();
        }
        i.status = status;
        true
    }

    /// The status answer carries no failure reason: a decline is a decline.
    fn read_reason(&self, _wanted: FailureReason) -> Option<FailureReason> {
        Some(FailureReason::Declined)
    }

    fn webhook(&self, reference: &str, signing: Signing, now_ms: i64) -> Option<Webhook> {
        let i = self.intents.iter().rev().find(|i| i.key == reference)?;
        let body = json!({"reference": i.id, "status": i.status,
            "payload": {"billingAddress": {"firstName": "", "lastName": ""}},
            "amount": i.amount, "key": i.key, "currency": i.currency,
            "provider": i.provider, "date": iso(now_ms)})
        .to_string();
        let ts = if signing == Signing::Stale {
            now_ms / 1000 - 3_600
        } else {
            now_ms / 1000
        };
        let signer = SigningKey::<Sha256>::new(key().0.clone());
        let mut signature = signer.sign(format!("{ts}.{body}").as_bytes()).to_vec();
        if signing == Signing::Wrong {
            signature[7] ^= 0x20;
        }
        let mut headers = vec![("X-LittlePay-Timestamp".to_string(), ts.to_string())];
        if signing != Signing::Missing {
            headers.push((
                "X-LittlePay-Signature".into(),
                base64::engine::general_purpose::STANDARD.encode(signature),
            ));
        }
        Some((headers, body.into_bytes()))
    }

    fn uses_tokens(&self) -> bool {
        false
    }
}
