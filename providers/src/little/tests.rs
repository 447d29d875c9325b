//! Fixtures: the guide's examples, and a callback signed by a test key with Node's crypto.

use super::*;
use crate::Echo;

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::Sha256;

/// The `rsa` crate as the verifier, as WebCrypto is in the edge.
async fn rsa_crate(check: RsaCheck) -> Result<(), SignatureError> {
    let key = rsa::RsaPublicKey::from_public_key_der(&check.public_key_der)
        .map_err(|_| SignatureError::BadKey)?;
    let signature =
        Signature::try_from(check.signature.as_slice()).map_err(|_| SignatureError::Malformed)?;
    VerifyingKey::<Sha256>::new(key)
        .verify(&check.message, &signature)
        .map_err(|_| SignatureError::Mismatch)
}

/// `verify_callback` with the `rsa` crate, run to completion (it never waits on anything).
fn verify(
    config: &Config,
    headers: &[(String, String)],
    body: &[u8],
    now_s: i64,
) -> Result<Callback, ProviderError> {
    let future = std::pin::pin!(verify_callback(config, headers, body, now_s, rsa_crate));
    match future.poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => panic!("verification waited on nothing"),
    }
}

const BODY: &str = r#"{"reference":"ref-1","status":"COMPLETED","payload":{"billingAddress":{"firstName":"Amani","lastName":"Njeri"}},"amount":1500,"key":"k1","currency":"KES","provider":"MPESA","date":"2024-05-13T08:26:18.719Z"}"#;
const TS: i64 = 1_715_588_778;

fn config() -> Config {
    Config {
        base_url: "https://pay.little.africa".into(),
        token_id: "tok_1".into(),
        client_id: "cid".into(),
        client_secret: Secret::new("csec"),
        api_key: Secret::new("api_key_1"),
        public_key_pem: include_str!("../../fixtures/little/public.pem").into(),
        tolerance_s: DEFAULT_TOLERANCE_S,
    }
}

fn signed(sig: &str, ts: i64) -> Vec<(String, String)> {
    vec![
        (SIGNATURE_HEADER.into(), sig.trim().into()),
        (TIMESTAMP_HEADER.into(), ts.to_string()),
    ]
}

fn resp(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: body.into(),
    }
}

#[test]
fn a_good_signature_verifies_even_with_different_spacing() {
    let sig = include_str!("../../fixtures/little/signature.txt");
    let cb = verify(&config(), &signed(sig, TS), BODY.as_bytes(), TS + 10).unwrap();
    assert_eq!(cb.reference, "ref-1");
    assert_eq!(cb.payment().status, PaymentStatus::Succeeded);
    // JSON.stringify(payload) is what was signed, not the bytes: reformatted JSON still verifies.
    let spaced = BODY
        .replace(",\"", ", \"")
        .replace("\":", "\": ")
        .replace("{", "{ ");
    assert!(verify(&config(), &signed(sig, TS), spaced.as_bytes(), TS).is_ok());
}

#[test]
fn a_timestamp_far_in_the_past_is_stale_not_an_overflow() {
    // `now - timestamp` overflowed (a panic with overflow checks, a wrapped "fresh" without).
    let sig = include_str!("../../fixtures/little/signature.txt");
    for ts in [i64::MIN, i64::MIN + TS, i64::MAX] {
        assert!(
            matches!(
                verify(&config(), &signed(sig, ts), BODY.as_bytes(), TS),
                Err(ProviderError::Signature(SignatureError::Stale))
            ),
            "{ts}"
        );
    }
    let never = Config {
        tolerance_s: -1,
        ..config()
    };
    assert!(matches!(
        verify(&never, &signed(sig, TS), BODY.as_bytes(), TS),
        Err(ProviderError::Signature(SignatureError::Stale))
    ));
}

