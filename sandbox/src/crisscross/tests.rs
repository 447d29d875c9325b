//! The simulator against the guide's rules.

use super::*;

fn cfg() -> CrissCrossConfig {
    CrissCrossConfig {
        merchant_id: "m_demo".into(),
        client_secret: "secret".into(),
        approve_delay_ms: 2_000,
    }
}

fn req(method: &str, path: &str, token: Option<&str>, body: Value) -> SimRequest {
    let mut headers = vec![];
    if let Some(t) = token {
        headers.push(("authorization".to_string(), format!("Bearer {t}")));
    }
    SimRequest {
        method: method.into(),
        path: path.into(),
        query: vec![],
        headers,
        body: if body.is_null() {
            String::new()
        } else {
            body.to_string()
        },
    }
}

fn json_of(r: &SimResponse) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

fn token(sim: &mut CrissCrossSim) -> String {
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/v1/auth/oauth2/token",
            None,
            json!({"merchantId": "m_demo", "clientSecret": "secret"}),
        ),
        0,
    );
    assert_eq!(r.status, 200);
    json_of(&r)["accessToken"].as_str().unwrap().to_string()
}

fn session(sim: &mut CrissCrossSim, t: &str, location: &str) -> String {
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/v1/checkout/session",
            Some(t),
            json!({
        "amount": 150000, "currency": "KES", "merchantReference": "co123", "merchantId": "m_demo",
        "payerDetails": {"location": location}, "integrationType": "direct"}),
        ),
        0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    json_of(&r)["sessionId"].as_str().unwrap().to_string()
}

fn pay(
    sim: &mut CrissCrossSim,
    t: &str,
    s: &str,
    number: &str,
    key: Option<&str>,
    now: i64,
) -> SimResponse {
    let mut r = req(
        "POST",
        "/v1/payment",
        Some(t),
        json!({"type": "mobilemoney", "sessionId": s,
        "paymentDetails": {"provider": "mpesa", "payerMobileNumber": number}}),
    );
    if let Some(k) = key {
        r.headers.push(("idempotency-key".into(), k.into()));
    }
    sim.handle(&cfg(), &r, now)
}

#[test]
fn wrong_credentials_and_missing_tokens_are_refused() {
    let mut sim = CrissCrossSim::default();
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/v1/auth/oauth2/token",
            None,
            json!({"merchantId": "m_demo", "clientSecret": "nope"}),
        ),
        0,
    );
    assert_eq!(
        (r.status, json_of(&r)["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let r = sim.handle(&cfg(), &req("GET", "/v1/payment/x", None, Value::Null), 0);
    assert_eq!(r.status, 401);
}

#[test]
fn kenya_offers_only_mpesa_and_ivory_coast_four_operators() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    for (loc, n) in [("KEN", 1), ("CIV", 4)] {
        let s = session(&mut sim, &t, loc);
        let mut r = req(
            "GET",
            "/v1/payment/available-methods",
            Some(&t),
            Value::Null,
        );
        r.query.push(("sessionId".into(), s));
        let body = json_of(&sim.handle(&cfg(), &r, 0));
        assert_eq!(
            body["paymentMethods"][0]["provider"]["options"]
                .as_array()
                .unwrap()
                .len(),
            n
        );
    }
}

#[test]
fn one_live_transaction_per_session_and_idempotent_replay() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let first = pay(&mut sim, &t, &s, "+254712000001", Some("k1"), 0);
    assert_eq!(first.status, 201);
    assert_eq!(pay(&mut sim, &t, &s, "+254712000001", Some("k1"), 1), first);
    assert_eq!(
        pay(&mut sim, &t, &s, "+254712000001", Some("k2"), 1).status,
        409
    );
    assert_eq!(
        pay(&mut sim, &t, &s, "+254712000005", Some("k1"), 1).status,
        422
    );
}

#[test]
fn approve_number_completes_after_the_delay_with_a_webhook_and_one_charge() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let tx = json_of(&pay(&mut sim, &t, &s, "+254712000001", None, 0))["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sim.take_due(1_999).is_empty());
    let hooks = sim.take_due(2_000);
    assert_eq!(hooks.len(), 1);
    let hook: Value = serde_json::from_str(&hooks[0].body).unwrap();
    assert_eq!(hook["type"], "transaction.completed");
    assert_eq!(hook["transactionId"], tx.as_str());
    assert_eq!(sim.charges_of("+254712000001"), 1);
    assert!(sim.take_due(10_000).is_empty());
}

#[test]
fn decline_numbers_fail_with_their_code_and_charge_nothing() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    pay(&mut sim, &t, &s, "+254712000006", None, 0);
    let hook: Value = serde_json::from_str(&sim.take_due(2_000)[0].body).unwrap();
    assert_eq!(hook["status"], "FAILED");
    assert_eq!(hook["authState"]["type"], "auth_failure");
    assert_eq!(hook["authState"]["code"], "insufficient_funds");
    assert_eq!(sim.charges_of("+254712000006"), 0);
    // The session takes a new transaction after a failure.
    assert_eq!(
        pay(&mut sim, &t, &s, "+254712000001", None, 3_000).status,
        201
    );
}

