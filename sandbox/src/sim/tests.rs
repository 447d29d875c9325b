//! The registry's rules and each simulator driven through the [`Simulator`] trait alone, as
//! the sandbox object drives it.

use serde_json::{json, Value};

use super::*;
use crate::config::Config;
use crate::crisscross::{CrissCrossConfig, CrissCrossSim};
use crate::dollr::{DollrConfig, DollrSim};
use crate::honeycoin::{HoneyConfig, HoneySim};
use crate::little::{LittleConfig, LittleSim};
use crate::signing::hmac_hex;
use crate::xtopay::{XtopayConfig, XtopaySim};

fn config() -> Config {
    Config {
        edge_url: "https://edge.test".into(),
        crisscross_webhook_url: "https://edge.test/webhooks/crisscross".into(),
        crisscross_webhook_secret: "cc-secret".into(),
        crisscross: CrissCrossConfig {
            merchant_id: "m_demo".into(),
            client_secret: "secret".into(),
            approve_delay_ms: 2_000,
        },
        honeycoin: HoneyConfig {
            api_key: "HC_k".into(),
            public_key: "pk".into(),
            approve_delay_ms: 1_000,
        },
        honeycoin_webhook_url: "https://edge.test/webhooks/honeycoin".into(),
        honeycoin_webhook_secret: "hc-secret".into(),
        little: LittleConfig {
            basic: "Y2lkOmNzZWM=".into(),
            api_key: "api_key_1".into(),
            private_key_pem: include_str!("../../keys/little_sandbox_private.pem").into(),
            approve_delay_ms: 2_000,
        },
        xtopay: XtopayConfig {
            basic: "Y2lkOnNlYw==".into(),
            approve_delay_ms: 1_000,
        },
        dollr: DollrConfig {
            client_id: "cid".into(),
            client_secret: "csec".into(),
            wallet_id: "wal_1".into(),
            payout_passcode: "2468".into(),
            token_minutes: 60,
            approve_delay_ms: 2_000,
            long_processing_ms: 20_000,
            late_approval_ms: 15_000,
            burst_limit: 1_000,
        },
        xtopay_webhook_url: "https://edge.test/webhooks/xtopay".into(),
        xtopay_webhook_secret: "xt-secret".into(),
        merchant_secret_key: "sk".into(),
        merchant_webhook_secret: "whsec".into(),
    }
}

/// The five simulators, in the object's order.
fn registry() -> Vec<Box<dyn Simulator>> {
    vec![
        Box::new(CrissCrossSim::default()),
        Box::new(HoneySim::default()),
        Box::new(XtopaySim::default()),
        Box::new(LittleSim::default()),
        Box::new(DollrSim::default()),
    ]
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: Value) -> SimRequest {
    SimRequest {
        method: method.into(),
        path: path.into(),
        query: vec![],
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: if body.is_null() {
            String::new()
        } else {
            body.to_string()
        },
    }
}

/// Sends `req` through the trait; the JSON answer, which must be `status`.
fn call(sim: &mut dyn Simulator, req: &SimRequest, now: i64, status: u16) -> Value {
    let handled = sim.handle(&config(), req, now);
    assert_eq!(handled.response.status, status, "{}", handled.response.body);
    serde_json::from_str(&handled.response.body).unwrap()
}

fn header<'o>(out: &'o Outgoing, name: &str) -> &'o str {
    out.headers
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .unwrap()
}