#[test]
fn tampered_stale_and_wrong_key_are_refused() {
    let sig = include_str!("../../fixtures/little/signature.txt");
    let tampered = BODY.replace("COMPLETED", "FAILED");
    assert!(matches!(
        verify(&config(), &signed(sig, TS), tampered.as_bytes(), TS),
        Err(ProviderError::Signature(SignatureError::Mismatch))
    ));
    assert!(matches!(
        verify(&config(), &signed(sig, TS), BODY.as_bytes(), TS + 301),
        Err(ProviderError::Signature(SignatureError::Stale))
    ));
    assert!(
        matches!(
            verify(&config(), &signed(sig, TS + 1), BODY.as_bytes(), TS),
            Err(ProviderError::Signature(SignatureError::Mismatch)),
        ),
        "the timestamp is part of the signed string"
    );
    let other = include_str!("../../fixtures/little/other_signature.txt");
    assert!(verify(&config(), &signed(other, TS), BODY.as_bytes(), TS).is_err());
    let rotated = Config {
        public_key_pem: include_str!("../../fixtures/little/other_public.pem").into(),
        ..config()
    };
    assert!(verify(&rotated, &signed(other, TS), BODY.as_bytes(), TS).is_ok());
    assert!(verify(&config(), &[], BODY.as_bytes(), TS).is_err());
    assert!(verify(&config(), &signed("not base64!", TS), BODY.as_bytes(), TS).is_err());
}

#[test]
fn intent_and_process_requests() {
    let req = intent_request(
        &config(),
        &Intent {
            amount: 150_000,
            currency: Currency::KES,
            description: "Kikoi",
            callback_url: "https://lipa.example/webhooks/little",
            key: &key_for("3f2a9c1e-77aa-4b0e-9d2f-0a1b2c3d4e5f"),
        },
    );
    assert_eq!(req.url, "https://pay.little.africa/api/payments/tok_1/pay");
    assert_eq!(req.header("Authorization"), Some("Basic Y2lkOmNzZWM="));
    let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["amount"], 1500);
    assert_eq!(body["key"], "3f2a9c1e77aa");
    let p = process_request(&config(), "intent-1", Operator::Mpesa, "+25400000000").unwrap();
    assert_eq!(p.url, "https://pay.little.africa/pay/intent-1/process");
    let pb: serde_json::Value = serde_json::from_str(p.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        pb,
        serde_json::json!({"type": "MPESA", "payment": {"mobile": "25400000000"}})
    );
    assert!(process_request(&config(), "i", Operator::Wave, "+225").is_err());
    assert_eq!(
        parse_intent(&resp(
            r#"{"data":{"reference":"intent-9","checkoutUrl":"https://x"}}"#
        ))
        .unwrap(),
        "intent-9"
    );
}

#[test]
fn the_guide_process_and_status_examples() {
    let pending = r#"{"date": "2024-03-07T13:03:43.598Z", "data": {"status": "PENDING", "message": "You will be promoted to enter your MPESA PIN",
        "meta": {"provider": "MPESA", "providerReference": "", "stepUpUrl": null, "accessToken": null, "amount": 1, "currency": "KES", "description": "", "reference": ""}}}"#;
    assert_eq!(
        parse_process(&resp(pending), "i1").unwrap().status,
        PaymentStatus::Pending
    );
    let completed = pending
        .replace("\"PENDING\"", "\"COMPLETED\"")
        .replace("You will be promoted to enter your MPESA PIN", "Success");
    assert_eq!(
        parse_process(&resp(&completed), "i1").unwrap().status,
        PaymentStatus::Succeeded
    );
    let step_up = pending.replace(
        "\"stepUpUrl\": null",
        "\"stepUpUrl\": \"https://3ds.little.africa/s/1\"",
    );
    assert_eq!(
        parse_process(&resp(&step_up), "i1").unwrap().status,
        PaymentStatus::ActionRequired {
            action: NextAction::Redirect {
                url: "https://3ds.little.africa/s/1".into()
            }
        }
    );
    let status = r#"{"date": "2024-05-13T08:26:18.719Z", "data": {"reference": "1cbfffbc-b365-45f6-9e5d-13e445c125cd", "status": "COMPLETED",
        "payload": {"billingAddress": {"firstName": "", "lastName": "", "address1": "", "locality": "", "administrativeArea": "", "postalCode": "", "country": "", "email": "", "phoneNumber": ""}},
        "amount": 1, "payment": {"provider": "MPESA", "details": null}, "key": "",
        "attempts": [{"reference": "1cbfffbc-b365-45f6-9e5d-13e445c125cd", "provider": "MPESA", "status": "COMPLETED"}]}}"#;
    let p = parse_status(&resp(status)).unwrap();
    assert_eq!(
        (p.status, p.provider_ref.as_str()),
        (
            PaymentStatus::Succeeded,
            "1cbfffbc-b365-45f6-9e5d-13e445c125cd"
        )
    );
    let r = status_request(&config(), "3f2a9c1e77aa", true);
    assert_eq!(
        r.url,
        "https://pay.little.africa/api/payments-v2/3f2a9c1e77aa?longPoll=true"
    );
    assert_eq!(r.header("X-API-KEY"), Some("api_key_1"));
}

