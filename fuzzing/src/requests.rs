//! The edge's request bodies: the pure validators of `lipa-api`, over the body as the edge
//! reads it (text, lossily decoded).
//!
//! Properties: a refusal is a 400 naming its field (except a body that is not a JSON
//! object) and serializes as the error body the edge sends; an accepted request keeps the
//! invariants its type documents (positive bounded amounts, the country's currency and
//! operators, bounded texts), its phone number reads back as itself from its E.164 and
//! national forms, and it survives a JSON round trip.

use lipa_api::checkout::OTP_LENGTH;
use lipa_api::money::MAX_AMOUNT_MINOR;
use lipa_api::payout::CreatePayout;
use lipa_api::phone::Msisdn;
use lipa_api::refund::{CreateRefund, MAX_REASON_CHARS};
use lipa_api::{ApiError, Country, CreateCheckout, ErrorCode, StartPayment, SubmitOtp};

fn body(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A refusal is a 400 about a field, or about the body not being a JSON object, and
/// serializes as the edge's error body.
fn refusal(e: ApiError, fields: &[&str]) {
    assert_eq!(e.code.http_status(), 400, "{e}");
    match &e.field {
        None => assert_eq!(e.code, ErrorCode::InvalidJson, "{e}"),
        Some(field) => {
            assert_ne!(e.code, ErrorCode::InvalidJson, "{e}");
            // An unknown field is named as sent; any other refusal names a known field.
            if e.message.starts_with("unknown field") {
                assert!(!fields.contains(&field.as_str()), "{e}");
            } else {
                assert!(fields.contains(&field.as_str()), "{e}");
            }
        }
    }
    let _ = e.to_string();
    assert!(serde_json::to_string(&e.into_body()).is_ok());
}

fn amount_ok(amount: i64) -> bool {
    (1..=MAX_AMOUNT_MINOR).contains(&amount)
}

/// A valid number reads back as itself from each form Lipa writes it in.
fn phone(p: &Msisdn) {
    assert_eq!(Msisdn::parse(p.country, &p.e164()).as_ref(), Ok(p));
    assert_eq!(Msisdn::parse(p.country, &p.local()).as_ref(), Ok(p));
    assert!(p.national.bytes().all(|b| b.is_ascii_digit()), "{p:?}");
    let masked = p.masked();
    assert!(masked.ends_with(&p.national[p.national.len().saturating_sub(3)..]));
}

fn round_trips<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).unwrap_or_default();
    let back: Option<T> = serde_json::from_str(&json).ok();
    assert_eq!(back.as_ref(), Some(value), "{json}");
}

/// `CreateCheckout::from_json`.
pub fn create_checkout(data: &[u8]) {
    const FIELDS: [&str; 6] = [
        "amount",
        "currency",
        "country",
        "reference",
        "description",
        "customer_phone",
    ];
    match CreateCheckout::from_json(&body(data)) {
        Err(e) => refusal(e, &FIELDS),
        Ok(c) => {
            assert!(amount_ok(c.amount), "{c:?}");
            assert_eq!(c.currency, c.country.currency());
            assert!((1..=64).contains(&c.reference.len()));
            assert!(c
                .reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert!(c.description.chars().count() <= 140);
            if let Some(p) = &c.customer_phone {
                assert_eq!(p.country, c.country);
                phone(p);
            }
            round_trips(&c);
        }
    }
}

/// `StartPayment::from_json` in every country, then the typed number as the edge parses it.
pub fn start_payment(data: &[u8]) {
    let body = body(data);
    for country in Country::ALL {
        match StartPayment::from_json(&body, country) {
            Err(e) => refusal(e, &["operator", "phone"]),
            Ok((operator, typed)) => {
                assert!(country.operators().contains(&operator));
                match Msisdn::parse(country, &typed) {
                    Ok(p) => {
                        assert_eq!(p.country, country);
                        phone(&p);
                    }
                    Err(e) => {
                        let _ = e.message(country);
                    }
                }
            }
        }
    }
}

/// `SubmitOtp::from_json`.
pub fn submit_otp(data: &[u8]) {
    match SubmitOtp::from_json(&body(data)) {
        Err(e) => refusal(e, &["otp"]),
        Ok(otp) => {
            assert!(OTP_LENGTH.contains(&otp.len()), "{otp:?}");
            assert!(otp.bytes().all(|b| b.is_ascii_digit()), "{otp:?}");
        }
    }
}

/// `CreateRefund::from_json`.
pub fn create_refund(data: &[u8]) {
    match CreateRefund::from_json(&body(data)) {
        Err(e) => refusal(e, &["payment_id", "amount", "reason"]),
        Ok(r) => {
            assert!(r.amount.is_none_or(amount_ok), "{r:?}");
            assert!(r
                .reason
                .as_ref()
                .is_none_or(|s| s.chars().count() <= MAX_REASON_CHARS));
            round_trips(&r);
        }
    }
}

/// `CreatePayout::from_json`.
pub fn create_payout(data: &[u8]) {
    const FIELDS: [&str; 6] = [
        "amount",
        "currency",
        "country",
        "operator",
        "phone",
        "reference",
    ];
    match CreatePayout::from_json(&body(data)) {
        Err(e) => refusal(e, &FIELDS),
        Ok(p) => {
            assert!(amount_ok(p.amount), "{p:?}");
            assert_eq!(p.currency, p.country.currency());
            assert!(p.country.operators().contains(&p.operator));
            assert_eq!(p.phone.country, p.country);
            phone(&p.phone);
            assert!(p
                .reference
                .as_ref()
                .is_none_or(|s| s.chars().count() <= 100));
            round_trips(&p);
        }
    }
}
