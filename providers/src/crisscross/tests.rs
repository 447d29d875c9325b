//! Fixture tests: requests as the guide describes them, responses as CrissCross sends them.

use super::*;
use crate::signature::hmac_sha256;
use crate::Echo;

fn config() -> Config {
    Config {
        base_url: "https://api.crisscross.money".into(),
        merchant_id: "m_123".into(),
        client_secret: Secret::new("cs_test"),
        webhook_secret: Secret::new("whsec_test"),
        signature_header: DEFAULT_SIGNATURE_HEADER.into(),
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
fn token_is_requested_with_merchant_credentials_and_dated_from_now() {
    let req = token_request(&config());
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://api.crisscross.money/v1/auth/oauth2/token");
    assert_eq!(
        json(&req),
        serde_json::json!({"merchantId": "m_123", "clientSecret": "cs_test"})
    );
    let t = parse_token(
        &ok(r#"{"accessToken":"tok","tokenType":"Bearer","expiresIn":3600}"#),
        1_000,
    )
    .unwrap();
    assert_eq!(t.token.expose(), "tok");
    assert_eq!(t.expires_at_ms, 3_601_000);
}

#[test]
fn session_carries_minor_units_location_and_an_alphanumeric_reference() {
    let req = session_request(
        &config(),
        &Secret::new("tok"),
        &SessionInput {
            amount: 150_000,
            currency: Currency::KES,
            reference: "co_abc123",
            location: "KEN",
        },
    );
    assert_eq!(req.header("authorization"), Some("Bearer tok"));
    let body = json(&req);
    assert_eq!(body["amount"], 150_000);
    assert_eq!(body["currency"], "KES");
    assert_eq!(body["merchantReference"], "coabc123");
    assert_eq!(body["payerDetails"]["location"], "KEN");
    assert_eq!(body["integrationType"], "direct");
    assert_eq!(
        parse_session(&ok(
            r#"{"sessionId":"0190-s","expiresAt":"2026-01-01T00:00:00Z"}"#
        ))
        .unwrap(),
        "0190-s"
    );
}

#[test]
fn available_methods_are_mapped_to_known_operators() {
    let req = available_methods_request(&config(), &Secret::new("t"), "sess-1");
    assert_eq!(
        req.url,
        "https://api.crisscross.money/v1/payment/available-methods?sessionId=sess-1"
    );
    let ops = parse_available_methods(&ok(r#"{"paymentMethods":[
        {"type":"card","provider":{"options":[{"code":"visa"}]}},
        {"type":"mobilemoney","provider":{"options":[
            {"code":"mtn","name":"MTN"},{"code":"orange","name":"Orange"},
            {"code":"moov","name":"Moov"},{"code":"wave","name":"Wave"},{"code":"newco"}]}}]}"#))
    .unwrap();
    assert_eq!(
        ops,
        vec![
            Operator::MtnMomo,
            Operator::OrangeMoney,
            Operator::MoovMoney,
            Operator::Wave
        ]
    );
}

#[test]
fn payment_is_always_mobilemoney_with_the_operator_in_payment_details() {
    let req = payment_request(
        &config(),
        &Secret::new("t"),
        "sess-1",
        Operator::Mpesa,
        "+254712000001",
        "key-1",
    )
    .unwrap();
    assert_eq!(req.header("Idempotency-Key"), Some("key-1"));
    assert_eq!(
        json(&req),
        serde_json::json!({"type": "mobilemoney", "sessionId": "sess-1",
            "paymentDetails": {"provider": "mpesa", "payerMobileNumber": "+254712000001"}})
    );
    assert!(payment_request(
        &config(),
        &Secret::new("t"),
        "s",
        Operator::TelecelCash,
        "+233",
        "k"
    )
    .is_err());
}

fn status_of(body: &str) -> (PaymentStatus, bool) {
    let p = parse_payment(&ok(body)).unwrap();
    (p.status, p.can_poll)
}

#[test]
fn statuses_map_to_the_normalized_machine() {
    let pending =
        r#"{"transactionId":"t1","status":"PENDING","authState":{"type":"pending_approval"}}"#;
    assert_eq!(status_of(pending), (PaymentStatus::Pending, false));
    assert_eq!(
        status_of(
            r#"{"transactionId":"t1","status":"COMPLETED","authState":{"type":"authorized"}}"#
        )
        .0,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        status_of(r#"{"transactionId":"t1","status":"SETTLED"}"#).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        status_of(r#"{"transactionId":"t1","status":"EXPIRED"}"#).0,
        PaymentStatus::Expired
    );
    assert_eq!(
        status_of(r#"{"transactionId":"t1","status":"CANCELLED"}"#).0,
        PaymentStatus::Failed {
            reason: FailureReason::Cancelled,
            retryable: true
        }
    );
}

#[test]
fn auth_failure_codes_become_typed_reasons() {
    let cases = [
        ("wrong_pin", FailureReason::WrongPin),
        ("insufficient_funds", FailureReason::InsufficientFunds),
        ("timeout", FailureReason::TimedOut),
        ("cancelled", FailureReason::Cancelled),
        ("limit_exceeded", FailureReason::LimitReached),
        ("not_registered", FailureReason::NotRegistered),
        ("declined", FailureReason::Declined),
        ("something_new", FailureReason::Declined),
    ];
    for (code, reason) in cases {
        let body = format!(
            r#"{{"transactionId":"t1","status":"FAILED","authState":{{"type":"auth_failure","code":"{code}","message":"x"}}}}"#
        );
        assert_eq!(
            status_of(&body).0,
            PaymentStatus::Failed {
                reason,
                retryable: true
            },
            "{code}"
        );
    }
}

#[test]
fn system_errors_follow_can_retry_and_can_poll() {
    let retry = r#"{"transactionId":"t1","status":"ERRORED","authState":{"type":"error","canRetry":true,"canPoll":false}}"#;
    assert_eq!(
        status_of(retry).0,
        PaymentStatus::Failed {
            reason: FailureReason::ProviderError,
            retryable: true
        }
    );
    let final_ = r#"{"transactionId":"t1","status":"FAILED","authState":{"type":"error","canRetry":false,"canPoll":false}}"#;
    assert_eq!(
        status_of(final_).0,
        PaymentStatus::Failed {
            reason: FailureReason::ProviderError,
            retryable: false
        }
    );
    let poll = r#"{"transactionId":"t1","status":"ERRORED","authState":{"type":"error","canRetry":false,"canPoll":true}}"#;
    assert_eq!(status_of(poll), (PaymentStatus::Pending, true));
}

#[test]
fn http_errors_are_classified() {
    let resp = |status: u16, body: &str, headers: Vec<(String, String)>| HttpResponse {
        status,
        headers,
        body: body.into(),
    };
    assert_eq!(
        parse_payment(&resp(
            409,
            r#"{"message":"live","error":"Conflict","statusCode":409}"#,
            vec![]
        )),
        Err(ProviderError::Conflict)
    );
    assert_eq!(
        parse_payment(&resp(429, "", vec![("Retry-After".into(), "7".into())])),
        Err(ProviderError::RateLimited {
            retry_after_s: Some(7)
        })
    );
    assert_eq!(
        parse_payment(&resp(
            400,
            r#"{"message":"payerMobileNumber is invalid","error":"Bad Request","statusCode":400}"#,
            vec![]
        )),
        Err(ProviderError::Rejected {
            status: 400,
            message: "payerMobileNumber is invalid".into()
        })
    );
    assert_eq!(
        parse_payment(&resp(401, "", vec![])),
        Err(ProviderError::Unauthorized)
    );
    assert_eq!(
        parse_payment(&resp(503, "", vec![])),
        Err(ProviderError::Unavailable { status: 503 })
    );
    assert!(matches!(
        parse_payment(&ok("{}")),
        Err(ProviderError::Decode(_))
    ));
}

#[test]
fn webhooks_verify_before_they_parse() {
    let cfg = config();
    let body = br#"{"eventId":"ev1","type":"transaction.completed","transactionId":"t1","status":"COMPLETED","merchantReference":"co1","sessionId":"s1"}"#;
    let sig = hex::encode(hmac_sha256(&cfg.webhook_secret, body).unwrap());
    let headers = vec![("x-crisscross-signature".to_string(), sig.clone())];
    let ev = verify_webhook(&cfg, &headers, body).unwrap();
    assert_eq!(ev.transaction_id, "t1");
    assert_eq!(ev.event_id, "ev1");

    let tampered = br#"{"eventId":"ev1","type":"transaction.completed","transactionId":"t2","status":"COMPLETED","merchantReference":"co1","sessionId":"s1"}"#;
    assert!(matches!(
        verify_webhook(&cfg, &headers, tampered),
        Err(ProviderError::Signature(
            crate::signature::SignatureError::Mismatch
        ))
    ));
    assert!(matches!(
        verify_webhook(&cfg, &[], body),
        Err(ProviderError::Signature(
            crate::signature::SignatureError::Missing
        ))
    ));
    let other = Config {
        webhook_secret: Secret::new("nope"),
        ..config()
    };
    assert!(verify_webhook(&other, &headers, body).is_err());
    let renamed = Config {
        signature_header: "X-Signature".into(),
        ..config()
    };
    let moved = vec![("X-Signature".to_string(), sig)];
    assert!(verify_webhook(&renamed, &moved, body).is_ok());
}

#[test]
fn refunds_carry_the_stored_key_and_read_their_outcome() {
    let req = refund_request(
        &config(),
        &Secret::new("t"),
        "tx_1",
        50_000,
        "damaged",
        "key-1",
    );
    assert_eq!(req.url, "https://api.crisscross.money/v1/payment/refunds");
    assert_eq!(req.header("Idempotency-Key"), Some("key-1"));
    let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["transactionId"], "tx_1");
    assert_eq!(body["amount"], 50_000);
    let read = |json: &str| {
        parse_refund(&HttpResponse {
            status: 200,
            headers: vec![],
            body: json.into(),
        })
        .unwrap()
    };
    assert_eq!(
        read(r#"{"refundId":"rf_1","status":"pending"}"#).outcome,
        None
    );
    assert_eq!(
        read(r#"{"refundId":"rf_1","status":"completed"}"#).outcome,
        Some(Ok(()))
    );
    assert_eq!(
        read(r#"{"refundId":"rf_1","status":"failed","message":"Refund window closed"}"#).outcome,
        Some(Err("CrissCross reports the refund failed".into())),
        "CrissCross's own message is never passed on"
    );
    assert!(refund_status_request(&config(), &Secret::new("t"), "rf_1")
        .url
        .ends_with("/v1/payment/refunds/rf_1"));
}

/// A transaction as the payment and status answers carry it (the sandbox's shape).
fn transaction(status: &str, auth_state: &str) -> String {
    format!(
        r#"{{"transactionId":"t1","sessionId":"s1","merchantReference":"coabc123","type":"mobilemoney",
        "status":"{status}","message":"x","authState":{auth_state},"amount":150000,"currency":"KES",
        "paymentDetails":{{"provider":"mpesa","payerMobileNumber":"+254712000001"}}}}"#
    )
}

#[test]
fn answers_echo_the_merchant_reference_amount_and_currency() {
    let p = parse_payment(&ok(&transaction(
        "PENDING",
        r#"{"type":"pending_approval"}"#,
    )))
    .unwrap();
    assert_eq!(
        p.echo,
        Echo {
            reference: Some("coabc123".into()),
            amount: Some(150_000),
            currency: Some(Currency::KES),
        }
    );
    let reference = merchant_reference("co_abc123");
    let expected = crate::Expected {
        reference: &reference,
        amounts: &[150_000],
        currency: Currency::KES,
    };
    assert_eq!(p.echo.mismatch(&expected), None);
    let other = transaction("COMPLETED", "null").replace("coabc123", "coother9");
    let p = parse_payment(&ok(&other)).unwrap();
    assert!(p.echo.mismatch(&expected).is_some(), "another checkout's");
    let bare = parse_payment(&ok(r#"{"transactionId":"t1","status":"PENDING"}"#)).unwrap();
    assert_eq!(
        bare.echo,
        Echo::default(),
        "nothing carried, nothing claimed"
    );
    let blank = r#"{"transactionId":"t1","status":"PENDING","merchantReference":"","currency":""}"#;
    assert_eq!(parse_payment(&ok(blank)).unwrap().echo, Echo::default());
    assert!(matches!(
        parse_payment(&ok(&transaction("COMPLETED", "null").replace("KES", "ZZZ"))),
        Err(ProviderError::Decode(_))
    ));
    assert_eq!(
        session_request(
            &config(),
            &Secret::new("t"),
            &SessionInput {
                amount: 1,
                currency: Currency::KES,
                reference: "co_abc123",
                location: "KEN"
            }
        )
        .body
        .map(|b| b.contains(r#""merchantReference":"coabc123""#)),
        Some(true),
        "the session carries what the answers echo"
    );
}

#[test]
fn an_unknown_status_is_pending_with_its_raw_value_never_failed() {
    for (status, auth) in [
        ("ON_HOLD", r#"{"type":"auth_failure","code":"wrong_pin"}"#),
        (
            "REVERSED",
            r#"{"type":"error","canRetry":false,"canPoll":false}"#,
        ),
        ("requires_action", "null"),
    ] {
        let p = parse_payment(&ok(&transaction(status, auth))).unwrap();
        assert_eq!(
            (p.status, p.can_poll, p.unknown_status.as_deref()),
            (PaymentStatus::Pending, false, Some(status)),
            "{status}"
        );
        assert_eq!(p.echo.reference.as_deref(), Some("coabc123"));
    }
    let known = parse_payment(&ok(&transaction("PENDING", "null"))).unwrap();
    assert_eq!(known.unknown_status, None);
}

#[test]
fn statuses_auth_states_and_codes_are_read_in_any_case() {
    // The guide's prose writes `pending`; its JSON `PENDING`.
    assert_eq!(
        status_of(&transaction("pending", r#"{"type":"pending_approval"}"#)),
        (PaymentStatus::Pending, false)
    );
    assert_eq!(
        status_of(&transaction("completed", r#"{"type":"authorized"}"#)).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        status_of(&transaction("Settled", "null")).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        status_of(&transaction("expired", "null")).0,
        PaymentStatus::Expired
    );
    assert_eq!(
        status_of(&transaction(
            "failed",
            r#"{"type":"AUTH_FAILURE","code":"Insufficient_Funds"}"#
        ))
        .0,
        PaymentStatus::Failed {
            reason: FailureReason::InsufficientFunds,
            retryable: true
        }
    );
    assert_eq!(
        status_of(&transaction(
            "errored",
            r#"{"type":"error","canRetry":false,"canPoll":true}"#
        )),
        (PaymentStatus::Pending, true)
    );
    let p = parse_payment(&ok(&transaction("completed", "null"))).unwrap();
    assert_eq!(
        p.unknown_status, None,
        "a known status in lowercase is known"
    );
}

#[test]
fn a_failure_with_an_auth_state_lipa_does_not_know_is_a_decline() {
    assert_eq!(
        status_of(&transaction(
            "FAILED",
            r#"{"type":"three_ds_failed","code":"x"}"#
        ))
        .0,
        PaymentStatus::Failed {
            reason: FailureReason::Declined,
            retryable: true
        }
    );
    assert_eq!(
        status_of(&transaction("FAILED", r#"{"code":"wrong_pin"}"#)).0,
        PaymentStatus::Failed {
            reason: FailureReason::Declined,
            retryable: true
        },
        "no type: not known to be an auth failure"
    );
}

#[test]
fn an_unreadable_2xx_is_a_decode_error_never_a_rejection() {
    for status in [200, 201, 202] {
        for body in [
            "",
            "<html>Bad gateway</html>",
            "[]",
            r#"{"status":"COMPLETED"}"#,
            r#"{"transactionId":"t1"}"#,
            r#"{"transactionId":"t1","status":7}"#,
            r#"{"transactionId":"t1","status":"COMPLETED","amount":"1500"}"#,
        ] {
            let resp = HttpResponse {
                status,
                headers: vec![],
                body: body.into(),
            };
            assert!(
                matches!(parse_payment(&resp), Err(ProviderError::Decode(_))),
                "{status} {body}"
            );
        }
    }
    assert!(matches!(
        parse_opened_session(&HttpResponse {
            status: 201,
            headers: vec![],
            body: "{}".into()
        }),
        Err(ProviderError::Decode(_))
    ));
}

#[test]
fn an_opened_session_carries_its_expiry() {
    let created = |body: &str| HttpResponse {
        status: 201,
        headers: vec![],
        body: body.into(),
    };
    assert_eq!(
        parse_opened_session(&created(
            r#"{"sessionId":"0190-s","status":"OPEN","expiresAt":"2026-01-01T01:00:00.000Z"}"#
        ))
        .unwrap(),
        Session {
            id: "0190-s".into(),
            expires_at_ms: Some(1_767_229_200_000)
        }
    );
    let without = parse_opened_session(&created(r#"{"sessionId":"0190-s"}"#)).unwrap();
    assert_eq!(without.expires_at_ms, None);
    let unreadable = parse_opened_session(&created(
        r#"{"sessionId":"0190-s","expiresAt":"in an hour"}"#,
    ))
    .unwrap();
    assert_eq!(unreadable.expires_at_ms, None);
    assert_eq!(
        parse_session(&created(r#"{"sessionId":"0190-s"}"#)).unwrap(),
        "0190-s"
    );
    assert!(matches!(
        parse_opened_session(&HttpResponse {
            status: 409,
            headers: vec![],
            body: "{}".into()
        }),
        Err(ProviderError::Conflict)
    ));
}

#[test]
fn webhooks_expose_both_match_keys_and_sign_their_dedupe_key() {
    let cfg = config();
    let body = br#"{"eventId":"ev1","type":"transaction.completed","transactionId":"t1","status":"completed","merchantReference":"coabc123","amount":150000,"currency":"KES","sessionId":"s1"}"#;
    let sig = hex::encode(hmac_sha256(&cfg.webhook_secret, body).unwrap());
    let headers = vec![("X-CrissCross-Signature".to_string(), sig)];
    let ev = verify_webhook(&cfg, &headers, body).unwrap();
    assert_eq!(ev.transaction_id, "t1");
    assert_eq!(ev.merchant_reference.as_deref(), Some("coabc123"));
    let reported = ev.payment.unwrap();
    assert_eq!(reported.status, PaymentStatus::Succeeded);
    assert_eq!(reported.echo.amount, Some(150_000));
    assert_eq!(reported.echo.reference.as_deref(), Some("coabc123"));

    // The dedupe key is signed content: another eventId does not verify.
    let replayed = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("ev1", "ev2");
    assert!(matches!(
        verify_webhook(&cfg, &headers, replayed.as_bytes()),
        Err(ProviderError::Signature(
            crate::signature::SignatureError::Mismatch
        ))
    ));

    // A payout event or any other shape still verifies: only its payment is unknown.
    let other = br#"{"eventId":"ev3","type":"payout.completed","transactionId":"p1"}"#;
    let sig = hex::encode(hmac_sha256(&cfg.webhook_secret, other).unwrap());
    let ev = verify_webhook(&cfg, &[("X-CrissCross-Signature".into(), sig)], other).unwrap();
    assert_eq!((ev.merchant_reference, ev.payment), (None, None));
}

#[test]
fn refund_statuses_are_read_in_any_case() {
    let read = |status: &str| {
        parse_refund(&ok(&format!(
            r#"{{"refundId":"rf_1","status":"{status}"}}"#
        )))
        .unwrap()
        .outcome
    };
    assert_eq!(read("COMPLETED"), Some(Ok(())));
    assert!(matches!(read("Failed"), Some(Err(_))));
    assert_eq!(read("PROCESSING"), None, "unknown is still pending");
}