#[test]
fn the_public_key_must_be_a_spki_pem() {
    let der = public_key_der(include_str!("../../fixtures/little/public.pem")).unwrap();
    assert_eq!(der[0], 0x30, "a DER SEQUENCE");
    assert_eq!(public_key_der("not a key"), Err(SignatureError::BadKey));
    assert_eq!(
        public_key_der("-----BEGIN PUBLIC KEY-----\n%%%\n-----END PUBLIC KEY-----"),
        Err(SignatureError::BadKey)
    );
    let broken = Config {
        public_key_pem: "-----BEGIN RSA PUBLIC KEY-----".into(),
        ..config()
    };
    let sig = include_str!("../../fixtures/little/signature.txt");
    assert!(matches!(
        verify(&broken, &signed(sig, TS), BODY.as_bytes(), TS),
        Err(ProviderError::Signature(SignatureError::BadKey))
    ));
}

/// A status answer as the guide shows it, with these statuses.
fn status_answer(overall: &str, attempts: &[&str]) -> String {
    let attempts: Vec<String> = attempts
        .iter()
        .map(|s| format!(r#"{{"reference":"i1","provider":"MPESA","status":"{s}"}}"#))
        .collect();
    format!(
        r#"{{"date":"2024-05-13T08:26:18.719Z","data":{{"reference":"i1","status":"{overall}",
        "payload":{{}},"amount":1500,"payment":{{"provider":"MPESA","details":null}},
        "key":"3f2a9c1e77aa","attempts":[{}]}}}}"#,
        attempts.join(",")
    )
}

fn status_of(overall: &str, attempts: &[&str]) -> (PaymentStatus, Option<String>) {
    let p = parse_status(&resp(&status_answer(overall, attempts))).unwrap();
    (p.status, p.unknown_status)
}

const DECLINED: PaymentStatus = PaymentStatus::Failed {
    reason: FailureReason::Declined,
    retryable: true,
};

