//! The Dollr simulator against the guide's rules.

use super::*;

fn cfg() -> DollrConfig {
    DollrConfig {
        client_id: "cid".into(),
        client_secret: "csec".into(),
        wallet_id: "wal_1".into(),
        payout_passcode: "2468".into(),
        token_minutes: 1,
        approve_delay_ms: 2_000,
        long_processing_ms: 20_000,
        late_approval_ms: 15_000,
        burst_limit: 1_000,
    }
}

fn call(
    sim: &mut DollrSim,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
    now: i64,
) -> SimResponse {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (
            p,
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.replace("%2B", "+")))
                .collect(),
        ),
        None => (path, vec![]),
    };
    sim.handle(
        &cfg(),
        &SimRequest {
            method: method.into(),
            path: path.into(),
            query,
            headers: vec![("authorization".into(), format!("Bearer {token}"))],
            body: if body.is_null() {
                String::new()
            } else {
                body.to_string()
            },
        },
        now,
    )
}

fn json_of(r: &SimResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or(Value::Null)
}

fn token(sim: &mut DollrSim, now: i64) -> String {
    let r = call(
        sim,
        "POST",
        "/v1/jwt/client/obtain/token",
        "",
        json!({"client_id": "cid", "client_secret": "csec"}),
        now,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(json_of(&r)["expires_in"], 1, "minutes");
    json_of(&r)["access_token"].as_str().unwrap().to_string()
}

fn id(r: &SimResponse) -> String {
    assert!((200..300).contains(&r.status), "{} {}", r.status, r.body);
    json_of(r)["id"].as_str().unwrap().to_string()
}

/// Steps 2–11 for `phone`; the execution's response.
fn collect(sim: &mut DollrSim, t: &str, phone: &str, reference: &str) -> SimResponse {
    let party = id(&call(
        sim,
        "POST",
        "/v1/parties/create",
        t,
        json!({"name": phone, "phone_number": phone}),
        0,
    ));
    let cp = id(&call(
        sim,
        "POST",
        "/v1/counterparties/create",
        t,
        json!({"party_id": party, "relationship_type": "CUSTOMER"}),
        0,
    ));
    let inv = id(&call(
        sim,
        "POST",
        "/v1/invoices/create",
        t,
        json!({"counterparty_id": cp, "currency": "RWF", "fee_bearer": "CUSTOMER", "note": "n", "as_payment_link": false}),
        0,
    ));
    id(&call(
        sim,
        "POST",
        &format!("/v1/invoices/{inv}/items/add"),
        t,
        json!({"name": "Order", "currency": "RWF", "qty": 1, "amount": 5000}),
        0,
    ));
    assert_eq!(
        call(
            sim,
            "PUT",
            &format!("/v1/invoices/publish/{inv}"),
            t,
            Value::Null,
            0
        )
        .status,
        200
    );
    let ses = id(&call(
        sim,
        "POST",
        "/v1/sessions/checkout",
        t,
        json!({"source_id": inv, "source_type": "INVOICE"}),
        0,
    ));
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let provider = predict(&digits).unwrap().0;
    let acc = id(&call(
        sim,
        "POST",
        "/v1/payment-accounts/create?operation_type=COLLECTION",
        t,
        json!({
        "account_name": phone, "provider": provider, "method": "MOBILE_MONEY", "party_id": party,
        "country_code": "RWA", "insensitive_account_number": digits}),
        0,
    ));
    call(
        sim,
        "POST",
        "/v1/executions/collection",
        t,
        json!({"session_id": ses, "payment_account_id": acc, "currency": "RWF", "reference_id": reference}),
        0,
    )
}

fn status(sim: &mut DollrSim, t: &str, reference: &str, now: i64) -> String {
    let r = call(
        sim,
        "GET",
        &format!("/v1/status/collection/{reference}"),
        t,
        Value::Null,
        now,
    );
    json_of(&r)["status"].as_str().unwrap_or("404").to_string()
}

#[test]
fn tokens_expire_after_their_minutes_and_can_be_revoked() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    assert_eq!(
        call(
            &mut sim,
            "GET",
            "/v1/status/collection/x",
            &t,
            Value::Null,
            59_000
        )
        .status,
        404
    );
    assert_eq!(
        call(
            &mut sim,
            "GET",
            "/v1/status/collection/x",
            &t,
            Value::Null,
            60_000
        )
        .status,
        401
    );
    let t = token(&mut sim, 0);
    sim.revoke_tokens();
    assert_eq!(
        call(
            &mut sim,
            "GET",
            "/v1/status/collection/x",
            &t,
            Value::Null,
            0
        )
        .status,
        401
    );
    let bad = call(
        &mut sim,
        "POST",
        "/v1/jwt/client/obtain/token",
        "",
        json!({"client_id": "cid"}),
        0,
    );
    assert_eq!(bad.status, 422);
    assert_eq!(
        json_of(&bad)["detail"][0]["loc"],
        json!(["body", "client_secret"])
    );
}

