//! The HoneyCoin simulator against the guide's rules.

use super::*;

fn cfg() -> HoneyConfig {
    HoneyConfig {
        api_key: "HC_k".into(),
        public_key: "pk".into(),
        approve_delay_ms: 1_000,
    }
}

fn req(method: &str, path: &str, token: Option<&str>, body: Value) -> SimRequest {
    let mut headers = vec![("api-key".to_string(), "HC_k".to_string())];
    if let Some(t) = token {
        headers.push(("authorization".into(), format!("Bearer {t}")));
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

fn body(r: &SimResponse) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

fn token(sim: &mut HoneySim) -> String {
    let r = sim.handle(
        &cfg(),
        &req(
            "POST",
            "/auth/generate-bearer-token",
            None,
            json!({"publicKey": "pk"}),
        ),
        "",
        0,
    );
    assert_eq!(r.status, 200);
    body(&r)["token"].as_str().unwrap().to_string()
}

fn charge(sim: &mut HoneySim, t: &str, phone: &str, reference: &str) -> String {
    let r = sim.handle(&cfg(), &req("POST", "/fiat/deposit", Some(t), json!({
        "amount": 5000, "currency": "UGX", "externalReference": reference, "phoneNumber": phone, "momoOperatorId": "mtn_ug"})), "http://sbx", 0);
    assert_eq!(r.status, 200, "{}", r.body);
    body(&r)["transactionId"].as_str().unwrap().to_string()
}

fn status(sim: &mut HoneySim, t: &str, id: &str) -> Value {
    body(&sim.handle(
        &cfg(),
        &req("GET", &format!("/transactions/{id}"), Some(t), Value::Null),
        "",
        0,
    ))["data"]
        .clone()
}

fn otp_for(sim: &HoneySim, phone: &str) -> String {
    sim.prompts()
        .into_iter()
        .find(|p| p.payer == format!("+{phone}"))
        .and_then(|p| p.otp)
        .unwrap()
}

fn deposit(sim: &mut HoneySim, t: &str, body: Value) -> SimResponse {
    sim.handle(
        &cfg(),
        &req("POST", "/fiat/deposit", Some(t), body),
        "http://sbx",
        0,
    )
}

fn get(sim: &mut HoneySim, t: &str, path: &str, query: &[(&str, &str)]) -> SimResponse {
    let mut r = req("GET", path, Some(t), Value::Null);
    r.query = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sim.handle(&cfg(), &r, "", 0)
}

#[test]
fn charges_validate_like_the_guide() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let no_op = deposit(
        &mut sim,
        &t,
        json!({"amount": 5000, "currency": "UGX", "externalReference": "r1", "phoneNumber": "256712000001"}),
    );
    assert_eq!(no_op.status, 422);
    assert!(body(&no_op)["message"]
        .as_str()
        .unwrap()
        .contains("momoOperatorId"));
    let plus = deposit(
        &mut sim,
        &t,
        json!({"amount": 100, "currency": "KES", "externalReference": "r2", "phoneNumber": "+254712000001", "momoOperatorId": "mpesa"}),
    );
    assert_eq!(plus.status, 400);
    let kes = deposit(
        &mut sim,
        &t,
        json!({"amount": 100, "currency": "KES", "externalReference": "r3", "phoneNumber": "254712000001", "momoOperatorId": "mpesa"}),
    );
    assert_eq!(kes.status, 200);
    assert_eq!(
        sim.handle(
            &cfg(),
            &req("GET", "/transactions/x", None, Value::Null),
            "",
            0
        )
        .status,
        401
    );
}

#[test]
fn a_kes_charge_without_its_operator_is_refused_not_sent_to_mpesa() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    // The guide's first example, as Lipa must no longer send it.
    let none = deposit(
        &mut sim,
        &t,
        json!({"amount": 100, "currency": "KES", "externalReference": "order_12345", "phoneNumber": "254719624551"}),
    );
    assert_eq!(none.status, 422, "{}", none.body);
    let message = body(&none)["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("momoOperatorId is required") && message.contains("airtel"),
        "{message}"
    );
    for unknown in ["airtel_ke", "safaricom", ""] {
        let r = deposit(
            &mut sim,
            &t,
            json!({"amount": 100, "currency": "KES", "externalReference": "order_1", "phoneNumber": "254719624551", "momoOperatorId": unknown}),
        );
        assert_eq!(r.status, 422, "{unknown}");
        assert!(body(&r)["message"]
            .as_str()
            .unwrap()
            .contains("is not a KES operator"));
    }
    assert_eq!(
        sim.take_deliveries(0).len(),
        0,
        "a refused charge is no transaction"
    );
    // The guide's second example: Kenyan Airtel Money.
    let airtel = deposit(
        &mut sim,
        &t,
        json!({"amount": 100, "currency": "KES", "externalReference": "order_12345", "phoneNumber": "254719624551", "momoOperatorId": "airtel"}),
    );
    assert_eq!(airtel.status, 200, "{}", airtel.body);
    let mpesa = deposit(
        &mut sim,
        &t,
        json!({"amount": 100, "currency": "KES", "externalReference": "order_2", "phoneNumber": "254719624552", "momoOperatorId": "mpesa"}),
    );
    assert_eq!(mpesa.status, 200, "{}", mpesa.body);
}

