//! Fixtures: every example of the Xtopay guide.

use super::*;
use crate::signature::hmac_sha256;

fn config() -> Config {
    Config {
        base_url: "https://api.xtopay.co".into(),
        client_id: "YOUR_CLIENT_ID".into(),
        client_secret: Secret::new("YOUR_CLIENT_SECRET"),
        webhook_secret: Secret::new("whsec_xt"),
    }
}

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.into(),
    }
}

#[test]
fn receive_matches_the_guide_example() {
    let req = receive_request(
        &config(),
        &Receive {
            amount: 80,
            currency: Currency::GHS,
            e164: "+233200000000",
            operator: Operator::TelecelCash,
            description: "Union Dues",
            client_reference: "3jL2KlUy3vt21",
        },
    )
    .unwrap();
    assert_eq!(req.url, "https://api.xtopay.co/v1/payments/receive");
    // curl -u "YOUR_CLIENT_ID:YOUR_CLIENT_SECRET"
    assert_eq!(
        req.header("Authorization"),
        Some("Basic WU9VUl9DTElFTlRfSUQ6WU9VUl9DTElFTlRfU0VDUkVU")
    );
    let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"amount": 80, "currency": "GHS", "phone": "233200000000",
        "provider": "TELECEL", "description": "Union Dues", "metadata": {"clientReference": "3jL2KlUy3vt21"}})
    );
    assert!(receive_request(
        &config(),
        &Receive {
            operator: Operator::Wave,
            ..Receive {
                amount: 1,
                currency: Currency::GHS,
                e164: "+233",
                operator: Operator::Wave,
                description: "",
                client_reference: "r"
            }
        }
    )
    .is_err());
}

#[test]
fn the_sample_response_is_pending() {
    let body = r#"{"success": true, "message": "Transaction pending. Expect callback request for final state", "responseCode": "0001",
        "data": {"id": "pay_09f84e20a283942e807128e8c21d08d6", "reference": "3jL2KlUy3vt21", "status": "PROCESSING", "amount": 80,
        "currency": "GHS", "phone": "233200000000", "provider": "TELECEL", "description": "Union Dues", "createdAt": "2026-06-06T12:00:00Z"}}"#;
    let p = parse_receive(&resp(200, body)).unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.provider_ref, "pay_09f84e20a283942e807128e8c21d08d6");
}

#[test]
fn every_response_code_has_a_typed_outcome() {
    let coded = |code: &str, status: u16| {
        parse_receive(&resp(
            status,
            &format!(r#"{{"success": false, "message": "m", "responseCode": "{code}"}}"#),
        ))
    };
    assert_eq!(
        coded("0000", 200).unwrap().status,
        PaymentStatus::Pending,
        "a receive answer is never success"
    );
    assert_eq!(
        coded("2001", 200).unwrap().status,
        PaymentStatus::Failed {
            reason: FailureReason::Declined,
            retryable: true
        }
    );
    assert_eq!(
        coded("4103", 403).unwrap().status,
        PaymentStatus::Failed {
            reason: FailureReason::NotRegistered,
            retryable: true
        }
    );
    for (code, words) in [
        ("4000", "format"),
        ("4070", "relationship manager"),
        ("4101", "keys"),
    ] {
        match coded(code, 400) {
            Err(ProviderError::Rejected { message, .. }) => {
                assert!(message.contains(words), "{code}: {message}")
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    assert!(matches!(
        parse_receive(&resp(503, "upstream down")),
        Err(ProviderError::Unavailable { status: 503 })
    ));
    assert!(matches!(
        parse_receive(&resp(401, "")),
        Err(ProviderError::Unauthorized)
    ));
}

#[test]
fn status_check_paid_and_unpaid() {
    let req = status_request(&config(), "3jL2KlUy3vt21");
    assert_eq!(req.url, "https://api.xtopay.co/v1/payments/3jL2KlUy3vt21");
    let paid = r#"{"message": "Successful", "responseCode": "0000", "data": {"date": "2026-06-06T12:00:44Z", "status": "Paid",
        "transactionId": "09f84e20a283942e807128e8c21d08d6", "externalTransactionId": "2116938399", "paymentMethod": "mobilemoney",
        "clientReference": "3jL2KlUy3vt21", "currencyCode": "GHS", "amount": 80, "charges": 5, "amountAfterCharges": 75, "isFulfilled": true}}"#;
    assert_eq!(
        parse_status(&resp(200, paid)).unwrap().status,
        PaymentStatus::Succeeded
    );
    let unpaid = r#"{"message": "Successful", "responseCode": "0000", "data": {"date": "2026-06-06T12:00:00Z", "status": "Unpaid",
        "transactionId": "09f84e20a283942e807128e8c21d08d6", "externalTransactionId": null, "paymentMethod": "mobilemoney",
        "clientReference": "3jL2KlUy3vt21", "currencyCode": "GHS", "amount": 80, "charges": 0, "amountAfterCharges": 80, "isFulfilled": null}}"#;
    assert_eq!(
        parse_status(&resp(200, unpaid)).unwrap().status,
        PaymentStatus::Pending
    );
}

