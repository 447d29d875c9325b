//! Fixtures: every example of the HoneyCoin guide (its single quotes made JSON).

use super::*;

fn config() -> Config {
    Config {
        base_url: "https://api-v2.honeycoin.app/api/sandbox/b2b".into(),
        api_key: Secret::new("HC_test"),
        public_key: "pk_test".into(),
        webhook_secret: Secret::new("hook-secret"),
    }
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: body.into(),
    }
}

fn json(req: &HttpRequest) -> serde_json::Value {
    serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
}

#[test]
fn token_uses_api_key_and_public_key_and_lives_two_hours() {
    let req = token_request(&config());
    assert_eq!(
        req.url,
        "https://api-v2.honeycoin.app/api/sandbox/b2b/auth/generate-bearer-token"
    );
    assert_eq!(req.header("api-key"), Some("HC_test"));
    assert_eq!(json(&req), serde_json::json!({"publicKey": "pk_test"}));
    let t = parse_token(
        &ok(r#"{"success":true,"token":"tok","expiresAt":"2026-11-22T09:00:00Z"}"#),
        1_000,
    )
    .unwrap();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_at_ms, 1_000 + 7_200_000);
}

#[test]
fn kes_charge_matches_the_guide_example() {
    let req = charge_request(
        &config(),
        &Secret::new("tok"),
        &Charge {
            amount: 10_000,
            currency: Currency::KES,
            external_reference: "order_12345",
            e164: "+254719624551",
            momo_operator_id: None,
        },
    )
    .unwrap();
    assert_eq!(
        req.url,
        "https://api-v2.honeycoin.app/api/sandbox/b2b/fiat/deposit"
    );
    assert_eq!(req.header("Authorization"), Some("Bearer tok"));
    assert_eq!(
        json(&req),
        serde_json::json!({"amount": 100, "currency": "KES", "externalReference": "order_12345", "phoneNumber": "254719624551"})
    );
    assert_eq!(
        parse_charge(&ok(
            r#"{"success": true, "message": "Initiated request.", "transactionId": "123456789"}"#
        ))
        .unwrap(),
        "123456789"
    );
}

#[test]
fn non_kes_charge_needs_the_operator_id_and_converts_units() {
    let charge = Charge {
        amount: 5_000,
        currency: Currency::UGX,
        external_reference: "pay_1",
        e164: "+256712000001",
        momo_operator_id: None,
    };
    assert!(charge_request(&config(), &Secret::new("t"), &charge).is_err());
    let with_op = Charge {
        momo_operator_id: Some("mtn_ug"),
        ..charge
    };
    let body = json(&charge_request(&config(), &Secret::new("t"), &with_op).unwrap());
    assert_eq!(body["amount"], 5000);
    assert_eq!(body["momoOperatorId"], "mtn_ug");
}

#[test]
fn providers_are_mapped_to_operators() {
    let list = parse_providers(&ok(r#"{"success":true,"data":[{"id":"mtn_ug","name":"MTN Uganda","currency":"UGX"},{"id":"airtel","name":"Airtel Money"},{"id":"x","name":"Other"}]}"#)).unwrap();
    assert_eq!(list[0].operator, Some(Operator::MtnMomo));
    assert_eq!(list[1].operator, Some(Operator::AirtelMoney));
    assert_eq!(list[2].operator, None);
}

fn status(body: &str) -> PaymentStatus {
    parse_status(&ok(body)).unwrap().unwrap().status
}

#[test]
fn guide_status_examples_map_to_the_normalized_machine() {
    let successful = r#"{"success": true, "data": {"transactionId": "lBK9bMny2gs4hLsG3XGq", "amount": 25, "type": "deposit",
        "currency": "KES", "senderCurrency": "KES", "senderAmount": 25, "receiverCurrency": "KES", "receiverAmount": 25,
        "chargeStatus": "successful", "status": "SUCCESSFUL", "method": "momo",
        "note": "TFH174NFSJ Confirmed. Ksh25.00 sent to Honeycoin 722223344 on 17/06/25 at 1:17 AM. Transaction cost, Ksh0.00.",
        "fullTimestamp": "2025-06-17T01:16:44+03:00", "externalReference": "test", "thirdPartyReference": "TFH174NFSJ",
        "phoneNumber": "254722416788"}}"#;
    assert_eq!(status(successful), PaymentStatus::Succeeded);
    let failed = r#"{"success": true, "data": {"transactionId": "173675873400000038", "amount": 102, "type": "deposit",
        "currency": "KES", "senderCurrency": "KES", "senderAmount": 102, "receiverCurrency": "KES", "receiverAmount": 102,
        "chargeStatus": "failed", "status": "FAILED", "method": "mpesa", "note": "STK Prompt Time Out",
        "fullTimestamp": "2025-01-14T12:13:59+00:00", "externalReference": "173675873400000038", "phoneNumber": "254700000001"}}"#;
    assert_eq!(
        status(failed),
        PaymentStatus::Failed {
            reason: FailureReason::TimedOut,
            retryable: true
        }
    );
}

