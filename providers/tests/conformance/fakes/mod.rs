//! One fake per provider, each written from its guide (`/work/shared/providers/<name>.seed.txt`
//! and NOTES.md): the routes Lipa's flow calls, the provider's answers, and the few facts the
//! scenarios need to know about it (its markets, its poll floor, how it words a decline).
//!
//! A fake keeps the provider's state (tokens, payments, sessions) and answers like the guide;
//! faults (lost answers, timeouts, garbled bodies) are the transport's business
//! ([`crate::support::Fake`]), so a fake only ever answers as a well-behaved provider would.

use std::collections::BTreeMap;

use lipa_api::{Country, Currency, FailureReason, Operator};
use lipa_providers::{HttpRequest, HttpResponse, Method, ProviderId};

pub mod crisscross;
pub mod dollr;
pub mod honeycoin;
pub mod little;
pub mod xtopay;

/// Every fake there is, one per provider. A provider in the registry without one here fails
/// every scenario.
pub fn all() -> Vec<Box<dyn Model>> {
    vec![
        Box::new(crisscross::CrissCross::default()),
        Box::new(honeycoin::HoneyCoin::default()),
        Box::new(xtopay::Xtopay::default()),
        Box::new(little::Little::default()),
        Box::new(dollr::Dollr::default()),
    ]
}

/// A fresh fake for `id`, if one exists.
pub fn for_id(id: ProviderId) -> Option<Box<dyn Model>> {
    all().into_iter().find(|m| m.id() == id)
}

/// What a request is, as far as faults and counts care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Getting a bearer token.
    Token,
    /// A step before the payment exists (a session, an intent, an invoice, a lookup).
    Step,
    /// The request that makes the provider take (prompt for) a payment.
    Create,
    /// A status read of a payment.
    Read,
    /// Anything else (refunds, payouts, receipts, one-time codes).
    Other,
}

/// Where a customer pays: a country, an operator the provider takes there, and a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Market {
    /// The wallet's country.
    pub country: Country,
    /// The operator.
    pub operator: Operator,
    /// The customer's number, E.164.
    pub e164: &'static str,
}

impl Market {
    /// The currency paid in.
    pub fn currency(&self) -> Currency {
        self.country.currency()
    }
}

/// How a payment ends, as the scenario decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The customer approves on the handset.
    Approve,
    /// The operator declines, for this reason (worded as the provider words it).
    Decline(FailureReason),
    /// The provider reports this status string (one Lipa does not know).
    Raw(String),
}

/// A webhook delivery: its headers and raw body.
pub type Webhook = (Vec<(String, String)>, Vec<u8>);

/// How a webhook is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// As the provider signs.
    Good,
    /// With another secret or key.
    Wrong,
    /// Without the signature header.
    Missing,
    /// Correctly, but long ago (only for providers whose signature carries a time).
    Stale,
}