#[test]
fn approve_goes_pending_processing_completed_and_pays_the_invoice() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let r = collect(&mut sim, &t, "+250788000001", "ref-1");
    assert_eq!(r.status, 202);
    assert_eq!(status(&mut sim, &t, "ref-1", 100), "PENDING");
    assert_eq!(status(&mut sim, &t, "ref-1", 600), "PROCESSING");
    assert_eq!(status(&mut sim, &t, "ref-1", 2_000), "COMPLETED");
    assert_eq!(sim.charges_of("+250788000001", 2_000), 1);
    let inv = sim.invoices.keys().next().unwrap().clone();
    let receipt = json_of(&call(
        &mut sim,
        "GET",
        &format!("/v1/invoices/receipt/{inv}"),
        &t,
        Value::Null,
        2_000,
    ));
    assert_eq!(
        (
            receipt["amount"].as_f64(),
            receipt["fee"].as_f64(),
            receipt["total_amount"].as_f64()
        ),
        (Some(5000.0), Some(150.0), Some(5150.0))
    );
    let again = collect(&mut sim, &t, "+250788000001", "ref-1");
    assert_eq!(again.status, 409, "a reference_id is used once");
}

#[test]
fn invoices_lock_when_published() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let party = id(&call(
        &mut sim,
        "POST",
        "/v1/parties/create",
        &t,
        json!({"name": "a", "phone_number": "+250788000001"}),
        0,
    ));
    let cp = id(&call(
        &mut sim,
        "POST",
        "/v1/counterparties/create",
        &t,
        json!({"party_id": party, "relationship_type": "CUSTOMER"}),
        0,
    ));
    let missing = call(
        &mut sim,
        "POST",
        "/v1/invoices/create",
        &t,
        json!({"counterparty_id": cp}),
        0,
    );
    assert_eq!(missing.status, 422);
    assert_eq!(
        json_of(&missing)["detail"].as_array().unwrap().len(),
        2,
        "currency and fee_bearer"
    );
    let inv = id(&call(
        &mut sim,
        "POST",
        "/v1/invoices/create",
        &t,
        json!({"counterparty_id": cp, "currency": "RWF", "fee_bearer": "MERCHANT"}),
        0,
    ));
    assert_eq!(
        call(
            &mut sim,
            "PUT",
            &format!("/v1/invoices/publish/{inv}"),
            &t,
            Value::Null,
            0
        )
        .status,
        400,
        "no items"
    );
    id(&call(
        &mut sim,
        "POST",
        &format!("/v1/invoices/{inv}/items/add"),
        &t,
        json!({"name": "x", "currency": "RWF", "qty": 1, "amount": 100}),
        0,
    ));
    assert_eq!(
        call(
            &mut sim,
            "PUT",
            &format!("/v1/invoices/publish/{inv}"),
            &t,
            Value::Null,
            0
        )
        .status,
        200
    );
    let late = call(
        &mut sim,
        "POST",
        &format!("/v1/invoices/{inv}/items/add"),
        &t,
        json!({"name": "y", "currency": "RWF", "qty": 1, "amount": 100}),
        0,
    );
    assert_eq!(late.status, 400);
    assert!(late.body.contains("IDLE"));
}

