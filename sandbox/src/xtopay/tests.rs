//! The Xtopay simulator against the guide's rules.

use super::*;

fn cfg() -> XtopayConfig {
    XtopayConfig {
        basic: "Y2lkOnNlYw==".into(),
        approve_delay_ms: 1_000,
    }
}

fn receive(sim: &mut XtopaySim, body: Value) -> SimResponse {
    sim.handle(
        &cfg(),
        &SimRequest {
            method: "POST".into(),
            path: "/v1/payments/receive".into(),
            query: vec![],
            headers: vec![("authorization".into(), "Basic Y2lkOnNlYw==".into())],
            body: body.to_string(),
        },
        0,
    )
}

#[test]
fn decimals_and_unknown_channels_are_4000() {
    let mut sim = XtopaySim::default();
    let r = receive(
        &mut sim,
        json!({"amount": 80.5, "phone": "233240000001", "provider": "MTN", "description": "d"}),
    );
    assert!(r.body.contains("4000") && r.body.contains("decimals"));
    let r = receive(
        &mut sim,
        json!({"amount": 80, "phone": "233240000001", "provider": "VODAFONE", "description": "d"}),
    );
    assert!(r.body.contains("4000"));
}

#[test]
fn approve_pays_and_calls_back_and_30_never_calls_back() {
    let mut sim = XtopaySim::default();
    let r = receive(
        &mut sim,
        json!({"amount": 5000, "phone": "233240000001", "provider": "MTN", "description": "d", "metadata": {"clientReference": "pay_a"}}),
    );
    assert!(r.body.contains(r#""0001""#));
    receive(
        &mut sim,
        json!({"amount": 5000, "phone": "233240000030", "provider": "MTN", "description": "d", "metadata": {"clientReference": "pay_b"}}),
    );
    let hooks = sim.take_due(1_000);
    assert_eq!(hooks.len(), 1, "only the …01 number calls back");
    assert!(hooks[0].body.contains(r#""ResponseCode":"0000""#));
    assert_eq!(
        sim.charges_of("+233240000030"),
        1,
        "…30 is paid although no callback came"
    );
}

fn status_check(sim: &mut XtopaySim, reference: &str) -> SimResponse {
    sim.handle(
        &cfg(),
        &SimRequest {
            method: "GET".into(),
            path: format!("/v1/payments/{reference}"),
            query: vec![],
            headers: vec![("authorization".into(), "Basic Y2lkOnNlYw==".into())],
            body: String::new(),
        },
        0,
    )
}

fn json_of(r: &SimResponse) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

#[test]
fn a_resent_receive_with_the_same_client_reference_charges_once() {
    let mut sim = XtopaySim::default();
    let order = json!({"amount": 5000, "currency": "GHS", "phone": "233240000001", "provider": "MTN",
        "description": "d", "metadata": {"clientReference": "pay_once"}});
    let first = receive(&mut sim, order.clone());
    let again = receive(&mut sim, order.clone());
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(first.body, again.body, "the first answer, replayed");
    assert_eq!(json_of(&again)["responseCode"], "0001");
    let hooks = sim.take_due(1_000);
    assert_eq!(hooks.len(), 1, "one transaction, one callback");
    assert_eq!(sim.charges_of("+233240000001"), 1);
    let after = receive(&mut sim, order);
    assert_eq!(json_of(&after)["data"]["id"], json_of(&first)["data"]["id"]);
    assert!(sim.take_due(10_000).is_empty());
    assert_eq!(sim.charges_of("+233240000001"), 1, "still one charge");
}

#[test]
fn a_client_reference_reused_with_other_parameters_is_refused() {
    let mut sim = XtopaySim::default();
    receive(
        &mut sim,
        json!({"amount": 5000, "phone": "233240000001", "provider": "MTN", "description": "d", "metadata": {"clientReference": "pay_r"}}),
    );
    let other = receive(
        &mut sim,
        json!({"amount": 6000, "phone": "233240000001", "provider": "MTN", "description": "d", "metadata": {"clientReference": "pay_r"}}),
    );
    assert_eq!(other.status, 400);
    assert_eq!(json_of(&other)["responseCode"], "4000");
    sim.take_due(1_000);
    assert_eq!(sim.charges_of("+233240000001"), 1);
}

#[test]
fn an_unknown_reference_is_a_404_by_default() {
    let mut sim = XtopaySim::default();
    let r = status_check(&mut sim, "pay_never");
    assert_eq!(r.status, 404);
    assert_eq!(
        json_of(&r),
        json!({"success": false, "responseCode": "4000", "message": "Transaction not found"})
    );
}

#[test]
fn an_unknown_reference_can_be_a_200_without_data() {
    let mut sim = XtopaySim::default();
    sim.set_unknown_reference(UnknownReference::Coded200);
    let r = status_check(&mut sim, "pay_never");
    assert_eq!(r.status, 200);
    assert_eq!(
        json_of(&r),
        json!({"success": false, "responseCode": "4000", "message": "Transaction not found", "data": null})
    );
    receive(
        &mut sim,
        json!({"amount": 80, "phone": "233240000001", "provider": "MTN", "description": "d", "metadata": {"clientReference": "pay_k"}}),
    );
    let known = status_check(&mut sim, "pay_k");
    assert_eq!(known.status, 200);
    assert_eq!(json_of(&known)["data"]["status"], "Unpaid");
    assert_eq!(json_of(&known)["data"]["clientReference"], "pay_k");
}