#[test]
fn steps_become_actions() {
    let otp = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending","status":"PENDING","stepRequired":"otp"}}"#;
    assert_eq!(
        status(otp),
        PaymentStatus::ActionRequired {
            action: NextAction::Otp
        }
    );
    let redirect = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending","status":"PENDING","stepRequired":"redirect","redirectUrl":"https://test.com"}}"#;
    assert_eq!(
        status(redirect),
        PaymentStatus::ActionRequired {
            action: NextAction::Redirect {
                url: "https://test.com".into()
            }
        }
    );
    let bad_url = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending","stepRequired":"redirect","redirectUrl":"javascript:alert(1)"}}"#;
    assert_eq!(status(bad_url), PaymentStatus::Pending);
    let missing = HttpResponse {
        status: 404,
        headers: vec![],
        body: r#"{"success":false,"message":"not found"}"#.into(),
    };
    assert_eq!(parse_status(&missing).unwrap(), None);
}

#[test]
fn failure_notes_become_typed_reasons() {
    for (note, reason) in [
        ("STK Prompt Time Out", FailureReason::TimedOut),
        ("User could not be reached by stk", FailureReason::TimedOut),
        ("Insufficient balance", FailureReason::InsufficientFunds),
        ("Wrong PIN entered", FailureReason::WrongPin),
        ("Request cancelled by user", FailureReason::Cancelled),
        ("Transaction limit exceeded", FailureReason::LimitReached),
        (
            "Number not registered for mobile money",
            FailureReason::NotRegistered,
        ),
        ("Something else", FailureReason::Declined),
    ] {
        assert_eq!(reason_from_note(Some(note)), reason, "{note}");
    }
    assert_eq!(reason_from_note(None), FailureReason::Declined);
}

#[test]
fn otp_validation_request_and_outcomes() {
    let req = validate_otp_request(&config(), &Secret::new("t"), "123456789", "4821");
    assert_eq!(
        req.url,
        "https://api-v2.honeycoin.app/api/sandbox/b2b/fiat/deposit/123456789/validate-otp"
    );
    assert_eq!(json(&req), serde_json::json!({"otp": "4821"}));
    assert_eq!(
        parse_validate_otp(&ok(r#"{"success": true, "message": "OTP validated successfully.", "transactionId": "123456789"}"#)).unwrap(),
        OtpOutcome::Accepted
    );
    let wrong = HttpResponse {
        status: 400,
        headers: vec![],
        body: r#"{"success":false,"message":"Invalid OTP. 2 attempts remaining."}"#.into(),
    };
    assert_eq!(
        parse_validate_otp(&wrong).unwrap(),
        OtpOutcome::Refused("Invalid OTP. 2 attempts remaining.".into())
    );
}

#[test]
fn webhooks_need_the_shared_secret_and_parse_every_guide_example() {
    let examples = [
        r#"{"event": "transaction_created", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "pending", "type": "deposit", "externalReference": "test"}, "timestamp": "2024-10-03T16:33:14.600Z"}"#,
        r#"{"event": "transaction_updated", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "successful", "type": "deposit", "externalReference": "test", "method": "momo", "thirdPartReference": "TEQTEYRU"}, "timestamp": "2024-10-03T16:34:00Z"}"#,
        r#"{"event": "transaction_updated", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "failed", "type": "deposit", "externalReference": "test", "method": "momo", "note": "User could not be reached by stk"}, "timestamp": "2024-10-03T16:34:00Z"}"#,
        r#"{"event": "transaction_updated", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "pending", "type": "deposit", "externalReference": "test", "method": "momo", "stepRequired": "otp"}, "timestamp": "2024-10-03T16:34:00Z"}"#,
        r#"{"event": "transaction_updated", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "pending", "type": "deposit", "externalReference": "test", "method": "momo", "stepRequired": "redirect", "redirectUrl": "https://test.com/"}, "timestamp": "2024-10-03T16:34:00Z"}"#,
    ];
    let good = vec![(SIGNATURE_HEADER.to_string(), "hook-secret".to_string())];
    let mut keys = std::collections::HashSet::new();
    for body in examples {
        let ev = verify_webhook(&config(), &good, body.as_bytes()).unwrap();
        assert_eq!(ev.data.transaction_id, "BeOfXV1NVIcZlsSVeQAF");
        assert_eq!(ev.data.external_reference.as_deref(), Some("test"));
        assert!(
            keys.insert(ev.dedupe_key()),
            "distinct deliveries have distinct keys"
        );
    }
    let wrong = vec![(SIGNATURE_HEADER.to_string(), "hook-secreT".to_string())];
    assert!(matches!(
        verify_webhook(&config(), &wrong, examples[1].as_bytes()),
        Err(ProviderError::Signature(_))
    ));
    assert!(matches!(
        verify_webhook(&config(), &[], examples[1].as_bytes()),
        Err(ProviderError::Signature(_))
    ));
}