/// One provider's fake.
pub trait Model {
    /// Which provider it plays.
    fn id(&self) -> ProviderId;
    /// The deployment settings that turn the provider on and point it at this fake.
    fn settings(&self) -> Vec<(&'static str, String)>;
    /// Where the scenarios pay: the first market, then one in another currency.
    fn markets(&self) -> [Market; 2];
    /// The guide's shortest allowed wait before the next status read, `elapsed_ms` after the
    /// payment started.
    fn min_poll_delay_ms(&self, elapsed_ms: i64) -> i64;
    /// What the request is.
    fn route(&self, req: &HttpRequest) -> Route;
    /// Answers the request as the provider would, changing its state.
    fn handle(&mut self, req: &HttpRequest, now_ms: i64) -> HttpResponse;
    /// Payments the provider has taken (prompted for), in total.
    fn payments(&self) -> usize;
    /// The reference of the payment the provider knows by `provider_ref` (any of its ids).
    fn owner(&self, provider_ref: &str) -> Option<String>;
    /// Ends the newest payment with `reference` (Lipa's reference, as
    /// `Provider::expected_reference` gives it); false when there is none.
    fn settle(&mut self, reference: &str, outcome: &Outcome) -> bool;
    /// The reason a status read reports for a decline worded for `wanted`; `None` when the
    /// provider's status read cannot report failures at all (they come by webhook).
    fn read_reason(&self, wanted: FailureReason) -> Option<FailureReason>;
    /// The reason a decline webhook reports for `wanted`, when webhooks carry failures.
    fn webhook_reason(&self, _wanted: FailureReason) -> Option<FailureReason> {
        None
    }
    /// The webhook the provider sends about the newest payment with `reference` as it stands
    /// now: headers and raw body. `None` when the provider sends none (or, for
    /// [`Signing::Stale`], its signature carries no time).
    fn webhook(&self, reference: &str, signing: Signing, now_ms: i64) -> Option<Webhook>;
    /// Ends the preparation `state` (a session) before its time; false when preparations
    /// never end early.
    fn expire_preparation(&mut self, _state: &str) -> bool {
        false
    }
    /// Whether the provider answers a status read by Lipa's reference (CrissCross has no
    /// read by reference: a replay of the same key is its read).
    fn reads_by_reference(&self) -> bool {
        true
    }
    /// Whether the provider authorizes with bearer tokens it issues.
    fn uses_tokens(&self) -> bool;
    /// Tokens issued so far.
    fn tokens_issued(&self) -> usize {
        0
    }
    /// Makes the newest payment with `reference` wait for a one-time code; false when the
    /// provider has no such step.
    fn require_otp(&mut self, _reference: &str) -> bool {
        false
    }
    /// The code the customer receives.
    fn otp(&self) -> &'static str {
        "482913"
    }
}

/// A request as a fake reads it: the path below the base URL, the query and the JSON body.
pub struct Req<'a> {
    /// The request.
    pub raw: &'a HttpRequest,
    /// The path's segments below the base URL.
    pub path: Vec<String>,
    /// The query string's pairs.
    pub query: BTreeMap<String, String>,
    /// The body as JSON (`Null` when absent or not JSON).
    pub body: serde_json::Value,
}

impl<'a> Req<'a> {
    /// Reads `raw`, whose URL starts with `base`.
    pub fn new(raw: &'a HttpRequest, base: &str) -> Req<'a> {
        let rest = raw.url.strip_prefix(base).unwrap_or("/not-this-provider");
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Req {
            raw,
            path: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            query: query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), unescape(v)))
                .collect(),
            body: raw
                .body
                .as_deref()
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or(serde_json::Value::Null),
        }
    }

    /// The method and path segments, for matching.
    pub fn is(&self, method: Method, path: &[&str]) -> bool {
        self.raw.method == method
            && self.path.len() == path.len()
            && self.path.iter().zip(path).all(|(a, b)| *b == "*" || a == b)
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.raw.header(name)
    }

    /// A string field of the body, by JSON pointer.
    pub fn text(&self, pointer: &str) -> Option<&str> {
        self.body
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
    }

    /// A bearer token, if the request carries one.
    pub fn bearer(&self) -> Option<&str> {
        self.header("Authorization")?.strip_prefix("Bearer ")
    }
}

/// Percent-decodes a query value.
fn unescape(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = v
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON answer.
pub fn json(status: u16, body: serde_json::Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

/// Basic-auth header value for `id:secret`.
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// Hex HMAC-SHA256 of `body` under `secret`.
pub fn hmac_hex(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// `now_ms` as ISO 8601 UTC with milliseconds.
pub fn iso(now_ms: i64) -> String {
    let secs = now_ms.div_euclid(1000);
    let ms = now_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `minor` in major units of `currency`, as a JSON number (an integer when whole).
pub fn major(minor: i64, currency: Currency) -> serde_json::Value {
    let scale = 10i64.pow(currency.exponent());
    if minor % scale == 0 {
        serde_json::json!(minor / scale)
    } else {
        serde_json::json!(minor as f64 / scale as f64)
    }
}

/// A JSON number in major units of `currency`, in minor units.
pub fn minor(major: &serde_json::Value, currency: Currency) -> Option<i64> {
    let v = major.as_f64()?;
    let scaled = (v * 10f64.powi(currency.exponent() as i32)).round();
    (scaled > 0.0).then_some(scaled as i64)
}