#[test]
fn lost_response_long_processing_and_late_approval() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let lost = collect(&mut sim, &t, "+250788000032", "ref-32");
    assert_eq!(lost.status, 503);
    assert_eq!(
        status(&mut sim, &t, "ref-32", 2_000),
        "COMPLETED",
        "the collection went through"
    );
    assert_eq!(sim.charges_of("+250788000032", 2_000), 1);

    collect(&mut sim, &t, "+250788000030", "ref-30");
    assert_eq!(status(&mut sim, &t, "ref-30", 19_000), "PROCESSING");
    assert_eq!(status(&mut sim, &t, "ref-30", 20_000), "COMPLETED");

    collect(&mut sim, &t, "+250788000040", "ref-40");
    assert_eq!(status(&mut sim, &t, "ref-40", 10_000), "PENDING");
    assert_eq!(status(&mut sim, &t, "ref-40", 15_000), "COMPLETED");

    collect(&mut sim, &t, "+250788000006", "ref-06");
    let failed = json_of(&call(
        &mut sim,
        "GET",
        "/v1/status/collection/ref-06",
        &t,
        Value::Null,
        2_000,
    ));
    assert_eq!(
        (failed["status"].as_str(), failed["failure_reason"].as_str()),
        (Some("FAILED"), Some("INSUFFICIENT_BALANCE"))
    );
}

#[test]
fn refunds_are_bounded_by_what_was_paid() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let r = collect(&mut sim, &t, "+250788000001", "ref-1");
    let intent = json_of(&r)["payment_intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    let early = call(
        &mut sim,
        "POST",
        "/v1/sessions/refund",
        &t,
        json!({"original_payment_intent_id": intent, "amount": 100}),
        100,
    );
    assert_eq!(early.status, 400, "not completed yet");
    let too_much = call(
        &mut sim,
        "POST",
        "/v1/sessions/refund",
        &t,
        json!({"original_payment_intent_id": intent, "amount": 6000}),
        3_000,
    );
    assert_eq!(too_much.status, 422);
    assert_eq!(
        json_of(&too_much)["detail"][0]["loc"],
        json!(["body", "amount"])
    );
    let ses = id(&call(
        &mut sim,
        "POST",
        "/v1/sessions/refund",
        &t,
        json!({"original_payment_intent_id": intent, "amount": 2000}),
        3_000,
    ));
    assert_eq!(
        call(
            &mut sim,
            "POST",
            "/v1/executions/refund",
            &t,
            json!({"session_id": ses, "reference_id": "rf-1"}),
            3_000
        )
        .status,
        202
    );
    let r = call(
        &mut sim,
        "GET",
        "/v1/status/refund/rf-1",
        &t,
        Value::Null,
        6_000,
    );
    assert_eq!(json_of(&r)["status"], "COMPLETED");
    let rest = call(
        &mut sim,
        "POST",
        "/v1/sessions/refund",
        &t,
        json!({"original_payment_intent_id": intent, "amount": 3200}),
        6_000,
    );
    assert_eq!(
        rest.status, 422,
        "5150 paid, 2000 refunded: 3200 is too much"
    );
}