#[test]
fn a_final_overall_status_wins_over_its_attempts() {
    assert_eq!(status_of("FAILED", &["COMPLETED"]).0, DECLINED);
    assert_eq!(status_of("FAILED", &["PENDING"]).0, DECLINED);
    assert_eq!(
        status_of("COMPLETED", &["FAILED"]).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(status_of("COMPLETED", &[]).0, PaymentStatus::Succeeded);
}

#[test]
fn attempts_refine_a_pending_status_in_any_order() {
    assert_eq!(
        status_of("PENDING", &["COMPLETED"]).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        status_of("PENDING", &["FAILED", "COMPLETED"]).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        status_of("PENDING", &["COMPLETED", "FAILED"]).0,
        PaymentStatus::Succeeded
    );
    assert_eq!(status_of("PENDING", &["FAILED"]).0, DECLINED);
    assert_eq!(status_of("PENDING", &["FAILED", "FAILED"]).0, DECLINED);
    // A retried attempt still open keeps the payment pending, whichever end it is listed at.
    assert_eq!(
        status_of("PENDING", &["FAILED", "PENDING"]),
        (PaymentStatus::Pending, None)
    );
    assert_eq!(
        status_of("PENDING", &["PENDING", "FAILED"]),
        (PaymentStatus::Pending, None)
    );
    assert_eq!(status_of("PENDING", &[]), (PaymentStatus::Pending, None));
}

#[test]
fn an_unknown_status_is_pending_with_its_raw_value_never_failed() {
    assert_eq!(
        status_of("EXPIRED", &["FAILED"]),
        (PaymentStatus::Pending, Some("EXPIRED".into()))
    );
    assert_eq!(
        status_of("PENDING", &["FAILED", "REVERSED"]),
        (PaymentStatus::Pending, Some("REVERSED".into()))
    );
    let process = r#"{"date":"2024-03-07T13:03:43.598Z","data":{"status":"AWAITING_OTP","message":"x",
        "meta":{"provider":"MPESA","stepUpUrl":null,"amount":1,"currency":"KES"}}}"#;
    let p = parse_process(&resp(process), "i1").unwrap();
    assert_eq!(
        (p.status, p.unknown_status.as_deref()),
        (PaymentStatus::Pending, Some("AWAITING_OTP"))
    );
    let cb: Callback =
        serde_json::from_str(r#"{"reference":"i1","status":"REFUNDED","key":"k1"}"#).unwrap();
    let p = cb.payment();
    assert_eq!(
        (p.status, p.unknown_status.as_deref()),
        (PaymentStatus::Pending, Some("REFUNDED"))
    );
}

#[test]
fn statuses_are_read_in_any_case() {
    assert_eq!(
        status_of("completed", &["completed"]),
        (PaymentStatus::Succeeded, None)
    );
    assert_eq!(status_of("Failed", &[]).0, DECLINED);
    assert_eq!(
        status_of("pending", &["failed"]),
        (
            PaymentStatus::Failed {
                reason: FailureReason::Declined,
                retryable: true
            },
            None
        )
    );
    let cb: Callback =
        serde_json::from_str(r#"{"reference":"i1","status":"completed","key":"k1"}"#).unwrap();
    assert_eq!(cb.payment().status, PaymentStatus::Succeeded);
}

#[test]
fn an_unreadable_2xx_is_a_decode_error_never_a_rejection() {
    for body in [
        "",
        "<html>502</html>",
        r#"{"data":null}"#,
        r#"{"data":{"status":"COMPLETED"}}"#,
        r#"{"data":{"reference":"i1","status":"COMPLETED","amount":"lots"}}"#,
        r#"{"data":{"reference":"i1","status":"COMPLETED","amount":-1,"currency":"KES"}}"#,
        r#"{"data":{"reference":"i1","status":"COMPLETED","amount":1,"currency":"ZZZ"}}"#,
    ] {
        assert!(
            matches!(parse_status(&resp(body)), Err(ProviderError::Decode(_))),
            "{body}"
        );
    }
    for body in ["", "[]", r#"{"data":{"message":"x"}}"#] {
        assert!(
            matches!(
                parse_process(&resp(body), "i1"),
                Err(ProviderError::Decode(_))
            ),
            "{body}"
        );
        assert!(
            matches!(parse_intent(&resp(body)), Err(ProviderError::Decode(_))),
            "{body}"
        );
    }
}

#[test]
fn answers_echo_the_key_amount_and_currency() {
    let answer = resp(&status_answer("COMPLETED", &["COMPLETED"]));
    let p = parse_status(&answer).unwrap();
    assert_eq!(
        p.echo,
        Echo {
            reference: Some("3f2a9c1e77aa".into()),
            amount: None,
            currency: None
        },
        "the guide's status answer names no currency: its amount cannot be read"
    );
    let p = parse_status_in(&answer, Currency::KES).unwrap();
    assert_eq!(p.echo.amount, Some(150_000), "KES 1500 in cents");
    assert_eq!(p.echo.currency, None, "not carried by the answer");
    let key = key_for("3f2a9c1e-77aa-4b0e-9d2f-0a1b2c3d4e5f");
    let expected = crate::Expected {
        reference: &key,
        amounts: &[150_000],
        currency: Currency::KES,
    };
    assert_eq!(p.echo.mismatch(&expected), None);
    let other = status_answer("COMPLETED", &[]).replace("3f2a9c1e77aa", "999999999999");
    let p = parse_status_in(&resp(&other), Currency::KES).unwrap();
    assert!(p.echo.mismatch(&expected).is_some());
    let ugx = status_answer("COMPLETED", &[])
        .replace(r#""amount":1500"#, r#""amount":5000,"currency":"UGX""#);
    let p = parse_status_in(&resp(&ugx), Currency::KES).unwrap();
    assert_eq!(
        (p.echo.amount, p.echo.currency),
        (Some(5_000), Some(Currency::UGX)),
        "the answer's own currency wins"
    );
    // The guide's example has an empty key: not carried.
    let empty = status_answer("COMPLETED", &[]).replace("3f2a9c1e77aa", "");
    assert_eq!(parse_status(&resp(&empty)).unwrap().echo.reference, None);

    let process = r#"{"date":"2024-03-07T13:03:43.598Z","data":{"status":"PENDING","message":"x",
        "meta":{"provider":"MPESA","providerReference":"","stepUpUrl":null,"accessToken":null,
        "amount":1500.5,"currency":"KES","description":"","reference":"i1"}}}"#;
    let p = parse_process(&resp(process), "i1").unwrap();
    assert_eq!(
        p.echo,
        Echo {
            reference: None,
            amount: Some(150_050),
            currency: Some(Currency::KES)
        }
    );
}

