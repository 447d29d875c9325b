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

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.into(),
    }
}

const GUIDE_SUCCESSFUL: &str = r#"{"success": true, "data": {"transactionId": "lBK9bMny2gs4hLsG3XGq", "amount": 25, "type": "deposit",
    "currency": "KES", "senderCurrency": "KES", "senderAmount": 25, "receiverCurrency": "KES", "receiverAmount": 25,
    "chargeStatus": "successful", "status": "SUCCESSFUL", "method": "momo", "fullTimestamp": "2025-06-17T01:16:44+03:00",
    "externalReference": "test", "thirdPartyReference": "TFH174NFSJ", "phoneNumber": "254722416788"}}"#;

#[test]
fn a_status_read_echoes_reference_amount_in_minor_units_and_currency() {
    let p = parse_status(&ok(GUIDE_SUCCESSFUL)).unwrap().unwrap();
    assert_eq!(
        p.echo,
        Echo {
            reference: Some("test".into()),
            amount: Some(2_500),
            currency: Some(Currency::KES),
        }
    );
    assert_eq!(p.unknown_status, None);
    let decimals = GUIDE_SUCCESSFUL.replace(r#""amount": 25,"#, r#""amount": 1500.5,"#);
    assert_eq!(
        parse_status(&ok(&decimals)).unwrap().unwrap().echo.amount,
        Some(150_050)
    );
    let ugx = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending","amount":5000,"currency":"UGX","externalReference":"pay_1"}}"#;
    let p = parse_status(&ok(ugx)).unwrap().unwrap();
    assert_eq!(p.echo.amount, Some(5_000));
    assert_eq!(p.echo.currency, Some(Currency::UGX));
    let bare = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending"}}"#;
    assert_eq!(
        parse_status(&ok(bare)).unwrap().unwrap().echo,
        Echo::default(),
        "nothing is made up where the answer carries nothing"
    );
}

#[test]
fn an_answer_in_a_currency_lipa_does_not_know_is_not_understood() {
    let usd = GUIDE_SUCCESSFUL.replace(r#""currency": "KES""#, r#""currency": "USD""#);
    assert!(matches!(
        parse_status(&ok(&usd)),
        Err(ProviderError::Decode(_))
    ));
    let negative = GUIDE_SUCCESSFUL.replace(r#""amount": 25,"#, r#""amount": -25,"#);
    assert!(matches!(
        parse_status(&ok(&negative)),
        Err(ProviderError::Decode(_))
    ));
}

#[test]
fn an_unreadable_2xx_status_is_decode_never_a_failure() {
    for body in [
        "<html>gateway</html>",
        "{}",
        r#"{"success":true}"#,
        r#"{"success":true,"data":{"transactionId":"t"}}"#,
        r#"{"success":true,"data":{"transactionId":"t","chargeStatus":7}}"#,
    ] {
        assert!(
            matches!(parse_status(&ok(body)), Err(ProviderError::Decode(_))),
            "{body}"
        );
    }
}

#[test]
fn an_unknown_status_is_pending_with_its_raw_value() {
    let refunded = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"reversed","status":"REVERSED"}}"#;
    let p = parse_status(&ok(refunded)).unwrap().unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.unknown_status.as_deref(), Some("reversed"));
    let new_step = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending","stepRequired":"pin"}}"#;
    let p = parse_status(&ok(new_step)).unwrap().unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(
        p.unknown_status.as_deref(),
        Some("pending, stepRequired pin")
    );
}

#[test]
fn known_statuses_are_read_in_any_case() {
    let upper = GUIDE_SUCCESSFUL.replace(
        r#""chargeStatus": "successful""#,
        r#""chargeStatus": "SUCCESSFUL""#,
    );
    assert_eq!(status(&upper), PaymentStatus::Succeeded);
    let failed = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"Failed","note":"Wrong PIN entered"}}"#;
    assert_eq!(
        status(failed),
        PaymentStatus::Failed {
            reason: FailureReason::WrongPin,
            retryable: true
        }
    );
    let otp = r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"PENDING","stepRequired":"OTP"}}"#;
    assert_eq!(
        status(otp),
        PaymentStatus::ActionRequired {
            action: NextAction::Otp
        }
    );
}

#[test]
fn only_a_clear_not_found_means_no_such_transaction() {
    assert_eq!(
        parse_status(&resp(
            404,
            r#"{"success":false,"message":"Transaction not found"}"#
        ))
        .unwrap(),
        None
    );
    for (status, body) in [
        (
            404,
            r#"{"success":false,"message":"Cannot GET /transactions/x"}"#,
        ),
        (404, "<html>Not Found</html>"),
        (404, ""),
        (
            400,
            r#"{"success":false,"message":"Transaction not found"}"#,
        ),
        (
            500,
            r#"{"success":false,"message":"Transaction not found"}"#,
        ),
    ] {
        assert!(
            parse_status(&resp(status, body)).is_err(),
            "{status} {body}"
        );
    }
}

#[test]
fn status_by_reference_uses_the_guides_one_transaction_endpoint() {
    let req = status_by_reference_request(&config(), &Secret::new("t"), "pay_0123abc");
    assert_eq!(
        req.url,
        "https://api-v2.honeycoin.app/api/sandbox/b2b/transactions/pay_0123abc"
    );
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.header("Authorization"), Some("Bearer t"));
    assert_eq!(
        status_by_reference_request(&config(), &Secret::new("t"), "../x?y").url,
        "https://api-v2.honeycoin.app/api/sandbox/b2b/transactions/..xy"
    );
}