/// A CrissCross payment for `payer`, through the trait; its transaction id.
fn crisscross_payment(sim: &mut dyn Simulator, payer: &str) -> (String, Handled) {
    let token = call(
        sim,
        &request(
            "POST",
            "/v1/auth/oauth2/token",
            &[],
            json!({"merchantId": "m_demo", "clientSecret": "secret"}),
        ),
        0,
        200,
    )["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let session = call(
        sim,
        &request(
            "POST",
            "/v1/checkout/session",
            &auth,
            json!({"amount": 150000, "currency": "KES", "merchantReference": "co123",
                "merchantId": "m_demo", "payerDetails": {"location": "KEN"},
                "integrationType": "direct"}),
        ),
        0,
        201,
    )["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let handled = sim.handle(
        &config(),
        &request(
            "POST",
            "/v1/payment",
            &auth,
            json!({"type": "mobilemoney", "sessionId": session,
                "paymentDetails": {"provider": "mpesa", "payerMobileNumber": payer}}),
        ),
        0,
    );
    let body: Value = serde_json::from_str(&handled.response.body).unwrap();
    let id = body["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (id, handled)
}

#[test]
fn api_path_takes_the_prefix_itself_or_below_it() {
    assert_eq!(api_path("/little", "/little/pay/x"), Some("/pay/x"));
    assert_eq!(api_path("/little", "/little"), Some(""));
    assert_eq!(api_path("/little", "/littlepay/x"), None);
    assert_eq!(api_path("/little", "/prompts"), None);
    assert_eq!(
        api_path(
            crate::honeycoin::API_PREFIX,
            "/honeycoin/api/sandbox/b2b/fiat/deposit"
        ),
        Some("/fiat/deposit")
    );
    assert_eq!(
        api_path(crate::honeycoin::API_PREFIX, "/honeycoin/redirect/tx1"),
        None,
        "the redirect page is the Worker's, not the API's"
    );
}

#[test]
fn every_simulator_is_registered_once_under_its_own_name_and_prefix() {
    let sims = registry();
    let names: Vec<&str> = sims.iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        ["crisscross", "honeycoin", "xtopay", "little", "dollr"]
    );
    for sim in &sims {
        let under = format!("{}/v1/anything", sim.prefix());
        let serving: Vec<&str> = sims
            .iter()
            .filter(|s| api_path(s.prefix(), &under).is_some())
            .map(|s| s.name())
            .collect();
        assert_eq!(serving, [sim.name()], "{under} has exactly one simulator");
        assert!(
            sim.prefix().starts_with(&format!("/{}", sim.name())),
            "{} lives under its name",
            sim.name()
        );
    }
    for control in [
        "/prompts",
        "/answer",
        "/log",
        "/charges",
        "/shop/events",
        "/stepup-info",
        "/redirect-info",
    ] {
        assert!(
            sims.iter().all(|s| api_path(s.prefix(), control).is_none()),
            "{control} is the object's own"
        );
    }
}

#[test]
fn nothing_is_due_pending_or_charged_in_a_fresh_registry() {
    let mut sims = registry();
    for sim in &mut sims {
        assert_eq!(sim.next_due_ms(), None, "{}", sim.name());
        assert!(sim.take_due(&config(), 0).is_empty(), "{}", sim.name());
        assert!(sim.prompts().is_empty());
        assert_eq!(sim.charges_of("+254712000001", 0), 0);
        assert!(sim.log(None).is_empty());
        assert!(sim.answer(&config(), "nope", true, 0).is_err());
    }
}

#[test]
fn crisscross_through_the_trait_prompts_then_posts_a_signed_webhook_once() {
    let mut sim = CrissCrossSim::default();
    let sim: &mut dyn Simulator = &mut sim;
    let (id, handled) = crisscross_payment(sim, "+254712345678");
    assert_eq!(handled.response.status, 201);
    assert_eq!(handled.delay_ms, None);
    assert!(handled.outgoing.is_empty());
    let prompts = sim.prompts();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].transaction_id, id);
    assert_eq!(
        sim.next_due_ms(),
        None,
        "a handset number waits for a person"
    );

    let out = sim.answer(&config(), &id, true, 5_000).unwrap();
    assert_eq!(out.len(), 1);
    let hook = &out[0];
    assert_eq!(hook.url, "https://edge.test/webhooks/crisscross");
    assert_eq!(
        header(hook, crate::crisscross::SIGNATURE_HEADER),
        hmac_hex("cc-secret", hook.body.as_bytes())
    );
    let body: Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(body["status"], "COMPLETED");
    assert_eq!(
        hook.log_as,
        Some((
            "crisscross_webhook_sent",
            Some(body["eventId"].as_str().unwrap().to_string())
        ))
    );
    assert_eq!(hook.delivery_id, None);
    assert!(sim.answer(&config(), &id, true, 5_001).is_err());
    assert!(sim.prompts().is_empty());
    assert_eq!(sim.charges_of("+254712345678", 5_001), 1);
    assert_eq!(sim.log(Some("+254712345678")).len(), 1);
}