#[test]
fn other_numbers_wait_for_the_handset_and_are_logged() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let tx = json_of(&pay(&mut sim, &t, &s, "+254712345678", None, 0))["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sim.take_due(100_000).is_empty());
    assert_eq!(sim.prompts().len(), 1);
    assert!(sim.answer(&tx, true, 5).unwrap().is_some());
    assert!(sim.answer(&tx, true, 6).is_err());
    assert_eq!(sim.log(Some("+254712345678")).len(), 1);
}

#[test]
fn strict_validation_of_the_payment() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/v1/payment",
            Some(&t),
            json!({"type": "mobile-money", "sessionId": s,
        "paymentDetails": {"provider": "mpesa", "payerMobileNumber": "+254712000001"}}),
        ),
        0,
    );
    assert_eq!(r.status, 400);
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/v1/payment",
            Some(&t),
            json!({"type": "mobilemoney", "sessionId": s,
        "paymentDetails": {"provider": "wave", "payerMobileNumber": "+254712000001"}}),
        ),
        0,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn faults_429_once_then_the_same_key_goes_through() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let first = pay(&mut sim, &t, &s, "+254712000017", Some("k17"), 0);
    assert_eq!(first.status, 429);
    assert_eq!(json_of(&first)[crate::sim::RETRY_AFTER_FIELD], 2);
    let second = pay(&mut sim, &t, &s, "+254712000017", Some("k17"), 2_000);
    assert_eq!(second.status, 201, "a 429 is not replayed for the key");
    assert_eq!(sim.charges_of("+254712000017"), 0);
    sim.take_due(4_000);
    assert_eq!(sim.charges_of("+254712000017"), 1);
}

#[test]
fn faults_duplicate_and_stale_webhooks() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s1 = session(&mut sim, &t, "KEN");
    pay(&mut sim, &t, &s1, "+254712000015", Some("k15"), 0);
    let s2 = session(&mut sim, &t, "KEN");
    pay(&mut sim, &t, &s2, "+254712000016", Some("k16"), 0);
    let hooks = sim.take_due(2_000);
    assert_eq!(hooks.len(), 4);
    let dup: Vec<_> = hooks.iter().filter(|h| h.body.contains("000015")).collect();
    assert_eq!(dup.len(), 2);
    assert_eq!(dup[0], dup[1], "the same delivery twice");
    let ordered: Vec<_> = hooks.iter().filter(|h| h.body.contains("000016")).collect();
    assert!(ordered[0].body.contains("transaction.completed"));
    assert!(
        ordered[1].body.contains(r#""status":"PENDING""#),
        "then a stale pending one"
    );
}

#[test]
fn faults_slow_answer_only_the_first_time() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let body = json!({"type": "mobilemoney", "sessionId": s,
        "paymentDetails": {"provider": "mpesa", "payerMobileNumber": "+254712000031"}});
    let r = req("POST", "/v1/payment", Some(&t), body);
    assert_eq!(sim.answer_delay_ms(&r), Some(SLOW_ANSWER_MS));
    assert_eq!(sim.answer_delay_ms(&r), None);
    let other = req("GET", "/v1/payment/x", Some(&t), Value::Null);
    assert_eq!(sim.answer_delay_ms(&other), None);
}

#[test]
fn number_33_writes_statuses_in_lowercase_everywhere() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let s = session(&mut sim, &t, "KEN");
    let created = json_of(&pay(&mut sim, &t, &s, "+254712000033", None, 0));
    assert_eq!(created["status"], "pending");
    let tx = created["transactionId"].as_str().unwrap().to_string();
    // Still one live transaction per session, however the status is written.
    assert_eq!(pay(&mut sim, &t, &s, "+254712000033", None, 1).status, 409);
    let hooks = sim.take_due(2_000);
    let hook: Value = serde_json::from_str(&hooks[0].body).unwrap();
    assert_eq!(hook["status"], "completed");
    let read = sim.handle(
        &cfg(),
        &req("GET", &format!("/v1/payment/{tx}"), Some(&t), Value::Null),
        2_001,
    );
    assert_eq!(json_of(&read)["status"], "completed");
    assert_eq!(sim.charges_of("+254712000033"), 1);

    // Other numbers keep the guide's uppercase JSON.
    let s2 = session(&mut sim, &t, "KEN");
    assert_eq!(
        json_of(&pay(&mut sim, &t, &s2, "+254712000001", None, 0))["status"],
        "PENDING"
    );
}

#[test]
fn an_expired_session_is_gone() {
    let mut sim = CrissCrossSim::default();
    let t = token(&mut sim);
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/v1/checkout/session",
            Some(&t),
            json!({"amount": 150000, "currency": "KES", "merchantReference": "co123",
                "merchantId": "m_demo", "payerDetails": {"location": "KEN"},
                "integrationType": "direct", "lifetime": 60}),
        ),
        0,
    );
    let body = json_of(&r);
    assert_eq!(body["expiresAt"], "1970-01-01T00:01:00.000Z");
    let s = body["sessionId"].as_str().unwrap().to_string();
    assert_eq!(
        pay(&mut sim, &t, &s, "+254712345678", None, 59_999).status,
        201
    );
    // Past expiresAt the session is gone, whether or not a transaction is live on it.
    assert_eq!(
        pay(&mut sim, &t, &s, "+254712000001", None, 60_000).status,
        410
    );
    let mut methods = req(
        "GET",
        "/v1/payment/available-methods",
        Some(&t),
        Value::Null,
    );
    methods.query.push(("sessionId".into(), s));
    assert_eq!(sim.handle(&cfg(), &methods, 60_000).status, 410);
}