const SUCCESS: &str = r#"{"ResponseCode": "0000", "Message": "success", "Data": {"Amount": 80, "Charges": 5, "AmountAfterCharges": 80,
    "Description": "The Telecel Cash payment has been approved and processed successfully", "ClientReference": "3jL2KlUy3vt21",
    "TransactionId": "09f84e20a283942e807128e8c21d08d6", "ExternalTransactionId": "2116938399", "AmountCharged": 85,
    "OrderId": "09f84e20a283942e807128e8c21d08d6", "PaymentDate": "2026-06-06T12:00:44Z"}}"#;
const FAILED: &str = r#"{"ResponseCode": "2001", "Message": "failed", "Data": {"Amount": 80, "Charges": 5, "AmountAfterCharges": 80,
    "Description": "FAILED: User entered wrong PIN", "ClientReference": "3jL2KlUy3vt21",
    "TransactionId": "09f84e20a283942e807128e8c21d08d6", "ExternalTransactionId": "2116938399", "AmountCharged": 85,
    "OrderId": "09f84e20a283942e807128e8c21d08d6", "PaymentDate": "2026-06-06T12:00:44Z"}}"#;

fn signed(body: &str, secret: &str) -> Vec<(String, String)> {
    let sig = hex::encode(hmac_sha256(&Secret::new(secret), body.as_bytes()).unwrap());
    vec![
        (SIGNATURE_HEADER.into(), format!("sha256={sig}")),
        (EVENT_ID_HEADER.into(), "evt_1".into()),
    ]
}

#[test]
fn callbacks_verify_then_parse_both_guide_samples() {
    let ok = verify_callback(&config(), &signed(SUCCESS, "whsec_xt"), SUCCESS.as_bytes()).unwrap();
    assert_eq!(ok.event_id, "xt:evt_1");
    assert_eq!(ok.callback.data.charges, 5);
    assert_eq!(ok.callback.data.client_reference, "3jL2KlUy3vt21");
    assert_eq!(ok.payment().status, PaymentStatus::Succeeded);
    let failed =
        verify_callback(&config(), &signed(FAILED, "whsec_xt"), FAILED.as_bytes()).unwrap();
    assert_eq!(
        failed.payment().status,
        PaymentStatus::Failed {
            reason: FailureReason::WrongPin,
            retryable: true
        }
    );
}

#[test]
fn callbacks_with_a_bad_signature_are_refused() {
    assert!(verify_callback(&config(), &signed(SUCCESS, "other"), SUCCESS.as_bytes()).is_err());
    assert!(verify_callback(&config(), &signed(SUCCESS, "whsec_xt"), FAILED.as_bytes()).is_err());
    assert!(verify_callback(&config(), &[], SUCCESS.as_bytes()).is_err());
    let mut no_prefix = signed(SUCCESS, "whsec_xt");
    no_prefix[0].1 = no_prefix[0].1.trim_start_matches("sha256=").to_string();
    assert!(verify_callback(&config(), &no_prefix, SUCCESS.as_bytes()).is_err());
}