/// `verify_callback` with a verifier that accepts every signature: what is read after it.
fn accepted(body: &str) -> Result<Callback, ProviderError> {
    let (config, headers) = (config(), signed("c2ln", TS));
    let future = std::pin::pin!(verify_callback(
        &config,
        &headers,
        body.as_bytes(),
        TS,
        |_| async { Ok(()) }
    ));
    match future.poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => panic!("verification waited on nothing"),
    }
}

#[test]
fn callbacks_echo_the_key_amount_and_currency() {
    let sig = include_str!("../../fixtures/little/signature.txt");
    let cb = verify(&config(), &signed(sig, TS), BODY.as_bytes(), TS).unwrap();
    assert_eq!(
        cb.payment().echo,
        Echo {
            reference: Some("k1".into()),
            amount: Some(150_000),
            currency: Some(Currency::KES)
        }
    );
    let ugx = BODY.replace(r#""currency":"KES""#, r#""currency":"UGX""#);
    assert_eq!(accepted(&ugx).unwrap().payment().echo.amount, Some(1_500));
    let unknown = BODY.replace(r#""currency":"KES""#, r#""currency":"XYZ""#);
    assert!(matches!(accepted(&unknown), Err(ProviderError::Decode(_))));
    let keyless = BODY.replace(r#""key":"k1","#, "");
    assert_eq!(accepted(&keyless).unwrap().payment().echo.reference, None);
}

#[test]
fn the_long_poll_bound_exceeds_the_sandbox_hold() {
    // The sandbox holds a long-polled read 5 s; Lipa's bound must cover it with room.
    const { assert!(LONG_POLL_HOLD_MS >= 2 * 5_000) };
}

#[test]
fn only_a_pending_intent_with_an_empty_attempts_list_was_never_processed() {
    let answer = |overall: &str, attempts: &[&str]| resp(&status_answer(overall, attempts));
    assert!(never_processed(&answer("PENDING", &[])));
    assert!(never_processed(&answer("pending", &[])));
    assert!(!never_processed(&answer("PENDING", &["PENDING"])));
    assert!(!never_processed(&answer("PENDING", &["FAILED"])));
    assert!(!never_processed(&answer("COMPLETED", &[])));
    assert!(!never_processed(&answer("FAILED", &[])));
    let without_attempts =
        r#"{"data":{"reference":"i1","status":"PENDING","amount":1,"key":"k1"}}"#;
    assert!(
        !never_processed(&resp(without_attempts)),
        "an answer that does not list attempts says nothing about them"
    );
    assert!(!never_processed(&resp("<html>")));
}