#[test]
fn crisscross_timed_work_and_the_held_answer_go_through_the_trait() {
    let mut sim = CrissCrossSim::default();
    let sim: &mut dyn Simulator = &mut sim;
    let (_, first) = crisscross_payment(sim, "+254712000031");
    assert_eq!(
        first.delay_ms,
        Some(crate::crisscross::SLOW_ANSWER_MS),
        "…31's first answer is held"
    );
    assert_eq!(sim.next_due_ms(), Some(2_000));
    assert!(sim.take_due(&config(), 1_999).is_empty());
    let hooks = sim.take_due(&config(), 2_000);
    assert_eq!(hooks.len(), 1);
    assert_eq!(sim.next_due_ms(), None);
    assert_eq!(sim.charges_of("+254712000031", 2_000), 1);
}

#[test]
fn xtopay_callbacks_are_signed_sha256_with_their_event_id() {
    let mut sim = XtopaySim::default();
    let sim: &mut dyn Simulator = &mut sim;
    let auth = [("authorization", "Basic Y2lkOnNlYw==")];
    call(
        sim,
        &request(
            "POST",
            "/v1/payments/receive",
            &auth,
            json!({"amount": 5000, "phone": "233240123456", "provider": "MTN",
                "description": "d", "metadata": {"clientReference": "pay_h"}}),
        ),
        0,
        200,
    );
    assert_eq!(sim.prompts()[0].transaction_id, "pay_h");
    let out = sim.answer(&config(), "pay_h", false, 10).unwrap();
    assert_eq!(out.len(), 1);
    let hook = &out[0];
    assert_eq!(hook.url, "https://edge.test/webhooks/xtopay");
    assert_eq!(
        header(hook, "x-xtopay-signature"),
        format!("sha256={}", hmac_hex("xt-secret", hook.body.as_bytes()))
    );
    let event_id = header(hook, "x-xtopay-event-id").to_string();
    assert_eq!(hook.log_as, Some(("xtopay_callback_sent", Some(event_id))));
    assert_eq!(sim.charges_of("+233240123456", 10), 0, "declined");
}