#[test]
fn descriptions_become_reasons() {
    for (text, reason) in [
        ("FAILED: User entered wrong PIN", FailureReason::WrongPin),
        (
            "FAILED: Insufficient funds in wallet",
            FailureReason::InsufficientFunds,
        ),
        ("FAILED: User timeout", FailureReason::TimedOut),
        (
            "FAILED: reached telco balance limits",
            FailureReason::LimitReached,
        ),
        ("FAILED: something", FailureReason::Declined),
    ] {
        assert_eq!(reason_from_description(text), reason, "{text}");
    }
}

const SAMPLE_RECEIVE: &str = r#"{"success": true, "message": "Transaction pending. Expect callback request for final state", "responseCode": "0001",
    "data": {"id": "pay_09f84e20a283942e807128e8c21d08d6", "reference": "3jL2KlUy3vt21", "status": "PROCESSING", "amount": 80,
    "currency": "GHS", "phone": "233200000000", "provider": "TELECEL", "description": "Union Dues", "createdAt": "2026-06-06T12:00:00Z"}}"#;

#[test]
fn a_receive_answer_is_never_success_whatever_its_code() {
    for code in ["0000", "0001"] {
        let body = SAMPLE_RECEIVE.replace("0001", code);
        let p = parse_receive(&resp(200, &body)).unwrap();
        assert_eq!(p.status, PaymentStatus::Pending, "{code}");
        assert_eq!(p.unknown_status, None);
        let accepted = parse_receive(&resp(202, &body)).unwrap();
        assert_eq!(accepted.status, PaymentStatus::Pending, "202 {code}");
    }
    let paid = SAMPLE_RECEIVE
        .replace("0001", "0000")
        .replace("PROCESSING", "Paid");
    assert_eq!(
        parse_receive(&resp(200, &paid)).unwrap().status,
        PaymentStatus::Pending
    );
}

#[test]
fn a_receive_answer_echoes_reference_amount_and_currency() {
    let p = parse_receive(&resp(200, SAMPLE_RECEIVE)).unwrap();
    assert_eq!(
        p.echo,
        Echo {
            reference: Some("3jL2KlUy3vt21".into()),
            amount: Some(80),
            currency: Some(Currency::GHS),
        }
    );
    let lower = SAMPLE_RECEIVE.replace(r#""currency": "GHS""#, r#""currency": "ghs""#);
    assert_eq!(
        parse_receive(&resp(200, &lower)).unwrap().echo.currency,
        Some(Currency::GHS)
    );
    let usd = SAMPLE_RECEIVE.replace(r#""currency": "GHS""#, r#""currency": "USD""#);
    assert!(matches!(
        parse_receive(&resp(200, &usd)),
        Err(ProviderError::Decode(_))
    ));
}

#[test]
fn an_unreadable_2xx_receive_is_decode_never_refused() {
    for body in ["", "<html>ok</html>", "{}", r#"{"success": true}"#, "[1]"] {
        for status in [200, 202] {
            assert!(
                matches!(
                    parse_receive(&resp(status, body)),
                    Err(ProviderError::Decode(_))
                ),
                "{status} {body}"
            );
        }
    }
}

#[test]
fn an_unknown_receive_code_is_pending_on_a_2xx_and_classified_otherwise() {
    let unknown = |status: u16| {
        parse_receive(&resp(
            status,
            r#"{"success": true, "message": "queued", "responseCode": "0002"}"#,
        ))
    };
    let p = unknown(200).unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.unknown_status.as_deref(), Some("0002"));
    assert!(matches!(
        unknown(400),
        Err(ProviderError::Rejected { status: 400, .. })
    ));
    assert!(matches!(
        unknown(502),
        Err(ProviderError::Unavailable { status: 502 })
    ));
    assert!(matches!(
        unknown(429),
        Err(ProviderError::RateLimited { .. })
    ));
}

const PAID: &str = r#"{"message": "Successful", "responseCode": "0000", "data": {"date": "2026-06-06T12:00:44Z", "status": "Paid",
    "transactionId": "09f84e20a283942e807128e8c21d08d6", "externalTransactionId": "2116938399", "paymentMethod": "mobilemoney",
    "clientReference": "3jL2KlUy3vt21", "currencyCode": "GHS", "amount": 80, "charges": 5, "amountAfterCharges": 75, "isFulfilled": true}}"#;