#[test]
fn kenyan_airtel_is_charged_with_the_guides_airtel_operator_id() {
    let id = operator_id_for(Currency::KES, Operator::AirtelMoney, &[]).unwrap();
    assert_eq!(id.as_deref(), Some("airtel"));
    let req = charge_request(
        &config(),
        &Secret::new("tok"),
        &Charge {
            amount: 10_000,
            currency: Currency::KES,
            external_reference: "order_12345",
            e164: "+254719624551",
            momo_operator_id: id.as_deref(),
        },
    )
    .unwrap();
    assert_eq!(
        json(&req),
        serde_json::json!({"amount": 100, "currency": "KES", "externalReference": "order_12345",
            "phoneNumber": "254719624551", "momoOperatorId": "airtel"})
    );
}

#[test]
fn operator_ids_come_from_the_list_then_from_the_guides_kes_examples() {
    let listed = vec![
        MomoProvider {
            id: "mpesa".into(),
            operator: Some(Operator::Mpesa),
        },
        MomoProvider {
            id: "airtel".into(),
            operator: Some(Operator::AirtelMoney),
        },
    ];
    assert_eq!(
        operator_id_for(Currency::KES, Operator::Mpesa, &listed).unwrap(),
        Some("mpesa".into())
    );
    assert_eq!(
        operator_id_for(Currency::KES, Operator::AirtelMoney, &listed).unwrap(),
        Some("airtel".into())
    );
    assert_eq!(
        operator_id_for(Currency::KES, Operator::Mpesa, &[]).unwrap(),
        None,
        "the guide's first KES example: M-Pesa without an operator id"
    );
    let ug = vec![MomoProvider {
        id: "mtn_ug".into(),
        operator: Some(Operator::MtnMomo),
    }];
    assert_eq!(
        operator_id_for(Currency::UGX, Operator::MtnMomo, &ug).unwrap(),
        Some("mtn_ug".into())
    );
    assert!(matches!(
        operator_id_for(Currency::UGX, Operator::AirtelMoney, &ug),
        Err(ProviderError::Unsupported(_))
    ));
}

fn webhook(body: &str) -> WebhookEvent {
    let good = vec![(SIGNATURE_HEADER.to_string(), "hook-secret".to_string())];
    verify_webhook(&config(), &good, body.as_bytes()).unwrap()
}

#[test]
fn webhook_dedupe_keys_come_from_the_body_state_not_its_timestamp() {
    let first = webhook(
        r#"{"event": "transaction_updated", "data": {"transactionId": "T1", "status": "successful", "externalReference": "pay_1"}, "timestamp": "2024-10-03T16:34:00Z"}"#,
    );
    let retry = webhook(
        r#"{"event": "transaction_updated", "data": {"transactionId": "T1", "status": "SUCCESSFUL", "externalReference": "pay_1"}, "timestamp": "2024-10-03T16:34:45Z"}"#,
    );
    assert_eq!(first.dedupe_key(), retry.dedupe_key());
    assert_eq!(first.dedupe_key(), "hc:T1:successful:");
    let created = webhook(
        r#"{"event": "transaction_created", "data": {"transactionId": "T1", "status": "pending"}, "timestamp": "a"}"#,
    );
    let otp = webhook(
        r#"{"event": "transaction_updated", "data": {"transactionId": "T1", "status": "pending", "stepRequired": "otp"}, "timestamp": "a"}"#,
    );
    assert_ne!(created.dedupe_key(), otp.dedupe_key());
    assert_ne!(created.dedupe_key(), first.dedupe_key());
    let with_id = webhook(
        r#"{"eventId": "evt_9", "event": "transaction_updated", "data": {"transactionId": "T1", "status": "failed"}}"#,
    );
    assert_eq!(with_id.dedupe_key(), "hc:evt:evt_9");
}

#[test]
fn a_verified_webhook_exposes_what_binds_it_to_a_payment() {
    let guide = webhook(
        r#"{"event": "transaction_updated", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "failed", "type": "deposit",
            "externalReference": "test", "method": "momo", "note": "User could not be reached by stk"}, "timestamp": "t"}"#,
    );
    assert_eq!(
        guide.echo().unwrap(),
        Echo {
            reference: Some("test".into()),
            amount: None,
            currency: None,
        }
    );
    let p = guide.payment().unwrap();
    assert_eq!(p.provider_ref, "BeOfXV1NVIcZlsSVeQAF");
    assert_eq!(
        p.status,
        PaymentStatus::Failed {
            reason: FailureReason::TimedOut,
            retryable: true
        }
    );
    let with_amount = webhook(
        r#"{"event": "transaction_updated", "data": {"transactionId": "T", "status": "SUCCESSFUL", "externalReference": "pay_1",
            "amount": 1500, "currency": "KES"}}"#,
    );
    assert_eq!(
        with_amount.echo().unwrap(),
        Echo {
            reference: Some("pay_1".into()),
            amount: Some(150_000),
            currency: Some(Currency::KES),
        }
    );
    assert_eq!(
        with_amount.payment().unwrap().status,
        PaymentStatus::Succeeded
    );
    let unknown = webhook(
        r#"{"event": "transaction_updated", "data": {"transactionId": "T", "status": "on_hold"}}"#,
    );
    let p = unknown.payment().unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.unknown_status.as_deref(), Some("on_hold"));
    let good = vec![(SIGNATURE_HEADER.to_string(), "hook-secret".to_string())];
    assert!(matches!(
        verify_webhook(
            &config(),
            &good,
            br#"{"event":"transaction_updated","data":{"transactionId":"T","status":"successful","amount":1,"currency":"USD"}}"#
        ),
        Err(ProviderError::Decode(_))
    ));
}