#[test]
fn honeycoin_posts_its_due_deliveries_and_retries_a_failed_one() {
    let mut sim = HoneySim::default();
    let sim: &mut dyn Simulator = &mut sim;
    let token = call(
        sim,
        &request(
            "POST",
            "/auth/generate-bearer-token",
            &[("api-key", "HC_k")],
            json!({"publicKey": "pk"}),
        ),
        0,
        200,
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token}");
    let mut charge = request(
        "POST",
        "/fiat/deposit",
        &[("api-key", "HC_k"), ("authorization", bearer.as_str())],
        json!({"amount": 5000, "currency": "UGX", "externalReference": "ref21",
            "phoneNumber": "256770000021", "momoOperatorId": "mtn_ug"}),
    );
    charge.query = vec![("origin".into(), "https://sbx.test".into())];
    let handled = sim.handle(&config(), &charge, 0);
    assert_eq!(handled.response.status, 200, "{}", handled.response.body);
    assert_eq!(
        handled.outgoing.len(),
        1,
        "transaction_created is posted at once"
    );
    let created: Value = serde_json::from_str(&handled.outgoing[0].body).unwrap();
    assert_eq!(created["event"], "transaction_created");
    let delivery = handled.outgoing[0].delivery_id.clone().unwrap();
    sim.delivered(&delivery, true, 0);
    // …21 asks for the operator's page, on the sandbox's own origin, after the delay.
    let steps = sim.take_due(&config(), 1_000);
    assert_eq!(steps.len(), 1);
    let step: Value = serde_json::from_str(&steps[0].body).unwrap();
    let id = step["data"]["transactionId"].as_str().unwrap().to_string();
    assert_eq!(
        step["data"]["redirectUrl"],
        format!("https://sbx.test/honeycoin/redirect/{id}")
    );
    assert_eq!(header(&steps[0], "X-Webhook-Signature"), "hc-secret");
    assert_eq!(steps[0].log_as, None);
    let delivery = steps[0].delivery_id.clone().unwrap();
    sim.delivered(&delivery, true, 1_000);

    let out = sim.answer(&config(), &id, true, 2_000).unwrap();
    assert_eq!(out.len(), 1, "the final webhook is posted at once");
    let delivery = out[0].delivery_id.clone().unwrap();
    sim.delivered(&delivery, false, 2_000);
    assert_eq!(sim.next_due_ms(), Some(7_000), "retried after 5 s");
    let retry = sim.take_due(&config(), 7_000);
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].body, out[0].body);
    assert_eq!(sim.charges_of("+256770000021", 7_000), 1);
}

#[test]
fn little_holds_a_long_poll_while_its_payment_is_pending() {
    let mut sim = LittleSim::default();
    let sim: &mut dyn Simulator = &mut sim;
    let auth = [
        ("authorization", "Basic Y2lkOmNzZWM="),
        ("x-api-key", "api_key_1"),
    ];
    let created = call(
        sim,
        &request(
            "POST",
            "/api/payments/tok_1/pay",
            &auth,
            json!({"amount": 1500, "currency": "KES", "key": "k1234567",
                "callbackUrl": "https://lipa.test/webhooks/little"}),
        ),
        0,
        200,
    );
    let id = created["data"]["reference"].as_str().unwrap().to_string();
    call(
        sim,
        &request(
            "POST",
            &format!("/pay/{id}/process"),
            &auth,
            json!({"type": "MPESA", "payment": {"mobile": "254712000001"}}),
        ),
        0,
        200,
    );
    let mut poll = request("GET", "/api/payments-v2/k1234567", &auth, Value::Null);
    assert!(!sim.holds(&poll), "no longPoll, no hold");
    poll.query = vec![("longPoll".into(), "true".into())];
    assert!(sim.holds(&poll));
    let callbacks = sim.take_due(&config(), 2_000);
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0].url, "https://lipa.test/webhooks/little");
    assert!(!header(&callbacks[0], "X-LittlePay-Signature").is_empty());
    assert_eq!(header(&callbacks[0], "X-LittlePay-Timestamp"), "2");
    assert_eq!(callbacks[0].log_as, Some(("little_callback_sent", None)));
    assert!(!sim.holds(&poll), "settled: answered at once");
    assert_eq!(sim.charges_of("+254712000001", 2_000), 1);
}

#[test]
fn dollr_has_no_timed_work_for_the_alarm() {
    let mut sim = DollrSim::default();
    let sim: &mut dyn Simulator = &mut sim;
    let token = call(
        sim,
        &request(
            "POST",
            "/v1/jwt/client/obtain/token",
            &[],
            json!({"client_id": "cid", "client_secret": "csec"}),
        ),
        0,
        200,
    )["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token}");
    call(
        sim,
        &request(
            "POST",
            "/v1/parties/create",
            &[("authorization", bearer.as_str())],
            json!({"name": "n", "phone_number": "+250788000001"}),
        ),
        0,
        201,
    );
    assert_eq!(sim.next_due_ms(), None);
    assert!(sim.take_due(&config(), i64::MAX).is_empty());
    assert_eq!(sim.log(None).len(), 2);
}