#[test]
fn a_status_check_echoes_client_reference_amount_and_currency() {
    let p = parse_status(&resp(200, PAID)).unwrap();
    assert_eq!(
        p.echo,
        Echo {
            reference: Some("3jL2KlUy3vt21".into()),
            amount: Some(80),
            currency: Some(Currency::GHS),
        }
    );
    assert_eq!(p.provider_ref, "09f84e20a283942e807128e8c21d08d6");
}

#[test]
fn status_check_statuses_are_read_in_any_case_and_unknown_is_pending() {
    let lower = PAID.replace(r#""status": "Paid""#, r#""status": "PAID""#);
    assert_eq!(
        parse_status(&resp(200, &lower)).unwrap().status,
        PaymentStatus::Succeeded
    );
    let unpaid = PAID.replace(r#""status": "Paid""#, r#""status": "unpaid""#);
    assert_eq!(
        parse_status(&resp(200, &unpaid)).unwrap().status,
        PaymentStatus::Pending
    );
    let refunded = PAID.replace(r#""status": "Paid""#, r#""status": "Refunded""#);
    let p = parse_status(&resp(200, &refunded)).unwrap();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.unknown_status.as_deref(), Some("Refunded"));
}

#[test]
fn an_unreadable_2xx_status_check_is_decode() {
    for body in [
        "",
        "<html/>",
        "{}",
        r#"{"message": "Successful", "responseCode": "0000"}"#,
    ] {
        assert!(
            matches!(
                parse_status_known(&resp(200, body)),
                Err(ProviderError::Decode(_))
            ),
            "{body}"
        );
        assert!(matches!(
            parse_status(&resp(200, body)),
            Err(ProviderError::Decode(_))
        ));
    }
}

#[test]
fn an_unknown_reference_is_told_apart_from_unpaid_in_both_forms() {
    let not_found_404 = resp(
        404,
        r#"{"success": false, "responseCode": "4000", "message": "Transaction not found"}"#,
    );
    let not_found_200 = resp(
        200,
        r#"{"success": false, "responseCode": "4000", "message": "Transaction not found", "data": null}"#,
    );
    assert_eq!(parse_status_known(&not_found_404).unwrap(), None);
    assert_eq!(parse_status_known(&not_found_200).unwrap(), None);
    let unpaid = PAID.replace(r#""status": "Paid""#, r#""status": "Unpaid""#);
    assert_eq!(
        parse_status_known(&resp(200, &unpaid))
            .unwrap()
            .map(|p| p.status),
        Some(PaymentStatus::Pending)
    );
    // parse_status keeps working for callers that need a payment.
    assert!(matches!(
        parse_status(&not_found_404),
        Err(ProviderError::Rejected { status: 404, .. })
    ));
    assert!(matches!(
        parse_status(&not_found_200),
        Err(ProviderError::Decode(_))
    ));
}

#[test]
fn only_a_clear_not_found_means_an_unknown_reference() {
    for (status, body) in [
        (
            404,
            r#"{"responseCode": "4000", "message": "Cannot GET /v1/paymentz/x"}"#,
        ),
        (404, "<html>Not Found</html>"),
        (404, r#"{"message": "not found"}"#),
        (
            400,
            r#"{"responseCode": "4000", "message": "Transaction not found"}"#,
        ),
        (
            500,
            r#"{"responseCode": "4000", "message": "Transaction not found"}"#,
        ),
    ] {
        assert!(
            parse_status_known(&resp(status, body)).is_err(),
            "{status} {body}"
        );
    }
}

#[test]
fn a_callback_echoes_client_reference_and_amount() {
    let ok = verify_callback(&config(), &signed(SUCCESS, "whsec_xt"), SUCCESS.as_bytes()).unwrap();
    assert_eq!(
        ok.payment().echo,
        Echo {
            reference: Some("3jL2KlUy3vt21".into()),
            amount: Some(80),
            currency: None,
        }
    );
    let unknown = SUCCESS.replace(r#""ResponseCode": "0000""#, r#""ResponseCode": "0042""#);
    let v = verify_callback(&config(), &signed(&unknown, "whsec_xt"), unknown.as_bytes()).unwrap();
    let p = v.payment();
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.unknown_status.as_deref(), Some("0042"));
    assert_eq!(ok.payment().unknown_status, None);
}