#[test]
fn payouts_need_a_payout_account_and_the_passcode() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let party = id(&call(
        &mut sim,
        "POST",
        "/v1/parties/create",
        &t,
        json!({"name": "a", "phone_number": "+250788000001"}),
        0,
    ));
    let acc = id(&call(
        &mut sim,
        "POST",
        "/v1/payment-accounts/create?operation_type=PAYOUT",
        &t,
        json!({
        "account_name": "a", "provider": "MTN_MOMO_RWA", "method": "MOBILE_MONEY", "party_id": party,
        "country_code": "RWA", "insensitive_account_number": "250788000001"}),
        0,
    ));
    let ses = id(&call(
        &mut sim,
        "POST",
        "/v1/sessions/payout",
        &t,
        json!({"wallet_id": "wal_1", "payment_account_id": acc, "amount": 7000, "currency": "RWF", "expires_at": "2026-11-22T11:00:00Z"}),
        0,
    ));
    let wrong = call(
        &mut sim,
        "POST",
        "/v1/executions/payout",
        &t,
        json!({"session_id": ses, "reference_id": "po-1", "passcode": {"value": "0000"}}),
        0,
    );
    assert_eq!(wrong.status, 403);
    let ok = call(
        &mut sim,
        "POST",
        "/v1/executions/payout",
        &t,
        json!({"session_id": ses, "reference_id": "po-1", "passcode": {"value": "2468"}}),
        0,
    );
    assert_eq!(ok.status, 202);
    let r = call(
        &mut sim,
        "GET",
        "/v1/status/payout/po-1",
        &t,
        Value::Null,
        2_000,
    );
    assert_eq!(json_of(&r)["status"], "COMPLETED");
    let invalid = call(
        &mut sim,
        "GET",
        "/v1/predictions/mmo-provider-info?phone=%2B250700000001",
        &t,
        Value::Null,
        0,
    );
    assert_eq!(invalid.status, 422);
}

/// A status read of an unknown reference, with the token `t`.
fn status_read(t: &str) -> SimRequest {
    SimRequest {
        method: "GET".into(),
        path: "/v1/status/collection/x".into(),
        query: vec![],
        headers: vec![("authorization".into(), format!("Bearer {t}"))],
        body: String::new(),
    }
}

#[test]
fn a_burst_is_refused_with_retry_after() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let limited = DollrConfig {
        burst_limit: 3,
        ..cfg()
    };
    let req = status_read(&t);
    let statuses: Vec<u16> = (0..4)
        .map(|i| sim.handle(&limited, &req, 10_000 + i).status)
        .collect();
    assert_eq!(statuses, [404, 404, 404, 429]);
    assert_eq!(
        json_of(&sim.handle(&limited, &req, 10_005))[RETRY_AFTER_FIELD],
        1
    );
    assert_eq!(
        sim.handle(&limited, &req, 11_100).status,
        404,
        "a second later it answers again"
    );
}

#[test]
fn the_burst_limit_set_at_run_time_wins_until_put_back() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let limited = DollrConfig {
        burst_limit: 2,
        ..cfg()
    };
    let req = status_read(&t);
    assert_eq!(sim.set_burst_limit(Some(4), &limited), 4);
    let lifted: Vec<u16> = (0..5)
        .map(|i| sim.handle(&limited, &req, 10_000 + i).status)
        .collect();
    assert_eq!(lifted, [404, 404, 404, 404, 429]);
    assert_eq!(sim.set_burst_limit(None, &limited), 2);
    let configured: Vec<u16> = (0..3)
        .map(|i| sim.handle(&limited, &req, 20_000 + i).status)
        .collect();
    assert_eq!(configured, [404, 404, 429]);
    assert_eq!(
        sim.log.total(),
        9,
        "the token request and all eight answered, 429s too"
    );
}

#[test]
fn charges_count_what_advance_would_have_completed_without_moving_anything_along() {
    let mut sim = DollrSim::default();
    let t = token(&mut sim, 0);
    let phones = ["+250788000001", "+250788000040", "+250788000006"];
    for (i, phone) in phones.iter().enumerate() {
        assert_eq!(
            collect(&mut sim, &t, phone, &format!("ref-{i}")).status,
            202
        );
    }
    for now in [0, 1_999, 2_000, 14_999, 15_000] {
        let mut advanced = sim.clone();
        advanced.advance(now);
        for phone in phones {
            assert_eq!(
                sim.charges_of(phone, now),
                advanced.charges_of(phone, now),
                "{phone} at {now}"
            );
        }
    }
    assert_eq!(sim.charges_of("+250788000001", 1_999), 0);
    assert_eq!(sim.charges_of("+250788000001", 2_000), 1);
    assert_eq!(sim.charges_of("+250788000040", 14_999), 0);
    assert_eq!(sim.charges_of("+250788000040", 15_000), 1);
    assert_eq!(sim.charges_of("+250788000006", 15_000), 0, "declined");
    assert_eq!(sim.executions["ref-0"].status, "PENDING", "only read");
}
