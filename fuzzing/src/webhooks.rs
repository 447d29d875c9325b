//! Webhook and callback verification, fed a [`Message`] with one control byte.
//!
//! Control bit [`SIGN`] makes the target sign the fuzzed body itself with the test
//! [`WEBHOOK_SECRET`] (replacing whatever signature header the input had), so the parser
//! behind the signature is reached; without it the input's own headers are checked, which
//! exercises the refusals. Properties: a correctly signed body is never refused for its
//! signature, a verified webhook verifies again to the same event, an accepted signature is
//! the right one, and what a verified event reports keeps [`crate::check::payment`]'s
//! promises.

use std::cell::RefCell;

use lipa_providers::http::find_header;
use lipa_providers::little::{self, RsaCheck};
use lipa_providers::signature::hmac_sha256;
use lipa_providers::{crisscross, honeycoin, xtopay, ProviderError, Secret, SignatureError};

use crate::check;
use crate::input::Message;

/// Control bit: sign the body with the test secret (Little: the verifier accepts).
pub const SIGN: u8 = 0b0000_0001;

/// The webhook secret every target's configuration uses.
pub const WEBHOOK_SECRET: &str = "whsec_fuzz";

/// Little's test public key (the fixture the adapter's own tests use).
pub const LITTLE_PUBLIC_KEY_PEM: &str = include_str!("../../providers/fixtures/little/public.pem");

/// The clock Little's callbacks are checked against, Unix seconds.
pub const NOW_S: i64 = 1_715_588_778;

fn signs(m: &Message<'_>) -> bool {
    m.control.first().is_some_and(|c| c & SIGN != 0)
}

/// The HMAC-SHA256 of `body` under [`WEBHOOK_SECRET`].
fn mac(body: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: this never fails.
    hmac_sha256(&Secret::new(WEBHOOK_SECRET), body).unwrap_or_default()
}

fn not_refused_for_signature<T>(result: &Result<T, ProviderError>) {
    if let Err(e) = result {
        assert!(
            !matches!(e, ProviderError::Signature(_)),
            "a correctly signed body was refused: {e:?}"
        );
    }
}

/// `crisscross::verify_webhook`.
pub fn crisscross_webhook(data: &[u8]) {
    let Some(mut m) = Message::parse(data, 1) else {
        return;
    };
    let config = crisscross::Config {
        base_url: "https://api.crisscross.money".into(),
        merchant_id: "m_fuzz".into(),
        client_secret: Secret::new("cs_fuzz"),
        webhook_secret: Secret::new(WEBHOOK_SECRET),
        signature_header: crisscross::DEFAULT_SIGNATURE_HEADER.into(),
    };
    let mac = mac(m.body);
    let signed = signs(&m);
    if signed {
        m.set_header(crisscross::DEFAULT_SIGNATURE_HEADER, hex::encode(&mac));
    }
    let result = crisscross::verify_webhook(&config, &m.headers, m.body);
    if signed {
        not_refused_for_signature(&result);
    }
    if let Err(e) = &result {
        let _ = e.to_string();
    }
    let Ok(event) = &result else {
        return;
    };
    let given = find_header(&m.headers, crisscross::DEFAULT_SIGNATURE_HEADER)
        .map(|s| hex::decode(s.trim()).unwrap_or_default());
    assert_eq!(given, Some(mac), "accepted a signature that is not the MAC");
    assert_eq!(
        crisscross::verify_webhook(&config, &m.headers, m.body).as_ref(),
        Ok(event),
        "a verified webhook must verify again to the same event"
    );
    if let Some(payment) = &event.payment {
        check::payment(payment);
    }
}

/// `honeycoin::verify_webhook` (the header carries the shared secret itself).
pub fn honeycoin_webhook(data: &[u8]) {
    let Some(mut m) = Message::parse(data, 1) else {
        return;
    };
    let config = honeycoin::Config {
        base_url: "https://api-v2.honeycoin.app/api/b2b".into(),
        api_key: Secret::new("HC_fuzz"),
        public_key: "pk_fuzz".into(),
        webhook_secret: Secret::new(WEBHOOK_SECRET),
    };
    let signed = signs(&m);
    if signed {
        m.set_header(honeycoin::SIGNATURE_HEADER, WEBHOOK_SECRET.into());
    }
    let result = honeycoin::verify_webhook(&config, &m.headers, m.body);
    if signed {
        not_refused_for_signature(&result);
    }
    if let Err(e) = &result {
        let _ = e.to_string();
    }
    let Ok(event) = &result else {
        return;
    };
    assert_eq!(
        find_header(&m.headers, honeycoin::SIGNATURE_HEADER),
        Some(WEBHOOK_SECRET),
        "accepted a header that is not the secret"
    );
    assert_eq!(
        honeycoin::verify_webhook(&config, &m.headers, m.body).as_ref(),
        Ok(event),
        "a verified webhook must verify again to the same event"
    );
    let key = event.dedupe_key();
    assert!(key.starts_with("hc:"), "{key}");
    assert!(
        event.echo().is_ok(),
        "verify_webhook checked the echo already"
    );
    if let Ok(payment) = event.payment() {
        check::payment(&payment);
    }
}

