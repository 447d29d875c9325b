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
    assert_eq!(coded("0000", 200).unwrap().status, PaymentStatus::Succeeded);
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