#[test]
fn the_kes_providers_list_names_the_guides_airtel_id() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let r = get(
        &mut sim,
        &t,
        "/utilities/momo-providers",
        &[("currency", "KES")],
    );
    let ids: Vec<String> = body(&r)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["mpesa", "airtel"]);
}

#[test]
fn external_reference_is_idempotent() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let a = charge(&mut sim, &t, "256712000001", "pay_1");
    let b = charge(&mut sim, &t, "256712000001", "pay_1");
    assert_eq!(a, b);
    assert_eq!(
        sim.take_deliveries(0).len(),
        1,
        "one transaction, one webhook"
    );
}

#[test]
fn a_transaction_is_read_by_external_reference_in_the_path() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let id = charge(&mut sim, &t, "256712000001", "pay_1");
    let r = get(&mut sim, &t, "/transactions/pay_1", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["data"]["transactionId"], id.as_str());
    assert_eq!(body(&r)["data"]["externalReference"], "pay_1");
    let by_id = get(&mut sim, &t, &format!("/transactions/{id}"), &[]);
    assert_eq!(body(&by_id)["data"]["externalReference"], "pay_1");
    let missing = get(&mut sim, &t, "/transactions/pay_none", &[]);
    assert_eq!(missing.status, 404);
    assert_eq!(body(&missing)["message"], "Transaction not found");
}

#[test]
fn a_transaction_is_read_by_external_reference_as_a_query_parameter() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let id = charge(&mut sim, &t, "256712000001", "pay_1");
    let r = get(
        &mut sim,
        &t,
        "/transactions",
        &[("externalReference", "pay_1")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["data"]["transactionId"], id.as_str());
    let missing = get(
        &mut sim,
        &t,
        "/transactions",
        &[("externalReference", "pay_none")],
    );
    assert_eq!(missing.status, 404);
    assert_eq!(body(&missing)["message"], "Transaction not found");
    assert_eq!(get(&mut sim, &t, "/transactions", &[]).status, 400);
}

#[test]
fn otp_number_asks_for_a_code_and_accepts_the_right_one() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let id = charge(&mut sim, &t, "256712000020", "pay_otp");
    sim.advance(1_000);
    assert_eq!(status(&mut sim, &t, &id)["stepRequired"], "otp");
    let code = otp_for(&sim, "256712000020");
    let wrong = sim.handle(
        &cfg(),
        &req(
            "POST",
            &format!("/fiat/deposit/{id}/validate-otp"),
            Some(&t),
            json!({"otp": "000000x"}),
        ),
        "",
        1_100,
    );
    assert_eq!(wrong.status, 400);
    assert!(body(&wrong)["message"]
        .as_str()
        .unwrap()
        .contains("2 attempts remaining"));
    let right = sim.handle(
        &cfg(),
        &req(
            "POST",
            &format!("/fiat/deposit/{id}/validate-otp"),
            Some(&t),
            json!({"otp": code}),
        ),
        "",
        1_200,
    );
    assert_eq!(body(&right)["success"], true);
    sim.advance(2_200);
    assert_eq!(status(&mut sim, &t, &id)["chargeStatus"], "successful");
    assert_eq!(sim.charges_of("+256712000020"), 1);
}

#[test]
fn three_wrong_codes_fail_the_charge() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let id = charge(&mut sim, &t, "256712000020", "pay_x");
    sim.advance(1_000);
    for _ in 0..3 {
        sim.handle(
            &cfg(),
            &req(
                "POST",
                &format!("/fiat/deposit/{id}/validate-otp"),
                Some(&t),
                json!({"otp": "1"}),
            ),
            "",
            1_100,
        );
    }
    let s = status(&mut sim, &t, &id);
    assert_eq!(s["chargeStatus"], "failed");
    assert_eq!(s["note"], "OTP attempts exceeded");
}

#[test]
fn redirect_number_sends_the_customer_to_a_page_that_settles_it() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    let id = charge(&mut sim, &t, "256712000021", "pay_r");
    sim.advance(1_000);
    let s = status(&mut sim, &t, &id);
    assert_eq!(s["stepRequired"], "redirect");
    assert_eq!(
        s["redirectUrl"],
        format!("http://sbx/honeycoin/redirect/{id}")
    );
    sim.answer(&id, true, 2_000).unwrap();
    assert_eq!(status(&mut sim, &t, &id)["chargeStatus"], "successful");
}

#[test]
fn failed_webhook_deliveries_are_retried_after_5_15_and_45_seconds() {
    let mut sim = HoneySim::default();
    let t = token(&mut sim);
    charge(&mut sim, &t, "256712000001", "pay_w");
    let created = sim.take_deliveries(0);
    assert_eq!(created.len(), 1);
    assert!(created[0].body.contains("transaction_created"));
    sim.delivered(&created[0].id, false, 0);
    assert!(sim.take_deliveries(4_999).is_empty());
    let again = sim.take_deliveries(5_000);
    assert_eq!(again.len(), 1);
    sim.delivered(&again[0].id, false, 5_000);
    assert_eq!(sim.take_deliveries(20_000).len(), 1);
    sim.delivered(&again[0].id, false, 20_000);
    assert_eq!(sim.take_deliveries(65_000).len(), 1);
    sim.delivered(&again[0].id, false, 65_000);
    assert!(
        sim.take_deliveries(1_000_000).is_empty(),
        "given up after three retries"
    );
}
