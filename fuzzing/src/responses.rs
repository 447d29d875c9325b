//! Every answer parser of a provider over one [`HttpResponse`] read from the fuzz input
//! ([`crate::input::response`]: status code, headers, body).
//!
//! Properties: parsers that read through `decode_json` classify the status as it documents
//! ([`check::classified`]); a normalized payment keeps [`check::payment`]'s promises; parsers
//! that wrap one another agree; amounts converted to minor units are never negative; and
//! what each adapter's documentation promises of an answer holds (an Xtopay receive is never
//! success, a HoneyCoin "not found" is a 404, …).

use lipa_api::{Currency, Operator};
use lipa_providers::{crisscross, dollr, honeycoin, little, xtopay, HttpResponse};

use crate::check::{self, currencies};
use crate::input::response;

/// The clocks tokens are dated from: ordinary, and the extremes that would overflow.
const NOWS_MS: [i64; 3] = [1_767_225_600_000, i64::MAX, i64::MIN];

fn read(data: &[u8]) -> Option<HttpResponse> {
    response(data)
}

/// CrissCross: token, session, available methods, payment/status, refund.
pub fn crisscross_responses(data: &[u8]) {
    let Some(r) = read(data) else {
        return;
    };
    for now in NOWS_MS {
        check::classified(&r, &crisscross::parse_token(&r, now));
    }
    let session = crisscross::parse_opened_session(&r);
    check::classified(&r, &session);
    assert_eq!(
        crisscross::parse_session(&r),
        session.map(|s| s.id),
        "parse_session is parse_opened_session's id"
    );
    check::classified(&r, &crisscross::parse_available_methods(&r));
    let payment = crisscross::parse_payment(&r);
    check::classified(&r, &payment);
    if let Ok(p) = &payment {
        check::payment(p);
    }
    check::classified(&r, &crisscross::parse_refund(&r));
}

/// HoneyCoin: token, providers list (and the operator ids chosen from it), charge, status,
/// OTP validation.
pub fn honeycoin_responses(data: &[u8]) {
    let Some(r) = read(data) else {
        return;
    };
    for now in NOWS_MS {
        check::classified(&r, &honeycoin::parse_token(&r, now));
    }
    let providers = honeycoin::parse_providers(&r);
    check::classified(&r, &providers);
    if let Ok(listed) = &providers {
        for currency in currencies() {
            for operator in Operator::ALL {
                let _ = honeycoin::operator_id_for(currency, operator, listed);
            }
        }
    }
    check::classified(&r, &honeycoin::parse_charge(&r));
    match honeycoin::parse_status(&r) {
        Ok(None) => assert_eq!(r.status, 404, "only a 404 says the charge never arrived"),
        Ok(Some(p)) => {
            assert!(r.is_success(), "read a {} as a transaction", r.status);
            check::payment(&p);
        }
        Err(e) => check::classified(&r, &Err::<(), _>(e)),
    }
    let otp = honeycoin::parse_validate_otp(&r);
    if matches!(r.status, 400 | 422) {
        assert!(
            matches!(otp, Ok(lipa_providers::provider::OtpOutcome::Refused(_))),
            "a {} is a refused code: {otp:?}",
            r.status
        );
    } else {
        check::classified(&r, &otp);
    }
}

/// Xtopay: receive, status check (known or not).
pub fn xtopay_responses(data: &[u8]) {
    let Some(r) = read(data) else {
        return;
    };
    match xtopay::parse_receive(&r) {
        Ok(p) => {
            assert_ne!(
                p.status,
                lipa_api::PaymentStatus::Succeeded,
                "a receive answer is never success"
            );
            check::payment(&p);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let known = xtopay::parse_status_known(&r);
    let status = xtopay::parse_status(&r);
    match &known {
        Ok(Some(p)) => {
            assert!(r.is_success(), "read a {} as a status", r.status);
            check::payment(p);
            assert_eq!(status.as_ref(), Ok(p), "parse_status agrees");
        }
        Ok(None) => {
            assert!(r.status == 404 || r.is_success(), "{}", r.status);
            assert!(status.is_err(), "an unknown reference is no payment");
        }
        Err(e) => {
            let _ = e.to_string();
            assert_eq!(status.as_ref().err(), Some(e), "parse_status agrees");
        }
    }
}

/// Little Pay: intent, process, status (with and without the payment's currency).
pub fn little_responses(data: &[u8]) {
    let Some(r) = read(data) else {
        return;
    };
    check::classified(&r, &little::parse_intent(&r));
    let process = little::parse_process(&r, "pi_fuzz");
    check::classified(&r, &process);
    if let Ok(p) = &process {
        assert_eq!(p.provider_ref, "pi_fuzz");
        check::payment(p);
    }
    let plain = little::parse_status(&r);
    check::classified(&r, &plain);
    if let Ok(p) = &plain {
        check::payment(p);
    }
    for currency in currencies() {
        let within = little::parse_status_in(&r, currency);
        check::classified(&r, &within);
        let Ok(p) = &within else {
            continue;
        };
        check::payment(p);
        assert!(
            plain.is_ok(),
            "parse_status_in read what parse_status could not"
        );
        let Ok(plain) = &plain else {
            continue;
        };
        assert_eq!(
            (&p.provider_ref, &p.status, &p.unknown_status),
            (&plain.provider_ref, &plain.status, &plain.unknown_status),
            "the payment's currency changes only the echo's amount"
        );
        assert_eq!(p.echo.reference, plain.echo.reference);
        assert_eq!(p.echo.currency, plain.echo.currency);
        if plain.echo.amount.is_some() {
            assert_eq!(p.echo.amount, plain.echo.amount);
        }
    }
}

/// Dollr: token, created resources, publish, fees, wallet prediction, execution, status,
/// receipt.
pub fn dollr_responses(data: &[u8]) {
    let Some(r) = read(data) else {
        return;
    };
    for now in NOWS_MS {
        let token = dollr::parse_token(&r, now);
        check::classified(&r, &token);
        if let Ok(t) = token {
            assert!(t.expires_at_ms >= now, "a token expires after now");
        }
    }
    check::classified(&r, &dollr::parse_created(&r));
    check::classified(&r, &dollr::parse_published(&r));
    for currency in currencies() {
        let fees = dollr::parse_fees(&r, currency);
        check::classified(&r, &fees);
        if let Ok(f) = fees {
            assert!(f.amount >= 0 && f.fee >= 0 && f.total >= 0, "{f:?}");
        }
    }
    check::classified(&r, &dollr::parse_mmo(&r));
    let execution = dollr::parse_execution(&r);
    check::classified(&r, &execution);
    if let Ok(s) = &execution {
        operation(s);
    }
    let status = dollr::parse_status(&r);
    if r.status == 404 {
        assert_eq!(
            status,
            Ok(None),
            "a 404 is a reference Dollr never heard of"
        );
    } else {
        assert_eq!(
            status,
            execution.map(Some),
            "status and execution read alike"
        );
    }
    let receipt = dollr::parse_receipt(&r);
    check::classified(&r, &receipt);
    if let Ok(receipt) = receipt {
        assert!(receipt.amount >= 0 && receipt.fee >= 0 && receipt.total >= 0);
        assert!(receipt.items.iter().all(|i| i.amount >= 0));
        assert!(Currency::from_code(receipt.currency.code()).is_some());
    }
}

fn operation(s: &dollr::OperationStatus) {
    if s.unknown_status.is_some() {
        assert_eq!(s.state, dollr::OperationState::InProgress);
    }
    assert!(s.echo.amount.is_none_or(|a| a >= 0), "{:?}", s.echo);
    check::payment(&s.payment());
}
