//! The guide's thirteen steps, request by request, and every answer shape the adapter reads.

use super::*;
use crate::Echo;

fn config() -> Config {
    Config {
        base_url: "https://api.heydollr.app".into(),
        client_id: "cid".into(),
        client_secret: Secret::new("csec"),
        fee_bearer: FeeBearer::Customer,
        wallet_id: "wal_1".into(),
        payout_passcode: Secret::new("2468"),
    }
}

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.into(),
    }
}

fn body(req: &HttpRequest) -> serde_json::Value {
    serde_json::from_str(req.body.as_deref().unwrap_or("null")).unwrap()
}

fn token() -> Secret {
    Secret::new("jwt")
}

#[test]
fn step_1_token_expires_in_minutes() {
    let req = token_request(&config());
    assert_eq!(
        req.url,
        "https://api.heydollr.app/v1/jwt/client/obtain/token"
    );
    assert_eq!(body(&req)["client_id"], "cid");
    assert_eq!(body(&req)["client_secret"], "csec");
    assert!(req.header("Authorization").is_none());
    let t = parse_token(
        &resp(
            200,
            r#"{"access_token":"eyJ","token_type":"bearer","expires_in":30}"#,
        ),
        1_000,
    )
    .unwrap();
    assert_eq!(t.token.expose(), "eyJ");
    assert_eq!(
        t.expires_at_ms,
        1_000 + 30 * 60_000,
        "30 minutes, not 30 seconds"
    );
    assert!(parse_token(&resp(200, r#"{"access_token":"x","expires_in":0}"#), 0).is_err());
    assert_eq!(
        parse_token(&resp(401, r#"{"detail":"Invalid client credentials"}"#), 0),
        Err(ProviderError::Unauthorized)
    );
}

#[test]
fn steps_2_to_6_party_counterparty_invoice_items_publish() {
    let cfg = config();
    let party = party_request(&cfg, &token(), "+250788000001");
    assert_eq!(party.url, "https://api.heydollr.app/v1/parties/create");
    assert_eq!(party.header("Authorization"), Some("Bearer jwt"));
    assert_eq!(body(&party)["phone_number"], "+250788000001");
    assert_eq!(
        parse_created(&resp(201, r#"{"id":"pty_1","name":"x"}"#)).unwrap(),
        "pty_1"
    );

    let cp = counterparty_request(&cfg, &token(), "pty_1");
    assert_eq!(body(&cp)["party_id"], "pty_1");
    assert_eq!(body(&cp)["relationship_type"], "CUSTOMER");

    let input = InvoiceInput {
        counterparty_id: "cp_1",
        amount: 5_000,
        currency: Currency::RWF,
        description: "Order 1042",
        payment_id: "pay_1",
    };
    let inv = invoice_request(&cfg, &token(), &input);
    assert_eq!(inv.url, "https://api.heydollr.app/v1/invoices/create");
    let b = body(&inv);
    assert_eq!(b["counterparty_id"], "cp_1");
    assert_eq!(b["currency"], "RWF");
    assert_eq!(b["fee_bearer"], "CUSTOMER");
    assert_eq!(b["as_payment_link"], false);
    assert!(b["note"].as_str().unwrap().contains("pay_1"));

    let item = item_request(&cfg, &token(), "inv_1", &input);
    assert_eq!(
        item.url,
        "https://api.heydollr.app/v1/invoices/inv_1/items/add"
    );
    let b = body(&item);
    assert_eq!(
        (b["name"].as_str(), b["qty"].as_i64()),
        (Some("Order 1042"), Some(1))
    );
    assert_eq!(b["amount"], 5000, "RWF has no minor unit");
    let lrd = InvoiceInput {
        amount: 1_050,
        currency: Currency::LRD,
        ..input
    };
    assert_eq!(
        body(&item_request(&cfg, &token(), "inv_1", &lrd))["amount"],
        10.5
    );

    let publish = publish_request(&cfg, &token(), "inv_1");
    assert_eq!(publish.method, Method::Put);
    assert_eq!(
        publish.url,
        "https://api.heydollr.app/v1/invoices/publish/inv_1"
    );
    assert!(parse_published(&resp(200, r#"{"id":"inv_1","status":"ACTIVE"}"#)).is_ok());
    assert!(parse_published(&resp(200, r#"{"id":"inv_1","status":"IDLE"}"#)).is_err());
}

#[test]
fn steps_7_and_8_fee_preview_and_operator_prediction() {
    let cfg = config();
    let req = fees_request(&cfg, &token(), 5_000, Currency::RWF);
    assert_eq!(req.method, Method::Get);
    assert!(req
        .url
        .starts_with("https://api.heydollr.app/v1/predictions/amount-and-fees?"));
    assert!(req.url.contains("amount=5000") && req.url.contains("currency=RWF"));
    let fees = parse_fees(
        &resp(
            200,
            r#"{"amount":5000,"fee":150,"total_amount":5150,"currency":"RWF","fx_rate":1.0}"#,
        ),
        Currency::RWF,
    )
    .unwrap();
    assert_eq!(
        fees,
        FeePreview {
            amount: 5_000,
            fee: 150,
            total: 5_150
        }
    );
    assert!(parse_fees(
        &resp(
            200,
            r#"{"amount":1,"fee":0,"total_amount":1,"currency":"USD"}"#
        ),
        Currency::RWF
    )
    .is_err());

    let mmo = mmo_request(&cfg, &token(), "+250788000001", Operation::Collection);
    assert!(mmo.url.contains("phone=%2B250788000001"));
    assert!(mmo.url.contains("operation_type=COLLECTION"));
    let wallet = parse_mmo(&resp(
        200,
        r#"{"payment_method":"MOBILE_MONEY","gateway_provider":"MTN_MOMO_RWA","country":"RWA"}"#,
    ))
    .unwrap();
    assert!(check_wallet(&wallet, Country::RW, Operator::MtnMomo).is_ok());
    let wrong = check_wallet(&wallet, Country::RW, Operator::AirtelMoney).unwrap_err();
    assert!(
        matches!(wrong, ProviderError::Rejected { status: 422, ref message } if message.contains("MTN_MOMO_RWA"))
    );
}

#[test]
fn steps_9_to_11_session_account_execution() {
    let cfg = config();
    let session = checkout_session_request(&cfg, &token(), "inv_1");
    assert_eq!(body(&session)["source_id"], "inv_1");
    assert_eq!(body(&session)["source_type"], "INVOICE");

    let wallet = Wallet {
        method: "MOBILE_MONEY".into(),
        provider: "MTN_MOMO_RWA".into(),
    };
    let account = payment_account_request(
        &cfg,
        &token(),
        Operation::Collection,
        &AccountInput {
            party_id: "pty_1",
            e164: "+250788000001",
            country: Country::RW,
            wallet: &wallet,
        },
    );
    assert_eq!(
        account.url,
        "https://api.heydollr.app/v1/payment-accounts/create?operation_type=COLLECTION"
    );
    let b = body(&account);
    assert_eq!(b["provider"], "MTN_MOMO_RWA");
    assert_eq!(b["method"], "MOBILE_MONEY");
    assert_eq!(b["country_code"], "RWA");
    assert_eq!(b["insensitive_account_number"], "250788000001");

    let exec = collection_request(&cfg, &token(), "ses_1", "acc_1", Currency::RWF, "6f1c…uuid");
    let b = body(&exec);
    assert_eq!(
        (
            b["session_id"].as_str(),
            b["payment_account_id"].as_str(),
            b["reference_id"].as_str()
        ),
        (Some("ses_1"), Some("acc_1"), Some("6f1c…uuid"))
    );
    let executed = parse_execution(&resp(
        202,
        r#"{"reference_id":"r1","payment_intent_id":"pi_1","status":"PENDING"}"#,
    ))
    .unwrap();
    assert_eq!(executed.state, OperationState::InProgress);
    assert_eq!(executed.payment().provider_ref, "pi_1");
}

#[test]
fn step_12_status_progression_and_unknown_reference() {
    let cfg = config();
    let req = status_request(&cfg, &token(), Operation::Collection, "r1");
    assert_eq!(req.url, "https://api.heydollr.app/v1/status/collection/r1");
    assert!(status_request(&cfg, &token(), Operation::Refund, "r2")
        .url
        .ends_with("/v1/status/refund/r2"));
    assert!(status_request(&cfg, &token(), Operation::Payout, "r3")
        .url
        .ends_with("/v1/status/payout/r3"));
    let read = |json: &str| parse_status(&resp(200, json)).unwrap().unwrap();
    for s in ["PENDING", "PROCESSING"] {
        let st = read(&format!(r#"{{"reference_id":"r1","status":"{s}"}}"#));
        assert_eq!(st.payment().status, PaymentStatus::Pending);
        assert_eq!(
            st.payment().provider_ref,
            "r1",
            "no intent yet: the reference stands in"
        );
    }
    let done = read(r#"{"reference_id":"r1","status":"COMPLETED","payment_intent_id":"pi_1"}"#);
    assert_eq!(done.payment().status, PaymentStatus::Succeeded);
    let failed =
        read(r#"{"reference_id":"r1","status":"FAILED","failure_reason":"INSUFFICIENT_BALANCE"}"#);
    assert_eq!(
        failed.payment().status,
        PaymentStatus::Failed {
            reason: FailureReason::InsufficientFunds,
            retryable: true
        }
    );
    assert_eq!(
        parse_status(&resp(404, r#"{"detail":"Not found"}"#)).unwrap(),
        None
    );
    assert_eq!(
        reason_from_failure(Some("PAYMENT_NOT_APPROVED")),
        FailureReason::Cancelled
    );
    assert_eq!(
        reason_from_failure(Some("PAYER_NOT_FOUND")),
        FailureReason::NotRegistered
    );
    assert_eq!(reason_from_failure(None), FailureReason::Declined);
}

#[test]
fn step_13_receipt_in_minor_units() {
    let r = parse_receipt(&resp(
        200,
        r#"{"id":"inv_1","currency":"LRD","amount":10.5,"fee":0.32,"total_amount":10.82,
            "fx_rate":1.0,"provider":"ORANGE_MONEY_LBR","paid_at":"2026-11-22T10:00:00Z",
            "items":[{"name":"Order 1042","qty":1,"amount":10.5,"currency":"LRD"}]}"#,
    ))
    .unwrap();
    assert_eq!((r.amount, r.fee, r.total), (1_050, 32, 1_082));
    assert_eq!(r.items[0].amount, 1_050);
    assert_eq!(r.provider.as_deref(), Some("ORANGE_MONEY_LBR"));
    assert!(receipt_request(&config(), &token(), "inv_1")
        .url
        .ends_with("/v1/invoices/receipt/inv_1"));
}

#[test]
fn refunds_and_payouts() {
    let cfg = config();
    let s = refund_session_request(&cfg, &token(), "pi_1", 2_000, Currency::RWF);
    assert!(s.url.ends_with("/v1/sessions/refund"));
    assert_eq!(body(&s)["original_payment_intent_id"], "pi_1");
    assert_eq!(body(&s)["amount"], 2000);
    let e = refund_execution_request(&cfg, &token(), "rs_1", "rr_1");
    assert!(e.url.ends_with("/v1/executions/refund"));
    assert_eq!(body(&e)["reference_id"], "rr_1");

    let p = payout_session_request(
        &cfg,
        &token(),
        &PayoutInput {
            payment_account_id: "acc_2",
            amount: 7_000,
            currency: Currency::RWF,
            expires_at: "2026-11-22T11:00:00Z",
        },
    );
    let b = body(&p);
    assert_eq!(b["wallet_id"], "wal_1");
    assert_eq!(b["payment_account_id"], "acc_2");
    assert_eq!(b["expires_at"], "2026-11-22T11:00:00Z");
    let x = payout_execution_request(&cfg, &token(), "ps_1", "pr_1");
    assert_eq!(body(&x)["passcode"]["value"], "2468");
    assert_eq!(body(&x)["reference_id"], "pr_1");
}

#[test]
fn fastapi_errors_name_the_field_and_429_carries_retry_after() {
    let r = parse_created(&resp(
        422,
        r#"{"detail":[{"loc":["body","currency"],"msg":"field required","type":"value_error.missing"},
                      {"loc":["body","items",0,"qty"],"msg":"must be positive","type":"value_error"}]}"#,
    ));
    assert_eq!(
        r,
        Err(ProviderError::Rejected {
            status: 422,
            message: "body.currency: field required; body.items.0.qty: must be positive".into()
        })
    );
    let r = parse_created(&resp(400, r#"{"detail":"Invoice is not IDLE"}"#));
    assert!(
        matches!(r, Err(ProviderError::Rejected { status: 400, ref message }) if message == "Invoice is not IDLE")
    );
    let limited = HttpResponse {
        status: 429,
        headers: vec![("Retry-After".into(), "3".into())],
        body: r#"{"detail":"Too many requests"}"#.into(),
    };
    assert_eq!(
        parse_created(&limited),
        Err(ProviderError::RateLimited {
            retry_after_s: Some(3)
        })
    );
    assert_eq!(FeeBearer::parse("customer"), Some(FeeBearer::Customer));
    assert_eq!(FeeBearer::parse("nobody"), None);
}

#[test]
fn an_unknown_status_is_in_progress_with_its_raw_value_never_failed() {
    let read = |json: &str| parse_status(&resp(200, json)).unwrap().unwrap();
    for raw in ["ON_HOLD", "REVERSED", "awaiting_confirmation"] {
        let st = read(&format!(
            r#"{{"reference_id":"r1","status":"{raw}","failure_reason":"INSUFFICIENT_BALANCE"}}"#
        ));
        assert_eq!(st.state, OperationState::InProgress, "{raw}");
        assert_eq!(st.unknown_status.as_deref(), Some(raw));
        let p = st.payment();
        assert_eq!(
            (p.status, p.unknown_status.as_deref()),
            (PaymentStatus::Pending, Some(raw))
        );
    }
    // Refunds and payouts share the reading: an unknown state there is not a failure either.
    let refund = parse_execution(&resp(
        202,
        r#"{"reference_id":"rr_1","payment_intent_id":"pi_9","status":"QUEUED"}"#,
    ))
    .unwrap();
    assert_eq!(
        (refund.state, refund.unknown_status.as_deref()),
        (OperationState::InProgress, Some("QUEUED"))
    );
    let known = read(r#"{"reference_id":"r1","status":"PROCESSING"}"#);
    assert_eq!(known.unknown_status, None);
}

#[test]
fn statuses_are_read_in_any_case() {
    let read = |status: &str| {
        parse_status(&resp(
            200,
            &format!(r#"{{"reference_id":"r1","status":"{status}","failure_reason":"TIMEOUT"}}"#),
        ))
        .unwrap()
        .unwrap()
    };
    assert_eq!(read("processing").state, OperationState::InProgress);
    assert_eq!(read("Completed").state, OperationState::Completed);
    assert_eq!(
        read("failed").state,
        OperationState::Failed(FailureReason::TimedOut)
    );
    assert_eq!(read("completed").unknown_status, None);
}

#[test]
fn an_unreadable_2xx_is_a_decode_error_never_a_rejection() {
    for status in [200, 202] {
        for body in [
            "",
            "<html>upstream</html>",
            "[]",
            r#"{"status":"COMPLETED"}"#,
            r#"{"reference_id":"r1"}"#,
            r#"{"reference_id":"r1","status":"COMPLETED","amount":"5000","currency":"RWF"}"#,
            r#"{"reference_id":"r1","status":"COMPLETED","amount":-5,"currency":"RWF"}"#,
            r#"{"reference_id":"r1","status":"COMPLETED","amount":5000,"currency":"ZZZ"}"#,
        ] {
            assert!(
                matches!(
                    parse_status(&resp(status, body)),
                    Err(ProviderError::Decode(_))
                ),
                "{status} {body}"
            );
            assert!(
                matches!(
                    parse_execution(&resp(status, body)),
                    Err(ProviderError::Decode(_))
                ),
                "{status} {body}"
            );
        }
    }
}

#[test]
fn statuses_echo_the_reference_amount_and_currency() {
    // The sandbox's status body.
    let body = r#"{"reference_id":"6f1c2d3e-0000-4000-8000-000000000001","payment_intent_id":"pi_1",
        "status":"COMPLETED","failure_reason":null,"amount":5150.0,"currency":"RWF",
        "created_at":"2026-11-22T10:00:00.000Z","updated_at":"2026-11-22T10:00:02.000Z"}"#;
    let st = parse_status(&resp(200, body)).unwrap().unwrap();
    let echo = Echo {
        reference: Some("6f1c2d3e-0000-4000-8000-000000000001".into()),
        amount: Some(5_150),
        currency: Some(Currency::RWF),
    };
    assert_eq!(st.echo, echo);
    let p = st.payment();
    assert_eq!((p.status, &p.echo), (PaymentStatus::Succeeded, &echo));
    let expected = crate::Expected {
        reference: "6f1c2d3e-0000-4000-8000-000000000001",
        amounts: &[5_000, 5_150],
        currency: Currency::RWF,
    };
    assert_eq!(p.echo.mismatch(&expected), None, "the amount with the fee");
    let lrd = parse_execution(&resp(
        202,
        r#"{"reference_id":"r1","status":"PENDING","amount":10.5,"currency":"LRD"}"#,
    ))
    .unwrap();
    assert_eq!(
        (lrd.echo.amount, lrd.echo.currency),
        (Some(1_050), Some(Currency::LRD))
    );
    let bare = parse_status(&resp(
        200,
        r#"{"reference_id":"r1","status":"PENDING","amount":7}"#,
    ))
    .unwrap()
    .unwrap();
    assert_eq!(
        bare.echo,
        Echo {
            reference: Some("r1".into()),
            amount: None,
            currency: None
        },
        "an amount without its currency cannot be read"
    );
}