/// `xtopay::verify_callback` (`x-xtopay-signature: sha256=<hex>`).
pub fn xtopay_callback(data: &[u8]) {
    let Some(mut m) = Message::parse(data, 1) else {
        return;
    };
    let config = xtopay::Config {
        base_url: "https://api.xtopay.co".into(),
        client_id: "cid_fuzz".into(),
        client_secret: Secret::new("csec_fuzz"),
        webhook_secret: Secret::new(WEBHOOK_SECRET),
    };
    let mac = mac(m.body);
    let signed = signs(&m);
    if signed {
        m.set_header(
            xtopay::SIGNATURE_HEADER,
            format!("sha256={}", hex::encode(&mac)),
        );
    }
    let result = xtopay::verify_callback(&config, &m.headers, m.body);
    if signed {
        not_refused_for_signature(&result);
    }
    if let Err(e) = &result {
        let _ = e.to_string();
    }
    let Ok(verified) = &result else {
        return;
    };
    let given = find_header(&m.headers, xtopay::SIGNATURE_HEADER)
        .and_then(|s| s.trim().strip_prefix("sha256="))
        .map(|s| hex::decode(s.trim()).unwrap_or_default());
    assert_eq!(given, Some(mac), "accepted a signature that is not the MAC");
    assert_eq!(
        xtopay::verify_callback(&config, &m.headers, m.body).as_ref(),
        Ok(verified),
        "a verified callback must verify again to the same callback"
    );
    assert!(
        verified.event_id.starts_with("xt:"),
        "{}",
        verified.event_id
    );
    check::payment(&verified.payment());
}

/// `little::verify_callback`, driven to its end without an executor, with a verifier that
/// accepts when control bit [`SIGN`] is set and refuses otherwise. With [`SIGN`], a
/// signature and a timestamp header (now) are added when the input has none. Properties:
/// the verifier is asked only about a fresh timestamp and exactly `timestamp + "." +
/// JSON.stringify(body)` under the configured key; a refusal is a mismatch; nothing is
/// accepted that the verifier did not accept.
pub fn little_callback(data: &[u8]) {
    let Some(mut m) = Message::parse(data, 1) else {
        return;
    };
    let config = little::Config {
        base_url: "https://pay.little.africa".into(),
        token_id: "tok_fuzz".into(),
        client_id: "cid_fuzz".into(),
        client_secret: Secret::new("csec_fuzz"),
        api_key: Secret::new("api_key_fuzz"),
        public_key_pem: LITTLE_PUBLIC_KEY_PEM.into(),
        tolerance_s: little::DEFAULT_TOLERANCE_S,
    };
    let accept = signs(&m);
    if accept {
        m.default_header(little::SIGNATURE_HEADER, "c2lnbmF0dXJl".into());
        m.default_header(little::TIMESTAMP_HEADER, NOW_S.to_string());
    }
    let asked: RefCell<Option<RsaCheck>> = RefCell::new(None);
    let verifier = |check: RsaCheck| {
        *asked.borrow_mut() = Some(check);
        std::future::ready(if accept {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        })
    };
    let result = check::ready(little::verify_callback(
        &config, &m.headers, m.body, NOW_S, verifier,
    ));
    assert!(
        result.is_some(),
        "verify_callback waited with a verifier that was ready"
    );
    let Some(result) = result else {
        return;
    };
    if let Err(e) = &result {
        let _ = e.to_string();
    }
    let asked = asked.into_inner();
    if let Some(check) = &asked {
        let ts_text = find_header(&m.headers, little::TIMESTAMP_HEADER)
            .unwrap_or_default()
            .trim();
        let ts: Option<i64> = ts_text.parse().ok();
        assert!(
            ts.is_some_and(|ts| NOW_S.abs_diff(ts) <= config.tolerance_s.unsigned_abs()),
            "the verifier was asked about a stale or unreadable timestamp {ts_text:?}"
        );
        let canonical = std::str::from_utf8(m.body)
            .ok()
            .and_then(|text| little::restringify(text).ok());
        assert_eq!(
            Some(check.message.clone()),
            canonical.map(|c| format!("{ts_text}.{c}").into_bytes()),
            "the signed bytes are timestamp.JSON.stringify(body)"
        );
        assert_eq!(
            little::public_key_der(LITTLE_PUBLIC_KEY_PEM).ok().as_ref(),
            Some(&check.public_key_der)
        );
        if !accept {
            assert_eq!(
                result.as_ref().err(),
                Some(&ProviderError::Signature(SignatureError::Mismatch)),
                "the verifier's refusal must be the answer"
            );
        }
    }
    let Ok(callback) = &result else {
        return;
    };
    assert!(
        accept && asked.is_some(),
        "a callback was accepted that the verifier did not accept"
    );
    check::payment(&callback.payment());
}
